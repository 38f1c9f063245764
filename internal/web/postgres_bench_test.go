package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/store/postgres"
	"broadsheet/internal/store/postgres/pgtest"
)

// The same benchmarks on PostgreSQL, for the figures beside SQLite's:
//
//	go test -run '^$' -bench 'Postgres|ArticlePageUncached|PostComment' ./internal/web/

// benchPostgres opens a throw-away PostgreSQL database, or skips outside
// CI when there is no server.
func benchPostgres(tb testing.TB) *postgres.DB {
	db, err := postgres.Open(context.Background(), pgtest.Database(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkPostgresArticlePageUncached is BenchmarkArticlePageUncached on
// PostgreSQL: the same article, bylines, tags and section of 40 others.
func BenchmarkPostgresArticlePageUncached(b *testing.B) {
	ctx := context.Background()
	db := benchPostgres(b)
	srv := newServer(b, db, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	must(b, db.SetSite(ctx, article.Site{Title: "The Test Gazette", Language: "en", TimeZone: "UTC", DigestHour: 7}))
	sec := article.Section{Slug: "city", Name: "City"}
	must(b, db.CreateSection(ctx, &sec))
	var authors []article.Author
	for _, name := range []string{"Ada Lovelace", "Grace Hopper"} {
		au := article.Author{Slug: article.Slugify(name), Name: name}
		must(b, db.CreateAuthor(ctx, &au))
		authors = append(authors, au)
	}
	var tags []article.Tag
	for _, name := range []string{"Housing", "Football"} {
		tg := article.Tag{Slug: article.Slugify(name), Name: name}
		must(b, db.CreateTag(ctx, &tg))
		tags = append(tags, tg)
	}
	at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	for i := range 40 {
		at = at.Add(time.Hour)
		must(b, db.CreateArticle(ctx, &article.Article{Slug: fmt.Sprintf("story-%d", i), Headline: fmt.Sprintf("Story %d", i), Standfirst: "Standfirst.",
			Body: "First paragraph.", Section: sec, Authors: authors[:1], Status: article.Published, Language: "en", PublishedAt: at}))
	}
	para := "The council's planning committee met on Tuesday evening to consider the proposal, which has divided opinion in Eastgate for most of the year. [The report](https://example.org/report) runs to *ninety pages*.\n\n"
	body := "## Background\n\n" + strings.Repeat(para, 10) + "> We have waited long enough, said one resident.\n\n## What happens next\n\n" + strings.Repeat(para, 10) +
		"- first point\n- second point\n- third point\n"
	must(b, db.CreateArticle(ctx, &article.Article{Slug: "the-story", Headline: "Council approves the depot plan", Standfirst: "Standfirst.", Body: body,
		Section: sec, Authors: authors, Tags: tags, Status: article.Published, Language: "en", PublishedAt: at.Add(time.Hour)}))
	req := httptest.NewRequest("GET", "/city/the-story", nil)
	b.ReportAllocs()
	for b.Loop() {
		srv.cache.invalidate([]string{article.KeySite})
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkPostgresPostComment and …Concurrent are the comment benchmarks
// on PostgreSQL.
func BenchmarkPostgresPostComment(b *testing.B) {
	benchmarkPostCommentOn(b, benchPostgres(b), 1)
}

func BenchmarkPostgresPostCommentConcurrent(b *testing.B) {
	benchmarkPostCommentOn(b, benchPostgres(b), 32)
}
