package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"broadsheet/internal/article"
	"broadsheet/internal/store"
)

// Taxonomy is sections, tags, authors and static pages.
type Taxonomy interface {
	CreateSection(ctx context.Context, s *article.Section) error
	CreateTag(ctx context.Context, t *article.Tag) error
	CreateAuthor(ctx context.Context, a *article.Author) error
	CreatePage(ctx context.Context, p *article.Page) error
	Sections(ctx context.Context) ([]article.Section, error)
	SectionBySlug(ctx context.Context, slug string) (*article.Section, error)
	TagBySlug(ctx context.Context, slug string) (*article.Tag, error)
	AuthorBySlug(ctx context.Context, slug string) (*article.Author, error)
	PageBySlug(ctx context.Context, slug string) (*article.Page, error)
	Pages(ctx context.Context) ([]article.Page, error)
	Tags(ctx context.Context) ([]article.Tag, error)
	Authors(ctx context.Context) ([]article.Author, error)
	PublishedTags(ctx context.Context) ([]article.Tag, error)
	TagUsage(ctx context.Context) (map[int64]int, error)
	UpdateSection(ctx context.Context, s *article.Section) error
	UpdateTag(ctx context.Context, t *article.Tag) error
	UpdateAuthor(ctx context.Context, a *article.Author) error
	DeleteSection(ctx context.Context, id int64) error
	DeleteTag(ctx context.Context, id int64) error
	DeleteAuthor(ctx context.Context, id int64) error
}

// Media is the image library.
type Media interface {
	CreateImage(ctx context.Context, img *article.Image, variants []article.Variant) error
	Images(ctx context.Context, limit int) ([]article.Image, error)
	ImageByID(ctx context.Context, id int64) (*article.Image, error)
	ImageBySourceHash(ctx context.Context, hash string) (*article.Image, error)
	ImageVariant(ctx context.Context, imageID int64, width int) (*article.Variant, error)
	ImagePublic(ctx context.Context, id int64) (bool, error)
	CreateDocument(ctx context.Context, doc *article.Document, data []byte) error
	DocumentByID(ctx context.Context, id int64) (*article.Document, error)
	DocumentBySourceHash(ctx context.Context, hash string) (*article.Document, error)
	DocumentBytes(ctx context.Context, id, offset, n int64) ([]byte, error)
	DocumentPublic(ctx context.Context, id int64) (bool, error)
	Media(ctx context.Context, q string, page, size int) (*article.MediaPage, error)
	DeleteImage(ctx context.Context, id int64) error
	DeleteDocument(ctx context.Context, id int64) error
}

// Settings is the site's settings and the secret its links are signed with.
type Settings interface {
	Site(ctx context.Context) (article.Site, error)
	SetSite(ctx context.Context, s article.Site) error
	SigningKey(ctx context.Context) ([]byte, error)
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
	if !reflect.DeepEqual(got, article.DefaultSite) {
		t.Errorf("Site() on empty store = %+v, want defaults %+v", got, article.DefaultSite)
	}
	want := article.Site{Title: "The Courier", Tagline: "News", Language: "en", TimeZone: "Europe/Lisbon", CommentsCloseDays: 14, DigestHour: 18, FeedFullText: true,
		TwitterSite: "@courier", LatinDigits: true,
		Editions: []article.Edition{{Lang: "fa", Title: "پیک", Tagline: "خبر"}, {Lang: "ar", LatinDigits: true}}}
	must(t, s.SetSite(ctx, want))
	must(t, s.SetSite(ctx, want)) // idempotent
	got, err = s.Site(ctx)
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Site() = %+v, want %+v", got, want)
	}
	want.Editions = nil
	must(t, s.SetSite(ctx, want))
	if got, err = s.Site(ctx); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Site() without editions = %+v, %v; want %+v", got, err, want)
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

// testImagePublic: an image is public while a published article leads
// with it or shows it in its body, and only then.
func testImagePublic(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	img := article.Image{Alt: "Quay", Width: 10, Height: 5}
	must(t, s.CreateImage(ctx, &img, []article.Variant{{Width: 10, Height: 5, ContentType: "image/jpeg", Bytes: []byte("x")}}))
	a := f.article(0)
	a.Status, a.LeadImage = article.Draft, &img
	for _, tt := range []struct {
		name string
		step func()
		id   int64
		want bool
	}{
		{"in no article", func() {}, img.ID, false},
		{"leading a draft", func() { must(t, s.CreateArticle(ctx, a)) }, img.ID, false},
		{"leading a published article", func() { a.Status = article.Published; must(t, s.UpdateArticle(ctx, a)) }, img.ID, true},
		{"leading a withdrawn one", func() { a.Status = article.Unpublished; must(t, s.UpdateArticle(ctx, a)) }, img.ID, false},
		{"in the body of a draft", func() {
			a.LeadImage, a.Body = nil, fmt.Sprintf("Before.\n\n![Quay](/media/%d/10.jpg)\n\nAfter.", img.ID)
			a.Status = article.Draft
			must(t, s.UpdateArticle(ctx, a))
		}, img.ID, false},
		{"in the body of a published article", func() { a.Status = article.Published; must(t, s.UpdateArticle(ctx, a)) }, img.ID, true},
		{"after the body no longer shows it", func() { a.Body = "No picture."; must(t, s.UpdateArticle(ctx, a)) }, img.ID, false},
		{"shown again, and the article's stored HTML made by an earlier renderer", func() {
			a.Body = fmt.Sprintf("![Quay](/media/%d/10.jpg)", img.ID)
			must(t, s.UpdateArticle(ctx, a))
			// As after an upgrade: the row's images not yet found.
			must(t, s.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
				if _, err := tx.ExecContext(ctx, `DELETE FROM article_images WHERE article_id = ?`, a.ID); err != nil {
					return nil, err
				}
				_, err := tx.ExecContext(ctx, `UPDATE articles SET html_of = 0 WHERE id = ?`, a.ID)
				return nil, err
			}))
			if public, err := s.ImagePublic(ctx, img.ID); err != nil || public {
				t.Errorf("before the article is rendered again its image is public: %v, %v", public, err)
			}
			_, err := s.RenderStored(ctx, 10)
			must(t, err)
		}, img.ID, true},
		{"a missing image", func() {}, img.ID + 1000, false},
	} {
		tt.step()
		got, err := s.ImagePublic(ctx, tt.id)
		if err != nil || got != tt.want {
			t.Errorf("ImagePublic(%s) = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

// testSigningKey: the site's key is made on first use, 32 bytes, the same
// for every caller at once and ever after, whatever else is stored.
func testSigningKey(t *testing.T, s Store) {
	ctx := context.Background()
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := s.SigningKey(ctx)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	must(t, s.SetSite(ctx, article.Site{Title: "The Courier", Language: "en", TimeZone: "UTC"}))
	again, err := s.SigningKey(ctx)
	must(t, err)
	for _, k := range append(keys, again) {
		if len(k) != 32 || !bytes.Equal(k, keys[0]) {
			t.Fatalf("keys differ or are short: %x and %x", k, keys[0])
		}
	}
}
