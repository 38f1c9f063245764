package api

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"broadsheet/internal/account"
)

// countingReader is a body of n bytes that counts what was read of it.
type countingReader struct{ left, read int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), c.left)
	for i := range p[:n] {
		p[i] = ' '
	}
	c.left -= n
	c.read += n
	return int(n), nil
}

var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// routePaths maps each path the API serves, wildcards filled, to the
// methods its routes name (GET implying HEAD).
func routePaths(t *testing.T, f *fixture) map[string][]string {
	t.Helper()
	paths := map[string][]string{}
	for _, pattern := range f.api.routeList {
		method, path, _ := strings.Cut(pattern, " ")
		path = wildcard.ReplaceAllString(path, "city")
		paths[path] = append(paths[path], method)
		if method == http.MethodGet {
			paths[path] = append(paths[path], http.MethodHead)
		}
	}
	if len(paths) < 10 {
		t.Fatalf("only %d API paths listed", len(paths))
	}
	return paths
}

// Every route reads at most its cap of a body — maxBodyBytes, less for the
// site's doors; one said to be larger is refused before a byte is read,
// with a JSON 413.
func TestEveryRouteCapsItsBody(t *testing.T) {
	f := newFixture(t)
	routes := f.api.Routes()
	if len(routes) != len(f.api.routeList) {
		t.Fatalf("%d routes with caps, %d registered", len(routes), len(f.api.routeList))
	}
	for pattern, c := range doorCaps {
		if !slices.Contains(routes, Route{pattern, c.bytes}) {
			t.Errorf("%s is not a route capped at %d", pattern, c.bytes)
		}
	}
	for _, route := range routes {
		pattern, limit := route.Pattern, route.MaxBody
		method, path, _ := strings.Cut(pattern, " ")
		path = wildcard.ReplaceAllString(path, "city")
		body := &countingReader{left: limit + 1}
		r := httptest.NewRequest(method, path, body)
		r.ContentLength = limit + 1
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+f.tokens[account.Admin])
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		if body.read != 0 {
			t.Errorf("%s %s: read %d bytes of a body said to be too large", method, path, body.read)
		}
		wantError(t, pattern, w, http.StatusRequestEntityTooLarge, "too_large")

		body = &countingReader{left: 4 * limit}
		r = httptest.NewRequest(method, path, io.MultiReader(strings.NewReader(`{"headline":"`), body))
		r.ContentLength = -1
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+f.tokens[account.Admin])
		w = httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		if body.read > limit {
			t.Errorf("%s %s, length unsaid: read %d bytes, cap %d", method, path, body.read, limit)
		}
		if w.Code >= 500 {
			t.Errorf("%s %s, length unsaid = %d", method, path, w.Code)
		}
	}
}

// Every path answers every method it does not serve with a JSON 405 whose
// Allow names exactly the methods it does.
func TestWrongMethodIs405WithAllow(t *testing.T) {
	f := newFixture(t)
	for path, served := range routePaths(t, f) {
		for _, m := range Methods {
			if slices.Contains(served, m) {
				continue
			}
			w := f.serve(req{method: m, path: path, token: f.tokens[account.Admin]})
			wantError(t, m+" "+path, w, http.StatusMethodNotAllowed, "method_not_allowed")
			var want []string
			for _, m := range Methods {
				if slices.Contains(served, m) {
					want = append(want, m)
				}
			}
			if got := w.Header().Get("Allow"); got != strings.Join(want, ", ") {
				t.Errorf("%s %s: Allow = %q, want %q", m, path, got, strings.Join(want, ", "))
			}
		}
	}
}

// The Content API may be read from any origin; the Admin API and the
// site's doors from none.
func TestCrossOrigin(t *testing.T) {
	f := newFixture(t)
	f.create(account.Editor, story("Tram depot", `"status":"published"`))
	send := func(method, path, origin string, headers ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		return w
	}
	for path, served := range routePaths(t, f) {
		public := slices.Contains(served, "OPTIONS") // the Content API's preflight
		for _, origin := range []string{"https://front.example", ""} {
			for _, m := range []string{"GET", "HEAD"} {
				if !slices.Contains(served, m) {
					continue
				}
				w := send(m, path, origin, "Authorization", "Bearer "+f.tokens[account.Admin])
				acao := w.Header().Get("Access-Control-Allow-Origin")
				if public && acao != "*" {
					t.Errorf("%s %s (Origin %q) = %d with Access-Control-Allow-Origin %q, want *", m, path, origin, w.Code, acao)
				}
				if !public && acao != "" {
					t.Errorf("%s %s: the Admin API allows origin %q", m, path, acao)
				}
				if w.Header().Get("Access-Control-Allow-Credentials") != "" || len(w.Result().Cookies()) > 0 {
					t.Errorf("%s %s: credentials or cookies on the API", m, path)
				}
				// The answer does not depend on Origin, so a cache may
				// share it: no Vary on Origin.
				if slices.Contains(w.Header().Values("Vary"), "Origin") {
					t.Errorf("%s %s: Vary: Origin, though the answer is the same for every origin", m, path)
				}
			}
		}
		w := send("OPTIONS", path, "https://front.example", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "if-none-match")
		if !public {
			if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("preflight %s = %d with %v; want 405 and no CORS headers", path, w.Code, w.Header())
			}
			continue
		}
		h := w.Header()
		if w.Code != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Methods") != "GET, HEAD" ||
			h.Get("Access-Control-Allow-Headers") != "*" || h.Get("Access-Control-Max-Age") == "" || h.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight %s = %d with %v", path, w.Code, h)
		}
	}
	// Errors of the Content API are readable too, so a front end can tell
	// "not found" from "blocked".
	if w := send("GET", "/api/v1/articles/999", "https://front.example"); w.Code != http.StatusNotFound || w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("missing article = %d with Access-Control-Allow-Origin %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
}

// The API's limits on client addresses count an IPv6 client by its /64,
// any address of it, and IPv4 written as IPv4-mapped IPv6 as IPv4.
func TestAddressLimitsKeyIPv6By64(t *testing.T) {
	t.Run("bad tokens", func(t *testing.T) {
		f := newFixture(t)
		for i := range failedAuthPerIP {
			if w := f.serve(req{method: "GET", path: "/api/v1/admin/sections", token: "wrong", addr: fmt.Sprintf("[2001:db8:5:6:%x::1]", i)}); w.Code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: status = %d, want 401", i+1, w.Code)
			}
		}
		w := f.serve(req{method: "GET", path: "/api/v1/admin/sections", token: f.tokens[account.Editor], addr: "[2001:db8:5:6:ffff::9]"})
		wantError(t, "another address of the /64, after 30 bad tokens", w, http.StatusTooManyRequests, "rate_limited")
		if w := f.serve(req{method: "GET", path: "/api/v1/admin/sections", token: f.tokens[account.Editor], addr: "[2001:db8:5:7::1]"}); w.Code != http.StatusOK {
			t.Errorf("the next /64: status = %d, want 200", w.Code)
		}
	})
	t.Run("content", func(t *testing.T) {
		for _, client := range []struct {
			name, other, next string
			addr              func(i int) string
		}{
			{"IPv6", "[2001:db8:7:8:ffff::9]", "[2001:db8:7:9::1]", func(i int) string { return fmt.Sprintf("[2001:db8:7:8:%x::1]", i) }},
			{"IPv4", "[::ffff:203.0.113.44]", "203.0.113.45", func(i int) string {
				if i%2 == 1 {
					return "[::ffff:203.0.113.44]"
				}
				return "203.0.113.44"
			}},
		} {
			f := newFixture(t)
			for i := range contentPerIP {
				if w := f.serve(req{method: "GET", path: "/api/v1/sections", addr: client.addr(i)}); w.Code != http.StatusOK {
					t.Fatalf("%s request %d: status = %d, want 200", client.name, i+1, w.Code)
				}
			}
			wantError(t, client.name+": one more from the same client", f.serve(req{method: "GET", path: "/api/v1/sections", addr: client.other}),
				http.StatusTooManyRequests, "rate_limited")
			if w := f.serve(req{method: "GET", path: "/api/v1/sections", addr: client.next}); w.Code != http.StatusOK {
				t.Errorf("%s: the next client: status = %d, want 200", client.name, w.Code)
			}
		}
	})
}
