package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"broadsheet/internal/store/sqlite"
)

// Two servers on one database count limits together once shared: what a
// client may do is the same however requests are spread over instances.
func TestSharedLimits(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	var servers []*Server
	for range 2 {
		db, err := sqlite.Open(ctx, path)
		must(t, err)
		t.Cleanup(func() { db.Close() })
		srv := newServer(t, db, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		srv.ShareLimits(db)
		// One fixed window for the whole test, wherever the minute falls.
		srv.searchByIP.SetClock(func() time.Time { return time.Date(2026, 6, 1, 12, 0, 30, 0, time.UTC) })
		servers = append(servers, srv)
	}
	search := func(srv *Server) int {
		req := httptest.NewRequest("GET", "/search?q=harbour", nil)
		req.RemoteAddr = "203.0.113.9:1"
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	limit := servers[0].searchByIP.Max
	for i := range limit {
		if code := search(servers[i%2]); code != http.StatusOK {
			t.Fatalf("search %d = %d", i+1, code)
		}
	}
	for _, srv := range servers {
		if code := search(srv); code != http.StatusTooManyRequests {
			t.Errorf("search %d, on either instance = %d, want 429", limit+1, code)
		}
	}
}
