package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"broadsheet/internal/api"
	"broadsheet/internal/store/sqlite"
)

// Under /api/v1/ the API mounted there answers everything, the site's own
// JSON endpoints included: a wrong method is a JSON 405 whose Allow names
// what the path does answer, never the reader's 404 page.
func TestAPIWrongMethodIs405(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	must(t, err)
	t.Cleanup(func() { db.Close() })
	srv := newServer(t, db, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})

	paths := map[string][]string{
		// What the API serves, as docs/api.md lists it.
		"/api/v1/articles":         {"GET", "HEAD", "OPTIONS"},
		"/api/v1/articles/1":       {"GET", "HEAD", "OPTIONS"},
		"/api/v1/admin/articles/1": {"GET", "HEAD", "PATCH", "DELETE"},
		// The site's own, in the API.
		"/api/v1/challenge":            {"GET", "HEAD"},
		"/api/v1/articles/1/comments":  {"POST"},
		"/api/v1/subscriptions":        {"POST"},
		"/api/v1/admin/sections/1":     {"GET", "HEAD", "PATCH", "DELETE"},
		"/api/v1/articles/by-slug/one": {"GET", "HEAD", "OPTIONS"},
	}
	for _, door := range siteDoors {
		if !slices.ContainsFunc(apiRoutes(t, srv), func(r api.Route) bool { return r.Pattern == door }) {
			t.Errorf("the API has no route %s", door)
		}
	}
	for path, served := range paths {
		var want []string
		for _, m := range api.Methods {
			if slices.Contains(served, m) {
				want = append(want, m)
			}
		}
		for _, m := range api.Methods {
			if slices.Contains(served, m) {
				continue
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(m, path, nil))
			if rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s = %d, want 405", m, path, rec.Code)
				continue
			}
			if got := rec.Header().Get("Allow"); got != strings.Join(want, ", ") {
				t.Errorf("%s %s: Allow = %q, want %q", m, path, got, strings.Join(want, ", "))
			}
			var problem struct {
				Error struct{ Code, Message string }
			}
			if m != "HEAD" && (json.Unmarshal(rec.Body.Bytes(), &problem) != nil || problem.Error.Code != "method_not_allowed") {
				t.Errorf("%s %s: body %q is not the API's JSON problem", m, path, rec.Body.String())
			}
		}
	}
	// Through the whole site (cross-origin protection, headers), the
	// Content API still answers a browser on another origin.
	req := httptest.NewRequest("OPTIONS", "/api/v1/articles", nil)
	req.Header.Set("Origin", "https://front.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Access-Control-Request-Method", "GET")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight through the site = %d with %v", rec.Code, rec.Header())
	}
	req = httptest.NewRequest("GET", "/api/v1/articles", nil)
	req.Header.Set("Origin", "https://front.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("cross-origin GET through the site = %d with %v", rec.Code, rec.Header())
	}
}
