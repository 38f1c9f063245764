package web

import (
	"slices"
	"strings"

	"broadsheet/internal/article"
)

// A CDN in front of the site can drop exactly the pages a change touched
// when each page names what it shows. Cache-Tag (Cloudflare, comma
// separated) and Surrogate-Key (Fastly and others, space separated) carry
// the same tags, taken from the page's cache keys:
//
//	site          every page (navigation, site title, settings)
//	articles      pages listing articles of all sections (front page, Latest, feeds)
//	article-12    the article's own page, and pages showing it in a box
//	section-3     pages listing the section's articles, its articles' pages among them
//	author-7      the author's archive, and the pages of articles under their byline
//	tag-9         the tag's archive
//	comments-12   pages showing the article's comments or their count
//	translations-12  the pages of a translation group, 12 being its original
//	corrections   the corrections page
//
// A webhook receiver purges article-ID, section-ID and author-ID for the
// article a webhook names (docs/webhooks.md).

// cdnTag maps a cache key to its public tag, "" for keys that only matter
// inside the process.
func cdnTag(key string) string {
	switch key {
	case article.KeySite:
		return "site"
	case article.KeyAllArticles:
		return "articles"
	case "corrections":
		return "corrections"
	}
	for _, p := range [...]struct{ key, tag string }{
		{"article:", "article-"},
		{"list:section:", "section-"},
		{"list:author:", "author-"},
		{"list:tag:", "tag-"},
		{"comments:", "comments-"},
		{"translations:", "translations-"},
	} {
		if id, ok := strings.CutPrefix(key, p.key); ok && id != "" && strings.Trim(id, "0123456789") == "" {
			return p.tag + id
		}
	}
	return ""
}

// cdnTagHeaders formats the tags of keys and extra (tags a page shows but
// need not be dropped for, such as its byline's authors) once, for every
// answer of the cached page: the Cache-Tag and the Surrogate-Key values.
func cdnTagHeaders(keys, extra []string) (cacheTag, surrogateKey []string) {
	tags := make([]string, 0, len(keys)+len(extra))
	for _, k := range keys {
		if t := cdnTag(k); t != "" {
			tags = append(tags, t)
		}
	}
	tags = append(tags, extra...)
	if len(tags) == 0 {
		return nil, nil
	}
	slices.Sort(tags)
	tags = slices.Compact(tags)
	return []string{strings.Join(tags, ",")}, []string{strings.Join(tags, " ")}
}
