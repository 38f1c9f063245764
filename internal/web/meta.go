package web

import (
	"strconv"
	"time"
	"unicode/utf8"

	"broadsheet/internal/article"
	"broadsheet/internal/feed"
)

// What search engines and link previews read: OpenGraph and Twitter card
// tags, and schema.org JSON-LD (NewsArticle with its BreadcrumbList on
// articles, CollectionPage on sections, WebSite on the front page).

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

// articleMeta fills in an article page's tags and structured data.
func (s *Server) articleMeta(v *view, a *article.Article) {
	url := s.abs(articlePath(a))
	published, modified := a.PublishedAt.UTC().Format(time.RFC3339), a.PublishedAt
	if a.Updated() {
		modified = a.UpdatedAt
	}
	v.Meta = []metaTag{
		{Property: "og:type", Content: "article"},
		{Property: "og:site_name", Content: v.Site.Title},
		{Property: "og:title", Content: a.Headline},
		{Property: "og:url", Content: url},
		{Property: "article:published_time", Content: published},
		{Property: "article:modified_time", Content: modified.UTC().Format(time.RFC3339)},
		{Property: "article:section", Content: a.Section.Name},
	}
	if a.Standfirst != "" {
		v.Meta = append(v.Meta, metaTag{Property: "og:description", Content: a.Standfirst})
	}
	for _, au := range a.Authors {
		v.Meta = append(v.Meta, metaTag{Property: "article:author", Content: s.abs("/author/" + au.Slug)})
	}
	for _, t := range a.Tags {
		v.Meta = append(v.Meta, metaTag{Property: "article:tag", Content: t.Name})
	}
	card := "summary"
	var images []string
	if img := a.LeadImage; img != nil && len(img.Variants) > 0 {
		w := largestWidth(img)
		src := s.abs(v.ImageURL(img, w))
		h := 0
		if img.Width > 0 {
			h = img.Height * w / img.Width
		}
		v.Meta = append(v.Meta, metaTag{Property: "og:image", Content: src}, metaTag{Property: "og:image:width", Content: strconv.Itoa(w)},
			metaTag{Property: "og:image:height", Content: strconv.Itoa(h)}, metaTag{Property: "og:image:alt", Content: img.Alt},
			metaTag{Name: "twitter:image", Content: src}, metaTag{Name: "twitter:image:alt", Content: img.Alt})
		card = "summary_large_image"
		for _, vw := range img.Variants {
			images = append(images, s.abs(v.ImageURL(img, vw)))
		}
	}
	v.Meta = append(v.Meta, metaTag{Name: "twitter:card", Content: card}, metaTag{Name: "twitter:title", Content: a.Headline})
	if a.Standfirst != "" {
		v.Meta = append(v.Meta, metaTag{Name: "twitter:description", Content: a.Standfirst})
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
	}
	if a.Standfirst != "" {
		news["description"] = a.Standfirst
	}
	if len(images) > 0 {
		news["image"] = images
	}
	if len(a.Tags) > 0 {
		var kw []string
		for _, t := range a.Tags {
			kw = append(kw, t.Name)
		}
		news["keywords"] = kw
	}
	v.JSONLD = []jsonLD{news, breadcrumbs(
		crumb{v.Site.Title, s.abs("/")},
		crumb{a.Section.Name, s.abs("/" + a.Section.Slug)},
		crumb{a.Headline, url},
	)}
}

// sectionMeta describes a section page as a collection of articles.
func (s *Server) sectionMeta(v *view, sec *article.Section, list []article.Article) {
	url := s.abs("/" + sec.Slug)
	v.Meta = []metaTag{
		{Property: "og:type", Content: "website"},
		{Property: "og:site_name", Content: v.Site.Title},
		{Property: "og:title", Content: sec.Name},
		{Property: "og:url", Content: url},
		{Name: "twitter:card", Content: "summary"},
		{Name: "twitter:title", Content: sec.Name},
	}
	if sec.Description != "" {
		v.Meta = append(v.Meta, metaTag{Property: "og:description", Content: sec.Description}, metaTag{Name: "twitter:description", Content: sec.Description})
	}
	items := []jsonLD{}
	for i, a := range list {
		items = append(items, jsonLD{"@type": "ListItem", "position": i + 1, "url": s.abs(articlePath(&a)), "name": a.Headline})
	}
	page := jsonLD{
		"@context":   "https://schema.org",
		"@type":      "CollectionPage",
		"name":       sec.Name,
		"url":        url,
		"inLanguage": v.Site.Language,
		"isPartOf":   jsonLD{"@type": "WebSite", "name": v.Site.Title, "url": s.abs("/")},
		"publisher":  s.publisher(v.Site),
		"mainEntity": jsonLD{"@type": "ItemList", "itemListElement": items},
	}
	if sec.Description != "" {
		page["description"] = sec.Description
	}
	v.JSONLD = []jsonLD{page, breadcrumbs(crumb{v.Site.Title, s.abs("/")}, crumb{sec.Name, url})}
}

// homeMeta describes the front page as the site.
func (s *Server) homeMeta(v *view) {
	v.Meta = []metaTag{
		{Property: "og:type", Content: "website"},
		{Property: "og:site_name", Content: v.Site.Title},
		{Property: "og:title", Content: v.Site.Title},
		{Property: "og:url", Content: s.abs("/")},
		{Property: "og:image", Content: s.abs(s.assetURL("logo.png"))},
		{Name: "twitter:card", Content: "summary"},
		{Name: "twitter:title", Content: v.Site.Title},
	}
	if v.Site.Tagline != "" {
		v.Meta = append(v.Meta, metaTag{Property: "og:description", Content: v.Site.Tagline})
	}
	v.JSONLD = []jsonLD{{
		"@context":   "https://schema.org",
		"@type":      "WebSite",
		"name":       v.Site.Title,
		"url":        s.abs("/"),
		"inLanguage": v.Site.Language,
		"publisher":  s.publisher(v.Site),
	}}
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
