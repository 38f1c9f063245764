package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"broadsheet/internal/store/sqlite"
)

// scrape asks srv's handler h for /metrics as a client at remote would.
func scrape(h http.Handler, remote string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.RemoteAddr = remote
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func metricsServer(t *testing.T, opts Options) *Server {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "metrics.db"))
	must(t, err)
	t.Cleanup(func() { db.Close() })
	opts.BaseURL, opts.Logger = "https://news.example.org", slog.New(slog.NewTextHandler(io.Discard, nil))
	return newServer(t, db, opts)
}

// The figures are not public on the site's listener: a stranger gets the
// site's 404, a scraper on the machine or with the token gets them, and a
// separate metrics listener takes them off the site altogether.
func TestMetricsAreNotPublic(t *testing.T) {
	const token = "a-metrics-token-of-some-length"
	isMetrics := func(rec *httptest.ResponseRecorder) bool {
		return rec.Code == 200 && strings.Contains(rec.Body.String(), "broadsheet_page_cache_entries")
	}
	open := metricsServer(t, Options{})
	for _, tc := range []struct {
		name    string
		remote  string
		headers []string
		want    int
	}{
		{"stranger", "198.51.100.7:5000", nil, 404},
		{"loopback", "127.0.0.1:5000", nil, 200},
		{"IPv6 loopback", "[::1]:5000", nil, 200},
		{"relayed by a proxy on this machine", "127.0.0.1:5000", []string{"X-Forwarded-For", "198.51.100.7"}, 404},
		{"relayed with Forwarded", "127.0.0.1:5000", []string{"Forwarded", "for=198.51.100.7"}, 404},
	} {
		rec := scrape(open, tc.remote, tc.headers...)
		if rec.Code != tc.want || (tc.want == 200) != isMetrics(rec) {
			t.Errorf("no token, %s: %d, want %d", tc.name, rec.Code, tc.want)
		}
	}

	withToken := metricsServer(t, Options{MetricsToken: token})
	for _, tc := range []struct {
		name, remote, auth string
		want               int
	}{
		{"no token", "198.51.100.7:5000", "", 401},
		{"no token, loopback", "127.0.0.1:5000", "", 401},
		{"wrong token", "198.51.100.7:5000", "Bearer not-the-token-at-all", 401},
		{"token as Basic", "198.51.100.7:5000", "Basic " + token, 401},
		{"the token", "198.51.100.7:5000", "Bearer " + token, 200},
	} {
		rec := scrape(withToken, tc.remote, "Authorization", tc.auth)
		if rec.Code != tc.want || (tc.want == 200) != isMetrics(rec) {
			t.Errorf("token set, %s: %d, want %d", tc.name, rec.Code, tc.want)
		}
		if tc.want == 401 && rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("token set, %s: no WWW-Authenticate", tc.name)
		}
	}

	apart := metricsServer(t, Options{MetricsElsewhere: true})
	if rec := scrape(apart, "127.0.0.1:5000"); rec.Code != 404 {
		t.Errorf("site's listener with a metrics listener apart = %d, want 404", rec.Code)
	}
	if rec := scrape(apart.Metrics(), "198.51.100.7:5000"); !isMetrics(rec) {
		t.Errorf("metrics listener = %d, want the figures", rec.Code)
	}
	apartToken := metricsServer(t, Options{MetricsElsewhere: true, MetricsToken: token})
	if rec := scrape(apartToken.Metrics(), "127.0.0.1:5000"); rec.Code != 401 {
		t.Errorf("metrics listener without the token = %d, want 401", rec.Code)
	}
	if rec := scrape(apartToken.Metrics(), "127.0.0.1:5000", "Authorization", "Bearer "+token); !isMetrics(rec) {
		t.Errorf("metrics listener with the token = %d", rec.Code)
	}
}
