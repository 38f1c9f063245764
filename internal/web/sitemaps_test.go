package web

import (
	"broadsheet/internal/article"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// validate checks an XML document against one of the published schemas
// with xmllint.
func validate(t *testing.T, schema, doc string) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is missing (apt-get install libxml2-utils)")
		}
		t.Skip("xmllint is missing")
	}
	f := filepath.Join(t.TempDir(), "doc.xml")
	must(t, os.WriteFile(f, []byte(doc), 0o644))
	out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", filepath.Join("..", "feed", "testdata", "schema", schema), f).CombinedOutput()
	if err != nil {
		t.Errorf("%s does not validate: %v\n%s\n%s", schema, err, out, doc)
	}
}

// robots.txt points to a sitemap index whose sitemaps all validate; the
// News sitemap holds only the last 48 hours.
func TestSitemaps(t *testing.T) {
	s := newSite(t)
	s.srv.now = func() time.Time { return time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC) }
	s.publish("city", "old-story", "An old story") // 2026-05-01 09:00
	s.clock = time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	s.publish("city", "fresh-story", "A fresh & new story") // 2026-05-04 01:00
	s.publish("city", article.Slugify("کتابخانه مرکزی"), "کتابخانه مرکزی", func(a *article.Article) { a.Language = "fa" })

	robots := s.get("/robots.txt")
	if robots.status != 200 || !strings.Contains(robots.body, "Sitemap: https://news.example.org/sitemap.xml") ||
		!strings.Contains(robots.body, "Disallow: /admin/") {
		t.Fatalf("robots.txt = %d\n%s", robots.status, robots.body)
	}
	index := s.get("/sitemap.xml")
	validate(t, "siteindex.xsd", index.body)
	for _, want := range []string{"/sitemaps/pages.xml", "/sitemaps/news.xml", "/sitemaps/articles-1.xml"} {
		if !strings.Contains(index.body, "<loc>https://news.example.org"+want+"</loc>") {
			t.Errorf("the sitemap index lacks %s", want)
		}
	}
	pages := s.get("/sitemaps/pages.xml")
	validate(t, "sitemap.xsd", pages.body)
	if !strings.Contains(pages.body, "<loc>https://news.example.org/city</loc>") || !strings.Contains(pages.body, "/about</loc>") {
		t.Errorf("pages sitemap:\n%s", pages.body)
	}
	articles := s.get("/sitemaps/articles-1.xml")
	validate(t, "sitemap.xsd", articles.body)
	if !strings.Contains(articles.body, "/city/old-story</loc>") || !strings.Contains(articles.body, "<lastmod>") {
		t.Errorf("articles sitemap:\n%s", articles.body)
	}
	news := s.get("/sitemaps/news.xml")
	validate(t, "news.xsd", news.body)
	if !strings.Contains(news.body, "/city/fresh-story</loc>") || strings.Contains(news.body, "old-story") ||
		!strings.Contains(news.body, "<news:name>The Test Gazette</news:name>") || !strings.Contains(news.body, "<news:language>en</news:language>") ||
		!strings.Contains(news.body, "A fresh &amp; new story") {
		t.Errorf("news sitemap:\n%s", news.body)
	}
	// Each article says its own language, and its address is written as
	// the page's canonical link writes it: percent-encoded UTF-8.
	persian := "https://news.example.org/city/%DA%A9%D8%AA%D8%A7%D8%A8%D8%AE%D8%A7%D9%86%D9%87-%D9%85%D8%B1%DA%A9%D8%B2%DB%8C"
	if !strings.Contains(strings.Join(strings.Fields(news.body), ""), "<loc>"+persian+"</loc><news:news><news:publication><news:name>TheTestGazette</news:name><news:language>fa</news:language>") {
		t.Errorf("news sitemap: the Persian article is not at %s in Persian:\n%s", persian, news.body)
	}
	if !strings.Contains(articles.body, "<loc>"+persian+"</loc>") {
		t.Errorf("articles sitemap: the Persian article is not at %s:\n%s", persian, articles.body)
	}
	if page := s.get(strings.TrimPrefix(persian, "https://news.example.org")); !strings.Contains(page.body, `<link rel="canonical" href="`+persian+`">`) {
		t.Errorf("the Persian article's canonical link is not %s", persian)
	}
	for _, p := range []string{"/sitemaps/articles-2.xml", "/sitemaps/articles-01.xml", "/sitemaps/other.xml"} {
		if r := s.get(p); r.status != 404 {
			t.Errorf("GET %s = %d, want 404", p, r.status)
		}
	}
}
