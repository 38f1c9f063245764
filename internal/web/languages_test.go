package web

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/i18n"
)

// A site in each language of the catalogues shows its pages in it: the
// page's language and direction, the catalogue's words, dates in the
// language's calendar and digits (Solar Hijri, Persian digits, in
// Persian), the machine-readable date left Gregorian, and no key missing.
func TestPagesInEveryLanguage(t *testing.T) {
	for _, lang := range i18n.Languages() {
		t.Run(lang, func(t *testing.T) {
			s := newSite(t)
			ctx := context.Background()
			site, err := s.db.Site(ctx)
			must(t, err)
			site.Language = lang
			must(t, s.db.SetSite(ctx, site))
			a := s.publish("city", "harbour-reopens", "Harbour reopens")
			cat := i18n.For(lang)
			for _, path := range []string{"/", "/city/harbour-reopens", "/city", "/latest", "/search?q=harbour"} {
				r := s.get(path)
				if r.status != 200 {
					t.Fatalf("%s = %d", path, r.status)
				}
				if want := `lang="` + lang + `" dir="` + i18n.Dir(lang) + `"`; !strings.Contains(r.body, want) {
					t.Errorf("%s lacks %s", path, want)
				}
				if m := regexp.MustCompile(`\[[a-z_]+\.[a-z_.]+\]`).FindString(r.body); m != "" {
					t.Errorf("%s shows the key %s instead of its message", path, m)
				}
				if home := cat.T("nav.home"); !strings.Contains(r.body, home) {
					t.Errorf("%s lacks %q (nav.home in %s)", path, home, lang)
				}
			}
			page := s.get("/city/harbour-reopens").body
			if date := cat.Date(a.PublishedAt); !strings.Contains(page, date) {
				t.Errorf("the article does not show its date as %q", date)
			}
			if iso := a.PublishedAt.UTC().Format("2006-01-02T15:04"); !strings.Contains(page, `datetime="`+iso) {
				t.Errorf("the article's datetime is not the Gregorian %s", iso)
			}
			if lang == "fa" && !strings.Contains(page, "۱۴۰۵") {
				t.Errorf("the Persian article does not date itself in the Solar Hijri year ۱۴۰۵")
			}
		})
	}
}

// Tags typed in the editor are separated by a Latin or an Arabic comma.
func TestEditorTagsSplitOnEitherComma(t *testing.T) {
	d := editorForm{Tags: "مسکن، فوتبال,Housing , ،"}.draft()
	if want := []string{"مسکن", "فوتبال", "Housing"}; strings.Join(d.Tags, "|") != strings.Join(want, "|") {
		t.Errorf("tags %q, want %q", d.Tags, want)
	}
}

// The names of a byline are separated by the language's own comma, in
// the reading site and in the newsroom's list of articles, each name
// isolated there so that Latin names keep the order of a right-to-left
// list.
func TestBylineCommaOfTheLanguage(t *testing.T) {
	for lang, comma := range map[string]string{"en": ",", "fa": "،", "ar": "،", "ru": ","} {
		t.Run(lang, func(t *testing.T) {
			ns := newNewsroom(t)
			ctx := context.Background()
			site, err := ns.db.Site(ctx)
			must(t, err)
			site.Language = lang
			must(t, ns.db.SetSite(ctx, site))
			authors := []article.Author{ns.authors["ada"]}
			for _, name := range []string{"Grace Hopper", "Katherine Johnson"} {
				au := article.Author{Slug: article.Slugify(name), Name: name}
				must(t, ns.db.CreateAuthor(ctx, &au))
				authors = append(authors, au)
			}
			ns.publish("city", "harbour-reopens", "Harbour reopens", func(a *article.Article) { a.Authors = authors })
			and := i18n.For(lang).T("article.and")
			ns.get("/city/harbour-reopens").has(t, `<bdi>Ada Byline</bdi></a>`+comma+` <a`, `<bdi>Grace Hopper</bdi></a> `+and+` <a`)
			list := ns.do("GET", "/admin/articles", account.Editor, nil)
			if want := `<bdi>Ada Byline</bdi>` + comma + ` <bdi>Grace Hopper</bdi> ` + and + ` <bdi>Katherine Johnson</bdi>`; !strings.Contains(list.Body.String(), want) {
				t.Errorf("the newsroom's list of articles lacks %s", want)
			}
		})
	}
}
