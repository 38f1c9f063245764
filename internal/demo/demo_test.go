package demo

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/store/sqlite"
)

func TestStoriesAreWellFormed(t *testing.T) {
	stories, err := Stories()
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) < 30 {
		t.Errorf("%d demo articles, want at least 30", len(stories))
	}
	slugs := map[string]bool{}
	hours := map[int]bool{}
	for _, s := range stories {
		if err := article.ValidateSlug(s.Slug); err != nil {
			t.Errorf("%s: %v", s.File, err)
		}
		if slugs[s.Slug] || hours[s.HoursAgo] {
			t.Errorf("%s: slug or publication hour repeated", s.File)
		}
		slugs[s.Slug], hours[s.HoursAgo] = true, true
		if s.UpdatedHoursAgo >= s.HoursAgo && s.UpdatedHoursAgo != 0 {
			t.Errorf("%s: updated before it was published", s.File)
		}
	}
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	if err := Load(ctx, db, now, nil); err != nil {
		t.Fatal(err)
	}
	sections, err := db.Sections(ctx)
	if err != nil || len(sections) < 4 {
		t.Fatalf("%d sections, %v; want at least 4", len(sections), err)
	}
	list, err := db.Articles(ctx, article.Query{Limit: article.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var multi, images int
	authors := map[string]bool{}
	for _, a := range list.Articles {
		if len(a.Authors) > 1 {
			multi++
		}
		for _, au := range a.Authors {
			authors[au.Slug] = true
		}
		if a.LeadImage != nil {
			images++
			if len(a.LeadImage.Variants) != len(imageWidths) {
				t.Errorf("%s: image has widths %v", a.Slug, a.LeadImage.Variants)
			}
		}
		if a.PublishedAt.After(now) {
			t.Errorf("%s published in the future", a.Slug)
		}
	}
	if len(list.Articles) < 30 || multi < 3 || images < 10 || len(authors) < 4 {
		t.Errorf("loaded %d articles, %d multi-author, %d with images, %d authors", len(list.Articles), multi, images, len(authors))
	}
	for _, slug := range []string{"about", "contact"} {
		if _, err := db.PageBySlug(ctx, slug); err != nil {
			t.Errorf("page %s: %v", slug, err)
		}
	}
	if site, _ := db.Site(ctx); site.Title != Site.Title {
		t.Errorf("site title %q", site.Title)
	}
	if err := Load(ctx, db, now, nil); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("second Load: err = %v, want ErrNotEmpty", err)
	}
}
