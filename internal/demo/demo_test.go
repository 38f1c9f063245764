package demo

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/liveblog"
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

// openStore is an empty SQLite store in a temporary file.
func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// loadedAt is the demo loaded into a new store, published up to now.
func loadedAt(t *testing.T, now time.Time) *sqlite.DB {
	t.Helper()
	db := openStore(t)
	if err := Load(context.Background(), db, now, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	db := loadedAt(t, now)
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

// A story in another edition is in that edition's language. A story in
// the main edition that is not in the paper's language sits in a section
// whose English description names its language, so that a reader of the
// English paper knows why it is there.
func TestOtherLanguagesAreExplained(t *testing.T) {
	stories, err := Stories()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"fa": "Persian", "ru": "Russian", "ar": "Arabic"}
	explained := 0
	for _, s := range stories {
		sec := sectionOf(s)
		switch {
		case sec == nil:
			t.Errorf("%s: unknown section %q", s.File, s.Section)
		case sec.Edition != "":
			if s.Language != sec.Edition {
				t.Errorf("%s: a %s story in section %q of the %s edition", s.File, s.Language, s.Section, sec.Edition)
			}
		case s.Language != Site.Language:
			name := names[s.Language]
			if name == "" || !strings.Contains(sec.Description, name) {
				t.Errorf("%s: a %s story in section %q, whose description does not say why", s.File, s.Language, s.Section)
			}
			explained++
		}
	}
	if explained == 0 {
		t.Error("the main edition has no story in another language; the demo no longer shows one")
	}
}

func sectionOf(s Story) *article.Section {
	for i := range sections {
		if sections[i].Slug == s.Section {
			return &sections[i]
		}
	}
	return nil
}

// Alt text describes the picture that is drawn: each kind of illustration
// shows its subject, and the alt text names it in the story's language
// (the drawings were checked by eye; this keeps a new story from
// borrowing a photograph's words). A translation shows its original's
// picture, so it must ask for the same kind.
func TestAltTextNamesWhatIsDrawn(t *testing.T) {
	stories, err := Stories()
	if err != nil {
		t.Fatal(err)
	}
	subject := map[string]map[string]string{
		"en": {"skyline": "skyline", "harbour": "lighthouse", "hills": "hills", "field": "football match",
			"abstract": "Abstract illustration", "chart": "Chart illustration"},
		"fa": {"skyline": "خط آسمان", "harbour": "فانوس دریایی", "hills": "تپه", "field": "مسابقهٔ فوتبال",
			"abstract": "تصویرسازی انتزاعی", "chart": "تصویرسازی نمودار"},
	}
	kind := map[string]string{}
	for _, s := range stories {
		kind[s.Slug] = s.Image
		if s.TranslationOf != "" && s.Image != "" && s.Image != kind[s.TranslationOf] {
			t.Errorf("%s: a %s illustration for a translation of a story with a %q one", s.File, s.Image, kind[s.TranslationOf])
		}
		if s.Image == "" {
			continue
		}
		if want := subject[s.Language][s.Image]; want == "" || !strings.Contains(s.Alt, want) {
			t.Errorf("%s: a %s illustration with alt text %q, which does not name %q", s.File, s.Image, s.Alt, want)
		}
	}
}

// A story shows another's picture by naming its slug; the name becomes
// the media library's address of that story's lead image.
func TestWithPictures(t *testing.T) {
	loaded := map[string]article.Article{
		"quay":   {Slug: "quay", LeadImage: &article.Image{ID: 7}},
		"no-pic": {Slug: "no-pic"},
	}
	got, err := withPictures("![Quay](media:quay \"Desk\")\n![Quay again](media:quay)\nCaption.", loaded)
	if want := "![Quay](/media/7/1200.jpg \"Desk\")\n![Quay again](/media/7/1200.jpg)\nCaption."; err != nil || got != want {
		t.Errorf("withPictures = %q, %v; want %q", got, err, want)
	}
	for _, body := range []string{"![x](media:later)", "![x](media:no-pic)"} {
		if _, err := withPictures(body, loaded); err == nil {
			t.Errorf("withPictures(%q) accepted a picture no earlier story has", body)
		}
	}
}

// The demo covers the storm's clean-up as a live blog, its coverage open:
// a dozen updates after its publication, two of them key events, one
// pinned, one with a picture of the library.
func TestLiveBlog(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	db := loadedAt(t, now)
	a, err := db.ArticleBySlug(ctx, "storm-hesper-clean-up-live")
	if err != nil {
		t.Fatal(err)
	}
	if !a.LiveBlog || !a.Live() || !a.CoverageStart.Equal(a.PublishedAt) {
		t.Errorf("the live blog: live blog %v, live %v, coverage from %v (published %v)", a.LiveBlog, a.Live(), a.CoverageStart, a.PublishedAt)
	}
	page, err := db.LiveUpdates(ctx, liveblog.Query{ArticleID: a.ID, Pinned: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	h, err := db.LiveHighlights(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Updates) != 12 || len(h.KeyEvents) != 2 || len(h.Pinned) != 1 {
		t.Fatalf("%d updates, %d key events, %d pinned; want 12, 2, 1", len(page.Updates), len(h.KeyEvents), len(h.Pinned))
	}
	pictures := 0
	for _, u := range page.Updates {
		if !u.CreatedAt.After(a.PublishedAt) || u.CreatedAt.After(now) || len(u.Authors) == 0 {
			t.Errorf("update %q at %v by %v: want a byline and a time between the publication and now", u.Body[:20], u.CreatedAt, u.Authors)
		}
		if strings.Contains(u.BodyHTML, "<figure") {
			pictures++
		}
	}
	if pictures != 1 {
		t.Errorf("%d updates show a picture, want 1", pictures)
	}
	// It is among the latest articles the front page lists.
	list, err := db.Articles(ctx, article.Query{Limit: 6})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(list.Articles, func(x article.Article) bool { return x.ID == a.ID }) {
		t.Error("the live blog is not among the six newest articles")
	}
}
