package clientip

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	r, err := New([]string{"10.0.0.0/8", "::1", "192.0.2.10"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, remote, xff, want string
	}{
		{"direct client, header ignored", "203.0.113.5:4000", "1.2.3.4", "203.0.113.5"},
		{"trusted proxy", "10.1.1.1:80", "198.51.100.7", "198.51.100.7"},
		{"client forges a hop", "10.1.1.1:80", "6.6.6.6, 198.51.100.7", "198.51.100.7"},
		{"two trusted proxies", "10.1.1.1:80", "198.51.100.7, 192.0.2.10", "198.51.100.7"},
		{"only proxies", "10.1.1.1:80", "10.2.2.2", "10.2.2.2"},
		{"malformed hop", "10.1.1.1:80", "garbage", "10.1.1.1"},
		{"no header from proxy", "10.1.1.1:80", "", "10.1.1.1"},
		{"ipv6 loopback proxy", "[::1]:80", "2001:db8::9", "2001:db8::9"},
		{"mapped ipv4 peer", "[::ffff:203.0.113.5]:1", "", "203.0.113.5"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = tt.remote
		if tt.xff != "" {
			req.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := r.ClientIP(req).String(); got != tt.want {
			t.Errorf("%s: ClientIP = %s, want %s", tt.name, got, tt.want)
		}
	}
	if _, err := New([]string{"not-a-cidr"}); err == nil {
		t.Error("New accepted a bad CIDR")
	}
}

func TestKey(t *testing.T) {
	for _, tt := range []struct{ addr, want string }{
		{"203.0.113.5", "203.0.113.5"},
		{"::ffff:203.0.113.5", "203.0.113.5"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"::1", "::/64"},
		{"fe80::1%eth0", "fe80::/64"},
	} {
		if got := Key(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("Key(%s) = %s, want %s", tt.addr, got, tt.want)
		}
	}
	// Two addresses of one /64 are one client; of two /64s, two.
	r, _ := New(nil)
	key := func(remote string) string {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = remote
		return r.Key(req)
	}
	if key("[2001:db8::1]:1") != key("[2001:db8::ffff:1]:2") || key("[2001:db8::1]:1") == key("[2001:db8:0:1::1]:1") {
		t.Error("Key does not group IPv6 by /64")
	}
}
