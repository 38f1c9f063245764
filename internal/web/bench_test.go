package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/comment"
	"broadsheet/internal/store/sqlite"
)

// benchSite is a site with a realistic article: a 900-word body with
// headings, quotes and links, two bylines, tags, and a section of 40 others.
func benchSite(b testing.TB) *site {
	s := newSite(b)
	para := "The council's planning committee met on Tuesday evening to consider the proposal, which has divided opinion in Eastgate for most of the year. [The report](https://example.org/report) runs to *ninety pages*.\n\n"
	body := "## Background\n\n" + strings.Repeat(para, 10) + "> We have waited long enough, said one resident.\n\n## What happens next\n\n" + strings.Repeat(para, 10) +
		"- first point\n- second point\n- third point\n"
	for i := range 40 {
		s.publish("city", fmt.Sprintf("story-%d", i), fmt.Sprintf("Story %d", i))
	}
	s.publish("city", "the-story", "Council approves the depot plan", func(a *article.Article) {
		a.Body = body
		a.Authors = []article.Author{s.authors["ada-lovelace"], s.authors["grace-hopper"]}
		a.Tags = []article.Tag{s.tags["housing"], s.tags["football"]}
	})
	return s
}

// BenchmarkArticlePageUncached renders the article page from the database
// every time: the cost of a cache miss.
func BenchmarkArticlePageUncached(b *testing.B) {
	s := benchSite(b)
	req := httptest.NewRequest("GET", "/city/the-story", nil)
	b.ReportAllocs()
	for b.Loop() {
		s.srv.cache.invalidate([]string{article.KeySite})
		rec := httptest.NewRecorder()
		s.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkArticlePageCached serves the article page from the page cache,
// gzip-encoded, as most readers get it.
func BenchmarkArticlePageCached(b *testing.B) {
	s := benchSite(b)
	req := httptest.NewRequest("GET", "/city/the-story", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkArticlePageCachedParallel is the cached page under concurrent readers.
func BenchmarkArticlePageCachedParallel(b *testing.B) {
	s := benchSite(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest("GET", "/city/the-story", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		for pb.Next() {
			rec := httptest.NewRecorder()
			s.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}

// BenchmarkArticlePageUnderWrites is a popular article while its readers'
// comments keep dropping it from the cache: 32 readers at once, and a
// write to the article every 5 ms. It reports the readers' latency and
// how many times the page was rendered for each write.
func BenchmarkArticlePageUnderWrites(b *testing.B) {
	s := benchSite(b)
	a := s.publish("city", "the-popular-story", "Council approves the depot plan, and readers write in")
	for i := range 50 {
		c := &comment.Comment{ArticleID: a.ID, Name: fmt.Sprintf("Reader %d", i), Body: strings.Repeat("A view on the depot plan, with reasons. ", 6),
			Status: comment.Approved, Key: fmt.Sprintf("k%d", i)}
		if err := s.db.CreateComment(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
	path := articlePath(a)
	key := []string{article.KeyArticle(a.ID)}
	var mu sync.Mutex
	var took []time.Duration
	misses0 := s.srv.cache.misses.Load()
	stop, writer := make(chan struct{}), make(chan int)
	go func() {
		writes := 0
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				writer <- writes
				return
			case <-tick.C:
				s.srv.cache.invalidate(key)
				writes++
			}
		}
	}()
	b.SetParallelism(32 / max(1, runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		var mine []time.Duration
		for pb.Next() {
			start := time.Now()
			rec := httptest.NewRecorder()
			s.srv.ServeHTTP(rec, req)
			mine = append(mine, time.Since(start))
			if rec.Code != http.StatusOK {
				b.Errorf("status %d", rec.Code)
				return
			}
		}
		mu.Lock()
		took = append(took, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	close(stop)
	writes := <-writer
	slices.Sort(took)
	if len(took) == 0 || writes == 0 {
		return
	}
	at := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(s.srv.cache.misses.Load()-misses0-s.srv.cache.waits.Load())/float64(writes), "renders/write")
}

// BenchmarkPostComment accepts comments end to end: form parsing,
// validation, the anti-bot check (verify and single-use record), the
// publish-or-hold rules, Markdown sanitising on the next render's behalf
// is not included, and a durable insert (synchronous=FULL). Solving is
// done before the timer starts, at a trivial cost: the reader's browser
// pays it, not the server.
func BenchmarkPostComment(b *testing.B) {
	benchmarkPostComment(b, 1)
}

// BenchmarkPostCommentConcurrent posts from 32 readers at once, as a busy
// discussion does.
func BenchmarkPostCommentConcurrent(b *testing.B) {
	benchmarkPostComment(b, 32)
}

func benchmarkPostComment(b *testing.B, readers int) {
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	benchmarkPostCommentOn(b, db, readers)
}

func benchmarkPostCommentOn(b *testing.B, db testStore, readers int) {
	srv, a := postingServer(b, db)
	// Limits sized for a load test, not for strangers.
	for _, l := range srv.comments.Limiters() {
		l.Max = 1 << 30
	}
	payloads := make([]string, b.N)
	for i := range payloads {
		payloads[i] = solved(b, srv)
	}
	shown := srv.comments.Stamp(a.ID) // no minimum fill time: never hurried
	b.ReportAllocs()
	b.ResetTimer()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				rec := sendComment(srv, a, url.Values{"email": {fmt.Sprintf("r%d@example.org", i)}, "key": {fmt.Sprint(i)},
					"shown": {shown}, "altcha": {payloads[i]}}, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
				if rec.Code != http.StatusSeeOther {
					b.Errorf("comment %d = %d: %s", i, rec.Code, rec.Body.String())
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
}

// postingServer is a server on db with one article open to comments, the
// built-in check at a trivial cost (the reader's browser pays for solving
// it, not the server) and no minimum fill time.
func postingServer(tb testing.TB, db testStore) (*Server, *article.Article) {
	ctx := context.Background()
	srv := newServer(tb, db, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		built{cost: challenge.Cost{Iterations: 1, MinCounter: 1, MaxCounter: 2}, minFill: -1})
	sec := article.Section{Slug: "city", Name: "City"}
	must(tb, db.CreateSection(ctx, &sec))
	a := &article.Article{Slug: "story", Headline: "Story", Section: sec, Status: article.Published, Language: "en", PublishedAt: time.Now()}
	must(tb, db.CreateArticle(ctx, a))
	return srv, a
}

// sendComment sends the comment form to a from client: a considered reply
// by Reader, with one link, and the fields in form.
func sendComment(srv *Server, a *article.Article, form url.Values, client string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	form.Set("name", "Reader")
	form.Set("body", "A considered reply about the *tram depot*, with a [link](https://example.org/plan) and two sentences.")
	req := httptest.NewRequest("POST", "/"+a.Section.Slug+"/"+a.Slug+"/comments", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = client + ":1"
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}
