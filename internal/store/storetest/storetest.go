// Package storetest is the conformance suite every storage engine runs
// unchanged: the same calls, the same answers, on SQLite and PostgreSQL.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/store"
)

// Store is what an engine must offer to pass the suite.
type Store interface {
	article.Store
	article.Newsroom
	account.Store
	comment.Store
	UsedStore
	Discovery
	RateCounter
	Ping(ctx context.Context) error
	OnChange(fn func(keys []string))
	ChangesSince(ctx context.Context, after int64, limit int) ([]store.Change, error)
	LastChange(ctx context.Context) (int64, error)
}

// Run runs the whole suite. open must return a new, empty, migrated store
// for each call; the suite closes nothing, so open should register cleanup.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"Taxonomy", testTaxonomy},
		{"ArticleRoundTrip", testArticleRoundTrip},
		{"ArticleValidation", testArticleValidation},
		{"ListingFilters", testListingFilters},
		{"KeysetPagination", testKeysetPagination},
		{"SlugRedirects", testSlugRedirects},
		{"UpdateReplacesRelations", testUpdateReplacesRelations},
		{"ChangeLog", testChangeLog},
		{"Images", testImages},
		{"SiteSettings", testSiteSettings},
		{"Pages", testPages},
		{"TaxonomyUpdatesAndDeletes", testTaxonomyUpdatesAndDeletes},
		{"Users", testUsers},
		{"SessionsAndTokens", testSessionsAndTokens},
		{"SetupTokens", testSetupTokens},
		{"OptimisticLocking", testOptimisticLocking},
		{"Scheduler", testScheduler},
		{"NotesAndCorrections", testNotesAndCorrections},
		{"AdminListAndBanner", testAdminListAndBanner},
		{"CommentThreads", testCommentThreads},
		{"UsedChallenges", testUsedChallenges},
		{"CommentSpendsCheck", testCommentSpendsCheck},
		{"CommentModeration", testCommentModeration},
		{"OwnCommentsAndReports", testOwnCommentsAndReports},
		{"CommenterPrivacy", testCommenterPrivacy},
		{"Blocklist", testBlocklist},
		{"CommentPagingAndCommenters", testCommentPagingAndCommenters},
		{"RelatedArticles", testRelatedArticles},
		{"SearchWindow", testSearchWindow},
		{"SearchAcrossLanguages", testSearchAcrossLanguages},
		{"MostRead", testMostRead},
		{"RateEvents", testRateEvents},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// fixture is a small newsroom: two sections, two tags, three authors.
type fixture struct {
	sections []article.Section
	tags     []article.Tag
	authors  []article.Author
	clock    time.Time
	n        int
}

func newFixture(t *testing.T, s Store) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{clock: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	for i, name := range []string{"City", "Sport"} {
		sec := article.Section{Slug: article.Slugify(name), Name: name, Position: 2 - i}
		must(t, s.CreateSection(ctx, &sec))
		f.sections = append(f.sections, sec)
	}
	for _, name := range []string{"Housing", "Football"} {
		tag := article.Tag{Slug: article.Slugify(name), Name: name}
		must(t, s.CreateTag(ctx, &tag))
		f.tags = append(f.tags, tag)
	}
	for _, name := range []string{"Ada Byline", "Ben Byline", "Cy Byline"} {
		au := article.Author{Slug: article.Slugify(name), Name: name, Role: "Reporter", Bio: "Writes."}
		must(t, s.CreateAuthor(ctx, &au))
		f.authors = append(f.authors, au)
	}
	return f
}

// article returns a valid published article, each call one hour after the
// previous, so listing order is known.
func (f *fixture) article(section int) *article.Article {
	f.n++
	f.clock = f.clock.Add(time.Hour)
	return &article.Article{
		Slug:        fmt.Sprintf("story-%d", f.n),
		Headline:    fmt.Sprintf("Story %d", f.n),
		Standfirst:  "What happened.",
		Body:        "Body of the story.",
		Section:     f.sections[section],
		Authors:     []article.Author{f.authors[0]},
		Status:      article.Published,
		Language:    "en",
		PublishedAt: f.clock,
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testTaxonomy(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	got, err := s.Sections(ctx)
	must(t, err)
	if len(got) != 2 || got[0].Slug != "sport" || got[1].Slug != "city" {
		t.Errorf("Sections() = %+v, want sport then city (by position)", got)
	}
	sec, err := s.SectionBySlug(ctx, "city")
	must(t, err)
	if sec.ID != f.sections[0].ID || sec.Name != "City" {
		t.Errorf("SectionBySlug(city) = %+v, want %+v", sec, f.sections[0])
	}
	au, err := s.AuthorBySlug(ctx, "ben-byline")
	must(t, err)
	if au.Name != "Ben Byline" || au.Role != "Reporter" || au.Bio != "Writes." {
		t.Errorf("AuthorBySlug = %+v", au)
	}
	tag, err := s.TagBySlug(ctx, "football")
	must(t, err)
	if tag.Name != "Football" {
		t.Errorf("TagBySlug = %+v", tag)
	}

	if err := s.CreateSection(ctx, &article.Section{Slug: "city", Name: "Again"}); !errors.Is(err, article.ErrConflict) {
		t.Errorf("duplicate section: err = %v, want ErrConflict", err)
	}
	var inv *article.InvalidError
	if err := s.CreateTag(ctx, &article.Tag{Slug: "Not A Slug", Name: "x"}); !errors.As(err, &inv) {
		t.Errorf("bad tag slug: err = %v, want *InvalidError", err)
	}
	for name, err := range map[string]error{
		"section": second(s.SectionBySlug(ctx, "nope")),
		"tag":     second(s.TagBySlug(ctx, "nope")),
		"author":  second(s.AuthorBySlug(ctx, "nope")),
		"page":    second(s.PageBySlug(ctx, "nope")),
		"article": second(s.ArticleBySlug(ctx, "nope")),
	} {
		if !errors.Is(err, article.ErrNotFound) {
			t.Errorf("missing %s: err = %v, want ErrNotFound", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func testArticleRoundTrip(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	img := article.Image{Alt: "A quay", Caption: "The quay at dawn.", Credit: "Desk", Width: 1200, Height: 675}
	must(t, s.CreateImage(ctx, &img, []article.Variant{
		{Width: 480, Height: 270, ContentType: "image/jpeg", Bytes: []byte("small")},
		{Width: 1200, Height: 675, ContentType: "image/jpeg", Bytes: []byte("large")},
	}))
	a := f.article(0)
	a.Body = "## Heading\n\nSome *Markdown*, with ümlauts and سلام."
	a.Authors = []article.Author{f.authors[2], f.authors[0]} // byline order is not ID order
	a.Tags = []article.Tag{f.tags[1], f.tags[0]}
	a.LeadImage = &img
	a.UpdatedAt = a.PublishedAt.Add(90 * time.Minute)
	a.Language = "fa"
	must(t, s.CreateArticle(ctx, a))
	if a.ID == 0 {
		t.Fatal("CreateArticle did not set ID")
	}
	got, err := s.ArticleBySlug(ctx, a.Slug)
	must(t, err)
	if got.ID != a.ID || got.Headline != a.Headline || got.Standfirst != a.Standfirst || got.Body != a.Body || got.Language != "fa" {
		t.Errorf("ArticleBySlug = %+v, want fields of %+v", got, a)
	}
	if !got.PublishedAt.Equal(a.PublishedAt) || !got.UpdatedAt.Equal(a.UpdatedAt) || got.ModifiedAt.IsZero() {
		t.Errorf("times = %v / %v / %v, want %v / %v / non-zero", got.PublishedAt, got.UpdatedAt, got.ModifiedAt, a.PublishedAt, a.UpdatedAt)
	}
	if got.Section.Slug != "city" || got.Section.Name != "City" {
		t.Errorf("Section = %+v, want city", got.Section)
	}
	if names := authorNames(got.Authors); !slices.Equal(names, []string{"Cy Byline", "Ada Byline"}) {
		t.Errorf("Authors = %v, want byline order [Cy Byline Ada Byline]", names)
	}
	var tags []string
	for _, tg := range got.Tags {
		tags = append(tags, tg.Slug)
	}
	if !slices.Equal(tags, []string{"football", "housing"}) {
		t.Errorf("Tags = %v, want [football housing] (by name)", tags)
	}
	if got.LeadImage == nil || got.LeadImage.ID != img.ID || got.LeadImage.Caption != "The quay at dawn." ||
		got.LeadImage.Credit != "Desk" || got.LeadImage.Alt != "A quay" || !slices.Equal(got.LeadImage.Variants, []int{480, 1200}) {
		t.Errorf("LeadImage = %+v, want image %d with variants [480 1200]", got.LeadImage, img.ID)
	}
	if !got.Visible() || !got.Updated() {
		t.Errorf("Visible() = %v, Updated() = %v; want both true", got.Visible(), got.Updated())
	}
}

func authorNames(as []article.Author) []string {
	var names []string
	for _, a := range as {
		names = append(names, a.Name)
	}
	return names
}

func testArticleValidation(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))

	dup := f.article(0)
	dup.Slug = a.Slug
	if err := s.CreateArticle(ctx, dup); !errors.Is(err, article.ErrConflict) {
		t.Errorf("duplicate slug: err = %v, want ErrConflict", err)
	}
	var inv *article.InvalidError
	empty := f.article(0)
	empty.Headline = " "
	if err := s.CreateArticle(ctx, empty); !errors.As(err, &inv) {
		t.Errorf("empty headline: err = %v, want *InvalidError", err)
	}
	orphan := f.article(0)
	orphan.Section = article.Section{ID: 9999}
	if err := s.CreateArticle(ctx, orphan); !errors.As(err, &inv) {
		t.Errorf("missing section: err = %v, want *InvalidError", err)
	}
	ghost := f.article(0)
	ghost.ID = 9999
	if err := s.UpdateArticle(ctx, ghost); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("update missing article: err = %v, want ErrNotFound", err)
	}
	// Nothing half-written: the failed inserts left one article.
	list, err := s.Articles(ctx, article.Query{})
	must(t, err)
	if len(list.Articles) != 1 {
		t.Errorf("after failed writes %d articles listed, want 1", len(list.Articles))
	}
}

func testListingFilters(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	city1 := f.article(0)
	city1.Tags = []article.Tag{f.tags[0]}
	sport1 := f.article(1)
	sport1.Tags = []article.Tag{f.tags[1]}
	sport1.Authors = []article.Author{f.authors[1], f.authors[0]}
	draft := f.article(0)
	draft.Status = article.Draft
	gone := f.article(0)
	gone.Status = article.Unpublished
	city2 := f.article(0)
	city2.Tags = []article.Tag{f.tags[0], f.tags[1]}
	for _, a := range []*article.Article{city1, sport1, draft, gone, city2} {
		must(t, s.CreateArticle(ctx, a))
	}
	tests := []struct {
		name string
		q    article.Query
		want []string
	}{
		{"all published newest first", article.Query{}, []string{city2.Slug, sport1.Slug, city1.Slug}},
		{"section", article.Query{SectionID: f.sections[0].ID}, []string{city2.Slug, city1.Slug}},
		{"tag", article.Query{TagID: f.tags[1].ID}, []string{city2.Slug, sport1.Slug}},
		{"author second in byline", article.Query{AuthorID: f.authors[1].ID}, []string{sport1.Slug}},
		{"exclude", article.Query{SectionID: f.sections[0].ID, ExcludeID: city2.ID}, []string{city1.Slug}},
		{"limit", article.Query{Limit: 2}, []string{city2.Slug, sport1.Slug}},
		{"author with none", article.Query{AuthorID: f.authors[2].ID}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.Articles(ctx, tt.q)
			must(t, err)
			if got := slugs(list.Articles); !slices.Equal(got, tt.want) {
				t.Errorf("Articles(%+v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
	list, err := s.Articles(ctx, article.Query{SectionID: f.sections[1].ID})
	must(t, err)
	if len(list.Articles) != 1 || !slices.Equal(authorNames(list.Articles[0].Authors), []string{"Ben Byline", "Ada Byline"}) {
		t.Errorf("listing bylines = %+v, want [Ben Byline Ada Byline]", list.Articles)
	}
}

func slugs(as []article.Article) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Slug)
	}
	return out
}

func testKeysetPagination(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	var want []string
	for i := range 23 {
		a := f.article(0)
		if i%5 == 0 {
			// Several articles published in the same second: the id breaks the tie.
			a.PublishedAt = f.clock.Add(-time.Hour)
		}
		must(t, s.CreateArticle(ctx, a))
	}
	all, err := s.Articles(ctx, article.Query{Limit: 100})
	must(t, err)
	want = slugs(all.Articles)
	if len(want) != 23 {
		t.Fatalf("listed %d articles, want 23", len(want))
	}

	// Walk forward to the end, then back to the start.
	var pages [][]string
	q := article.Query{Limit: 10}
	for {
		list, err := s.Articles(ctx, q)
		must(t, err)
		pages = append(pages, slugs(list.Articles))
		if len(pages) == 1 && list.Newer != nil {
			t.Errorf("first page has a Newer cursor")
		}
		if list.Older == nil {
			break
		}
		q = article.Query{Limit: 10, Before: list.Older}
		if len(pages) > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if got := slices.Concat(pages...); !slices.Equal(got, want) {
		t.Errorf("forward walk = %v, want %v", got, want)
	}
	if len(pages) != 3 || len(pages[2]) != 3 {
		t.Errorf("page sizes = %d pages, last %d; want 3 pages, last 3", len(pages), len(pages[len(pages)-1]))
	}

	last, err := s.Articles(ctx, article.Query{Limit: 10, Before: cursorAt(t, s, want[19])})
	must(t, err)
	back, err := s.Articles(ctx, article.Query{Limit: 10, After: last.Newer})
	must(t, err)
	if got := slugs(back.Articles); !slices.Equal(got, want[10:20]) {
		t.Errorf("back from last page = %v, want %v", got, want[10:20])
	}
	if back.Newer == nil || back.Older == nil {
		t.Errorf("middle page cursors: newer=%v older=%v, want both", back.Newer, back.Older)
	}
	first, err := s.Articles(ctx, article.Query{Limit: 10, After: back.Newer})
	must(t, err)
	if got := slugs(first.Articles); !slices.Equal(got, want[:10]) || first.Newer != nil {
		t.Errorf("back to first page = %v (newer %v), want %v and no newer", got, first.Newer, want[:10])
	}
	past, err := s.Articles(ctx, article.Query{Limit: 10, Before: &article.Cursor{PublishedAt: time.Unix(1, 0), ID: 1}})
	must(t, err)
	if len(past.Articles) != 0 || past.Older != nil {
		t.Errorf("before the first article: %v, want empty", slugs(past.Articles))
	}
}

func cursorAt(t *testing.T, s Store, slug string) *article.Cursor {
	t.Helper()
	a, err := s.ArticleBySlug(context.Background(), slug)
	must(t, err)
	return article.CursorOf(a)
}

func testSlugRedirects(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	a.Slug = "first-slug"
	must(t, s.CreateArticle(ctx, a))
	a.Slug = "second-slug"
	must(t, s.UpdateArticle(ctx, a))
	a.Slug = "third-slug"
	must(t, s.UpdateArticle(ctx, a))
	for _, old := range []string{"first-slug", "second-slug"} {
		got, err := s.RedirectSlug(ctx, old)
		if err != nil || got != "third-slug" {
			t.Errorf("RedirectSlug(%q) = %q, %v; want third-slug", old, got, err)
		}
	}
	if _, err := s.RedirectSlug(ctx, "third-slug"); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("RedirectSlug(current) err = %v, want ErrNotFound", err)
	}
	// A new article may take an old slug; it then stops redirecting.
	b := f.article(0)
	b.Slug = "first-slug"
	must(t, s.CreateArticle(ctx, b))
	if _, err := s.RedirectSlug(ctx, "first-slug"); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("RedirectSlug(reused) err = %v, want ErrNotFound", err)
	}
	// Going back to an old slug removes its redirect.
	a.Slug = "second-slug"
	must(t, s.UpdateArticle(ctx, a))
	if _, err := s.RedirectSlug(ctx, "second-slug"); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("RedirectSlug(restored) err = %v, want ErrNotFound", err)
	}
	if got, err := s.RedirectSlug(ctx, "third-slug"); err != nil || got != "second-slug" {
		t.Errorf("RedirectSlug(third-slug) = %q, %v; want second-slug", got, err)
	}
}

func testUpdateReplacesRelations(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	a.Tags = []article.Tag{f.tags[0]}
	must(t, s.CreateArticle(ctx, a))
	a.Tags = []article.Tag{f.tags[1]}
	a.Authors = []article.Author{f.authors[1]}
	a.Section = f.sections[1]
	a.Headline = "Changed"
	must(t, s.UpdateArticle(ctx, a))
	got, err := s.ArticleBySlug(ctx, a.Slug)
	must(t, err)
	if got.Headline != "Changed" || got.Section.Slug != "sport" || len(got.Tags) != 1 || got.Tags[0].Slug != "football" ||
		!slices.Equal(authorNames(got.Authors), []string{"Ben Byline"}) {
		t.Errorf("after update = %+v", got)
	}
	list, err := s.Articles(ctx, article.Query{TagID: f.tags[0].ID})
	must(t, err)
	if len(list.Articles) != 0 {
		t.Errorf("old tag still lists %v", slugs(list.Articles))
	}
	a.Status = article.Unpublished
	must(t, s.UpdateArticle(ctx, a))
	list, err = s.Articles(ctx, article.Query{})
	must(t, err)
	if len(list.Articles) != 0 {
		t.Errorf("unpublished article still listed: %v", slugs(list.Articles))
	}
}

func testChangeLog(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	var mu sync.Mutex
	var heard [][]string
	s.OnChange(func(keys []string) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, keys)
	})
	start, err := s.LastChange(ctx)
	must(t, err)
	a := f.article(0)
	a.Tags = []article.Tag{f.tags[0]}
	must(t, s.CreateArticle(ctx, a))
	a.Section = f.sections[1]
	a.Tags = []article.Tag{f.tags[1]}
	must(t, s.UpdateArticle(ctx, a))

	cs, err := s.ChangesSince(ctx, start, 100)
	must(t, err)
	if len(cs) != 2 {
		t.Fatalf("ChangesSince = %d entries, want 2", len(cs))
	}
	if cs[0].ID <= start || cs[1].ID <= cs[0].ID {
		t.Errorf("change ids %d, %d after %d: want increasing", cs[0].ID, cs[1].ID, start)
	}
	update := cs[1].Keys
	for _, k := range []string{
		article.KeyArticle(a.ID), article.KeyAllArticles,
		article.KeySectionList(f.sections[0].ID), article.KeySectionList(f.sections[1].ID), // old and new section
		article.KeyTagList(f.tags[0].ID), article.KeyTagList(f.tags[1].ID),
		article.KeyAuthorList(f.authors[0].ID),
	} {
		if !slices.Contains(update, k) {
			t.Errorf("update keys %v lack %q", update, k)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(heard) != 2 || !slices.Equal(heard[1], update) {
		t.Errorf("OnChange heard %v, want 2 calls, the last %v", heard, update)
	}
	last, err := s.LastChange(ctx)
	must(t, err)
	if last != cs[1].ID {
		t.Errorf("LastChange = %d, want %d", last, cs[1].ID)
	}
}

func testImages(t *testing.T, s Store) {
	ctx := context.Background()
	img := article.Image{Alt: "x", Width: 10, Height: 5}
	payload := []byte{0xff, 0xd8, 0xff, 0x00, 0x01, 0x02}
	must(t, s.CreateImage(ctx, &img, []article.Variant{{Width: 10, Height: 5, ContentType: "image/jpeg", Bytes: payload}}))
	v, err := s.ImageVariant(ctx, img.ID, 10)
	must(t, err)
	if v.ContentType != "image/jpeg" || v.Height != 5 || !slices.Equal(v.Bytes, payload) {
		t.Errorf("ImageVariant = %+v, want the stored bytes", v)
	}
	if _, err := s.ImageVariant(ctx, img.ID, 11); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("missing width: err = %v, want ErrNotFound", err)
	}
	var inv *article.InvalidError
	if err := s.CreateImage(ctx, &article.Image{}, nil); !errors.As(err, &inv) {
		t.Errorf("image without variants: err = %v, want *InvalidError", err)
	}
	up := article.Image{Alt: "Quay", Width: 10, Height: 5, SourceHash: "abc123"}
	must(t, s.CreateImage(ctx, &up, []article.Variant{{Width: 10, Height: 5, ContentType: "image/jpeg", Bytes: payload}}))
	dup := article.Image{Alt: "Again", Width: 10, Height: 5, SourceHash: "abc123"}
	if err := s.CreateImage(ctx, &dup, []article.Variant{{Width: 10, Height: 5, ContentType: "image/jpeg", Bytes: payload}}); !errors.Is(err, article.ErrConflict) {
		t.Errorf("same upload twice: err = %v, want ErrConflict", err)
	}
	byID, err := s.ImageByID(ctx, up.ID)
	must(t, err)
	if byID.Alt != "Quay" || !slices.Equal(byID.Variants, []int{10}) {
		t.Errorf("ImageByID = %+v", byID)
	}
	if _, err := s.ImageByID(ctx, 9999); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("missing image: err = %v", err)
	}
	found, err := s.ImageBySourceHash(ctx, "abc123")
	must(t, err)
	if found.ID != up.ID || found.Alt != "Quay" {
		t.Errorf("ImageBySourceHash = %+v", found)
	}
	list, err := s.Images(ctx, 10)
	must(t, err)
	if len(list) != 2 || list[0].ID != up.ID || !slices.Equal(list[0].Variants, []int{10}) {
		t.Errorf("Images = %+v, want the upload first", list)
	}
}

func testSiteSettings(t *testing.T, s Store) {
	ctx := context.Background()
	got, err := s.Site(ctx)
	must(t, err)
	if got != article.DefaultSite {
		t.Errorf("Site() on empty store = %+v, want defaults %+v", got, article.DefaultSite)
	}
	want := article.Site{Title: "The Courier", Tagline: "News", Language: "en", TimeZone: "Europe/Lisbon", CommentsCloseDays: 14, DigestHour: 18, FeedFullText: true,
		TwitterSite: "@courier"}
	must(t, s.SetSite(ctx, want))
	must(t, s.SetSite(ctx, want)) // idempotent
	got, err = s.Site(ctx)
	must(t, err)
	if got != want {
		t.Errorf("Site() = %+v, want %+v", got, want)
	}
}

func testPages(t *testing.T, s Store) {
	ctx := context.Background()
	p := article.Page{Slug: "about", Title: "About us", Body: "We report."}
	must(t, s.CreatePage(ctx, &p))
	got, err := s.PageBySlug(ctx, "about")
	must(t, err)
	if got.Title != "About us" || got.Body != "We report." || got.Language != "en" || got.ModifiedAt.IsZero() {
		t.Errorf("PageBySlug = %+v", got)
	}
	must(t, s.CreatePage(ctx, &article.Page{Slug: "contact", Title: "Contact", Body: "Write to us."}))
	list, err := s.Pages(ctx)
	must(t, err)
	if len(list) != 2 || list[0].Slug != "about" || list[1].Title != "Contact" || list[1].Body != "" {
		t.Errorf("Pages() = %+v, want about then contact, without bodies", list)
	}
	if err := s.CreatePage(ctx, &article.Page{Slug: "about", Title: "Again"}); !errors.Is(err, article.ErrConflict) {
		t.Errorf("duplicate page: err = %v, want ErrConflict", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func testTaxonomyUpdatesAndDeletes(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	a.Tags = []article.Tag{f.tags[0]}
	must(t, s.CreateArticle(ctx, a))

	sec := f.sections[0]
	sec.Name, sec.Description = "City & Region", "Wider."
	must(t, s.UpdateSection(ctx, &sec))
	got, err := s.ArticleBySlug(ctx, a.Slug)
	must(t, err)
	if got.Section.Name != "City & Region" {
		t.Errorf("article's section after rename = %q", got.Section.Name)
	}
	dup := f.sections[1]
	dup.Slug = sec.Slug
	if err := s.UpdateSection(ctx, &dup); !errors.Is(err, article.ErrConflict) {
		t.Errorf("section renamed onto another's slug: err = %v", err)
	}
	au := f.authors[0]
	au.Bio = "Now writes about the harbour."
	must(t, s.UpdateAuthor(ctx, &au))
	if got, _ := s.AuthorBySlug(ctx, au.Slug); got.Bio != au.Bio {
		t.Errorf("author bio = %q", got.Bio)
	}
	tg := f.tags[0]
	tg.Name = "Housing & homes"
	must(t, s.UpdateTag(ctx, &tg))
	pt, err := s.PublishedTags(ctx)
	must(t, err)
	if len(pt) != 1 || pt[0].ID != tg.ID {
		t.Errorf("PublishedTags = %+v, want only the tag on the published article", pt)
	}
	usage, err := s.TagUsage(ctx)
	must(t, err)
	if usage[tg.ID] != 1 || usage[f.tags[1].ID] != 0 {
		t.Errorf("TagUsage = %v", usage)
	}

	for name, err := range map[string]error{
		"section in use": s.DeleteSection(ctx, sec.ID),
		"tag in use":     s.DeleteTag(ctx, tg.ID),
		"author in use":  s.DeleteAuthor(ctx, au.ID),
	} {
		if !errors.Is(err, article.ErrConflict) {
			t.Errorf("%s: err = %v, want ErrConflict", name, err)
		}
	}
	must(t, s.DeleteTag(ctx, f.tags[1].ID))
	must(t, s.DeleteAuthor(ctx, f.authors[2].ID))
	must(t, s.DeleteSection(ctx, f.sections[1].ID))
	if _, err := s.SectionBySlug(ctx, f.sections[1].Slug); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("deleted section still found: %v", err)
	}
	if err := s.DeleteTag(ctx, 9999); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("delete missing tag: err = %v", err)
	}
	if err := s.UpdateAuthor(ctx, &article.Author{ID: 9999, Slug: "ghost", Name: "Ghost"}); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("update missing author: err = %v", err)
	}
}
