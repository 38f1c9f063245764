package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/fastpath"
)

// twoServers serves one Server's site twice: through net/http alone, as
// before the fast path, and through the fast path in front of net/http.
type twoServers struct {
	plain, fast string
	fs          *fastpath.Server
}

func startTwo(t *testing.T, srv *Server) *twoServers {
	t.Helper()
	listen := func() net.Listener {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	pl, fl := listen(), listen()
	hs := &http.Server{Handler: srv, MaxHeaderBytes: MaxHeaderBytes}
	fs := &fastpath.Server{Handler: srv.FastHandler(), Fallback: &http.Server{Handler: srv, MaxHeaderBytes: MaxHeaderBytes}}
	go hs.Serve(pl)
	go fs.Serve(fl)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		fs.Shutdown(ctx)
	})
	return &twoServers{plain: pl.Addr().String(), fast: fl.Addr().String(), fs: fs}
}

var dateLine = regexp.MustCompile(`(?m)^Date: [^\r]*\r\n`)

// exchange sends raw on a new connection and returns the answer's bytes,
// Date taken out.
func exchange(t *testing.T, addr, raw, method string) []byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	resp, err := http.ReadResponse(bufio.NewReader(io.TeeReader(c, &got)), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	io.Copy(io.Discard, resp.Body)
	return dateLine.ReplaceAll(got.Bytes(), nil)
}

// TestFastPathAnswersAsNetHTTP sends the same requests for cached pages
// to net/http alone and to the fast path, and wants the same bytes back
// but Date, every one answered by the fast path itself.
func TestFastPathAnswersAsNetHTTP(t *testing.T) {
	s, _, _ := newEditionsSite(t)
	s.publish("city", "council-vote", "Council vote", func(a *article.Article) {
		a.Tags = []article.Tag{s.tags["housing"]}
	})
	s.publish("sport", "match-report", "Match report")
	s.srv.cache.repackAfter = 0 // a page compressed again between two answers would differ
	two := startTwo(t, s.srv)

	paths := []string{"/", "/city/council-vote", "/city", "/latest", "/about", "/feed.rss", "/feed.json", "/city.atom",
		"/city/council-vote/comments.rss", "/tag/housing", "/author/ada-lovelace", "/robots.txt", "/sitemap.xml",
		"/city?page=2", "/city/council-vote?comments=newest",
		"/city/council-vote?utm_source=social&utm_medium=share&fbclid=IwAR0abc", "/?utm_campaign=morning&gclid=x1",
		"/fa", "/fa/%d8%ac%d9%87%d8%a7%d9%86", "/fa/%D8%AC%D9%87%D8%A7%D9%86/bandar-baz-shod", "/fa/feed.rss"}
	assets := []string{s.srv.assetURL("style.css"), s.srv.assetURL("forms.js"), s.srv.assetURL("vazirmatn-regular.woff2"), s.srv.assetURL("logo.png")}
	etags := map[string]string{}
	for _, p := range assets {
		etags[p] = s.get(p).header.Get("Etag")
	}
	paths = append(paths, assets...)
	for _, p := range paths[:len(paths)-len(assets)] {
		r := s.get(p) // rendered and stored
		if r.status != 200 {
			t.Fatalf("GET %s: %d", p, r.status)
		}
		etags[p] = r.header.Get("Etag")
	}
	lastModified := s.get("/city").header.Get("Last-Modified")

	const browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
	for _, p := range paths {
		for _, tc := range []struct{ name, method, fields string }{
			{"gzip", "GET", "Accept-Encoding: gzip, deflate, br\r\n"},
			{"plain", "GET", ""},
			{"gzip refused", "GET", "Accept-Encoding: gzip;q=0, identity\r\n"},
			{"gzip refused spaced", "GET", "Accept-Encoding: br, GZIP ; q = 0.000\r\n"},
			{"any coding", "GET", "Accept-Encoding: *\r\n"},
			{"etag matches", "GET", "Accept-Encoding: gzip\r\nIf-None-Match: " + etags[p] + "\r\n"},
			{"strong etag matches", "GET", "If-None-Match: \"x\", " + strings.TrimPrefix(etags[p], "W/") + "\r\n"},
			{"etag star", "GET", "If-None-Match: *\r\n"},
			{"etag differs", "GET", "Accept-Encoding: gzip\r\nIf-None-Match: W/\"0123\"\r\nIf-Modified-Since: " + lastModified + "\r\n"},
			{"modified since", "GET", "If-Modified-Since: Mon, 02 Jan 2006 15:04:05 GMT\r\n"},
			{"not modified since", "GET", "Accept-Encoding: gzip\r\nIf-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n"},
			{"bad date", "GET", "If-Modified-Since: yesterday\r\n"},
			{"head", "HEAD", "Accept-Encoding: gzip\r\n"},
			{"head plain", "HEAD", ""},
			{"head 304", "HEAD", "If-None-Match: " + etags[p] + "\r\n"},
			{"close", "GET", "Accept-Encoding: gzip\r\nConnection: close\r\n"},
			{"browser", "GET", "User-Agent: " + browser + "\r\nAccept-Encoding: gzip\r\nCookie: theme=dark\r\n"},
		} {
			raw := tc.method + " " + p + " HTTP/1.1\r\nHost: news.example.org\r\n" + tc.fields + "\r\n"
			before := two.fs.Handoffs()
			want := exchange(t, two.plain, raw, tc.method)
			got := exchange(t, two.fast, raw, tc.method)
			if !bytes.Equal(got, want) {
				t.Errorf("%s %s (%s):\nfast path:\n%s\nnet/http:\n%s", tc.method, p, tc.name, clip(got), clip(want))
			}
			// A text static file is kept only as gzip: its plain bytes are
			// net/http's to decompress.
			name, _, _ := strings.Cut(strings.TrimPrefix(p, "/static/"), "?")
			a := s.srv.assets[name]
			wantHanded := strings.HasPrefix(p, "/static/") && a.body == nil && tc.method == "GET" &&
				bytes.HasPrefix(want, []byte("HTTP/1.1 200")) && !bytes.Contains(want, []byte("Content-Encoding: gzip"))
			if after := two.fs.Handoffs(); (after != before) != wantHanded {
				t.Errorf("%s %s (%s): handed off to net/http %v (%+v), want %v", tc.method, p, tc.name, after != before, after, wantHanded)
			}
		}
	}

	// What the fast path leaves to net/http, answered the same.
	for _, tc := range []struct{ name, raw string }{
		{"a recent commenter's own page", "GET /city/council-vote HTTP/1.1\r\nHost: x\r\nCookie: a=1; " + commenterCookie + "=" + strings.Repeat("ab", 16) + "\r\n\r\n"},
		{"a commenter's cookie spaced", "GET /city/council-vote HTTP/1.1\r\nHost: x\r\nCookie: " + commenterCookie + " =" + strings.Repeat("ab", 16) + "\r\n\r\n"},
		{"an old address's query", "GET /?p=123 HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"not cached", "GET /sport HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"a static file without its fingerprint", "GET /static/style.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"},
		{"a static file with an old fingerprint", "GET /static/style.css?v=0123456789ab HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"no such static file", "GET /static/nothing.css?v=0123456789ab HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"no such page", "GET /nowhere/at-all HTTP/1.1\r\nHost: x\r\n\r\n"},
	} {
		before := two.fs.Handoffs().Declined
		got := exchange(t, two.fast, tc.raw, "GET") // first: net/http would store a page it rendered
		want := exchange(t, two.plain, tc.raw, "GET")
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\nfast path:\n%s\nnet/http:\n%s", tc.name, clip(got), clip(want))
		}
		if two.fs.Handoffs().Declined != before+1 {
			t.Errorf("%s: answered by the fast path, want it handed to net/http", tc.name)
		}
	}
}

func TestPageKey(t *testing.T) {
	for _, tc := range []struct{ path, query, want string }{
		{"/city/vote", "", "/city/vote"},
		{"/city/vote", "fbclid=IwAR0abc", "/city/vote"},
		{"/city/vote", "utm_source=x&utm_medium=y&comments=newest&gclid=z", "/city/vote?comments=newest"},
		{"/city", "page=2&&utm_term=a&after=7", "/city?after=7"},
		{"/city", "x=1&v=2&_=1733400000000", "/city"}, // cache busters
		{"/city", "before=AbC&after=", "/city?before=AbC"},
		{"/city", "beforex=1&xafter=2&reply", "/city"}, // names that only look alike
		{"/city/vote", "comments=oldest&order=newest&reply=12", "/city/vote?reply=12"},
		{"/live/day", "order=oldest&from=40", "/live/day?order=oldest&from=40"},
		{"/", "p=12&_ga=1", "/"},
	} {
		if got := string(appendQueryKey([]byte(tc.path), tc.query)); got != tc.want {
			t.Errorf("appendQueryKey(%q, %q) = %q, want %q", tc.path, tc.query, got, tc.want)
		}
		if got := string(appendQueryKey([]byte(tc.path), []byte(tc.query))); got != tc.want {
			t.Errorf("appendQueryKey on bytes (%q, %q) = %q, want %q", tc.path, tc.query, got, tc.want)
		}
	}
}

// TestUnreadParametersShareThePage: a story shared with a click id
// (fbclid, utm_…) or asked with a cache buster (?x=1, ?_=…) is the page
// without it, from the cache, whichever path answers it, and the page
// never shows the parameter.
func TestUnreadParametersShareThePage(t *testing.T) {
	s := newSite(t)
	s.publish("city", "council-vote", "Council vote")
	for range 4 {
		s.publish("city", fmt.Sprint("filler-", s.clock.Unix()), "Filler")
	}
	first := s.get("/city/council-vote?fbclid=IwAR0first&utm_source=facebook")
	_, misses := s.srv.cache.hits.Load(), s.srv.cache.misses.Load()
	second := s.get("/city/council-vote?fbclid=IwAR0second")
	if s.srv.cache.misses.Load() != misses || first.body != second.body {
		t.Errorf("a second click id rendered the page again")
	}
	for i, q := range []string{"x=1", "x=2", "_=1733400000000", "comments=oldest&v=9", "reply=&after=", "reply=a1", "reply=a2", "after=junk", "before=1-2"} {
		got := s.get("/city/council-vote?" + q)
		if s.srv.cache.misses.Load() != misses || got.body != first.body {
			t.Errorf("GET ?%s (request %d) rendered the page again (%d misses, want %d), or another page", q, i, s.srv.cache.misses.Load(), misses)
		}
	}
	if strings.Contains(first.body, "IwAR0") || strings.Contains(first.body, "utm_source") {
		t.Errorf("the page shows a tracking parameter")
	}
	older := s.get("/city?before=" + fmt.Sprint(s.clock.Unix()) + "&utm_source=x")
	older.lacks(t, "utm_source")
	fast := s.srv.FastHandler()
	for _, target := range []string{"/city/council-vote?utm_medium=share&fbclid=IwAR0third", "/city/council-vote?x=3&_=1733400000001"} {
		req := fastpath.Request{Method: "GET", Target: []byte(target), Path: []byte("/city/council-vote")}
		if n := testing.AllocsPerRun(100, func() {
			if _, ok := fast(&req); !ok {
				t.Fatalf("the fast path declined %s", target)
			}
		}); n != 0 && !raceEnabled {
			t.Errorf("a hit for %s allocates %v times, want 0", target, n)
		}
	}
}

// TestCanonicalQuery: a page is cached under its own parameters alone,
// each in one form, ordered by name; a value the page refuses is kept for
// it to refuse.
func TestCanonicalQuery(t *testing.T) {
	for _, tc := range []struct {
		query  string
		params []queryParam
		want   string
	}{
		{"x=1&after=5-7", nil, ""},
		{"after=0005-07&utm_source=x", archiveParams, "after=5-7"},
		{"before=5-7&after=1-2", archiveParams, "after=1-2&before=5-7"},
		{"before=abc", archiveParams, "before=abc"}, // answered 400, never stored
		{"before=1-2&before=3-4", archiveParams, "before=1-2&before=3-4"},
		{"after=", archiveParams, ""},
		{"reply=007&comments=newest", articleParams, "comments=newest&reply=7"},
		{"reply=a1&after=-3&comments=oldest&order=newest", articleParams, ""},
		{"from=0040&order=oldest", articleParams, "from=40&order=oldest"},
		{"from=abc", articleParams, "from=abc"}, // answered 404, never stored
		{"%72eply=%31%32", articleParams, "reply=12"},
		{"reply=%zz&reply=3", articleParams, "reply=3"},
		{"before=1-2", articleParams, ""},
	} {
		if got := canonicalQuery(tc.query, tc.params); got != tc.want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", tc.query, got, tc.want)
		}
	}
}

// A robots file, a feed (a section's too, on an archive's route) or a
// sitemap reads no parameter: asked with any, it is the one page.
func TestPagesWithoutParametersIgnoreThem(t *testing.T) {
	s := newSite(t)
	s.publish("city", "council-vote", "Council vote")
	for _, path := range []string{"/robots.txt", "/sitemap.xml", "/feed.rss", "/city.atom", "/corrections", "/city/council-vote/comments.json", "/city"} {
		first := s.get(path)
		misses := s.srv.cache.misses.Load()
		queries := []string{"?after=1-2", "?before=9-9", "?reply=3", "?x=1"}
		if path == "/city" {
			queries = []string{"?reply=3", "?x=1", "?after="} // the section itself reads its cursors
		}
		for _, q := range queries {
			if got := s.get(path + q); got.body != first.body || s.srv.cache.misses.Load() != misses {
				t.Errorf("GET %s%s rendered again or differs from %s", path, q, path)
			}
		}
	}
	// After the feeds on its route, the section still reads its cursors.
	if s.get("/city?before=1-1").body == s.get("/city").body {
		t.Error("/city?before=1-1 is the section's first page")
	}
}

func TestOldAddressQuery(t *testing.T) {
	for q, want := range map[string]bool{
		"p=12": true, "utm_source=x&p=12": true, "%70=12": true, "page_id=7": true, "feed=rss2": true,
		"p=": false, "x=1": false, "pp=12": false, "": false, "comments=newest&after=3": false,
	} {
		if got := oldAddressQuery([]byte(q)); got != want {
			t.Errorf("oldAddressQuery(%q) = %v, want %v", q, got, want)
		}
	}
}

func clip(b []byte) string {
	if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 && len(b) > i+200 {
		return string(b[:i+4]) + "…"
	}
	return string(b)
}

// TestFastPathCountsViewsAndRequests: a reader's hit answered by the fast
// path counts a view of the article and a request in the metrics, as
// net/http's answer does; HEAD, a robot and a prefetch count no view.
func TestFastPathCountsViewsAndRequests(t *testing.T) {
	s := newSite(t)
	a := s.publish("city", "council-vote", "Council vote")
	s.get("/city/council-vote")
	s.srv.views.take()
	fast := s.srv.FastHandler()
	const browser = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	for _, tc := range []struct {
		name  string
		req   fastpath.Request
		views int
	}{
		{"reader", fastpath.Request{Method: "GET", UserAgent: []byte(browser)}, 1},
		{"reader, 304", fastpath.Request{Method: "GET", UserAgent: []byte(browser), IfNoneMatch: []byte("*")}, 1},
		{"head", fastpath.Request{Method: "HEAD", UserAgent: []byte(browser)}, 0},
		{"robot", fastpath.Request{Method: "GET", UserAgent: []byte("Mozilla/5.0 (compatible; Googlebot/2.1)")}, 0},
		{"no agent", fastpath.Request{Method: "GET"}, 0},
		{"prefetch", fastpath.Request{Method: "GET", UserAgent: []byte(browser), SecPurpose: []byte("prefetch")}, 0},
	} {
		tc.req.Target, tc.req.Path = []byte("/city/council-vote"), []byte("/city/council-vote")
		if _, ok := fast(&tc.req); !ok {
			t.Fatalf("%s: declined", tc.name)
		}
		if got := s.srv.views.take()[a.ID]; got != tc.views {
			t.Errorf("%s: %d views counted, want %d", tc.name, got, tc.views)
		}
	}
	var m bytes.Buffer
	s.srv.metrics.WriteTo(&m)
	for _, want := range []string{
		`broadsheet_http_requests_total{route="GET /{section}/{slug}",method="GET",code="200"} 5`, // one by net/http
		`broadsheet_http_requests_total{route="GET /{section}/{slug}",method="GET",code="304"} 1`,
		`broadsheet_http_requests_total{route="GET /{section}/{slug}",method="HEAD",code="200"} 1`,
		`broadsheet_http_request_duration_seconds_count{route="GET /{section}/{slug}"} 7`,
	} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestFastPathHitAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	s := newSite(t)
	s.publish("city", "council-vote", "Council vote")
	s.get("/city/council-vote")
	fast := s.srv.FastHandler()
	req := fastpath.Request{Method: "GET", Target: []byte("/city/council-vote"), Path: []byte("/city/council-vote"),
		AcceptEncoding: []byte("gzip, deflate, br, zstd"), Cookie: []byte("theme=dark; consent=yes"),
		UserAgent: []byte("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")}
	if n := testing.AllocsPerRun(1000, func() {
		if _, ok := fast(&req); !ok {
			t.Fatal("declined")
		}
	}); n != 0 {
		t.Errorf("a hit allocates %v times, want 0", n)
	}
}

func BenchmarkFastPathHit(b *testing.B) {
	s := newSite(b)
	s.publish("city", "council-vote", "Council vote")
	s.get("/city/council-vote")
	fast := s.srv.FastHandler()
	req := fastpath.Request{Method: "GET", Target: []byte("/city/council-vote"), Path: []byte("/city/council-vote"),
		AcceptEncoding: []byte("gzip, deflate, br, zstd"),
		UserAgent:      []byte("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")}
	b.ReportAllocs()
	for b.Loop() {
		fast(&req)
	}
}

// An edition's page is counted under the route that served it, whichever
// path answers it.
func TestEditionPagesCountedUnderTheirRoute(t *testing.T) {
	s, _, _ := newEditionsSite(t)
	s.get("/fa")
	req := fastpath.Request{Method: "GET", Target: []byte("/fa"), Path: []byte("/fa")}
	if _, ok := s.srv.FastHandler()(&req); !ok {
		t.Fatal("the fast path declined a cached edition's page")
	}
	var m bytes.Buffer
	s.srv.metrics.WriteTo(&m)
	if want := `broadsheet_http_requests_total{route="GET /{$}",method="GET",code="200"} 2`; !strings.Contains(m.String(), want) {
		t.Errorf("metrics lack %s:\n%s", want, m.String())
	}
}
