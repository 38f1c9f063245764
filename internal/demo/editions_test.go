package demo

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
)

// The Persian edition: its sections, its articles all in Persian, and
// its translations each linked to the English story it translates, one
// article per edition in every group.
func TestPersianEdition(t *testing.T) {
	ctx := context.Background()
	db := loadedAt(t, time.Now())
	site, err := db.Site(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fa, ok := site.Edition("fa"); !ok || fa.Title != "پیک مرو" || fa.Tagline == "" {
		t.Fatalf("the site's fa edition: %+v, %v", fa, ok)
	}
	secs, err := db.Sections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	faSections := map[string]bool{}
	for _, s := range secs {
		if s.Edition == "fa" {
			faSections[s.Slug] = false
		}
	}
	if len(faSections) < 4 {
		t.Errorf("the fa edition has sections %v; want at least 4", faSections)
	}

	list, err := db.Articles(ctx, article.Query{Limit: article.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	bySlug := map[string]article.Article{}
	for _, a := range list.Articles {
		bySlug[a.Slug] = a
		inFa := a.Section.Edition == "fa"
		if inFa != (a.Language == "fa") {
			t.Errorf("%s: language %q in section %q of edition %q", a.Slug, a.Language, a.Section.Slug, a.Section.Edition)
		}
		if inFa {
			faSections[a.Section.Slug] = true
		}
	}
	for slug, used := range faSections {
		if !used {
			t.Errorf("the fa section %q holds no article", slug)
		}
	}

	stories, err := Stories()
	if err != nil {
		t.Fatal(err)
	}
	translations := 0
	for _, s := range stories {
		if s.TranslationOf == "" {
			continue
		}
		translations++
		a, orig := bySlug[s.Slug], bySlug[s.TranslationOf]
		if orig.ID == 0 || orig.Language != Site.Language || orig.Section.Edition != "" {
			t.Errorf("%s translates %q, which is not an English story of the main edition: %+v", s.File, s.TranslationOf, orig.Section)
			continue
		}
		if a.TranslationOf != orig.ID {
			t.Errorf("%s: translation_of = %d, want %d (%s)", s.File, a.TranslationOf, orig.ID, orig.Slug)
		}
		if !a.PublishedAt.After(orig.PublishedAt) {
			t.Errorf("%s: published %v, not after its original (%v)", s.File, a.PublishedAt, orig.PublishedAt)
		}
		group, err := db.Translations(ctx, orig.ID)
		if err != nil {
			t.Fatal(err)
		}
		editions := map[string]string{}
		listed := false
		for _, g := range group {
			if other, ok := editions[g.Section.Edition]; ok {
				t.Errorf("the group of %s has %s and %s in edition %q", orig.Slug, other, g.Slug, g.Section.Edition)
			}
			editions[g.Section.Edition] = g.Slug
			listed = listed || g.ID == a.ID
		}
		if !listed {
			t.Errorf("the translations of %s do not list %s", orig.Slug, s.Slug)
		}
		// The same illustration, captioned in Persian.
		if orig.LeadImage != nil && s.Image != "" {
			if a.LeadImage == nil || a.LeadImage.ID == orig.LeadImage.ID || a.LeadImage.Alt == orig.LeadImage.Alt {
				t.Errorf("%s: lead image %+v; want its own, with its own alt text", s.File, a.LeadImage)
				continue
			}
			mine, err1 := db.ImageVariant(ctx, a.LeadImage.ID, imageWidths[0])
			theirs, err2 := db.ImageVariant(ctx, orig.LeadImage.ID, imageWidths[0])
			if err1 != nil || err2 != nil || !bytes.Equal(mine.Bytes, theirs.Bytes) {
				t.Errorf("%s: its illustration is not its original's (%v, %v)", s.File, err1, err2)
			}
		}
	}
	if translations < 6 {
		t.Errorf("%d translations; want at least 6", translations)
	}
}

// A translation names a story of an earlier file in another edition; the
// loader says which file names one that is not.
func TestTranslationOfMustBeAnEarlierStoryInAnotherEdition(t *testing.T) {
	stories, err := Stories()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := pages()
	if err != nil {
		t.Fatal(err)
	}
	index := func(slug string) int {
		for i, s := range stories {
			if s.Slug == slug {
				return i
			}
		}
		t.Fatalf("no demo story %s", slug)
		return -1
	}
	fa := index("persian-poetry-night-central-library")
	for _, tt := range []struct {
		name string
		edit func([]Story)
		want string
	}{
		{"unknown slug", func(s []Story) { s[fa].TranslationOf = "no-such-story" }, `33-persian-poetry-night-central-library.md: translation_of "no-such-story": no story with that slug in an earlier file`},
		// The Russian story is in the main edition, a file after it.
		{"later file", func(s []Story) { s[fa].TranslationOf = "white-rook-chess-club-junior-tournament" }, `33-persian-poetry-night-central-library.md: translation_of "white-rook-chess-club-junior-tournament": no story with that slug in an earlier file`},
		{"same edition", func(s []Story) {
			i := index("white-rook-chess-club-junior-tournament")
			s[i].TranslationOf = "council-votes-eastgate-tram-depot-homes"
		}, `34-white-rook-chess-club-junior-tournament.md: translation_of "council-votes-eastgate-tram-depot-homes": the original is in the same edition ("")`},
		{"wrong language for the edition", func(s []Story) { s[fa].Language = "ru" }, `33-persian-poetry-night-central-library.md: a story in language "ru" in section "فرهنگ" of the "fa" edition`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			edited := make([]Story, len(stories))
			copy(edited, stories)
			shown := map[string]bool{} // pictures other stories show
			for _, st := range edited {
				for _, m := range pictureRef.FindAllStringSubmatch(st.Body, -1) {
					shown[m[1]] = true
				}
			}
			for i := range edited {
				if !shown[edited[i].Slug] {
					edited[i].Image = "" // drawing is not what is tested
				}
			}
			tt.edit(edited)
			err := load(context.Background(), openStore(t), time.Now(), nil, edited, pages)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("load = %v; want an error saying %s", err, tt.want)
			}
		})
	}
}

// Persian text is written as a Persian newsroom writes it: Persian ی
// and ک rather than the Arabic letters, Persian punctuation and digits,
// and the zero-width non-joiner (نیم‌فاصله) where a prefix or suffix
// joins its word, not a space.
func TestPersianIsCarefullyWritten(t *testing.T) {
	stories, err := Stories()
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`\]\([^)]*\)`)
	// A space where a non-joiner belongs leaves these standing alone.
	detached := regexp.MustCompile(`(^|[\s«(])(می|نمی|ها|های|هایی|ترین|اند|ایم|اید)([\s،؛.»):]|$)`)
	checked := 0
	for _, s := range stories {
		if s.Language != "fa" {
			continue
		}
		checked++
		for field, text := range map[string]string{"headline": s.Headline, "standfirst": s.Standfirst, "alt": s.Alt, "caption": s.Caption, "credit": s.Credit, "body": link.ReplaceAllString(s.Body, "]")} {
			if i := strings.IndexAny(text, "يك"); i >= 0 {
				t.Errorf("%s: %s has an Arabic ي or ك where Persian ی or ک belongs: %q", s.File, field, around(text, i))
			}
			if i := strings.IndexAny(text, ",;?0123456789"); i >= 0 {
				t.Errorf("%s: %s has a Latin comma, semicolon, question mark or digit where Persian ones belong: %q", s.File, field, around(text, i))
			}
			if m := detached.FindStringIndex(text); m != nil {
				t.Errorf("%s: %s has a prefix or suffix apart from its word, where a non-joiner belongs: %q", s.File, field, around(text, m[0]))
			}
		}
	}
	if checked < 7 {
		t.Errorf("checked %d Persian stories; want the poetry night and at least six translations", checked)
	}
}

// around is the text near byte i, for an error message.
func around(text string, i int) string {
	r := []rune(text[:i])
	from := max(len(r)-15, 0)
	rest := []rune(text[i:])
	return string(r[from:]) + string(rest[:min(len(rest), 15)])
}
