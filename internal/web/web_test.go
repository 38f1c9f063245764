package web

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/i18n"
	"broadsheet/internal/store/sqlite"
)

// site is a small newsroom on a real SQLite file, served by a real Server.
type site struct {
	t        testing.TB
	db       *sqlite.DB
	srv      *Server
	sections map[string]article.Section
	authors  map[string]article.Author
	tags     map[string]article.Tag
	clock    time.Time
}

func newSite(t testing.TB) *site {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := newServer(t, db, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	db.OnChange(srv.Invalidate)
	s := &site{t: t, db: db, srv: srv, sections: map[string]article.Section{}, authors: map[string]article.Author{},
		tags: map[string]article.Tag{}, clock: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	must(t, db.SetSite(ctx, article.Site{Title: "The Test Gazette", Tagline: "All the news", Language: "en", TimeZone: "UTC"}))
	for i, name := range []string{"City", "Sport"} {
		sec := article.Section{Slug: article.Slugify(name), Name: name, Description: name + " news.", Position: i}
		must(t, db.CreateSection(ctx, &sec))
		s.sections[sec.Slug] = sec
	}
	for _, name := range []string{"Ada Lovelace", "Grace Hopper"} {
		au := article.Author{Slug: article.Slugify(name), Name: name, Role: "Reporter", Bio: name + " reports."}
		must(t, db.CreateAuthor(ctx, &au))
		s.authors[au.Slug] = au
	}
	for _, name := range []string{"Housing", "Football"} {
		tg := article.Tag{Slug: article.Slugify(name), Name: name}
		must(t, db.CreateTag(ctx, &tg))
		s.tags[tg.Slug] = tg
	}
	must(t, db.CreatePage(ctx, &article.Page{Slug: "about", Title: "About the Gazette", Body: "We are a **newsroom**."}))
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// publish stores a published article an hour after the previous one.
func (s *site) publish(section, slug, headline string, opts ...func(*article.Article)) *article.Article {
	s.t.Helper()
	s.clock = s.clock.Add(time.Hour)
	a := &article.Article{
		Slug: slug, Headline: headline, Standfirst: "Standfirst of " + headline + ".",
		Body: "First paragraph of " + headline + ".\n\n## Details\n\nMore.", Section: s.sections[section],
		Authors: []article.Author{s.authors["ada-lovelace"]}, Status: article.Published, Language: "en", PublishedAt: s.clock,
	}
	for _, o := range opts {
		o(a)
	}
	must(s.t, s.db.CreateArticle(context.Background(), a))
	return a
}

type result struct {
	status int
	header http.Header
	body   string
}

func (s *site) get(path string, headers ...string) result {
	s.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(rec.Body)
		must(s.t, err)
		b, err := io.ReadAll(zr)
		must(s.t, err)
		body = string(b)
	}
	return result{rec.Code, rec.Header(), body}
}

func (r result) has(t *testing.T, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(r.body, w) {
			t.Errorf("body lacks %q", w)
		}
	}
}

func (r result) lacks(t *testing.T, nots ...string) {
	t.Helper()
	for _, w := range nots {
		if strings.Contains(r.body, w) {
			t.Errorf("body contains %q", w)
		}
	}
}

func TestFrontPage(t *testing.T) {
	s := newSite(t)
	if r := s.get("/"); r.status != 200 || !strings.Contains(r.body, "Nothing has been published yet.") {
		t.Errorf("empty front page: %d, want 200 with the empty message", r.status)
	}
	s.publish("city", "old-city", "Old city story")
	s.publish("sport", "match-report", "Match report")
	s.publish("city", "council-vote", "Council vote")
	r := s.get("/")
	if r.status != 200 {
		t.Fatalf("GET / = %d", r.status)
	}
	r.has(t, `<html lang="en" dir="ltr">`, `<title>The Test Gazette</title>`,
		`<link rel="canonical" href="https://news.example.org/">`,
		`href="/city/council-vote">Council vote</a>`, `href="/sport/match-report">Match report</a>`,
		`<a href="/city"><bdi>City</bdi></a>`, `aria-current="page">Home</a>`, `<li><a href="/about">About the Gazette</a></li>`)
	if strings.Count(r.body, `href="/city/council-vote">`) != 1 {
		t.Error("the lead story is repeated further down the front page")
	}
}

func TestArticlePage(t *testing.T) {
	s := newSite(t)
	img := article.Image{Alt: "The quay", Caption: "Boats at the quay.", Credit: "Desk photo", Width: 1200, Height: 675}
	must(t, s.db.CreateImage(context.Background(), &img, []article.Variant{
		{Width: 480, Height: 270, ContentType: "image/jpeg", Bytes: []byte("small")},
		{Width: 1200, Height: 675, ContentType: "image/jpeg", Bytes: []byte("large")},
	}))
	older := s.publish("city", "older-story", "Older story")
	s.publish("sport", "other-section", "Other section story")
	a := s.publish("city", "council-vote", "Council <vote> & budget", func(a *article.Article) {
		a.Authors = []article.Author{s.authors["grace-hopper"], s.authors["ada-lovelace"]}
		a.Tags = []article.Tag{s.tags["housing"]}
		a.LeadImage = &img
		a.UpdatedAt = a.PublishedAt.Add(2 * time.Hour)
		a.Body = strings.Repeat("word ", 700) + "\n\n<script>alert('x')</script>\n\n[click](javascript:alert(1))"
	})
	r := s.get("/city/council-vote")
	if r.status != 200 {
		t.Fatalf("GET article = %d", r.status)
	}
	r.has(t,
		`<h1>Council &lt;vote&gt; &amp; budget</h1>`,
		`<p class="standfirst">Standfirst of Council &lt;vote&gt; &amp; budget.</p>`,
		`By <a href="/author/grace-hopper" rel="author"><bdi>Grace Hopper</bdi></a> and <a href="/author/ada-lovelace" rel="author"><bdi>Ada Lovelace</bdi></a>`,
		`<time datetime="`+a.PublishedAt.Format(time.RFC3339)+`">`,
		`Updated <time datetime="`+a.UpdatedAt.Format(time.RFC3339)+`">`,
		"3 min read",
		`<a href="/city"><bdi>City</bdi></a>`,
		`<a href="/tag/housing" rel="tag"><bdi>Housing</bdi></a>`,
		`srcset="/media/`, `480w`, `alt="The quay"`, `Boats at the quay.`, `<span class="credit">Desk photo</span>`,
		`<link rel="canonical" href="https://news.example.org/city/council-vote">`,
		`<article class="story" lang="en" dir="ltr">`,
		`More Articles`, `href="/city/older-story">Older story</a>`,
	)
	r.lacks(t, "<script>alert", "javascript:")
	more := r.body[strings.Index(r.body, "More Articles"):]
	if strings.Contains(more, `href="/city/council-vote"`) {
		t.Error("More Articles lists the article itself")
	}
	// With nothing similar, the box fills with the section's latest first.
	if i, j := strings.Index(more, `href="/city/older-story"`), strings.Index(more, `href="/sport/other-section"`); i < 0 || j < 0 || i > j {
		t.Errorf("More Articles order: same section at %d, other section at %d", i, j)
	}
	_ = older
}

func TestArticleStatusesAndRedirects(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	a := s.publish("city", "first-slug", "Renamed story")
	a.Slug = "better-slug"
	must(t, s.db.UpdateArticle(ctx, a))
	gone := s.publish("city", "withdrawn", "Withdrawn story")
	gone.Status = article.Unpublished
	must(t, s.db.UpdateArticle(ctx, gone))
	s.publish("city", "draft-story", "Draft", func(a *article.Article) { a.Status = article.Draft })

	tests := []struct {
		path     string
		status   int
		location string
		contains string
	}{
		{"/city/better-slug", 200, "", "Renamed story"},
		{"/city/first-slug", 301, "/city/better-slug", ""},
		{"/sport/better-slug", 301, "/city/better-slug", ""},
		{"/city/withdrawn", 410, "", "This article has been removed"},
		{"/city/draft-story", 404, "", "Page not found"},
		{"/city/no-such-story", 404, "", "Page not found"},
		{"/no-such-section", 404, "", "Page not found"},
		{"/a/b/c", 404, "", "Page not found"},
		{"/city/", 301, "/city", ""},
		{"/city/better-slug/", 301, "/city/better-slug", ""},
		{"//evil.example/", 307, "/evil.example/", ""}, // the mux cleans the path: same site
		{"/city/x/..", 307, "/city", ""},
		{"/about", 200, "", "We are a <strong>newsroom</strong>."},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := s.get(tt.path)
			if r.status != tt.status {
				t.Fatalf("GET %s = %d, want %d", tt.path, r.status, tt.status)
			}
			if loc := r.header.Get("Location"); loc != tt.location {
				t.Errorf("Location = %q, want %q", loc, tt.location)
			}
			if !strings.Contains(r.body, tt.contains) {
				t.Errorf("body lacks %q", tt.contains)
			}
			if tt.status >= 400 && tt.contains != "" && !strings.Contains(r.body, `<nav class="sections-nav"`) {
				t.Error("error page lacks the site navigation")
			}
		})
	}
}

var olderLink = regexp.MustCompile(`href="(/[a-z/]+\?before=[0-9-]+)" rel="next"`)
var newerLink = regexp.MustCompile(`href="(/[a-z/]+\?after=[0-9-]+)" rel="prev"`)

func TestArchivesPaginate(t *testing.T) {
	s := newSite(t)
	for i := range 30 {
		s.publish("city", fmt.Sprintf("story-%02d", i), fmt.Sprintf("Story number %02d", i), func(a *article.Article) {
			if i%2 == 0 {
				a.Tags = []article.Tag{s.tags["football"]}
			}
		})
	}
	seen := map[string]bool{}
	path := "/city"
	var pages []string
	for range 5 {
		r := s.get(path)
		if r.status != 200 {
			t.Fatalf("GET %s = %d", path, r.status)
		}
		for _, m := range regexp.MustCompile(`>Story number (\d\d)<`).FindAllStringSubmatch(r.body, -1) {
			if seen[m[1]] {
				t.Errorf("story %s appears on two pages", m[1])
			}
			seen[m[1]] = true
		}
		pages = append(pages, path)
		m := olderLink.FindStringSubmatch(r.body)
		if m == nil {
			break
		}
		path = m[1]
	}
	if len(seen) != 30 || len(pages) != 3 {
		t.Errorf("walked %d pages and saw %d stories, want 3 pages and 30", len(pages), len(seen))
	}
	last := s.get(pages[2])
	m := newerLink.FindStringSubmatch(last.body)
	if m == nil {
		t.Fatal("last page has no link to newer articles")
	}
	back := s.get(m[1])
	back.has(t, "Story number 17", "Story number 06")
	back.lacks(t, "Story number 18", "Story number 05")
	if !strings.Contains(last.body, `<link rel="prev" href="/city?after=`) {
		t.Error("archive page lacks <link rel=prev>")
	}

	tag := s.get("/tag/football")
	tag.has(t, "Football", "Story number 28")
	tag.lacks(t, "Story number 29")
	author := s.get("/author/ada-lovelace")
	author.has(t, "Ada Lovelace", "Ada Lovelace reports.", "Story number 29")
	latest := s.get("/latest")
	latest.has(t, "Latest articles", "Story number 29", `aria-current="page">Latest</a>`)
	if s.get("/tag/nope").status != 404 || s.get("/author/nope").status != 404 {
		t.Error("unknown tag or author is not 404")
	}
}

func TestBadCursors(t *testing.T) {
	s := newSite(t)
	s.publish("city", "one", "One")
	for _, q := range []string{"before=abc", "before=1-0", "after=-1-2", "before=1-2&after=1-2", "before=1-2&before=3-4", "after="} {
		r := s.get("/city?" + q)
		want := 400
		if q == "after=" {
			want = 200 // an empty cursor is the first page
		}
		if r.status != want {
			t.Errorf("GET /city?%s = %d, want %d", q, r.status, want)
		}
		if want == 400 && !strings.Contains(r.body, "not valid") && !strings.Contains(r.body, "one page link") {
			t.Errorf("GET /city?%s: body lacks a plain message", q)
		}
	}
}

func TestCacheValidatorsAndCompression(t *testing.T) {
	s := newSite(t)
	s.publish("city", "story", "A story")
	first := s.get("/city/story")
	etag := first.header.Get("ETag")
	if etag == "" || first.header.Get("Last-Modified") == "" {
		t.Fatalf("no validators: %v", first.header)
	}
	if r := s.get("/city/story", "If-None-Match", etag); r.status != 304 || r.body != "" {
		t.Errorf("If-None-Match = %d with %d bytes, want 304 and empty", r.status, len(r.body))
	}
	if r := s.get("/city/story", "If-Modified-Since", first.header.Get("Last-Modified")); r.status != 304 {
		t.Errorf("If-Modified-Since = %d, want 304", r.status)
	}
	gz := s.get("/city/story", "Accept-Encoding", "gzip, br")
	if gz.header.Get("Content-Encoding") != "gzip" || gz.body != first.body {
		t.Errorf("gzip response: encoding %q, same body %v", gz.header.Get("Content-Encoding"), gz.body == first.body)
	}
	if r := s.get("/city/story", "Accept-Encoding", "gzip;q=0"); r.header.Get("Content-Encoding") != "" {
		t.Error("gzip sent to a client that refused it")
	}
	if !strings.Contains(first.header.Get("Vary"), "Accept-Encoding") {
		t.Error("no Vary: Accept-Encoding")
	}
	hits := s.srv.cache.hits.Load()
	s.get("/city/story")
	if s.srv.cache.hits.Load() != hits+1 {
		t.Error("second request was not served from the cache")
	}
}

func TestCacheInvalidation(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	a := s.publish("city", "story", "Original headline")
	b := s.publish("sport", "other", "Unrelated sport story")
	s.get("/city/story")
	s.get("/sport/other")
	s.get("/about")
	s.get("/")
	s.get("/city")
	a.Headline = "Corrected headline"
	must(t, s.db.UpdateArticle(ctx, a))
	for _, p := range []string{"/city/story", "/", "/city", "/author/ada-lovelace"} {
		r := s.get(p)
		if !strings.Contains(r.body, ">Corrected headline<") || strings.Contains(r.body, ">Original headline<") {
			t.Errorf("GET %s after update still shows the old headline", p)
		}
	}
	// The other article shows the first in its More Articles box, so it
	// changed too; a page the update did not touch stays cached.
	if r := s.get("/sport/other"); !strings.Contains(r.body, ">Corrected headline<") {
		t.Error("the other article's More Articles box still shows the old headline")
	}
	hits := s.srv.cache.hits.Load()
	s.get("/about")
	if s.srv.cache.hits.Load() != hits+1 {
		t.Error("an unrelated page was dropped from the cache")
	}
	_ = b
}

func TestChangesFromAnotherProcess(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	a := s.publish("city", "story", "Original headline")
	s.get("/city/story")

	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	must(t, s.srv.Follow(fctx, s.db, 10*time.Millisecond))

	// A second handle on the same file stands in for another process: its
	// writes reach this server only through the change log.
	other, err := sqlite.Open(ctx, s.db.Path())
	must(t, err)
	defer other.Close()
	a.Headline = "Headline from elsewhere"
	must(t, other.UpdateArticle(ctx, a))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.get("/city/story").body, "<h1>Headline from elsewhere</h1>") {
		if time.Now().After(deadline) {
			t.Fatal("the other process's write never reached this server's cache")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHealthMetricsAssets(t *testing.T) {
	s := newSite(t)
	img := article.Image{Width: 10, Height: 5}
	must(t, s.db.CreateImage(context.Background(), &img, []article.Variant{{Width: 10, Height: 5, ContentType: "image/jpeg", Bytes: []byte("jpegbytes")}}))
	hidden := article.Image{Width: 10, Height: 5}
	must(t, s.db.CreateImage(context.Background(), &hidden, []article.Variant{{Width: 10, Height: 5, ContentType: "image/jpeg", Bytes: []byte("secret")}}))
	s.publish("city", "story", "A story", func(a *article.Article) { a.LeadImage = &img })
	s.publish("city", "embargoed", "Embargoed", func(a *article.Article) { a.LeadImage = &hidden; a.Status = article.Scheduled })
	if r := s.get(fmt.Sprintf("/media/%d/10.jpg", hidden.ID)); r.status != 404 || strings.Contains(r.body, "secret") {
		t.Errorf("an embargoed article's image = %d, want 404 to readers", r.status)
	}
	s.get("/city/story")

	if r := s.get("/healthz"); r.status != 200 || r.body != "ok\n" {
		t.Errorf("healthz = %d %q", r.status, r.body)
	}
	rec := scrape(s.srv, "127.0.0.1:9000")
	m := result{status: rec.Code, body: rec.Body.String(), header: rec.Header()}
	m.has(t, `broadsheet_http_requests_total{route="GET /{section}/{slug}",method="GET",code="200"} 1`,
		"broadsheet_page_cache_entries", "broadsheet_http_request_duration_seconds_bucket")

	css := s.get(s.srv.assetURL("style.css"))
	if css.status != 200 || !strings.Contains(css.header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("style.css: %d %v", css.status, css.header)
	}
	for _, p := range []string{"/static/nope.css", "/static/..%2fserver.go", "/media/1/11.jpg", "/media/x/10.jpg", "/media/1/10.png", "/media/-1/10.jpg"} {
		if r := s.get(p); r.status != 404 && r.status != 301 {
			t.Errorf("GET %s = %d, want 404", p, r.status)
		}
	}
	media := s.get(fmt.Sprintf("/media/%d/10.jpg", img.ID))
	if media.status != 200 || media.body != "jpegbytes" || media.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("media = %d %q %v", media.status, media.body, media.header)
	}
	long := s.get("/city/" + strings.Repeat("a", MaxURLBytes))
	if long.status != http.StatusRequestURITooLong {
		t.Errorf("long URL = %d, want 414", long.status)
	}
	home := s.get("/")
	if csp := home.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}

	s.db.Close()
	if r := s.get("/healthz"); r.status != 503 {
		t.Errorf("healthz with the database closed = %d, want 503", r.status)
	}
	// With the database gone a fresh page is a plain 500, with nothing of the cause.
	r := s.get("/sport")
	if r.status != 500 || strings.Contains(r.body, "sql") || strings.Contains(r.body, "closed") {
		t.Errorf("GET /sport with the database closed = %d %q", r.status, r.body)
	}
}

func TestRightToLeftArticle(t *testing.T) {
	s := newSite(t)
	s.publish("city", "shab-e-sher", "شب شعر در کتابخانه", func(a *article.Article) {
		a.Language = "fa"
		a.Tags = []article.Tag{s.tags["housing"]}
	})
	r := s.get("/city/shab-e-sher")
	if r.status != 200 {
		t.Fatalf("GET = %d", r.status)
	}
	r.has(t, `<html lang="en" dir="ltr">`, `<article class="story" lang="fa" dir="rtl">`, `<h1>شب شعر در کتابخانه</h1>`,
		`<div class="story-meta" lang="en" dir="ltr">`, `<footer class="story-tags" lang="en" dir="ltr">`)
	home := s.get("/")
	home.has(t, `lang="fa" dir="rtl">`)
}

// TestCatalogCoversTemplates fails when a template or handler names a
// message the catalog lacks.
func TestCatalogCoversTemplates(t *testing.T) {
	keyRef := regexp.MustCompile(`\.T "([a-z0-9_.]+)"|T\("([a-z0-9_.]+)"\)|badRequest\("([a-z0-9_.]+)"\)`)
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	n := 0
	for _, f := range append(files, gofiles...) {
		b, err := os.ReadFile(f)
		must(t, err)
		for _, m := range keyRef.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2] + m[3]
			n++
			if !i18n.Has(key) {
				t.Errorf("%s uses message %q, missing from the catalog", f, key)
			}
		}
	}
	if n < 20 {
		t.Errorf("found only %d message references; the pattern is out of date", n)
	}
}

// TestRoutesWithAPI builds the whole route tree as serve does, with an API
// mounted: overlapping patterns make the standard mux panic at start-up.
func TestRoutesWithAPI(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "routes.db"))
	must(t, err)
	defer db.Close()
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	srv := newServer(t, db, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), API: api})
	for path, want := range map[string]int{"/api/v1/articles": http.StatusTeapot, "/admin/nowhere": http.StatusSeeOther, "/": 200, "/nope/x/y": 404} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want && !(path == "/admin/nowhere" && rec.Code == 404) {
			t.Errorf("GET %s = %d, want %d", path, rec.Code, want)
		}
	}
}
