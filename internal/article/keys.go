package article

import (
	"slices"
	"strconv"
	"strings"
)

// Cache keys name what a rendered page shows, so a write can drop exactly
// the pages it changes. A page is tagged with the keys it depends on; a
// write publishes the keys it touched.
const (
	// KeySite is on every page (navigation, site title); changing a
	// section, tag, author, page or the site settings touches it.
	KeySite = "site"
	// KeyAllArticles is on every page that lists articles from all sections.
	KeyAllArticles = "list:all"
	// KeyCorrections is on the corrections page; a note touches it.
	KeyCorrections = "corrections"
)

// KeyArticle is on the article's own page.
func KeyArticle(id int64) string { return "article:" + strconv.FormatInt(id, 10) }

// KeySectionList is on pages listing a section's articles, including every
// article page of the section (its More Articles box).
func KeySectionList(id int64) string { return "list:section:" + strconv.FormatInt(id, 10) }

// KeyTagList is on the tag's archive pages.
func KeyTagList(id int64) string { return "list:tag:" + strconv.FormatInt(id, 10) }

// KeyAuthorList is on the author's archive pages.
func KeyAuthorList(id int64) string { return "list:author:" + strconv.FormatInt(id, 10) }

// Keys returns every key a write of a touches. A write that changes an
// article's section, tags or authors must publish the keys of the old and
// the new version.
func (a *Article) Keys() []string {
	keys := []string{KeyArticle(a.ID), KeyAllArticles, KeySectionList(a.Section.ID), KeyTranslations(a.Original())}
	for _, t := range a.Tags {
		keys = append(keys, KeyTagList(t.ID))
	}
	for _, au := range a.Authors {
		keys = append(keys, KeyAuthorList(au.ID))
	}
	return keys
}

// KeyTranslations is on the pages of a translation group's articles, each
// of which links to the others: original is the group's Original.
func KeyTranslations(original int64) string { return "translations:" + strconv.FormatInt(original, 10) }

// KeyComments is on pages that count or list an article's comments; it is
// touched when a comment on the article becomes public or stops being so.
func KeyComments(id int64) string { return "comments:" + strconv.FormatInt(id, 10) }

// KeyRelated is the key of an article's More Articles: the pages showing
// them, and the lists kept in memory.
func KeyRelated(id int64) string { return "related:" + strconv.FormatInt(id, 10) }

// KeyLiveBlog is on a live blog's pages and the feed of its updates; a
// post, edit or deletion of one of its updates touches it (and not the
// article's own key, which the More Articles boxes of other pages carry).
func KeyLiveBlog(id int64) string { return "liveblog:" + strconv.FormatInt(id, 10) }

// A CDN in front of the site can drop exactly the pages a change touched
// when each page names what it shows: the reading site sends a page's
// tags in Cache-Tag and Surrogate-Key, and webhooks name the tags a
// change touched. Tags are the public names of cache keys:
//
//	site          every page (navigation, site title, settings)
//	articles      pages listing articles of all sections (front page, Latest, feeds)
//	article-12    the article's own page, and pages showing it in a box
//	section-3     pages listing the section's articles, its articles' pages among them
//	author-7      the author's archive, and the pages of articles under their byline
//	tag-9         the tag's archive
//	comments-12   pages showing the article's comments or their count
//	translations-12  the pages of a translation group, 12 being its original
//	liveblog-12   a live blog's pages and the feed of its updates
//	corrections   the corrections page

// CacheTag is the public name of a cache key, "" for keys that only matter
// inside the process.
func CacheTag(key string) string {
	switch key {
	case KeySite:
		return "site"
	case KeyAllArticles:
		return "articles"
	case KeyCorrections:
		return "corrections"
	}
	for _, p := range [...]struct{ key, tag string }{
		{"article:", "article-"},
		{"list:section:", "section-"},
		{"list:author:", "author-"},
		{"list:tag:", "tag-"},
		{"comments:", "comments-"},
		{"translations:", "translations-"},
		{"liveblog:", "liveblog-"},
	} {
		if id, ok := strings.CutPrefix(key, p.key); ok && id != "" && strings.Trim(id, "0123456789") == "" {
			return p.tag + id
		}
	}
	return ""
}

// CacheTags returns the tags of keys and extra, sorted and without repeats.
func CacheTags(keys []string, extra ...string) []string {
	tags := make([]string, 0, len(keys)+len(extra))
	for _, k := range keys {
		if t := CacheTag(k); t != "" {
			tags = append(tags, t)
		}
	}
	tags = append(tags, extra...)
	slices.Sort(tags)
	return slices.Compact(tags)
}
