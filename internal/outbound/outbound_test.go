package outbound

import (
	"net/netip"
	"testing"
)

func TestInternalAddresses(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1":            true,
		"127.9.9.9":            true,
		"::1":                  true,
		"::ffff:127.0.0.1":     true, // IPv4-mapped
		"::7f00:1":             true, // IPv4-compatible, deprecated
		"::a9fe:a9fe":          true, // the same form of 169.254.169.254
		"0.0.0.0":              true,
		"::":                   true,
		"10.1.2.3":             true,
		"172.16.0.1":           true,
		"172.31.255.255":       true,
		"192.168.1.1":          true,
		"100.64.0.1":           true, // CGNAT
		"100.100.100.200":      true, // Alibaba's metadata service
		"169.254.169.254":      true, // the clouds' metadata service
		"fd00:ec2::254":        true, // AWS's, over IPv6
		"192.0.0.192":          true, // Oracle's
		"fc00::1":              true, // unique local
		"fe80::1":              true, // link-local
		"fe80::1%eth0":         true,
		"224.0.0.1":            true, // multicast
		"ff02::1":              true,
		"255.255.255.255":      true,
		"240.0.0.1":            true,
		"198.18.0.1":           true,
		"64:ff9b::7f00:1":      true, // NAT64 of 127.0.0.1
		"64:ff9b::a9fe:a9fe":   true, // NAT64 of 169.254.169.254
		"2002:7f00:1::1":       true, // 6to4 of 127.0.0.1
		"2001:0:4136:e378::1":  true, // Teredo
		"8.8.8.8":              false,
		"172.32.0.1":           false,
		"100.128.0.1":          false,
		"142.250.74.206":       false,
		"2606:4700:4700::1111": false,
		"64:ff9b::808:808":     false, // NAT64 of 8.8.8.8
		"2002:808:808::1":      false,
	} {
		a, err := netip.ParseAddr(addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := Internal(a); got != want {
			t.Errorf("Internal(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestParseURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://hooks.example.org/broadsheet": true,
		"http://hooks.example.org:8080/in?k=v": true,
		"https://[2606:4700::1]/in":            true,
		"ftp://hooks.example.org/":             false,
		"https://user:pass@hooks.example.org/": false,
		"https://user@hooks.example.org/":      false,
		"/relative":                            false,
		"https:///nohost":                      false,
		"https://:443/":                        false,
		"hooks.example.org/broadsheet":         false,
		"javascript:alert(1)":                  false,
		"https://hooks.example.org/\x7f":       false,
	} {
		_, err := ParseURL(raw)
		if (err == nil) != ok {
			t.Errorf("ParseURL(%q) = %v, want ok %v", raw, err, ok)
		}
	}
}

func TestInternalHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost":         true,
		"LOCALHOST.":        true,
		"api.localhost":     true,
		"127.0.0.1":         true,
		"[::1]":             true,
		"::ffff:127.0.0.1":  true,
		"10.0.0.7":          true,
		"169.254.169.254":   true,
		"hooks.example.org": false,
		"8.8.8.8":           false,
		"notlocalhost.org":  false,
	} {
		if got := InternalHost(host); got != want {
			t.Errorf("InternalHost(%q) = %v, want %v", host, got, want)
		}
	}
}
