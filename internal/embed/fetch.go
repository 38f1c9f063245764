package embed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"broadsheet/internal/outbound"
)

// Requests to providers go out through a client that refuses, at the
// moment it connects, any address inside a network (internal/outbound):
// a hostname resolving to 127.0.0.1 (or made to, between two look-ups), a
// redirect to 169.254.169.254, an IPv6 form of either.

// ErrRefusedAddress means a request would have connected to an address
// inside a network: loopback, private, link-local and the like.
var ErrRefusedAddress = outbound.ErrRefused

// ErrTooLarge means a response was longer than accepted.
var ErrTooLarge = errors.New("embed: response too large")

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
	tr := outbound.Transport(outbound.Options{AllowPrivate: allowPrivate, Allow: allow,
		DialTimeout: 3 * time.Second, TLSHandshakeTimeout: 3 * time.Second, ResponseHeaderTimeout: 4 * time.Second})
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
	if _, err := outbound.ParseURL(addr); err != nil {
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
