package embed

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
		if got := internal(a); got != want {
			t.Errorf("internal(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	got := redact("https://graph.facebook.com/instagram_oembed?url=x&access_token=1234|secret#f")
	if want := "https://graph.facebook.com/instagram_oembed"; got != want {
		t.Errorf("redact = %q, want %q", got, want)
	}
}

func TestEndpointSchemes(t *testing.T) {
	for _, tt := range []struct {
		flag, page string
		want       bool
	}{
		{"https://media.example.org/video/*=https://media.example.org/oembed", "https://media.example.org/video/42", true},
		{"https://media.example.org/video/*=https://media.example.org/oembed", "https://MEDIA.example.org/video/42?t=1", true},
		{"https://media.example.org/video/*=https://media.example.org/oembed", "http://media.example.org/video/42", false},
		{"https://media.example.org/video/*=https://media.example.org/oembed", "https://media.example.org/audio/42", false},
		{"https://media.example.org/video/*=https://media.example.org/oembed", "https://media.example.org.evil.example/video/42", false},
		{"https://media.example.org/video/*=https://media.example.org/oembed", "https://evil.example/?https://media.example.org/video/42", false},
		{"https://*.example.org/v/*=https://example.org/oembed", "https://tv.example.org/v/1", true},
		{"https://*.example.org/v/*=https://example.org/oembed", "https://a.b.example.org/v/1", true},
		{"https://*.example.org/v/*=https://example.org/oembed", "https://example.org/v/1", false},
		{"https://*.example.org/v/*=https://example.org/oembed", "https://evilexample.org/v/1", false},
		{"https://media.example.org/watch?v=*=https://media.example.org/oembed?format=json", "https://media.example.org/watch?v=abc", true},
	} {
		e, err := ParseEndpoint(tt.flag)
		if err != nil {
			t.Errorf("ParseEndpoint(%q): %v", tt.flag, err)
			continue
		}
		if got := e.Matches(tt.page); got != tt.want {
			t.Errorf("%q matches %q: %v, want %v", tt.flag, tt.page, got, tt.want)
		}
	}
	e, err := ParseEndpoint("https://media.example.org/watch?v=*=https://media.example.org/oembed?format=json")
	if err != nil || e.Scheme != "https://media.example.org/watch?v=*" || e.Endpoint != "https://media.example.org/oembed?format=json" {
		t.Errorf("ParseEndpoint split %+v, %v", e, err)
	}
	for _, bad := range []string{
		"https://media.example.org/video/*",
		"=https://media.example.org/oembed",
		"media.example.org/*=https://media.example.org/oembed",
		"ftp://media.example.org/*=https://media.example.org/oembed",
		"https://media.*.org/*=https://media.example.org/oembed",
		"https://user@media.example.org/*=https://media.example.org/oembed",
		"https://media.example.org/*=httpx://media.example.org/oembed",
		"https://media.example.org/*=https:///oembed",
	} {
		if _, err := ParseEndpoint(bad); err == nil {
			t.Errorf("ParseEndpoint(%q) accepted it", bad)
		}
	}
}
