// Package clientip decides which address a request came from, and what a
// rate limit counts it as. Behind a proxy the peer is the proxy, and the
// client is in X-Forwarded-For — but anyone can write that header, so it is
// believed only when the peer is a proxy the operator named. Every rate
// limit uses these two rules (ClientIP, then Key).
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver knows which peers are trusted proxies.
type Resolver struct {
	trusted []netip.Prefix
}

// New parses CIDRs (or single addresses) such as "10.0.0.0/8, ::1".
func New(cidrs []string) (*Resolver, error) {
	r := &Resolver{}
	for _, c := range cidrs {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !strings.Contains(c, "/") {
			a, err := netip.ParseAddr(c)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR", c)
			}
			c = netip.PrefixFrom(a, a.BitLen()).String()
		}
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR", c)
		}
		r.trusted = append(r.trusted, p.Masked())
	}
	return r, nil
}

func (r *Resolver) isTrusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP returns the client's address. When the peer is a trusted proxy,
// X-Forwarded-For is read from the right, skipping trusted proxies, and the
// first untrusted address is the client; anything left of it could have
// been written by the client and is ignored.
func (r *Resolver) ClientIP(req *http.Request) netip.Addr {
	peer := peerAddr(req.RemoteAddr)
	if !peer.IsValid() || !r.isTrusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(req.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer // a malformed hop: trust nothing further left
		}
		a = a.Unmap()
		if !r.isTrusted(a) {
			return a
		}
		peer = a
	}
	return peer
}

// Key is what every rate limit counts an address as: an IPv4 address
// itself, an IPv6 address its /64. One IPv6 subscriber is routinely given
// a whole /64 and can use any address in it, so counting single IPv6
// addresses would give them unlimited tries. An IPv4 address written as
// IPv6 (::ffff:a.b.c.d) counts as that IPv4 address.
func Key(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// Key is the rate-limit key of the request's client (Key of ClientIP).
func (r *Resolver) Key(req *http.Request) string { return Key(r.ClientIP(req)) }

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}
