package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
)

// Editions is what editions and translations add to storage.
type Editions interface {
	Translations(ctx context.Context, original int64) ([]article.Article, error)
	PublishedTranslations(ctx context.Context) ([]article.Article, error)
}

// testEditions: a section keeps its edition, an article is listed in its
// section's edition only when a listing asks for one edition, and its
// address is under the edition's code.
func testEditions(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	fa := article.Section{Slug: "jahan", Name: "جهان", Edition: "fa"}
	must(t, s.CreateSection(ctx, &fa))
	got, err := s.SectionBySlug(ctx, "jahan")
	must(t, err)
	if got.Edition != "fa" || got.Path() != "/fa/jahan" {
		t.Errorf("SectionBySlug = edition %q at %q, want fa at /fa/jahan", got.Edition, got.Path())
	}
	en := f.article(0)
	must(t, s.CreateArticle(ctx, en))
	p := f.article(0)
	p.Section, p.Language = fa, "fa"
	must(t, s.CreateArticle(ctx, p))
	if a, err := s.ArticleByID(ctx, p.ID); err != nil || a.Path() != "/fa/jahan/"+p.Slug {
		t.Errorf("ArticleByID = %v, %v; want the article at /fa/jahan/%s", a, err, p.Slug)
	}
	for _, tt := range []struct {
		name string
		q    article.Query
		want []string
	}{
		{"every edition", article.Query{}, []string{p.Slug, en.Slug}},
		{"main edition", article.Query{OneEdition: true}, []string{en.Slug}},
		{"Persian edition", article.Query{OneEdition: true, Edition: "fa"}, []string{p.Slug}},
		{"an edition without articles", article.Query{OneEdition: true, Edition: "ru"}, nil},
	} {
		list, err := s.Articles(ctx, tt.q)
		must(t, err)
		if got := slugs(list.Articles); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Articles = %v, want %v", tt.name, got, tt.want)
		}
	}

	// The newsroom's lists link to the article in its edition.
	c := newComment(p.ID, 0, "Sara", "fa1", comment.Pending)
	must(t, s.CreateComment(ctx, c))
	q, err := s.ModerationQueue(ctx, comment.Pending, 0, 10)
	must(t, err)
	if len(q) != 1 || q[0].ArticlePath != p.Path() {
		t.Errorf("ModerationQueue = %+v, want the article at %s", q, p.Path())
	}
	must(t, s.AddNote(ctx, &article.Note{ArticleID: p.ID, Kind: article.Correction, Body: "نام شهردار اصلاح شد."}))
	cs, err := s.Corrections(ctx, 10)
	must(t, err)
	if len(cs) != 1 || cs[0].Article.Path() != p.Path() || cs[0].Article.Language != "fa" {
		t.Errorf("Corrections = %+v, want the Persian article's at %s", cs, p.Path())
	}

	// Walking an edition's pages back and forth stays in the edition.
	var more []*article.Article
	for range 3 {
		a := f.article(0)
		must(t, s.CreateArticle(ctx, a))
		more = append(more, a)
	}
	first, err := s.Articles(ctx, article.Query{OneEdition: true, Limit: 2})
	must(t, err)
	second, err := s.Articles(ctx, article.Query{OneEdition: true, Limit: 2, Before: first.Older})
	must(t, err)
	back, err := s.Articles(ctx, article.Query{OneEdition: true, Limit: 2, After: second.Newer})
	must(t, err)
	if got, want := slugs(second.Articles), []string{more[0].Slug, en.Slug}; !slices.Equal(got, want) {
		t.Errorf("second page of the main edition = %v, want %v", got, want)
	}
	if !slices.Equal(slugs(back.Articles), slugs(first.Articles)) || back.Older == nil {
		t.Errorf("back to the first page = %v (older %v), want %v with a next page", slugs(back.Articles), back.Older, slugs(first.Articles))
	}

	// Moving a section to another edition moves its articles.
	fa.Edition = "ar"
	must(t, s.UpdateSection(ctx, &fa))
	if a, err := s.ArticleByID(ctx, p.ID); err != nil || a.Section.Edition != "ar" {
		t.Errorf("after the section moved: %v, %v; want the article in the ar edition", a, err)
	}
}

// testTranslations: an article linked to another joins its group under
// the group's original, each edition holds one article of a group, and
// unlinking leaves the others linked.
func testTranslations(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	var secs = map[string]article.Section{"": f.sections[0]}
	for _, ed := range []string{"fa", "ru"} {
		sec := article.Section{Slug: "world-" + ed, Name: "World " + ed, Edition: ed}
		must(t, s.CreateSection(ctx, &sec))
		secs[ed] = sec
	}
	in := func(ed string) *article.Article {
		a := f.article(0)
		a.Section = secs[ed]
		if ed != "" {
			a.Language = ed
		}
		return a
	}
	original := in("")
	must(t, s.CreateArticle(ctx, original))
	fa := in("fa")
	fa.TranslationOf = original.ID
	must(t, s.CreateArticle(ctx, fa))
	if fa.TranslationOf != original.ID || fa.Original() != original.ID {
		t.Errorf("TranslationOf = %d, want %d", fa.TranslationOf, original.ID)
	}
	// Named as a translation of the translation, it joins the original's group.
	ru := in("ru")
	ru.TranslationOf = fa.ID
	must(t, s.CreateArticle(ctx, ru))
	if ru.TranslationOf != original.ID {
		t.Errorf("a translation of a translation: TranslationOf = %d, want the original %d", ru.TranslationOf, original.ID)
	}
	group, err := s.Translations(ctx, original.ID)
	must(t, err)
	if got, want := slugs(group), []string{original.Slug, fa.Slug, ru.Slug}; !slices.Equal(got, want) {
		t.Errorf("Translations = %v, want %v (main edition first)", got, want)
	}
	// A draft translation is no published alternate; an article alone is none.
	draft := in("ar")
	draft.Section = article.Section{Slug: "world-ar", Name: "World ar", Edition: "ar"}
	must(t, s.CreateSection(ctx, &draft.Section))
	draft.Status, draft.TranslationOf = article.Draft, original.ID
	must(t, s.CreateArticle(ctx, draft))
	must(t, s.CreateArticle(ctx, in("")))
	pub, err := s.PublishedTranslations(ctx)
	must(t, err)
	if got, want := slugs(pub), []string{original.Slug, fa.Slug, ru.Slug}; !slices.Equal(got, want) {
		t.Errorf("PublishedTranslations = %v, want %v", got, want)
	}
	d, err := s.ArticleByID(ctx, draft.ID)
	must(t, err)
	d.TranslationOf = 0
	must(t, s.UpdateArticle(ctx, d))
	if a, err := s.ArticleByID(ctx, ru.ID); err != nil || a.TranslationOf != original.ID {
		t.Errorf("ArticleByID(ru) = %+v, %v; want translation_of %d", a, err, original.ID)
	}

	// A second Persian version of the same story is refused, naming the field.
	again := in("fa")
	again.TranslationOf = original.ID
	err = s.CreateArticle(ctx, again)
	var inv *article.InvalidError
	if !errors.As(err, &inv) || !inv.Has("translation_of") {
		t.Errorf("a second article in the fa edition: err = %v, want an invalid translation_of", err)
	}
	if _, err := s.ArticleBySlug(ctx, again.Slug); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("the refused article was stored: %v", err)
	}
	for _, tt := range []struct {
		name string
		of   int64
	}{{"itself", original.ID}, {"its own translation", fa.ID}, {"nothing", 999_999}} {
		o, err := s.ArticleByID(ctx, original.ID)
		must(t, err)
		o.TranslationOf = tt.of
		if err := s.UpdateArticle(ctx, o); !errors.As(err, &inv) {
			t.Errorf("the original as a translation of %s: err = %v, want invalid", tt.name, err)
		}
	}

	// An original that becomes a translation brings its group along.
	other := in("ar")
	other.Section = article.Section{Slug: "ar-world", Name: "العالم", Edition: "ar"}
	must(t, s.CreateSection(ctx, &other.Section))
	other.Language = "ar"
	must(t, s.CreateArticle(ctx, other))
	o, err := s.ArticleByID(ctx, original.ID)
	must(t, err)
	o.TranslationOf = other.ID
	must(t, s.UpdateArticle(ctx, o))
	group, err = s.Translations(ctx, other.ID)
	must(t, err)
	if len(group) != 4 {
		t.Errorf("after the original joined another group: %v, want all four", slugs(group))
	}
	for _, a := range group {
		if a.Original() != other.ID {
			t.Errorf("%s: Original = %d, want %d", a.Slug, a.Original(), other.ID)
		}
	}

	// Nor does a move make two: an article moved into an edition its group
	// holds, or a section moved into one, is refused and nothing changes.
	moved, err := s.ArticleByID(ctx, original.ID)
	must(t, err)
	moved.Section = secs["fa"]
	if err := s.UpdateArticle(ctx, moved); !errors.As(err, &inv) {
		t.Errorf("the original moved into the Persian edition: err = %v, want invalid", err)
	}
	sec := secs["ru"]
	sec.Edition = ""
	if err := s.UpdateSection(ctx, &sec); !errors.As(err, &inv) || !inv.Has("edition") {
		t.Errorf("the Russian section moved into the main edition: err = %v, want invalid edition", err)
	}
	if got, err := s.SectionBySlug(ctx, sec.Slug); err != nil || got.Edition != "ru" {
		t.Errorf("the refused move changed the section: %+v, %v", got, err)
	}

	// Unlinked, an article stands alone and the others stay together.
	r, err := s.ArticleByID(ctx, ru.ID)
	must(t, err)
	r.TranslationOf = 0
	must(t, s.UpdateArticle(ctx, r))
	if group, err = s.Translations(ctx, other.ID); err != nil || len(group) != 3 {
		t.Errorf("after unlinking one: %v, %v; want three", slugs(group), err)
	}
	if alone, err := s.Translations(ctx, ru.ID); err != nil || len(alone) != 1 {
		t.Errorf("the unlinked article's group: %v, %v; want itself alone", slugs(alone), err)
	}
}
