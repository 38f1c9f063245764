package embed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Requests to providers go out through a client that refuses, at the
// moment it connects, any address inside a network: a hostname resolving
// to 127.0.0.1 (or made to, between two look-ups), a redirect to
// 169.254.169.254, an IPv6 form of either. The check is on the address
// dialled, so nothing that happens before it — DNS, redirects, a
// provider's answer naming an address — can get around it. No proxy from
// the environment is used: a proxy would do the dialling unchecked.

// ErrRefusedAddress means a request would have connected to an address
// inside a network: loopback, private, link-local and the like.
var ErrRefusedAddress = errors.New("embed: refused to connect to an internal address")

// ErrTooLarge means a response was longer than accepted.
var ErrTooLarge = errors.New("embed: response too large")

// refused are the networks no request may reach unless AllowPrivate:
// this host, private and shared networks, link-local (the clouds'
// metadata service, 169.254.169.254 and fd00:ec2::254, is there or in
// the unique-local range), documentation and benchmarking ranges,
// multicast, reserved and broadcast addresses, and IPv6 forms that reach
// IPv4 through a relay of unknown reach (Teredo).
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

// internal reports whether a connection to a should be refused.
func internal(a netip.Addr) bool {
	a = a.Unmap()
	if a.Zone() != "" {
		return true
	}
	// An IPv6 address carrying an IPv4 one reaches that one: judge it.
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			return internal(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixToFour.Contains(a):
			return internal(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	for _, p := range refused {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// fetcher makes the requests to providers.
type fetcher struct {
	client *http.Client
}

// maxRedirects is how many redirects one request follows.
const maxRedirects = 3

// userAgent names the site's requests to providers.
const userAgent = "Broadsheet (oEmbed)"

// newFetcher makes a fetcher that refuses internal addresses unless
// allowPrivate, and any address in allow even then.
func newFetcher(allowPrivate bool, allow []netip.Prefix) *fetcher {
	permitted := func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range allow {
			if p.Contains(a) {
				return true
			}
		}
		return allowPrivate || !internal(a)
	}
	dialer := &net.Dialer{
		Timeout: 3 * time.Second,
		// Control runs for each address tried, once it is resolved and
		// before any packet is sent to it.
		Control: func(network, address string, _ syscall.RawConn) error {
			if network != "tcp4" && network != "tcp6" {
				return fmt.Errorf("%w: network %s", ErrRefusedAddress, network)
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrRefusedAddress, address)
			}
			if !permitted(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrRefusedAddress, ap.Addr())
			}
			return nil
		},
	}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    3 * time.Second,
		ResponseHeaderTimeout:  4 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           8,
		IdleConnTimeout:        30 * time.Second,
	}
	return &fetcher{client: &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		if req.URL.Scheme != "https" && req.URL.Scheme != "http" || req.URL.User != nil {
			return fmt.Errorf("redirect to a %s address", req.URL.Scheme)
		}
		return nil
	}}}
}

// get reads the body of a GET of addr, at most max bytes. Errors name the
// address without its query, which may hold a token.
func (f *fetcher) get(ctx context.Context, addr, accept string, max int64) ([]byte, error) {
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("embed: GET %q: not an http(s) address", redact(addr))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
	if err != nil {
		return nil, fmt.Errorf("embed: GET %s: %w", redact(addr), err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", accept)
	resp, err := f.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text holds the address, token and all
		}
		return nil, fmt.Errorf("embed: GET %s: %w", redact(addr), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("embed: GET %s: status %d", redact(addr), resp.StatusCode)
	}
	if resp.ContentLength > max {
		return nil, fmt.Errorf("embed: GET %s: %w: %d bytes, at most %d", redact(addr), ErrTooLarge, resp.ContentLength, max)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("embed: GET %s: %w", redact(addr), err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("embed: GET %s: %w: more than %d bytes", redact(addr), ErrTooLarge, max)
	}
	return b, nil
}

// redact is an address without its query and fragment, fit for a log.
func redact(addr string) string {
	u, err := url.Parse(addr)
	if err != nil {
		return "(an address that does not parse)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
