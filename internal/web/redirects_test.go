package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	redirects "broadsheet/internal/redirect"
	"broadsheet/internal/store"
)

// do sends method to path and returns the answer, its body read.
func (s *site) do(method, path string) *httptest.ResponseRecorder {
	s.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, req)
	return rec
}

// An old address the site does not have is sent on by its redirect, on
// the site's origin, however the address is written; the answer says how
// long it may be kept. A redirect added after the address was answered 404
// answers at once.
func TestRedirectsAnswerOldAddresses(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	s.publish("city", "harbour-reopens", "Harbour reopens")
	old := "/2024/05/17/harbour-reopens/"
	if r := s.get(old); r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/2024/05/17/harbour-reopens" {
		t.Fatalf("GET %s before any redirect = %d %q, want the site's own 301 without the slash", old, r.status, r.header.Get("Location"))
	}
	if r := s.get("/2024/05/17/harbour-reopens"); r.status != http.StatusNotFound || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("404 page = %d, Cache-Control %q; want 404, never kept", r.status, r.header.Get("Cache-Control"))
	}
	rd := &redirects.Redirect{FromPath: old, ToURL: "/city/harbour-reopens"}
	must(t, s.db.CreateRedirect(ctx, rd))
	want := "https://news.example.org/city/harbour-reopens"
	for _, addr := range []string{old, "/2024/05/17/harbour-reopens", "/2024/05/17/harbour-reopens/?utm_source=newsletter&fbclid=x", "/index.php/2024/05/17/harbour-reopens/"} {
		r := s.get(addr)
		if r.status != http.StatusMovedPermanently || r.header.Get("Location") != want || r.header.Get("Cache-Control") != "public, max-age=86400" {
			t.Errorf("GET %s = %d, Location %q, Cache-Control %q; want 301 to %s for a day", addr, r.status, r.header.Get("Location"), r.header.Get("Cache-Control"), want)
		}
	}
	// An old address kept by its query (WordPress's ?p=) is looked up as
	// asked, though the page routes render without that query.
	must(t, s.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/archives.php?p=77", ToURL: "/city/harbour-reopens"}))
	for _, addr := range []string{"/archives.php?p=77", "/archives.php?p=077&utm_source=x", "/archive/old.php?p=77"} {
		r := s.get(addr)
		wantStatus, wantTo := http.StatusMovedPermanently, want
		if strings.HasPrefix(addr, "/archive/") {
			wantStatus, wantTo = http.StatusNotFound, "" // another path, the same query
		}
		if r.status != wantStatus || r.header.Get("Location") != wantTo {
			t.Errorf("GET %s = %d, Location %q; want %d %q", addr, r.status, r.header.Get("Location"), wantStatus, wantTo)
		}
	}

	// HEAD is answered the same, without a body; a POST is not redirected.
	head := s.do("HEAD", old)
	if head.Code != http.StatusMovedPermanently || head.Header().Get("Location") != want || head.Body.Len() != 0 {
		t.Errorf("HEAD %s = %d, Location %q, %d bytes; want 301 to %s and no body", old, head.Code, head.Header().Get("Location"), head.Body.Len(), want)
	}
	if post := s.do("POST", "/2024/05/17/harbour-reopens"); post.Code < 400 {
		t.Errorf("POST to an old address = %d, want it refused", post.Code)
	}

	// A Persian slug, encoded either way or not at all.
	must(t, s.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/tag/%d8%ae%d8%a8%d8%b1/", ToURL: "/tag/housing", Status: 302}))
	for _, addr := range []string{"/tag/%D8%AE%D8%A8%D8%B1", "/tag/%d8%ae%d8%a8%d8%b1/"} {
		r := s.get(addr)
		if r.status != http.StatusFound || r.header.Get("Location") != "https://news.example.org/tag/housing" || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s = %d, Location %q, Cache-Control %q; want 302 to /tag/housing, not kept", addr, r.status, r.header.Get("Location"), r.header.Get("Cache-Control"))
		}
	}

	// The site answers its own addresses, whatever a redirect says.
	must(t, s.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/about", ToURL: "/city"}))
	if r := s.get("/about"); r.status != http.StatusOK {
		t.Errorf("GET /about, a page of the site with a redirect = %d, want the page", r.status)
	}
	// An article's former slug is still the article's own redirect.
	moved := s.publish("city", "ferry-timetable", "Ferry timetable")
	must(t, s.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/city/ferry-timetable", ToURL: "/sport"}))
	moved.Slug = "ferry-timetable-changes"
	must(t, s.db.UpdateArticle(ctx, moved))
	if r := s.get("/city/ferry-timetable"); r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/city/ferry-timetable-changes" {
		t.Errorf("an article's former slug = %d, Location %q; want the article's own redirect", r.status, r.header.Get("Location"))
	}
}

// The front page's old addresses — /?p=123, /?page_id=7, /?cat=4,
// /?feed=rss2 — are looked up before the front page is served, even when
// the front page was served and cached at that address before.
func TestRedirectsFromFrontPageQueries(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	s.publish("city", "harbour-reopens", "Harbour reopens")
	for _, addr := range []string{"/?p=123", "/?utm_source=x"} {
		if r := s.get(addr); r.status != http.StatusOK || !strings.Contains(r.body, "Harbour reopens") {
			t.Fatalf("GET %s without a redirect = %d, want the front page", addr, r.status)
		}
	}
	for from, to := range map[string]string{"/?p=123": "/city/harbour-reopens", "/?page_id=7": "/about", "/?cat=4": "/city", "/?feed=rss2": "/feed.rss"} {
		must(t, s.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: from, ToURL: to}))
	}
	for addr, to := range map[string]string{
		"/?p=123": "/city/harbour-reopens", "/?p=123&utm_source=mail": "/city/harbour-reopens", "/index.php?p=123": "/city/harbour-reopens",
		"/?page_id=7": "/about", "/?cat=4": "/city", "/?feed=rss2": "/feed.rss",
	} {
		r := s.get(addr)
		if r.status != http.StatusMovedPermanently || r.header.Get("Location") != "https://news.example.org"+to {
			t.Errorf("GET %s = %d, Location %q; want 301 to %s", addr, r.status, r.header.Get("Location"), to)
		}
	}
	if r := s.do("HEAD", "/?p=123"); r.Code != http.StatusMovedPermanently {
		t.Errorf("HEAD /?p=123 = %d, want 301", r.Code)
	}
	for _, addr := range []string{"/", "/?utm_source=x", "/?p=999"} {
		if r := s.get(addr); r.status != http.StatusOK {
			t.Errorf("GET %s = %d, want the front page", addr, r.status)
		}
	}
}

// A redirect leaves the site only for an address an admin allowed, and
// one whose target is not plainly a path of the site is not followed,
// whoever wrote it into the database.
func TestRedirectsNeverOpen(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	if err := s.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/partner", ToURL: "https://partner.example/story"}); err == nil {
		t.Fatal("an off-site redirect was stored without leave")
	}
	if r := s.get("/partner"); r.status != http.StatusNotFound {
		t.Errorf("GET /partner = %d, want 404", r.status)
	}
	must(t, s.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/partner", ToURL: "https://partner.example/story", OffSite: true, Status: 307}))
	if r := s.get("/partner/"); r.status != http.StatusTemporaryRedirect || r.header.Get("Location") != "https://partner.example/story" || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("an allowed off-site redirect = %d, Location %q, Cache-Control %q", r.status, r.header.Get("Location"), r.header.Get("Cache-Control"))
	}
	// Rows written behind the newsroom's back: a target that is a path
	// only until decoded, and one on another site without leave.
	for _, bad := range []struct{ from, to string }{{"/sneaky", "/%2f%2fevil.example"}, {"/sneakier", "/\\evil.example"}} {
		must(t, s.db.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
			_, err := tx.ExecContext(ctx, `INSERT INTO redirects (from_path, to_url, created_at) VALUES (?, ?, ?)`, bad.from, bad.to, time.Now().Unix())
			return nil, err
		}))
		r := s.get(bad.from)
		if r.status != http.StatusNotFound || leavesSite(r.header.Get("Location")) {
			t.Errorf("GET %s leading to %q = %d, Location %q; want 404", bad.from, bad.to, r.status, r.header.Get("Location"))
		}
	}
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO redirects (from_path, to_url, created_at) VALUES ('/elsewhere', 'https://evil.example/', 1)`)
	if err == nil {
		t.Error("the database took an off-site target without leave")
	}
}

// Hits are counted in memory and stored with the page views; trying an
// address in the newsroom is not a hit.
func TestRedirectHits(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.srv.now = func() time.Time { return now }
	rd := &redirects.Redirect{FromPath: "/old", ToURL: "/city"}
	must(t, s.db.CreateRedirect(ctx, rd))
	for range 3 {
		s.get("/old/")
	}
	s.do("HEAD", "/old")
	if _, _, by, err := s.srv.tryAddress(ctx, "/old"); err != nil || by == nil || by.ID != rd.ID {
		t.Fatalf("tryAddress(/old) found %+v, %v", by, err)
	}
	got, err := s.db.RedirectByID(ctx, rd.ID)
	must(t, err)
	if got.Hits != 0 {
		t.Errorf("hits before a flush = %d, want 0: they are stored in batches", got.Hits)
	}
	must(t, s.srv.FlushViews(ctx))
	got, err = s.db.RedirectByID(ctx, rd.ID)
	must(t, err)
	if got.Hits != 4 || !got.LastHitAt.Equal(now) {
		t.Errorf("after a flush: %d hits, last %v; want 4 at %v", got.Hits, got.LastHitAt, now)
	}
	must(t, s.srv.FlushViews(ctx))
	if got, _ := s.db.RedirectByID(ctx, rd.ID); got.Hits != 4 {
		t.Errorf("a second flush made it %d hits", got.Hits)
	}
	// A cheap miss: an address no route claims costs the one question
	// whether a redirect answers it, by its key.
	s.get("/no/such/address/here")
	before := s.db.Queries()
	if r := s.get("/no/such/address/there"); r.status != http.StatusNotFound {
		t.Errorf("GET an unknown address = %d", r.status)
	}
	if n := s.db.Queries() - before; n != 1 {
		t.Errorf("a 404 ran %d statements, want 1", n)
	}
}
