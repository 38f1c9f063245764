package web

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"broadsheet/internal/article"
	"broadsheet/internal/feed"
)

// What search engines and link previews read: a description, OpenGraph and
// Twitter card tags, and schema.org JSON-LD (NewsArticle with its
// BreadcrumbList on articles, CollectionPage on section, tag and latest
// pages, ProfilePage on author pages, WebSite on the front page). A page
// with no image of its own shows the site card (card.go).

// metaTag is one <meta property|name=… content=…>.
type metaTag struct {
	Property, Name, Content string
}

// abs is the absolute, percent-encoded address of a path on the site: what
// canonical links, OpenGraph, structured data and the sitemaps all give,
// byte for byte.
func (s *Server) abs(path string) string { return feed.EscapeURL(s.baseURL + path) }

// jsonLD is one schema.org object; html/template writes it as JSON inside
// <script type="application/ld+json">, escaped for that context.
type jsonLD map[string]any

const logoSize = 512

func (s *Server) publisher(site article.Site) jsonLD {
	return jsonLD{
		"@type": "NewsMediaOrganization",
		"name":  site.Title,
		"url":   s.abs("/"),
		"logo": jsonLD{"@type": "ImageObject", "url": s.abs(s.assetURL("logo.png")),
			"width": logoSize, "height": logoSize},
	}
}

// largestWidth is the widest stored variant of an image.
func largestWidth(img *article.Image) int {
	w := 0
	for _, v := range img.Variants {
		w = max(w, v)
	}
	return w
}

// share is what a link preview shows of a page: the OpenGraph and Twitter
// card tags every public page carries, the same way on every kind.
type share struct {
	kind        string // og:type: website, article, profile
	title, url  string
	description string
	lang        string         // the page's language, for og:locale
	image       *article.Image // nil: the site card
}

// shareMeta writes s's tags into v.Meta, after any already there.
func (s *Server) shareMeta(v *view, sh share) {
	if sh.lang == "" {
		sh.lang = v.Lang
	}
	m := []metaTag{
		{Property: "og:type", Content: sh.kind},
		{Property: "og:site_name", Content: v.Site.Title},
		{Property: "og:title", Content: sh.title},
		{Property: "og:url", Content: sh.url},
		{Property: "og:locale", Content: ogLocale(sh.lang)},
	}
	for _, alt := range v.Alternates {
		if alt.Lang != "x-default" && alt.Lang != sh.lang {
			m = append(m, metaTag{Property: "og:locale:alternate", Content: ogLocale(alt.Lang)})
		}
	}
	if sh.description != "" {
		m = append(m, metaTag{Property: "og:description", Content: sh.description})
	}
	src, w, h, alt := s.abs(cardPath), cardWidth, cardHeight, v.Site.Title
	if img := sh.image; img != nil && len(img.Variants) > 0 {
		w = largestWidth(img)
		src, h, alt = s.abs(v.ImageURL(img, w)), 0, img.Alt
		if img.Width > 0 {
			h = img.Height * w / img.Width
		}
	}
	m = append(m, metaTag{Property: "og:image", Content: src}, metaTag{Property: "og:image:width", Content: strconv.Itoa(w)},
		metaTag{Property: "og:image:height", Content: strconv.Itoa(h)}, metaTag{Property: "og:image:alt", Content: alt},
		metaTag{Name: "twitter:card", Content: "summary_large_image"})
	if v.Site.TwitterSite != "" {
		m = append(m, metaTag{Name: "twitter:site", Content: v.Site.TwitterSite})
	}
	m = append(m, metaTag{Name: "twitter:title", Content: sh.title})
	if sh.description != "" {
		m = append(m, metaTag{Name: "twitter:description", Content: sh.description})
	}
	m = append(m, metaTag{Name: "twitter:image", Content: src}, metaTag{Name: "twitter:image:alt", Content: alt})
	v.Meta = append(v.Meta, m...)
}

// ogLocale turns a language tag into OpenGraph's language_TERRITORY: the
// territory given, or the one the language is most likely spoken in
// ("fa" is fa_IR, "en" en_US).
func ogLocale(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return "en_US"
	}
	base, _ := t.Base()
	region, _ := t.Region()
	return base.String() + "_" + region.String()
}

// articleMeta fills in an article page's tags and structured data.
func (s *Server) articleMeta(v *view, a *article.Article, translations []article.Article) {
	url := s.abs(articlePath(a))
	published, modified := a.PublishedAt.UTC().Format(time.RFC3339), a.PublishedAt
	if a.Updated() {
		modified = a.UpdatedAt
	}
	v.Meta = nil
	s.shareMeta(v, share{kind: "article", title: a.Headline, url: url, description: v.Description, lang: a.Language, image: a.LeadImage})
	v.Meta = append(v.Meta,
		metaTag{Property: "article:published_time", Content: published},
		metaTag{Property: "article:modified_time", Content: modified.UTC().Format(time.RFC3339)},
		metaTag{Property: "article:section", Content: a.Section.Name},
	)
	for _, au := range a.Authors {
		v.Meta = append(v.Meta, metaTag{Property: "article:author", Content: s.abs("/author/" + au.Slug)})
	}
	for _, t := range a.Tags {
		v.Meta = append(v.Meta, metaTag{Property: "article:tag", Content: t.Name})
	}
	// Search engines want an image for every news article: the lead
	// image in each stored width, or else the site card.
	images := []string{s.abs(cardPath)}
	if img := a.LeadImage; img != nil && len(img.Variants) > 0 {
		images = images[:0]
		for _, vw := range img.Variants {
			images = append(images, s.abs(v.ImageURL(img, vw)))
		}
	}

	authors := []jsonLD{}
	for _, au := range a.Authors {
		authors = append(authors, jsonLD{"@type": "Person", "name": au.Name, "url": s.abs("/author/" + au.Slug)})
	}
	news := jsonLD{
		"@context":            "https://schema.org",
		"@type":               "NewsArticle",
		"headline":            truncateRunes(a.Headline, 110),
		"datePublished":       published,
		"dateModified":        modified.UTC().Format(time.RFC3339),
		"author":              authors,
		"publisher":           s.publisher(v.Site),
		"articleSection":      a.Section.Name,
		"mainEntityOfPage":    jsonLD{"@type": "WebPage", "@id": url},
		"url":                 url,
		"inLanguage":          a.Language,
		"isAccessibleForFree": true,
		"image":               images,
	}
	if v.Description != "" {
		news["description"] = v.Description
	}
	// A translation names its original; the original, its translations.
	var versions []jsonLD
	for _, t := range translations {
		switch {
		case t.ID == a.TranslationOf:
			news["translationOfWork"] = jsonLD{"@id": s.abs(t.Path()), "inLanguage": t.Language}
		case a.TranslationOf == 0 && t.ID != a.ID:
			versions = append(versions, jsonLD{"@id": s.abs(t.Path()), "inLanguage": t.Language})
		}
	}
	if len(versions) > 0 {
		news["workTranslation"] = versions
	}
	if len(a.Tags) > 0 {
		var kw []string
		for _, t := range a.Tags {
			kw = append(kw, t.Name)
		}
		news["keywords"] = kw
	}
	v.JSONLD = []jsonLD{news, breadcrumbs(
		crumb{v.Site.Title, s.abs(v.Under("/"))},
		crumb{a.Section.Name, s.abs(a.Section.Path())},
		crumb{a.Headline, url},
	)}
}

// archiveMeta describes a section, tag, author or latest page: a
// collection of articles (an author's is their profile page), with
// breadcrumbs from the front page.
func (s *Server) archiveMeta(v *view, spec archiveSpec, list []article.Article) {
	url := v.Canonical
	kind, typ := "website", "CollectionPage"
	if spec.author != nil {
		kind, typ = "profile", "ProfilePage"
	}
	v.Meta = nil
	s.shareMeta(v, share{kind: kind, title: v.Title, url: url, description: v.Description})
	items := []jsonLD{}
	for i, a := range list {
		items = append(items, jsonLD{"@type": "ListItem", "position": i + 1, "url": s.abs(articlePath(&a)), "name": a.Headline})
	}
	page := jsonLD{
		"@context":   "https://schema.org",
		"@type":      typ,
		"name":       v.Title,
		"url":        url,
		"inLanguage": v.Lang,
		"isPartOf":   jsonLD{"@type": "WebSite", "name": v.Site.Title, "url": s.abs(v.Under("/"))},
		"publisher":  s.publisher(v.Site),
	}
	if v.Description != "" {
		page["description"] = v.Description
	}
	if au := spec.author; au != nil {
		person := jsonLD{"@type": "Person", "name": au.Name, "url": url}
		if au.Role != "" {
			person["jobTitle"] = au.Role
		}
		if au.Bio != "" {
			person["description"] = au.Bio
		}
		page["mainEntity"] = person
		page["hasPart"] = jsonLD{"@type": "ItemList", "itemListElement": items}
	} else {
		page["mainEntity"] = jsonLD{"@type": "ItemList", "itemListElement": items}
	}
	v.JSONLD = []jsonLD{page, breadcrumbs(crumb{v.Site.Title, s.abs(v.Under("/"))}, crumb{v.Title, url})}
}

// homeMeta describes the front page as the site.
func (s *Server) homeMeta(v *view) {
	v.Meta = nil
	s.shareMeta(v, share{kind: "website", title: v.Site.Title, url: s.abs(v.Under("/")), description: v.Description})
	v.JSONLD = []jsonLD{{
		"@context":   "https://schema.org",
		"@type":      "WebSite",
		"name":       v.Site.Title,
		"url":        s.abs(v.Under("/")),
		"inLanguage": v.Lang,
		"publisher":  s.publisher(v.Site),
	}}
}

// summary is the opening of a rendered body as plain text, for a page
// description where the newsroom wrote none: its prose without footnotes
// (feed.PlainText), at most about 160 characters, cut at a word.
func summary(body string) string {
	text := feed.PlainText(body)
	if utf8.RuneCountInString(text) <= 160 {
		return text
	}
	r := []rune(text)[:160]
	if i := strings.LastIndexByte(string(r), ' '); i > 80 {
		return string(r)[:i] + "…"
	}
	return string(r[:159]) + "…"
}

type crumb struct{ name, url string }

func breadcrumbs(cs ...crumb) jsonLD {
	items := make([]jsonLD, 0, len(cs))
	for i, c := range cs {
		items = append(items, jsonLD{"@type": "ListItem", "position": i + 1, "name": c.name, "item": c.url})
	}
	return jsonLD{"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items}
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
