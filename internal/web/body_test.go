package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/api"
	"broadsheet/internal/i18n"
)

// countingReader counts what a handler read of a body: n bytes of "a".
type countingReader struct{ left, read int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	n = min(n, c.left)
	for i := range p[:n] {
		p[i] = 'a'
	}
	c.left -= n
	c.read += n
	return int(n), nil
}

var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// routeTarget turns a route pattern into a method and a path that it
// serves, each wildcard filled with "1".
func routeTarget(pattern string) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "POST", pattern
	}
	path = strings.ReplaceAll(path, "{$}", "")
	return method, wildcard.ReplaceAllString(path, "1")
}

// apiRoutes lists the routes of the API the site mounts, with their caps.
func apiRoutes(t testing.TB, srv *Server) []api.Route {
	t.Helper()
	a, ok := srv.api.(interface{ Routes() []api.Route })
	if !ok {
		t.Fatalf("the site mounts no API that lists its routes: %T", srv.api)
	}
	return a.Routes()
}

// siteDoors are the site's own JSON endpoints, served by the API it
// mounts: they take what the site's forms take.
var siteDoors = []string{"GET /api/v1/challenge", "POST /api/v1/articles/{id}/comments", "POST /api/v1/subscriptions"}

// Every route of the site, and of the API it mounts, reads at most its cap
// of a body, and a body over it gets a clear 413 — whether it says its
// length or not, signed in or not.
func TestEveryRouteCapsItsBody(t *testing.T) {
	ns := newNewsroom(t)
	if len(ns.srv.routeList) < 80 {
		t.Fatalf("only %d routes listed", len(ns.srv.routeList))
	}
	caps := map[string]bodyCap{}
	var patterns []string
	for _, pattern := range ns.srv.routeList {
		c, ok := bodyLimits[pattern]
		if !ok {
			c = bodyCap{bytes: maxFormBytes}
		}
		caps[pattern] = c
		patterns = append(patterns, pattern)
	}
	for _, route := range apiRoutes(t, ns.srv) {
		if _, ok := caps[route.Pattern]; ok {
			t.Errorf("%s is both the site's and the API's", route.Pattern)
		}
		caps[route.Pattern] = bodyCap{bytes: route.MaxBody}
		patterns = append(patterns, route.Pattern)
	}
	for _, door := range siteDoors {
		if c, ok := caps[door]; !ok || c.bytes != maxFormBytes {
			t.Errorf("%s: cap %d (route listed: %v), want the forms' %d", door, c.bytes, ok, maxFormBytes)
		}
	}
	for _, pattern := range patterns {
		c := caps[pattern]
		method, path := routeTarget(pattern)
		t.Run(pattern, func(t *testing.T) {
			// Said to be too large: refused before a byte is read, before
			// anyone is asked who they are.
			body := &countingReader{left: c.bytes + 1}
			req := httptest.NewRequest(method, path, body)
			req.ContentLength = c.bytes + 1
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			ns.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusRequestEntityTooLarge || body.read != 0 {
				t.Errorf("%s %s with Content-Length %d = %d, read %d bytes; want 413 and nothing read", method, path, c.bytes+1, rec.Code, body.read)
			}
			if strings.HasPrefix(path, "/api/") && !strings.Contains(rec.Body.String(), `"too_large"`) {
				t.Errorf("%s %s: 413 is not a JSON problem: %s", method, path, rec.Body.String())
			}
			if method != "POST" {
				return
			}
			// Length unsaid, signed in as an admin so the newsroom's
			// handlers run: reading stops at the cap and says 413.
			for _, ct := range []string{"application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "application/json"} {
				body := &countingReader{left: 4 * c.bytes}
				var r io.Reader = body
				if strings.HasPrefix(ct, "multipart/") {
					r = io.MultiReader(strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"), body)
				}
				req := httptest.NewRequest(method, path, r)
				req.ContentLength = -1
				req.Header.Set("Content-Type", ct)
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ns.cookies[account.Admin]})
				rec := httptest.NewRecorder()
				ns.srv.ServeHTTP(rec, req)
				if body.read > c.bytes+1 {
					t.Errorf("%s %s (%s, length unsaid): read %d bytes, cap %d", method, path, ct, body.read, c.bytes)
				}
				if body.read > c.bytes && rec.Code != http.StatusRequestEntityTooLarge {
					t.Errorf("%s %s (%s, length unsaid) = %d after reading to the cap, want 413", method, path, ct, rec.Code)
				}
			}
		})
	}
}

// The table names only routes that exist, and what it tells readers is in
// the catalog.
func TestBodyLimitsNameRealRoutes(t *testing.T) {
	ns := newNewsroom(t)
	for pattern, c := range bodyLimits {
		found := false
		for _, p := range ns.srv.routeList {
			found = found || p == pattern
		}
		if !found {
			t.Errorf("bodyLimits names %q, which no route has", pattern)
		}
		if c.msg != "" && !i18n.Has(c.msg) {
			t.Errorf("bodyLimits[%q] says %q, missing from the catalog", pattern, c.msg)
		}
	}
	for _, key := range []string{"error.413.body", "error.bad_body"} {
		if !i18n.Has(key) {
			t.Errorf("catalog lacks %q", key)
		}
	}
}

// A form under its cap still reaches its handler whole, urlencoded or
// multipart: the wrapper reads it, the handler finds it read.
func TestFormsUnderTheCapArriveWhole(t *testing.T) {
	ns := newNewsroom(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("email", "nobody@courier.example")
	mw.WriteField("password", "wrong")
	mw.WriteField("next", "/admin/audit")
	mw.Close()
	req := httptest.NewRequest("POST", "/admin/login", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.ContentLength = -1
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `value="nobody@courier.example"`) {
		t.Errorf("multipart sign-in = %d, want 401 with the address kept", rec.Code)
	}
	req = httptest.NewRequest("POST", "/subscribe", strings.NewReader("email=%zz"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("unreadable form = %d, want 400", rec.Code)
	}
}

// Past the cap, what a newsroom handler can still fail to read is a body
// that is no form with an address that cannot be read: a 400, never a
// "too large" for something small.
func TestNewsroomFormsUnreadableNotTooLarge(t *testing.T) {
	ns := newNewsroom(t)
	for _, path := range []string{"/admin/articles", "/admin/articles/preview", "/admin/articles/1", "/admin/comments"} {
		req := httptest.NewRequest("POST", path+"?x=%zz", strings.NewReader("headline=Hi"))
		req.Header.Set("Content-Type", "text/plain")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ns.cookies[account.Admin]})
		rec := httptest.NewRecorder()
		ns.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("POST %s, not a form, unreadable address = %d, want 400", path, rec.Code)
		}
	}
}

// A body refused by its cap is answered in the words of the tree it was
// sent to: the newsroom's page for the newsroom, the reader's for readers.
func TestRefusedBodyAnsweredByItsTree(t *testing.T) {
	ns := newNewsroom(t)
	for _, tt := range []struct {
		path, want, not string
	}{
		{"/admin/articles", `class="admin"`, `class="masthead"`},
		{"/subscribe", `class="masthead"`, `class="admin"`},
	} {
		req := httptest.NewRequest("POST", tt.path, strings.NewReader(""))
		req.ContentLength = maxEditorBytes + 1
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ns.cookies[account.Editor]})
		rec := httptest.NewRecorder()
		ns.srv.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(body, tt.want) || strings.Contains(body, tt.not) {
			t.Errorf("POST %s too large = %d, want 413 with %q and without %q:\n%.400s", tt.path, rec.Code, tt.want, tt.not, body)
		}
	}
}
