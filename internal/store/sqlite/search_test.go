package sqlite

import (
	"context"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/search"
)

// An index written before search keys (rowid = article id, no facets) is
// re-keyed and given facets by migration 0011, and searches as a new one.
func TestMigrationRekeysSearchIndex(t *testing.T) {
	ctx := context.Background()
	db, pending := openBefore(t, "search_keys")
	// Written in SQL: CreateSection writes a column a later migration adds.
	sec := article.Section{Slug: "city", Name: "City"}
	must(t, db.write.QueryRowContext(ctx, `INSERT INTO sections (slug, name) VALUES (?, ?) RETURNING id`, sec.Slug, sec.Name).Scan(&sec.ID))
	au := article.Author{Slug: "ada", Name: "Ada"}
	must(t, db.CreateAuthor(ctx, &au))
	// Article 1 was published after article 2: ids run against time.
	published := []time.Time{time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	for i, at := range published {
		id := int64(i + 1)
		_, err := db.write.ExecContext(ctx, `INSERT INTO articles
			(id, slug, headline, standfirst, body, section_id, status, language, published_at, created_at, modified_at, version)
			VALUES (?, ?, 'Harbour news', 'Standfirst.', 'Body.', ?, 'published', 'en', ?, ?, ?, 1)`,
			id, "story-"+string(rune('a'+i)), sec.ID, at.Unix(), at.Unix(), at.Unix())
		must(t, err)
		_, err = db.write.ExecContext(ctx, `INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, 0)`, id, au.ID)
		must(t, err)
		_, err = db.write.ExecContext(ctx, `INSERT INTO article_fts (rowid, headline, standfirst, body, tags) VALUES (?, 'harbour news', 'standfirst', 'body', '')`, id)
		must(t, err)
	}
	if n, err := db.Migrate(ctx); err != nil || n != pending {
		t.Fatalf("Migrate = %d, %v; want %d, nil", n, err, pending)
	}
	for _, r := range []search.Request{
		{Newest: 1},
		{Newest: 1, SectionID: sec.ID},
		{Newest: 1, AuthorID: au.ID},
	} {
		r.Text, r.Limit = "harbour", 10
		res, err := db.Search(ctx, r)
		must(t, err)
		if !res.Window || len(res.Articles) != 1 || res.Articles[0].ID != 1 || !res.Before.Equal(published[0]) {
			t.Errorf("%+v after migrating: window %v, before %v, %d articles; want article 1 alone, the newer", r, res.Window, res.Before, len(res.Articles))
		}
	}
	// The migrated rows are found by their keys when the article changes.
	a, err := db.ArticleByID(ctx, 2)
	must(t, err)
	a.PublishedAt = published[0].Add(time.Hour)
	must(t, db.UpdateArticle(ctx, a))
	res, err := db.Search(ctx, search.Request{Text: "harbour", Limit: 10, Newest: 1})
	must(t, err)
	if res.Total != 1 || res.Articles[0].ID != 2 {
		t.Errorf("after moving article 2 to the newest: %+v", res.Articles)
	}
	// A reader cannot search for the facet words themselves.
	for _, q := range []string{sectionFacet(sec.ID), authorFacet(au.ID), `"` + sectionFacet(sec.ID) + `"`, "facets:" + sectionFacet(sec.ID)} {
		res, err := db.Search(ctx, search.Request{Text: q, Limit: 10})
		must(t, err)
		if res.Total != 0 {
			t.Errorf("the query %q finds %d articles by their facets", q, res.Total)
		}
	}
	var rows int
	must(t, db.read.QueryRowContext(ctx, `SELECT count(*) FROM article_fts`).Scan(&rows))
	if rows != 2 {
		t.Errorf("the index holds %d rows, want 2: the old row of article 2 was left behind", rows)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
