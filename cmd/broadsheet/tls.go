package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"broadsheet/internal/metrics"
	"broadsheet/internal/tlscert"
)

// hstsValue asks browsers to reach the site over https only, for a year.
// Subdomains are left out: whether every host under the domain serves
// https is the operator's to know.
var hstsValue = []string{"max-age=31536000"}

// hsts sets Strict-Transport-Security on every answer of a site that
// serves TLS itself; behind a proxy that ends TLS, the proxy sends it.
func hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Strict-Transport-Security"] = hstsValue
		next.ServeHTTP(w, r)
	})
}

// reloadSignal is where SIGHUP arrives for the whole of serve, shutdown
// included, so that a deploy hook that fires while the site stops does
// not end it without its last work saved; stop gives SIGHUP back.
func reloadSignal() (hup <-chan os.Signal, stop func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGHUP)
	return c, func() { signal.Stop(c) }
}

// keepCertificate puts a renewed certificate in use: when the files
// change (looked at every `every`) and at once on SIGHUP (hup), as an
// ACME client's deploy hook sends with `systemctl reload`. A pair that
// cannot be read or does not match is logged once and the one in use
// stays.
func keepCertificate(ctx context.Context, k *tlscert.Keeper, every time.Duration, hup <-chan os.Signal, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		force := false
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-hup:
			force = true
		}
		news, err := k.Reload(force)
		switch {
		case errors.Is(err, tlscert.ErrUnchanged):
		case err != nil:
			if news {
				log.Error("TLS certificate not reloaded; the one in use stays", "err", err)
			}
		default:
			leaf := k.Leaf()
			log.Info("TLS certificate reloaded", "subject", leaf.Subject.String(), "names", leaf.DNSNames, "not_after", leaf.NotAfter)
		}
	}
}

// certificateMetrics reports when the certificate in use expires, for an
// alert well before it does.
func certificateMetrics(reg *metrics.Registry, k *tlscert.Keeper) {
	reg.Gauge("broadsheet_tls_certificate_expiry_timestamp_seconds",
		"When the TLS certificate the site serves expires, in seconds since 1970.",
		func() float64 { return float64(k.Leaf().NotAfter.Unix()) })
}

// acmeToken is the name an ACME HTTP-01 challenge is asked for by: the
// token, base64url (RFC 8555 §8.3).
var acmeToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// toHTTPS answers the plain HTTP listener of a site that serves TLS: every
// request is sent to the same path and query on the site's https origin,
// permanently (308 for methods other than GET and HEAD, which must not
// become a GET). With webroot set it first answers ACME HTTP-01
// challenges from webroot/.well-known/acme-challenge/, where certbot's
// --webroot and the like write them.
func toHTTPS(baseURL, webroot string) (http.Handler, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	origin := "https://" + u.Host
	var root *os.Root
	if webroot != "" {
		if root, err = os.OpenRoot(webroot); err != nil {
			return nil, err
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token, ok := strings.CutPrefix(r.URL.Path, "/.well-known/acme-challenge/"); ok && root != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			serveChallenge(w, r, root, token)
			return
		}
		code := http.StatusMovedPermanently
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			code = http.StatusPermanentRedirect
		}
		target := origin + r.URL.EscapedPath()
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		h := w.Header()
		h.Set("Location", target)
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(code)
		if r.Method != http.MethodHead {
			io.WriteString(w, "This site is served over https: "+target+"\n")
		}
	}), nil
}

// serveChallenge answers an ACME HTTP-01 challenge with its key
// authorisation, read from the webroot; a token that is not one, or is not
// there, is 404.
func serveChallenge(w http.ResponseWriter, r *http.Request, root *os.Root, token string) {
	var body []byte
	if acmeToken.MatchString(token) {
		f, err := root.Open(".well-known/acme-challenge/" + token)
		if err == nil {
			body, err = io.ReadAll(io.LimitReader(f, 4096))
			f.Close()
		}
		if err != nil {
			body = nil
		}
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if body == nil {
		http.Error(w, "no such challenge", http.StatusNotFound)
		return
	}
	h.Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
