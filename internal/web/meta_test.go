package web

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

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

// head is what a page's <head> tells search engines and link previews.
type head struct {
	meta      map[string][]string // by property or name
	canonical string
	ld        map[string]map[string]any // JSON-LD objects by @type
}

// parseHead reads a page's <head> with an HTML parser.
func parseHead(t *testing.T, page string) head {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	h := head{meta: map[string][]string{}, ld: map[string]map[string]any{}}
	attr := func(n *html.Node, key string) string {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val
			}
		}
		return ""
	}
	var walk func(n *html.Node, inHead bool)
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "head":
				inHead = true
			case !inHead:
			case n.Data == "meta" && (attr(n, "property") != "" || attr(n, "name") != ""):
				key := attr(n, "property") + attr(n, "name")
				h.meta[key] = append(h.meta[key], attr(n, "content"))
			case n.Data == "link" && attr(n, "rel") == "canonical":
				h.canonical = attr(n, "href")
			case n.Data == "script" && attr(n, "type") == "application/ld+json" && n.FirstChild != nil:
				var obj map[string]any
				if err := json.Unmarshal([]byte(n.FirstChild.Data), &obj); err != nil {
					t.Fatalf("JSON-LD does not parse: %v", err)
				}
				h.ld[obj["@type"].(string)] = obj
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inHead)
		}
	}
	walk(doc, false)
	return h
}

func (h head) one(key string) string {
	if len(h.meta[key]) != 1 {
		return fmt.Sprintf("%d × %s", len(h.meta[key]), key)
	}
	return h.meta[key][0]
}

// Every public page kind has a description, OpenGraph and Twitter card
// tags with an image (the site card where the page has none of its own),
// its locale and the site's X account, and structured data.
func TestHeadOfEveryPageKind(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	site, err := s.db.Site(ctx)
	must(t, err)
	site.TwitterSite = "@testgazette"
	must(t, s.db.SetSite(ctx, site))
	img := article.Image{Alt: "The quay", Width: 1200, Height: 675}
	must(t, s.db.CreateImage(ctx, &img, []article.Variant{{Width: 1200, Height: 675, ContentType: "image/jpeg", Bytes: []byte("large")}}))
	s.publish("city", "with-image", "With an image", func(a *article.Article) {
		a.LeadImage = &img
		a.Tags = []article.Tag{s.tags["housing"]}
	})
	s.publish("city", "no-image", "No image", func(a *article.Article) {
		a.Standfirst = ""
		a.Body = "The **council** met on Tuesday.\n\nIt voted."
		a.Language = "fa"
	})
	const base = "https://news.example.org"
	card := base + "/card.png"
	for _, tc := range []struct {
		path, ogType, description, image, locale string
		ld                                       []string
	}{
		{"/", "website", "All the news", card, "en_US", []string{"WebSite"}},
		{"/city/with-image", "article", "Standfirst of With an image.", base + "/media/" + itoa(img.ID) + "/1200.jpg", "en_US", []string{"NewsArticle", "BreadcrumbList"}},
		{"/city/no-image", "article", "The council met on Tuesday. It voted.", card, "fa_IR", []string{"NewsArticle", "BreadcrumbList"}},
		{"/city", "website", "City news.", card, "en_US", []string{"CollectionPage", "BreadcrumbList"}},
		{"/tag/housing", "website", "Articles about Housing from The Test Gazette.", card, "en_US", []string{"CollectionPage", "BreadcrumbList"}},
		{"/author/ada-lovelace", "profile", "Ada Lovelace reports.", card, "en_US", []string{"ProfilePage", "BreadcrumbList"}},
		{"/latest", "website", "The Test Gazette: every article, newest first.", card, "en_US", []string{"CollectionPage", "BreadcrumbList"}},
		{"/about", "website", "We are a newsroom.", card, "en_US", nil},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := s.get(tc.path)
			if r.status != 200 {
				t.Fatalf("GET %s = %d", tc.path, r.status)
			}
			h := parseHead(t, r.body)
			for key, want := range map[string]string{
				"description": tc.description, "og:description": tc.description, "twitter:description": tc.description,
				"og:type": tc.ogType, "og:url": base + tc.path, "og:image": tc.image, "twitter:image": tc.image,
				"og:locale": tc.locale, "twitter:site": "@testgazette", "twitter:card": "summary_large_image",
			} {
				if got := h.one(key); got != want {
					t.Errorf("%s = %q, want %q", key, got, want)
				}
			}
			if h.canonical != base+tc.path {
				t.Errorf("canonical = %q", h.canonical)
			}
			for _, key := range []string{"og:title", "twitter:title", "og:site_name", "og:image:alt", "og:image:width", "og:image:height"} {
				if h.one(key) == "" || strings.Contains(h.one(key), " × ") {
					t.Errorf("%s = %q", key, h.one(key))
				}
			}
			for _, typ := range tc.ld {
				if h.ld[typ] == nil {
					t.Errorf("no %s in JSON-LD (have %v)", typ, keys(h.ld))
				}
			}
			if news := h.ld["NewsArticle"]; news != nil {
				if images, _ := news["image"].([]any); len(images) == 0 || images[len(images)-1] != tc.image {
					t.Errorf("NewsArticle image = %v, want %s", news["image"], tc.image)
				}
			}
			if p := h.ld["ProfilePage"]; p != nil {
				if person, _ := p["mainEntity"].(map[string]any); person["name"] != "Ada Lovelace" || person["jobTitle"] != "Reporter" {
					t.Errorf("ProfilePage mainEntity = %v", p["mainEntity"])
				}
			}
		})
	}

	// The site card is a 1200×630 PNG at a stable address.
	r := s.get("/card.png")
	if r.status != 200 || r.header.Get("Content-Type") != "image/png" {
		t.Fatalf("card = %d %s", r.status, r.header.Get("Content-Type"))
	}
	cfg, err := png.DecodeConfig(strings.NewReader(r.body))
	if err != nil || cfg.Width != 1200 || cfg.Height != 630 {
		t.Errorf("card: %dx%d, %v; want 1200x630", cfg.Width, cfg.Height, err)
	}
}

// The X account is read as an editor may type it.
func TestTwitterHandle(t *testing.T) {
	for in, want := range map[string]string{"": "", "@courier": "@courier", "courier_1": "@courier_1", " https://x.com/courier/ ": "@courier",
		"https://twitter.com/courier": "@courier", "cour ier": "error", "@" + strings.Repeat("a", 16): "error", `a"><script>`: "error"} {
		got, err := article.TwitterHandle(in)
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("TwitterHandle(%q) = %q, want %q", in, got, want)
		}
	}
}

// A description made from an article's body is its prose: the marks of
// footnotes, the notes themselves and their back-links (↩︎) are left out.
func TestDescriptionFromBodyIsProse(t *testing.T) {
	s := newSite(t)
	for i, tc := range []struct{ name, body, want string }{
		{"footnote marks and notes", "The council met[^1] on Tuesday.\n\nIt voted[^vote].\n\n[^1]: Minutes of *4 May*, [online](https://example.org).\n[^vote]: Seven to two.",
			"The council met on Tuesday. It voted."},
		{"a note in a quote and a list", "> The budget[^b] is set.\n\n- Roads[^b]\n- Schools\n\n[^b]: See the annex.", "The budget is set. Roads Schools"},
		{"notes before the prose ends", "Short[^1].\n\n[^1]: " + strings.Repeat("A long note. ", 20) + "\n\nThe rest.", "Short. The rest."},
		{"no notes", "## The vote\n\nIt passed *narrowly*.", "The vote It passed narrowly."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := s.publish("city", fmt.Sprintf("notes-%d", i), "Notes", func(a *article.Article) {
				a.Standfirst = ""
				a.Body = tc.body
			})
			r := s.get("/city/" + a.Slug)
			if r.status != 200 {
				t.Fatalf("GET = %d", r.status)
			}
			h := parseHead(t, r.body)
			for _, key := range []string{"description", "og:description", "twitter:description"} {
				if got := h.one(key); got != tc.want {
					t.Errorf("%s = %q, want %q", key, got, tc.want)
				}
			}
			if got := h.ld["NewsArticle"]["description"]; got != tc.want {
				t.Errorf("NewsArticle description = %q, want %q", got, tc.want)
			}
		})
	}
}
