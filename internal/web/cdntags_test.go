package web

import (
	"fmt"

	"broadsheet/internal/article"
	"slices"
	"strings"
	"testing"
)

// Pages name what they show in Cache-Tag and Surrogate-Key, so that a CDN
// purge by tag drops exactly the pages a change touched. A 304 carries only
// what a cache revalidates with, so the tags the CDN stored with the page
// stand.
func TestCDNTagHeaders(t *testing.T) {
	s := newSite(t)
	a := s.publish("city", "council-vote", "Council vote")
	s.publish("sport", "match-report", "Match report")
	city, ada := s.sections["city"], s.authors["ada-lovelace"]

	tagsOf := func(r result) []string {
		t.Helper()
		ct, sk := r.header.Get("Cache-Tag"), r.header.Get("Surrogate-Key")
		if ct == "" {
			t.Fatalf("no Cache-Tag header")
		}
		tags := strings.Split(ct, ",")
		if got := strings.Fields(sk); !slices.Equal(got, tags) {
			t.Errorf("Surrogate-Key %q, want the Cache-Tag tags %q space separated", sk, ct)
		}
		return tags
	}
	want := func(tags []string, in, out []string) {
		t.Helper()
		for _, w := range in {
			if !slices.Contains(tags, w) {
				t.Errorf("tags %q lack %q", tags, w)
			}
		}
		for _, w := range out {
			if slices.Contains(tags, w) {
				t.Errorf("tags %q hold %q", tags, w)
			}
		}
	}

	page := s.get("/city/council-vote")
	if page.status != 200 {
		t.Fatalf("article: %d", page.status)
	}
	tags := tagsOf(page)
	want(tags,
		[]string{"site", fmt.Sprintf("article-%d", a.ID), fmt.Sprintf("section-%d", city.ID), fmt.Sprintf("author-%d", ada.ID), fmt.Sprintf("comments-%d", a.ID)},
		[]string{"articles", fmt.Sprintf("section-%d", s.sections["sport"].ID)})
	for _, tag := range tags {
		if strings.ContainsAny(tag, " ,:") || tag == "" {
			t.Errorf("tag %q is not a plain token", tag)
		}
	}

	notModified := s.get("/city/council-vote", "If-None-Match", page.header.Get("Etag"))
	if notModified.status != 304 {
		t.Fatalf("revalidation: %d, want 304", notModified.status)
	}
	var fields []string
	for k := range notModified.header {
		fields = append(fields, k)
	}
	slices.Sort(fields)
	if want := []string{"Cache-Control", "Etag", "Last-Modified", "Vary"}; !slices.Equal(fields, want) {
		t.Errorf("304 fields %q, want only %q (RFC 9110 §15.4.5)", fields, want)
	}
	if got := notModified.header.Get("Etag"); got != page.header.Get("Etag") {
		t.Errorf("304 ETag %q, want the page's %q", got, page.header.Get("Etag"))
	}

	front := tagsOf(s.get("/"))
	want(front, []string{"site", "articles", fmt.Sprintf("section-%d", city.ID)}, nil)
	want(tagsOf(s.get("/author/ada-lovelace")), []string{"site", fmt.Sprintf("author-%d", ada.ID)}, nil)
	want(tagsOf(s.get("/feed.rss")), []string{"site", "articles"}, nil)
}

// Only keys a CDN can use become tags; the process's own keys stay inside.
func TestArticleCacheTag(t *testing.T) {
	for key, want := range map[string]string{
		"site":              "site",
		"list:all":          "articles",
		"article:12":        "article-12",
		"list:section:3":    "section-3",
		"list:author:7":     "author-7",
		"list:tag:9":        "tag-9",
		"comments:12":       "comments-12",
		"translations:4":    "translations-4",
		"liveblog:5":        "liveblog-5",
		"live:5:9":          "",
		"corrections":       "corrections",
		"related:12":        "",
		"article:":          "",
		"article:12,site":   "",
		"list:section:3 x":  "",
		"something:else:12": "",
	} {
		if got := article.CacheTag(key); got != want {
			t.Errorf("article.CacheTag(%q) = %q, want %q", key, got, want)
		}
	}
}
