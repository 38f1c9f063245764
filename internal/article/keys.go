package article

import "strconv"

// Cache keys name what a rendered page shows, so a write can drop exactly
// the pages it changes. A page is tagged with the keys it depends on; a
// write publishes the keys it touched.
const (
	// KeySite is on every page (navigation, site title); changing a
	// section, tag, author, page or the site settings touches it.
	KeySite = "site"
	// KeyAllArticles is on every page that lists articles from all sections.
	KeyAllArticles = "list:all"
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
