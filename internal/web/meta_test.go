package web

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"broadsheet/internal/article"
)

var ldPattern = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

// structuredData returns every JSON-LD object of a page, by @type.
func structuredData(t *testing.T, page string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, m := range ldPattern.FindAllStringSubmatch(page, -1) {
		var obj map[string]any
		if err := json.Unmarshal([]byte(m[1]), &obj); err != nil {
			t.Fatalf("JSON-LD does not parse: %v\n%s", err, m[1])
		}
		if obj["@context"] != "https://schema.org" {
			t.Errorf("@context = %v", obj["@context"])
		}
		out[obj["@type"].(string)] = obj
	}
	return out
}

// An article page carries NewsArticle and BreadcrumbList JSON-LD with
// every property news search needs, and OpenGraph and Twitter card tags;
// a section page is a CollectionPage.
func TestStructuredData(t *testing.T) {
	s := newSite(t)
	img := article.Image{Alt: "The quay", Width: 1200, Height: 675}
	must(t, s.db.CreateImage(context.Background(), &img, []article.Variant{
		{Width: 480, Height: 270, ContentType: "image/jpeg", Bytes: []byte("small")},
		{Width: 1200, Height: 675, ContentType: "image/jpeg", Bytes: []byte("large")},
	}))
	s.publish("city", "council-vote", `Council <vote> & "budget" </script>`, func(a *article.Article) {
		a.Authors = []article.Author{s.authors["grace-hopper"], s.authors["ada-lovelace"]}
		a.Tags = []article.Tag{s.tags["housing"]}
		a.LeadImage = &img
		a.UpdatedAt = a.PublishedAt.Add(2 * 3600e9)
	})
	r := s.get("/city/council-vote")
	ld := structuredData(t, r.body)
	news, crumbs := ld["NewsArticle"], ld["BreadcrumbList"]
	if news == nil || crumbs == nil {
		t.Fatalf("article JSON-LD types: %v", keys(ld))
	}
	for _, p := range []string{"headline", "image", "datePublished", "dateModified", "author", "publisher", "articleSection", "mainEntityOfPage"} {
		if news[p] == nil {
			t.Errorf("NewsArticle lacks %s", p)
		}
	}
	if news["headline"] != `Council <vote> & "budget" </script>` || news["articleSection"] != "City" ||
		news["datePublished"] != "2026-05-01T09:00:00Z" || news["dateModified"] != "2026-05-01T11:00:00Z" {
		t.Errorf("NewsArticle = %v", news)
	}
	authors := news["author"].([]any)
	if len(authors) != 2 || authors[0].(map[string]any)["name"] != "Grace Hopper" || authors[0].(map[string]any)["url"] != "https://news.example.org/author/grace-hopper" {
		t.Errorf("authors = %v", authors)
	}
	logo := news["publisher"].(map[string]any)["logo"].(map[string]any)
	if news["publisher"].(map[string]any)["name"] != "The Test Gazette" || !strings.HasPrefix(logo["url"].(string), "https://news.example.org/static/logo.png") {
		t.Errorf("publisher = %v", news["publisher"])
	}
	if images := news["image"].([]any); len(images) != 2 || images[1] != "https://news.example.org/media/"+itoa(img.ID)+"/1200.jpg" {
		t.Errorf("image = %v", images)
	}
	if items := crumbs["itemListElement"].([]any); len(items) != 3 || items[1].(map[string]any)["name"] != "City" {
		t.Errorf("breadcrumbs = %v", items)
	}
	if strings.Contains(r.body, `"budget" </script>`) {
		t.Error("the headline closes the JSON-LD script element")
	}
	r.has(t, `<meta property="og:type" content="article">`, `<meta property="og:title" content="Council &lt;vote&gt; &amp; &#34;budget&#34; &lt;/script&gt;">`,
		`<meta property="og:image" content="https://news.example.org/media/`+itoa(img.ID)+`/1200.jpg">`, `<meta name="twitter:card" content="summary_large_image">`,
		`<meta property="article:author" content="https://news.example.org/author/grace-hopper">`, `<meta name="description" content="Standfirst of`)
	// The logo is a real PNG.
	if logo := s.get(strings.TrimPrefix(logo["url"].(string), "https://news.example.org")); logo.status != 200 || logo.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(logo.body, "\x89PNG") {
		t.Errorf("logo = %d %s", logo.status, logo.header.Get("Content-Type"))
	}

	sec := structuredData(t, s.get("/city").body)
	if c := sec["CollectionPage"]; c == nil || c["name"] != "City" || c["url"] != "https://news.example.org/city" {
		t.Errorf("section JSON-LD = %v", sec)
	}
	if home := structuredData(t, s.get("/").body); home["WebSite"] == nil {
		t.Errorf("front page JSON-LD = %v", keys(home))
	}
}

func keys(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
