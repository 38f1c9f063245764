package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	redirects "broadsheet/internal/redirect"
)

// newEditionsSite is the test site with a Persian edition: a section of
// its own, and a Persian translation of an English story.
func newEditionsSite(t *testing.T) (s *site, en, fa *article.Article) {
	t.Helper()
	s = newSite(t)
	ctx := context.Background()
	site, err := s.db.Site(ctx)
	must(t, err)
	site.Editions = []article.Edition{{Lang: "fa", Title: "روزنامهٔ آزمون", Tagline: "همهٔ خبرها"}}
	must(t, s.db.SetSite(ctx, site))
	jahan := article.Section{Slug: "جهان", Name: "جهان", Edition: "fa"}
	must(t, s.db.CreateSection(ctx, &jahan))
	s.sections[jahan.Slug] = jahan
	en = s.publish("city", "harbour-reopens", "Harbour reopens")
	fa = s.publish("جهان", "bandar-baz-shod", "بندر دوباره باز شد", func(a *article.Article) {
		a.Language, a.TranslationOf = "fa", en.ID
	})
	s.publish("city", "english-only", "An English-only story")
	return s, en, fa
}

func TestEditionsServeTheirOwnPages(t *testing.T) {
	s, _, _ := newEditionsSite(t)
	home := s.get("/fa")
	if home.status != 200 {
		t.Fatalf("GET /fa = %d", home.status)
	}
	home.has(t, `lang="fa" dir="rtl"`, "روزنامهٔ آزمون", "بندر دوباره باز شد", `href="/fa/%d8%ac%d9%87%d8%a7%d9%86"`, "خانه")
	home.lacks(t, "Harbour reopens", "An English-only story", ">City<")
	main := s.get("/")
	main.has(t, `lang="en" dir="ltr"`, "Harbour reopens", "The Test Gazette")
	main.lacks(t, "بندر دوباره باز شد", "جهان")
	// The masthead offers every edition, each named in its own language.
	for _, r := range []result{home, main} {
		r.has(t, `<a href="/fa" lang="fa" hreflang="fa" dir="rtl"`, `<a href="/" lang="en" hreflang="en" dir="ltr"`)
	}

	for _, tt := range []struct {
		path     string
		status   int
		location string
	}{
		{"/fa/", 301, "/fa"},
		{"/fa/%D8%AC%D9%87%D8%A7%D9%86", 200, ""},
		{"/%D8%AC%D9%87%D8%A7%D9%86", 301, "/fa/%D8%AC%D9%87%D8%A7%D9%86"},             // a section's address names its edition
		{"/fa/city", 301, "/city"},                                                     // and the main edition's has none
		{"/city/bandar-baz-shod", 301, "/fa/%D8%AC%D9%87%D8%A7%D9%86/bandar-baz-shod"}, // an article is found wherever it moved
		{"/fa/city/harbour-reopens", 301, "/city/harbour-reopens"},
		{"/fa/about", 404, ""}, // static pages are the main edition's
		{"/fa/admin", 404, ""}, // the newsroom is under no edition
		{"/fa/api/v1/articles", 404, ""},
		{"/ru", 404, ""}, // not an edition of this site
		{"/fa/latest", 200, ""},
		{"/fa/tag/housing", 404, ""}, // no Persian article has the tag
	} {
		r := s.get(tt.path)
		if r.status != tt.status {
			t.Errorf("GET %s = %d, want %d", tt.path, r.status, tt.status)
			continue
		}
		if loc := r.header.Get("Location"); tt.location != "" && !strings.EqualFold(loc, tt.location) {
			t.Errorf("GET %s went to %q, want %q", tt.path, loc, tt.location)
		}
	}

	// Feeds, search and sitemaps each hold their edition's articles.
	feed := s.get("/fa/feed.rss")
	feed.has(t, "بندر دوباره باز شد", "<language>fa</language>", "https://news.example.org/fa/feed.rss")
	feed.lacks(t, "Harbour reopens")
	s.get("/feed.atom").lacks(t, "بندر دوباره باز شد")
	found := s.get("/fa/search?q=" + url.QueryEscape("بندر"))
	found.has(t, "بندر دوباره باز شد")
	s.get("/search?q="+url.QueryEscape("بندر")).lacks(t, "بندر دوباره باز شد")
	s.get("/search?q=harbour").has(t, "Harbour reopens")
	s.get("/fa/search?q=harbour").lacks(t, "Harbour reopens")
	s.get("/fa/sitemaps/articles-1.xml").lacks(t, "english-only", "<loc>https://news.example.org/city/harbour-reopens</loc>")
	s.get("/sitemaps/articles-1.xml").lacks(t, "bandar-baz-shod</loc>")
	// Each names the other as its alternate, with the English as x-default.
	s.get("/sitemaps/articles-1.xml").has(t, `xmlns:xhtml="http://www.w3.org/1999/xhtml"`,
		`<xhtml:link rel="alternate" hreflang="fa" href="https://news.example.org/fa/%D8%AC%D9%87%D8%A7%D9%86/bandar-baz-shod"></xhtml:link>`,
		`<xhtml:link rel="alternate" hreflang="x-default" href="https://news.example.org/city/harbour-reopens"></xhtml:link>`)
	s.get("/fa/sitemaps/articles-1.xml").has(t, `<xhtml:link rel="alternate" hreflang="en" href="https://news.example.org/city/harbour-reopens"></xhtml:link>`)
	s.get("/robots.txt").has(t, "Sitemap: https://news.example.org/fa/sitemap.xml", "Sitemap: https://news.example.org/sitemap.xml")
	s.get("/fa/sitemap.xml").has(t, "https://news.example.org/fa/sitemaps/articles-1.xml")
}

var hreflangLink = regexp.MustCompile(`<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">`)

// A crawler's check: every page that names alternates is named by each of
// them in return, with the same set, and the x-default is one of them.
func TestHreflangIsReciprocal(t *testing.T) {
	s, en, fa := newEditionsSite(t)
	alternates := func(path string) map[string]string {
		t.Helper()
		r := s.get(path)
		if r.status != 200 {
			t.Fatalf("GET %s = %d", path, r.status)
		}
		m := map[string]string{}
		for _, l := range hreflangLink.FindAllStringSubmatch(r.body, -1) {
			if _, dup := m[l[1]]; dup {
				t.Errorf("%s names hreflang %s twice", path, l[1])
			}
			m[l[1]] = l[2]
		}
		return m
	}
	seen := map[string]bool{}
	queue := []string{"/", en.Path(), "/fa", "/latest", "/fa/corrections"}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		alts := alternates(path)
		if len(alts) == 0 {
			t.Errorf("%s names no alternates", path)
			continue
		}
		self := "https://news.example.org" + path
		if !slices.ContainsFunc(mapValues(alts), func(h string) bool { return unescape(h) == unescape(self) }) {
			t.Errorf("%s is not among its own alternates %v", path, alts)
		}
		if d, ok := alts["x-default"]; !ok || !slices.Contains(mapValues(alts), d) {
			t.Errorf("%s: x-default %q is missing or not one of the alternates", path, d)
		}
		for lang, href := range alts {
			u, err := url.Parse(href)
			must(t, err)
			other := alternates(u.EscapedPath())
			if len(other) != len(alts) {
				t.Errorf("%s (%s) names %d alternates, %s names %d", href, lang, len(other), path, len(alts))
			}
			for l, h := range alts {
				if unescape(other[l]) != unescape(h) {
					t.Errorf("%s does not name %s as %s in return (it names %q)", href, h, l, other[l])
				}
			}
			queue = append(queue, u.EscapedPath())
		}
	}
	if !slices.ContainsFunc(mapKeys(seen), func(p string) bool { return unescape(p) == fa.Path() }) {
		t.Errorf("the crawl never reached the Persian translation %s: %v", fa.Path(), mapKeys(seen))
	}
}

// The article pages name each other: a visible list of the other
// languages, and translationOfWork / workTranslation in their JSON-LD.
func TestTranslationsLinked(t *testing.T) {
	s, en, fa := newEditionsSite(t)
	enPage := s.get(en.Path())
	enPage.has(t, `<nav class="translations"`, `lang="fa" hreflang="fa" dir="rtl" rel="alternate">فارسی</a>`)
	faPage := s.get("/fa/" + url.PathEscape("جهان") + "/bandar-baz-shod")
	faPage.has(t, `lang="en" hreflang="en" dir="ltr" rel="alternate">English</a>`, "این مطلب به زبان‌های دیگر")
	if news := newsArticle(t, faPage.body); news["translationOfWork"] == nil || news["inLanguage"] != "fa" {
		t.Errorf("the translation's JSON-LD: translationOfWork %v, inLanguage %v", news["translationOfWork"], news["inLanguage"])
	} else if id := news["translationOfWork"].(map[string]any)["@id"]; id != "https://news.example.org"+en.Path() {
		t.Errorf("translationOfWork names %v, want the original", id)
	}
	news := newsArticle(t, enPage.body)
	works, _ := news["workTranslation"].([]any)
	if len(works) != 1 || !strings.HasSuffix(works[0].(map[string]any)["@id"].(string), "/bandar-baz-shod") {
		t.Errorf("the original's workTranslation = %v, want the Persian article", news["workTranslation"])
	}
	// A story alone names no alternates.
	alone := s.get("/city/english-only")
	alone.lacks(t, `rel="alternate" hreflang=`, `class="translations"`)

	// Withdrawn, the translation leaves the original's page at once.
	fa.Status = article.Unpublished
	fa.Version = 0
	must(t, s.db.UpdateArticle(context.Background(), fa))
	s.get(en.Path()).lacks(t, `class="translations"`, `<link rel="alternate" hreflang="fa"`)
}

func newsArticle(t *testing.T, body string) map[string]any {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindAllStringSubmatch(body, -1) {
		var v map[string]any
		if err := json.Unmarshal([]byte(m[1]), &v); err != nil {
			t.Fatalf("JSON-LD: %v", err)
		}
		if v["@type"] == "NewsArticle" {
			return v
		}
	}
	t.Fatal("no NewsArticle JSON-LD")
	return nil
}

func unescape(s string) string {
	u, err := url.PathUnescape(s)
	if err != nil {
		return s
	}
	return u
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func mapKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The newsroom sets up an edition: Settings adds it (refusing what would
// break), a section joins it, and the editor links a translation.
func TestEditionsInTheNewsroom(t *testing.T) {
	ns := newNewsroom(t)
	settings := func(extra url.Values) *httptest.ResponseRecorder {
		form := url.Values{"title": {"The Gazette"}, "language": {"en"}, "timezone": {"UTC"}}
		for k, v := range extra {
			form[k] = v
		}
		return ns.do("POST", "/admin/settings", account.Admin, form)
	}
	if rec := ns.do("GET", "/admin/settings", account.Admin, nil); !strings.Contains(rec.Body.String(), `name="edition_fa"`) ||
		!strings.Contains(rec.Body.String(), `name="edition_ar_latin"`) || strings.Contains(rec.Body.String(), `name="edition_en"`) {
		t.Errorf("the settings page does not offer the other languages' editions: %d", rec.Code)
	}
	// A section of the main edition already answers /ru.
	must(t, ns.db.CreateSection(context.Background(), &article.Section{Slug: "ru", Name: "Russia"}))
	if rec := settings(url.Values{"edition_ru": {"1"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "change its slug first") {
		t.Errorf("an edition over a section's address = %d, want 422 naming the section", rec.Code)
	}
	if rec := settings(url.Values{"edition_fa": {"1"}, "edition_fa_title": {"روزنامه"}, "edition_ar": {"1"}, "edition_ar_latin": {"1"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("add editions = %d: %s", rec.Code, rec.Body.String())
	}
	site, err := ns.db.Site(context.Background())
	must(t, err)
	if want := []article.Edition{{Lang: "ar", LatinDigits: true}, {Lang: "fa", Title: "روزنامه"}}; !slices.Equal(site.Editions, want) {
		t.Errorf("editions = %+v, want %+v", site.Editions, want)
	}

	// A section made in the Persian edition; one claiming an edition the
	// site lacks is refused.
	if rec := ns.do("POST", "/admin/sections", account.Editor, url.Values{"name": {"Iran"}, "slug": {"iran"}, "edition": {"de"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("a section in a missing edition = %d, want 422", rec.Code)
	}
	if rec := ns.do("POST", "/admin/sections", account.Editor, url.Values{"name": {"ایران"}, "slug": {"iran"}, "edition": {"fa"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("a Persian section = %d: %s", rec.Code, rec.Body.String())
	}
	if sec, err := ns.db.SectionBySlug(context.Background(), "iran"); err != nil || sec.Edition != "fa" {
		t.Fatalf("the section = %+v, %v; want it in the fa edition", sec, err)
	}

	// The English original, then its translation, linked by the editor's
	// field as its newsroom address.
	original := ns.create(account.Editor, "Harbour reopens")
	form := articleForm("بندر باز شد", 0)
	form.Set("section", "iran")
	form.Set("language", "")
	form.Set("translation_of", fmt.Sprintf("https://news.example.org/admin/articles/%d", original))
	form.Set("action", "save")
	rec := ns.do("POST", "/admin/articles", account.Editor, form)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save the translation = %d: %s", rec.Code, rec.Body.String())
	}
	m := articleIDInLocation.FindStringSubmatch(rec.Header().Get("Location"))
	var id int64
	fmt.Sscan(m[1], &id)
	a, err := ns.db.ArticleByID(context.Background(), id)
	must(t, err)
	if a.TranslationOf != original || a.Language != "fa" || a.Path() != "/fa/iran/"+a.Slug {
		t.Errorf("the translation: of %d, language %q, at %s; want of %d, fa, under /fa/iran", a.TranslationOf, a.Language, a.Path(), original)
	}
	editor := ns.do("GET", fmt.Sprintf("/admin/articles/%d", original), account.Editor, nil).Body.String()
	if !strings.Contains(editor, fmt.Sprintf(`<a href="/admin/articles/%d" lang="fa" dir="rtl">فارسی: بندر باز شد</a>`, id)) {
		t.Error("the original's editor does not list its translation")
	}

	// A second Persian version, or a number that is not one, is refused with
	// the field named and the text kept.
	for _, of := range []string{strconv.FormatInt(original, 10), "twelve"} {
		form.Set("translation_of", of)
		form.Set("headline", "نسخهٔ دیگر")
		rec := ns.do("POST", "/admin/articles", account.Editor, form)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "نسخهٔ دیگر") || !strings.Contains(rec.Body.String(), `value="`+of+`"`) {
			t.Errorf("translation_of %q = %d, want 422 keeping what was typed", of, rec.Code)
		}
	}

	// An edition with a section cannot be taken away: its articles would
	// be stranded.
	if rec := settings(url.Values{"edition_ar": {"1"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "still has the section") {
		t.Errorf("removing the Persian edition that has a section = %d, want 422", rec.Code)
	}
}

// A reader subscribing from an edition's page stays in its language.
func TestSubscribeFromAnEdition(t *testing.T) {
	s, _, _ := newEditionsSite(t)
	home := s.get("/fa")
	home.has(t, `<form class="subscribe-form" method="post" action="/fa/subscribe"`)
	sent := s.get("/fa/subscribe/sent")
	if sent.status != 200 || !strings.Contains(sent.body, `lang="fa" dir="rtl"`) {
		t.Errorf("GET /fa/subscribe/sent = %d, want the Persian page", sent.status)
	}
}

// The site's title is limited in characters, not bytes: sixty Persian
// letters take 120 bytes and are well within the limit.
func TestSiteTitleCountsCharacters(t *testing.T) {
	ns := newNewsroom(t)
	title := strings.Repeat("پ", 60)
	rec := ns.do("POST", "/admin/settings", account.Admin, url.Values{"title": {title}, "language": {"fa"}, "timezone": {"Asia/Tehran"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("a 60-letter Persian title = %d: %s", rec.Code, rec.Body.String())
	}
	if site, err := ns.db.Site(context.Background()); err != nil || site.Title != title {
		t.Errorf("title = %q, %v", site.Title, err)
	}
}

// README's table of the demo's addresses in both editions is true: every
// address answers, in its edition's language, and the two articles in one
// row are each other's translation.
func TestREADMEEditionsTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	must(t, err)
	text := string(readme)
	start := strings.Index(text, "| Main edition | Persian edition |")
	if start < 0 {
		t.Fatal("README has no table of the editions' addresses")
	}
	table := text[start:]
	table = table[:strings.Index(table, "\n\n")]
	s := demoSite(t)
	code := regexp.MustCompile("`([^`]+)`")
	rows := 0
	for _, line := range strings.Split(table, "\n")[2:] {
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 2 {
			t.Fatalf("README table row %q has %d cells", line, len(cells))
		}
		rows++
		var articles []string
		for i, cell := range cells {
			lang := []string{"en", "fa"}[i]
			for _, m := range code.FindAllStringSubmatch(cell, -1) {
				u, err := url.Parse(m[1])
				must(t, err)
				path := (&url.URL{Path: u.Path, RawQuery: url.Values(u.Query()).Encode()}).RequestURI()
				r := s.get(path)
				if r.status != 200 {
					t.Errorf("README's %s = %d, want 200", m[1], r.status)
					continue
				}
				if strings.Contains(r.header.Get("Content-Type"), "text/html") && !strings.Contains(r.body, `<html lang="`+lang+`"`) {
					t.Errorf("README's %s is not a page in %s", m[1], lang)
				}
				segs := strings.Split(strings.Trim(u.Path, "/"), "/")
				if lang != "en" {
					segs = segs[1:]
				}
				if len(segs) == 2 && segs[0] != "tag" && segs[0] != "author" {
					articles = append(articles, u.Path) // /{section}/{slug}
				}
			}
		}
		if len(articles) == 2 {
			en := unescape(s.get((&url.URL{Path: articles[0]}).EscapedPath()).body)
			fa := unescape(s.get((&url.URL{Path: articles[1]}).EscapedPath()).body)
			if !strings.Contains(en, `hreflang="fa" href="https://courier.example`+articles[1]+`"`) {
				t.Errorf("%s does not name %s as its Persian version", articles[0], articles[1])
			}
			if !strings.Contains(fa, `hreflang="en" href="https://courier.example`+articles[0]+`"`) {
				t.Errorf("%s does not name %s as its English version", articles[1], articles[0])
			}
		}
	}
	if rows < 4 {
		t.Errorf("README's editions table has %d rows; the parser lost some", rows)
	}
}

// An edition's pages offer its sections, never "every new article", which
// would bring every edition's articles in the main edition's language.
func TestEditionSubscribesToItsSections(t *testing.T) {
	s, _, fa := newEditionsSite(t)
	home := s.get("/fa")
	home.has(t, `name="scope" value="section:جهان" checked`)
	home.lacks(t, `name="scope" value="site"`)
	s.get(fa.Path()).has(t, `name="scope" value="section:جهان" checked`, `name="scope" value="article:`)
	s.get("/").has(t, `name="scope" value="site" checked`)
}

// A byline of several names is joined with the language's own comma.
func TestBylineCommaIsTheLanguages(t *testing.T) {
	s, _, _ := newEditionsSite(t)
	three := []article.Author{s.authors["ada-lovelace"], s.authors["grace-hopper"], s.authors["ada-lovelace"]}
	three[2] = article.Author{Slug: "cy", Name: "Cy Byline"}
	must(t, s.db.CreateAuthor(context.Background(), &three[2]))
	s.publish("جهان", "se-nevisande", "سه نویسنده", func(a *article.Article) { a.Language, a.Authors = "fa", three })
	s.get("/fa/"+url.PathEscape("جهان")+"/se-nevisande").has(t, "<bdi>Ada Lovelace</bdi></a>، <a")
	s.publish("city", "three-writers", "Three writers", func(a *article.Article) { a.Authors = three })
	s.get("/city/three-writers").has(t, "<bdi>Ada Lovelace</bdi></a>, <a")
}

// An Arabic edition writes Arabic-Indic digits, or 0–9 when it says so;
// the Gregorian datetime stays as it is either way.
func TestArabicEditionDigits(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	sec := article.Section{Slug: "alam", Name: "العالم", Edition: "ar"}
	must(t, s.db.CreateSection(ctx, &sec))
	s.sections[sec.Slug] = sec
	a := s.publish("alam", "al-mina", "الميناء يعود", func(a *article.Article) { a.Language = "ar" })
	for _, latin := range []bool{false, true} {
		site, err := s.db.Site(ctx)
		must(t, err)
		site.Editions = []article.Edition{{Lang: "ar", LatinDigits: latin}}
		must(t, s.db.SetSite(ctx, site))
		page := s.get(a.Path())
		year := "٢٠٢٦"
		if latin {
			year = "2026"
		}
		page.has(t, `lang="ar" dir="rtl"`, year+"،", `datetime="2026-05-01T`)
		if !latin && strings.Contains(page.body, "2026،") {
			t.Error("Latin digits in the date of an Arabic edition that writes Arabic-Indic ones")
		}
	}
}

// An edition's front page describes itself as its own site in its own
// language, and link previews name the other languages.
func TestEditionFrontPageMeta(t *testing.T) {
	s, _, _ := newEditionsSite(t)
	home := s.get("/fa")
	home.has(t, `"inLanguage":"fa"`, `"url":"https://news.example.org/fa"`, `<meta property="og:locale" content="fa_IR">`,
		`<meta property="og:locale:alternate" content="en_`, `<link rel="canonical" href="https://news.example.org/fa">`)
	s.get("/").has(t, `<meta property="og:locale:alternate" content="fa_IR">`, `"inLanguage":"en"`)
}

// Every sitemap of both editions validates, alternates and all (the news
// sitemaps are empty here: the stories are older than two days).
func TestEditionSitemapsValidate(t *testing.T) {
	s, _, _ := newEditionsSite(t)
	for _, ed := range []string{"", "/fa"} {
		validate(t, "siteindex.xsd", s.get(ed+"/sitemap.xml").body)
		validate(t, "hreflang.xsd", s.get(ed+"/sitemaps/pages.xml").body)
		validate(t, "hreflang.xsd", s.get(ed+"/sitemaps/articles-1.xml").body)
	}
}

// A contributor cannot reach into other people's unpublished work through
// "translation of": a draft they may not open is answered as if it did not
// exist, and a group's other drafts show in their editor by number only.
func TestTranslationLinksRespectWhoMaySee(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	site, err := ns.db.Site(ctx)
	must(t, err)
	site.Editions = []article.Edition{{Lang: "fa"}, {Lang: "ru"}}
	must(t, ns.db.SetSite(ctx, site))
	for _, sec := range []article.Section{{Slug: "jahan", Name: "جهان", Edition: "fa"}, {Slug: "mir", Name: "Мир", Edition: "ru"}} {
		must(t, ns.db.CreateSection(ctx, &sec))
	}
	embargoed := ns.create(account.Editor, "EMBARGOED: the mayor resigns")
	form := articleForm("بندر", 0)
	form.Set("section", "jahan")
	form.Set("language", "")
	form.Set("action", "save")
	form.Set("translation_of", strconv.FormatInt(embargoed, 10))
	rec := ns.do("POST", "/admin/articles", account.Contributor, form)
	if rec.Code != http.StatusUnprocessableEntity || strings.Contains(rec.Body.String(), "EMBARGOED") ||
		!strings.Contains(rec.Body.String(), fmt.Sprintf("there is no article %d", embargoed)) {
		t.Fatalf("a contributor linking to an editor's draft = %d; want 422 as if it did not exist", rec.Code)
	}
	// An editor's Russian draft joins the group; the contributor may link a
	// Persian one to the same (published) original, and sees the Russian
	// draft only as its language and number.
	original := ns.create(account.Editor, "Harbour reopens")
	a, err := ns.db.ArticleByID(ctx, original)
	must(t, err)
	a.Status, a.PublishedAt, a.Version = article.Published, ns.clock.Add(-time.Hour), 0
	must(t, ns.db.UpdateArticle(ctx, a))
	ru := articleForm("SECRET Russian draft", 0)
	ru.Set("section", "mir")
	ru.Set("language", "")
	ru.Set("action", "save")
	ru.Set("translation_of", strconv.FormatInt(original, 10))
	if rec := ns.do("POST", "/admin/articles", account.Editor, ru); rec.Code != http.StatusSeeOther {
		t.Fatalf("the editor's Russian draft = %d: %s", rec.Code, rec.Body.String())
	}
	form.Set("translation_of", strconv.FormatInt(original, 10))
	rec = ns.do("POST", "/admin/articles", account.Contributor, form)
	m := articleIDInLocation.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("a contributor's translation of a published article = %d: %s", rec.Code, rec.Body.String())
	}
	editor := ns.do("GET", "/admin/articles/"+m[1], account.Contributor, nil).Body.String()
	if strings.Contains(editor, "SECRET") || !strings.Contains(editor, "Harbour reopens") || !strings.Contains(editor, "Русский (#") {
		t.Errorf("the contributor's editor shows the group wrongly (want the published original by name, the Russian draft by number)")
	}
	if tr, err := ns.db.ArticleByID(ctx, mustID(t, m[1])); err != nil || tr.Language != "fa" {
		t.Errorf("the translation's language = %v, %v; want fa, its edition's", tr, err)
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	must(t, err)
	return id
}

// An edition's hand-typed trailing slash and its stored redirects keep to
// the edition.
func TestEditionAddressesKeepTheirEdition(t *testing.T) {
	s, _, fa := newEditionsSite(t)
	if r := s.get("/fa/latest/"); r.status != 301 || r.header.Get("Location") != "/fa/latest" {
		t.Errorf("GET /fa/latest/ = %d to %q, want 301 to /fa/latest", r.status, r.header.Get("Location"))
	}
	ctx := context.Background()
	must(t, s.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/fa/old-persian", ToURL: fa.Path(), Status: 301}))
	if r := s.get("/fa/old-persian"); r.status != 301 || unescape(strings.TrimPrefix(r.header.Get("Location"), "https://news.example.org")) != fa.Path() {
		t.Errorf("GET /fa/old-persian = %d to %q, want 301 to %s", r.status, r.header.Get("Location"), fa.Path())
	}
	must(t, s.db.CreateRedirect(ctx, &redirects.Redirect{FromPath: "/old-english", ToURL: "/latest", Status: 301}))
	if r := s.get("/fa/old-english"); r.status != 404 {
		t.Errorf("GET /fa/old-english = %d, want 404: the main edition's redirect is not the Persian one's", r.status)
	}
}

// Two editions holding a story in one language name one page for it.
func TestHreflangOnePageALanguage(t *testing.T) {
	s, en, _ := newEditionsSite(t)
	ctx := context.Background()
	site, err := s.db.Site(ctx)
	must(t, err)
	site.Editions = append(site.Editions, article.Edition{Lang: "ru"})
	must(t, s.db.SetSite(ctx, site))
	mir := article.Section{Slug: "mir", Name: "Мир", Edition: "ru"}
	must(t, s.db.CreateSection(ctx, &mir))
	s.sections["mir"] = mir
	s.publish("mir", "harbour-in-english", "Harbour reopens, for the Russian edition", func(a *article.Article) { a.TranslationOf = en.ID })
	page := s.get(en.Path()).body
	if n := strings.Count(page, `<link rel="alternate" hreflang="en"`); n != 1 {
		t.Errorf("the original names %d English alternates, want 1", n)
	}
	if n := strings.Count(s.get("/sitemaps/articles-1.xml").body, `hreflang="en" href="https://news.example.org/city/harbour-reopens"`); n == 0 {
		t.Error("the sitemap lost the English alternate")
	}
}

// Each edition describes its own search to browsers.
func TestEditionOpenSearch(t *testing.T) {
	s, _, _ := newEditionsSite(t)
	s.get("/fa").has(t, `href="/fa/opensearch.xml"`)
	d := s.get("/fa/opensearch.xml")
	d.has(t, "<Language>fa</Language>", `template="https://news.example.org/fa/search?q={searchTerms}"`, "روزنامهٔ آزمون")
	s.get("/opensearch.xml").has(t, "<Language>en</Language>", `template="https://news.example.org/search?q={searchTerms}"`)
}

// Each edition's Most read lists are its own articles.
func TestEditionMostRead(t *testing.T) {
	s, en, fa := newEditionsSite(t)
	must(t, s.db.AddViews(context.Background(), map[int64]int{en.ID: 40, fa.ID: 12}, time.Now()))
	mostRead := func(path string) string {
		body := s.get(path).body
		i := strings.Index(body, `<aside class="most-read"`)
		if i < 0 {
			t.Fatalf("%s has no Most read", path)
		}
		return body[i : i+strings.Index(body[i:], "</aside>")]
	}
	if m := mostRead("/fa"); !strings.Contains(m, "بندر دوباره باز شد") || strings.Contains(m, "Harbour reopens") {
		t.Errorf("the Persian edition's Most read:\n%s", m)
	}
	if m := mostRead("/"); !strings.Contains(m, "Harbour reopens") || strings.Contains(m, "بندر دوباره باز شد") {
		t.Errorf("the main edition's Most read:\n%s", m)
	}
}
