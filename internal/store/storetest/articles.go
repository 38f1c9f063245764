package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/markup"
	"broadsheet/internal/store"
)

// Articles is the public side of articles: reading and writing them.
type Articles interface {
	ArticleBySlug(ctx context.Context, slug string) (*article.Article, error)
	ArticleByID(ctx context.Context, id int64) (*article.Article, error)
	BareArticleBySlug(ctx context.Context, slug string) (*article.Article, error)
	BareArticleByID(ctx context.Context, id int64) (*article.Article, error)
	RedirectSlug(ctx context.Context, old string) (string, error)
	Articles(ctx context.Context, q article.Query) (article.List, error)
	CreateArticle(ctx context.Context, a *article.Article) error
	UpdateArticle(ctx context.Context, a *article.Article) error
	RenderStored(ctx context.Context, n int) (int, error) // comments' HTML too
}

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

	// Bare, the article has its own fields, section and image, and
	// nothing the reading page alone needs.
	for _, bare := range []func() (*article.Article, error){
		func() (*article.Article, error) { return s.BareArticleBySlug(ctx, a.Slug) },
		func() (*article.Article, error) { return s.BareArticleByID(ctx, a.ID) },
	} {
		b, err := bare()
		must(t, err)
		want := *got
		want.Body, want.BodyHTML, want.Authors, want.Tags, want.Notes = "", "", nil, nil, nil
		want.LeadImage = &article.Image{ID: img.ID, Alt: img.Alt, Caption: img.Caption, Credit: img.Credit, Width: img.Width, Height: img.Height}
		if !reflect.DeepEqual(b, &want) {
			t.Errorf("bare article = %+v, want %+v", b, &want)
		}
	}
	if _, err := s.BareArticleBySlug(ctx, "nope"); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("bare article with a missing slug: err = %v, want ErrNotFound", err)
	}
	if _, err := s.BareArticleByID(ctx, 9999); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("bare article with a missing id: err = %v, want ErrNotFound", err)
	}
}

// testArticleHTML: an article is stored with its body rendered for
// readers, again when it is updated; the bare article and listings, which
// carry no body, carry none. HTML stored by another renderer is not given
// out, and RenderStored renders and stores it, no more rows at a call than
// asked, comments and articles together, leaving what a newer renderer
// stored alone.
func testArticleHTML(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	html := rendered(t, markup.New())
	stored := func(id int64) string {
		t.Helper()
		a, err := s.ArticleByID(ctx, id)
		must(t, err)
		return a.BodyHTML
	}
	a := f.article(0)
	a.Body = "## The vote\n\nCounted *twice*[^1].\n\n[^1]: The clerk."
	must(t, s.CreateArticle(ctx, a))
	want := html(a.Body)
	if !strings.Contains(want, `<h2 id="h-the-vote">`) || !strings.Contains(want, "<em>twice</em>") {
		t.Fatalf("the renderer writes %q; this case expects a heading and emphasis", want)
	}
	if a.BodyHTML != want {
		t.Errorf("CreateArticle left BodyHTML %q, want %q", a.BodyHTML, want)
	}
	if got := stored(a.ID); got != want {
		t.Errorf("ArticleByID's BodyHTML = %q, want %q", got, want)
	}
	if got, err := s.ArticleBySlug(ctx, a.Slug); err != nil || got.BodyHTML != want {
		t.Errorf("ArticleBySlug = %v, %v; want BodyHTML %q", got, err, want)
	}
	list, err := s.Articles(ctx, article.Query{Limit: 10})
	must(t, err)
	if len(list.Articles) != 1 || list.Articles[0].BodyHTML != "" {
		t.Errorf("listing = %+v, want the one article without its HTML", list.Articles)
	}
	a.Body = "Now **bold**"
	must(t, s.UpdateArticle(ctx, a))
	if want := html(a.Body); a.BodyHTML != want || stored(a.ID) != want {
		t.Errorf("after the update BodyHTML = %q, stored %q; want %q", a.BodyHTML, stored(a.ID), want)
	}

	// Stored by an earlier renderer, and by a later one.
	old, newer := f.article(0), f.article(0)
	must(t, s.CreateArticle(ctx, old))
	must(t, s.CreateArticle(ctx, newer))
	storedByOthers(t, s, "articles", "body_html", markup.ArticlesVersion, old.ID, newer.ID, stored)

	c := newComment(a.ID, 0, "Ann", "k1", comment.Approved)
	must(t, s.CreateComment(ctx, c))
	must(t, s.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
		_, err := tx.ExecContext(ctx, `UPDATE comments SET html = 'stale', html_of = ? WHERE id = ?`, markup.CommentsVersion-1, c.ID)
		return nil, err
	}))
	if n, err := s.RenderStored(ctx, 1); err != nil || n != 1 {
		t.Errorf("RenderStored(1) with a comment and an article to render = %d, %v; want 1", n, err)
	}
	if n, err := s.RenderStored(ctx, 10); err != nil || n != 1 {
		t.Errorf("RenderStored(10) with one left = %d, %v; want 1", n, err)
	}
	if got, want := stored(old.ID), html(old.Body); got != want {
		t.Errorf("after RenderStored the earlier article's HTML is %q, want %q", got, want)
	}
	if got, err := s.CommentByID(ctx, c.ID); err != nil || got.HTML != rendered(t, markup.NewComments())(c.Body) {
		t.Errorf("after RenderStored the comment = %+v, %v; want its HTML", got, err)
	}
	if n, err := s.RenderStored(ctx, 10); err != nil || n != 0 {
		t.Errorf("RenderStored again = %d, %v; want 0", n, err)
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
