package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"broadsheet/internal/article"
)

// benchSite is a site with a realistic article: a 900-word body with
// headings, quotes and links, two bylines, tags, and a section of 40 others.
func benchSite(b *testing.B) *site {
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
