package embed

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Endpoint is an oEmbed provider the operator adds: the page addresses it
// answers for, written as an oEmbed URL scheme (https://media.example.org/video/*,
// where * stands for any characters, and in the host for any subdomains),
// and its endpoint. Its frame is the https src of the iframe in what the
// endpoint answers.
type Endpoint struct {
	Scheme   string
	Endpoint string
	match    *regexp.Regexp
}

// ParseEndpoint reads PATTERN=ENDPOINT, as the --oembed-endpoint flag
// takes it. The endpoint is what follows the last "=http", so a pattern
// may hold "=" (a query) and the endpoint may not name another address.
func ParseEndpoint(s string) (Endpoint, error) {
	i := strings.LastIndex(s, "=http")
	if i <= 0 {
		return Endpoint{}, fmt.Errorf("oEmbed endpoint %q: want PATTERN=ENDPOINT, e.g. https://media.example.org/video/*=https://media.example.org/oembed", s)
	}
	return NewEndpoint(strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]))
}

// NewEndpoint checks an oEmbed URL scheme and endpoint.
func NewEndpoint(scheme, endpoint string) (Endpoint, error) {
	e := Endpoint{Scheme: scheme, Endpoint: endpoint}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return e, fmt.Errorf("oEmbed endpoint %q: want an absolute http(s) address", endpoint)
	}
	proto, rest, ok := strings.Cut(scheme, "://")
	host, path, _ := strings.Cut(rest, "/")
	if !ok || (proto != "https" && proto != "http") || host == "" || strings.ContainsAny(host, "@ ") || strings.Contains(host, "*") && !strings.HasPrefix(host, "*.") ||
		strings.Count(host, "*") > 1 || len(scheme) > maxURL {
		return e, fmt.Errorf("oEmbed URL scheme %q: want an absolute http(s) address with * for any characters, e.g. https://media.example.org/video/*", scheme)
	}
	expr := "^" + regexp.QuoteMeta(proto) + "://"
	if strings.HasPrefix(host, "*.") {
		expr += `(?:[a-z0-9-]+\.)+`
		host = host[2:]
	}
	expr += regexp.QuoteMeta(strings.ToLower(host)) + "/"
	parts := strings.Split(path, "*")
	for i, p := range parts {
		if i > 0 {
			expr += ".*"
		}
		expr += regexp.QuoteMeta(p)
	}
	e.match, err = regexp.Compile(expr + "$")
	if err != nil {
		return e, fmt.Errorf("oEmbed URL scheme %q: %w", scheme, err)
	}
	return e, nil
}

// Matches reports whether a page address is one the endpoint answers for.
func (e Endpoint) Matches(addr string) bool {
	u, ok := parsePage(addr)
	if !ok || e.match == nil {
		return false
	}
	// The host compares without case, as hosts do; the rest as written.
	rest := addr[len(u.Scheme)+len("://")+len(u.Host):]
	return e.match.MatchString(u.Scheme + "://" + strings.ToLower(u.Host) + rest)
}
