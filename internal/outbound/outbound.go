// Package outbound owns the requests the server makes to addresses that
// others chose — an oEmbed provider a writer's link leads to, a webhook
// endpoint an admin typed — and the one rule they keep: no connection to
// an address inside a network (this host, private and link-local
// networks, the clouds' metadata services) unless the operator allows it.
//
// The check is on the address dialled, at the moment of dialling
// (net.Dialer.Control runs once the name is resolved and before any packet
// is sent), so nothing that happens before it — DNS, a name made to
// resolve differently between two look-ups, a redirect, an IPv6 spelling
// of an IPv4 address — can get around it. No proxy from the environment is
// used: a proxy would do the dialling unchecked.
package outbound

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrRefused means a request would have connected to an address inside a
// network: loopback, private, link-local and the like.
var ErrRefused = errors.New("refused to connect to an internal address")

// refused are the networks no request may reach unless allowed: this
// host, private and shared networks, link-local (the clouds' metadata
// service, 169.254.169.254 and fd00:ec2::254, is there or in the
// unique-local range), documentation and benchmarking ranges, multicast,
// reserved and broadcast addresses, and IPv6 forms that reach IPv4
// through a relay of unknown reach (Teredo).
var refused = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // "this network", 0.0.0.0 reaches this host
		"10.0.0.0/8",      // private
		"100.64.0.0/10",   // shared address space (CGNAT; Alibaba's metadata at 100.100.100.200)
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local, cloud metadata
		"172.16.0.0/12",   // private
		"192.0.0.0/24",    // IETF protocol assignments (Oracle's metadata at 192.0.0.192)
		"192.0.2.0/24",    // documentation
		"192.88.99.0/24",  // 6to4 relay anycast
		"192.168.0.0/16",  // private
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, and the broadcast address
		"::/96",           // IPv4-compatible, deprecated: ::7f00:1 names 127.0.0.1
		"::/128",          // unspecified
		"::1/128",         // loopback
		"64:ff9b:1::/48",  // local-use IPv4/IPv6 translation
		"100::/64",        // discard
		"2001::/32",       // Teredo
		"2001:2::/48",     // benchmarking
		"2001:db8::/32",   // documentation
		"fc00::/7",        // unique local
		"fe80::/10",       // link-local
		"fec0::/10",       // site-local, deprecated
		"ff00::/8",        // multicast
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// Internal reports whether a connection to a is refused unless allowed.
func Internal(a netip.Addr) bool {
	a = a.Unmap()
	if a.Zone() != "" {
		return true
	}
	// An IPv6 address carrying an IPv4 one reaches that one: judge it.
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			return Internal(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixToFour.Contains(a):
			return Internal(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	for _, p := range refused {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Options configure a Transport. Zero durations get the defaults.
type Options struct {
	// AllowPrivate lets connections reach internal addresses: for a
	// service on the operator's own network, or tests.
	AllowPrivate bool
	// Allow are addresses connections may reach even without AllowPrivate.
	Allow []netip.Prefix
	// DialTimeout bounds making a connection (default 3s),
	// TLSHandshakeTimeout its TLS handshake (default 3s), and
	// ResponseHeaderTimeout the wait for the answer's headers once the
	// request is sent (default 4s).
	DialTimeout, TLSHandshakeTimeout, ResponseHeaderTimeout time.Duration
}

// Transport is an http.Transport whose every connection is checked:
// one to an internal address fails with ErrRefused, unless allowed.
func Transport(o Options) *http.Transport {
	if o.DialTimeout <= 0 {
		o.DialTimeout = 3 * time.Second
	}
	if o.TLSHandshakeTimeout <= 0 {
		o.TLSHandshakeTimeout = 3 * time.Second
	}
	if o.ResponseHeaderTimeout <= 0 {
		o.ResponseHeaderTimeout = 4 * time.Second
	}
	permitted := func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range o.Allow {
			if p.Contains(a) {
				return true
			}
		}
		return o.AllowPrivate || !Internal(a)
	}
	dialer := &net.Dialer{
		Timeout: o.DialTimeout,
		// Control runs for each address tried, once it is resolved and
		// before any packet is sent to it.
		Control: func(network, address string, _ syscall.RawConn) error {
			if network != "tcp4" && network != "tcp6" {
				return fmt.Errorf("%w: network %s", ErrRefused, network)
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrRefused, address)
			}
			if !permitted(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrRefused, ap.Addr())
			}
			return nil
		},
	}
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    o.TLSHandshakeTimeout,
		ResponseHeaderTimeout:  o.ResponseHeaderTimeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           8,
		IdleConnTimeout:        30 * time.Second,
	}
}

// ErrNotHTTP means an address is not an absolute http or https address
// of a host, or carries a user name or password.
var ErrNotHTTP = errors.New("not an http or https address")

// ParseURL reads an address a request may be sent to: absolute, http or
// https, with a host, and without user information (a password in an
// address ends up in logs and pages).
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Hostname() == "" {
		return nil, ErrNotHTTP
	}
	return u, nil
}

// InternalHost reports whether host, as an address names it, is certainly
// internal without asking DNS: an IP address inside a network, or a name
// for this host (localhost and its subdomains). Other names may resolve
// anywhere; only the check at connection time knows.
func InternalHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && Internal(a)
}
