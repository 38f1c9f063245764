package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/search"
)

func TestSearch(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	secs := []article.Section{{Slug: "city", Name: "City"}, {Slug: "sport", Name: "Sport"}}
	for i := range secs {
		if err := db.CreateSection(ctx, &secs[i]); err != nil {
			t.Fatal(err)
		}
	}
	tag := article.Tag{Slug: "harbour", Name: "Harbour"}
	if err := db.CreateTag(ctx, &tag); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	mk := func(slug, headline, body string, sec int, status article.Status, tags ...article.Tag) *article.Article {
		at = at.Add(time.Hour)
		a := &article.Article{Slug: slug, Headline: headline, Standfirst: "Standfirst.", Body: body, Section: secs[sec],
			Status: status, Language: "en", PublishedAt: at, Tags: tags}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	inBody := mk("quiet", "A quiet day", "The elections were mentioned once.", 0, article.Published)
	inHead := mk("vote", "Elections called", "Nothing else.", 0, article.Published)
	sport := mk("match", "Elections at the club", "The football club elected a chair.", 1, article.Published)
	mk("draft", "Elections draft", "Secret.", 0, article.Draft)
	tagged := mk("wall", "Wall repaired", "Masons worked.", 0, article.Published, tag)

	ids := func(r search.Results) []int64 {
		var out []int64
		for _, a := range r.Articles {
			out = append(out, a.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		req  search.Request
		want []int64
	}{
		// sport matches in its headline and its body ("elected"), and is newer.
		{"headline first, stemmed, drafts hidden", search.Request{Text: "election"}, []int64{sport.ID, inHead.ID, inBody.ID}},
		{"section", search.Request{Text: "elections", SectionID: secs[1].ID}, []int64{sport.ID}},
		{"all terms", search.Request{Text: "elections football"}, []int64{sport.ID}},
		{"tags", search.Request{Text: "harbour"}, []int64{tagged.ID}},
		{"dates", search.Request{Text: "elections", From: inHead.PublishedAt, To: sport.PublishedAt}, []int64{inHead.ID}},
		{"page", search.Request{Text: "elections", Offset: 1, Limit: 1}, []int64{inHead.ID}},
		{"tsquery syntax is only text", search.Request{Text: `elections' & !(x | y):* <-> "z"`}, []int64{sport.ID, inHead.ID, inBody.ID}},
		{"tsquery syntax finds nothing", search.Request{Text: `nowhere' | elections`}, nil},
		{"nothing to search", search.Request{Text: "!!"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Search(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if g := ids(got); len(g) != len(tt.want) || (len(g) > 0 && !equal(g, tt.want)) {
				t.Errorf("Search(%q) = %v, want %v", tt.req.Text, g, tt.want)
			}
		})
	}
	res, err := db.Search(ctx, search.Request{Text: "elections", Limit: 1})
	// The terms to highlight: the English stem, and the word as an
	// article in a language without stemming holds it.
	if err != nil || res.Total != 3 || strings.Join(res.Terms, " ") != "elect elections" {
		t.Errorf("Total = %d, Terms = %v, %v; want 3, and elect and elections", res.Total, res.Terms, err)
	}
	// Unpublished: gone from search at once; Reindex rebuilds the same.
	inHead.Status = article.Unpublished
	if err := db.UpdateArticle(ctx, inHead); err != nil {
		t.Fatal(err)
	}
	if err := db.Reindex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	res, err = db.Search(ctx, search.Request{Text: "elections"})
	if err != nil || !equal(ids(res), []int64{sport.ID, inBody.ID}) {
		t.Errorf("after unpublishing and Reindex: %v, %v", ids(res), err)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
