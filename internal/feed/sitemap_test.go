package feed

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// xmllint returns the path of xmllint. Without it the schema tests are
// skipped on a developer's machine but fail in CI, where
// scripts/test-deps.sh installs it (Debian's libxml2-utils).
func xmllint(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint not found: scripts/test-deps.sh should have installed libxml2-utils")
		}
		t.Skip("xmllint not found (apt-get install libxml2-utils); CI runs this test")
	}
	return path
}

// validate checks doc against testdata/schema/xsd with xmllint, never
// touching the network, and returns xmllint's error and output.
func validate(t *testing.T, xsd string, doc []byte) (string, error) {
	t.Helper()
	bin := xmllint(t)
	file := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--nonet", "--schema", filepath.Join("testdata", "schema", xsd), file).CombinedOutput()
	return string(out), err
}

func mustValidate(t *testing.T, xsd string, doc []byte) {
	t.Helper()
	if out, err := validate(t, xsd, doc); err != nil {
		t.Fatalf("xmllint --schema %s: %v\n%s\n--- document ---\n%s", xsd, err, out, doc)
	}
}

func TestSitemapsValidate(t *testing.T) {
	mod := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("IRST", 3*3600+1800))
	for _, tc := range []struct {
		name  string
		xsd   string
		write func(*bytes.Buffer) error
		want  []string // substrings the document must contain
	}{
		{
			name: "sitemap index",
			xsd:  "siteindex.xsd",
			write: func(b *bytes.Buffer) error {
				return SitemapIndex(b, []SitemapRef{
					{Loc: "https://news.example.com/sitemaps/articles-1.xml", LastMod: mod},
					{Loc: "https://news.example.com/sitemaps/sections.xml"},
				})
			},
			want: []string{"<lastmod>2026-03-01T06:00:00Z</lastmod>"},
		},
		{
			name: "url set",
			xsd:  "sitemap.xsd",
			write: func(b *bytes.Buffer) error {
				return URLSet(b, []URL{
					{Loc: "https://news.example.com/", LastMod: mod},
					{Loc: "https://news.example.com/search?q=a&page=2"},
					{Loc: "https://news.example.com/fa/%D8%B3%D9%84%D8%A7%D9%85\x00"},
				})
			},
			want: []string{
				"<loc>https://news.example.com/search?q=a&amp;page=2</loc>",
				"<loc>https://news.example.com/fa/%D8%B3%D9%84%D8%A7%D9%85</loc>",
			},
		},
		{
			name: "url set with alternate languages",
			xsd:  "hreflang.xsd",
			write: func(b *bytes.Buffer) error {
				alts := []Alternate{{Lang: "en", Href: "https://news.example.com/city/harbour"},
					{Lang: "fa", Href: "https://news.example.com/fa/شهر/bandar"}, {Lang: "x-default", Href: "https://news.example.com/city/harbour"}}
				return URLSet(b, []URL{
					{Loc: "https://news.example.com/city/harbour", LastMod: mod, Alternates: alts},
					{Loc: "https://news.example.com/fa/شهر/bandar", Alternates: alts},
					{Loc: "https://news.example.com/city/alone"},
				})
			},
			want: []string{
				`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">`,
				`<xhtml:link rel="alternate" hreflang="fa" href="https://news.example.com/fa/%D8%B4%D9%87%D8%B1/bandar"></xhtml:link>`,
				`<xhtml:link rel="alternate" hreflang="x-default" href="https://news.example.com/city/harbour"></xhtml:link>`,
			},
		},
		{
			name: "empty url set",
			xsd:  "",
			write: func(b *bytes.Buffer) error {
				return URLSet(b, nil)
			},
			want: []string{`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>`},
		},
		{
			name: "news sitemap",
			xsd:  "news.xsd",
			write: func(b *bytes.Buffer) error {
				return NewsSitemap(b, Publication{Name: "Broadsheet & Co\x1b", Language: "fa-IR"}, []NewsURL{
					{Loc: "https://news.example.com/fa/first", Title: "سلام\x00 دنیا <b>\uFFFE", Published: mod},
					{Loc: "https://news.example.com/world/second", Title: "Second", Published: mod.Add(time.Hour)},
					{Loc: "https://news.example.com/کتاب/a b\"c'(d)", Title: "Книги", Published: mod, Language: "ru-RU"},
				})
			},
			want: []string{
				// Each article in its own language; raw Unicode and
				// characters a URI may not hold percent-encoded.
				"<news:language>ru</news:language>",
				"<loc>https://news.example.com/%DA%A9%D8%AA%D8%A7%D8%A8/a%20b%22c%27%28d%29</loc>",
				"<news:name>Broadsheet &amp; Co</news:name>",
				"<news:language>fa</news:language>",
				"<news:publication_date>2026-03-01T06:00:00Z</news:publication_date>",
				"<news:title>سلام دنیا &lt;b&gt;</news:title>",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.write(&buf); err != nil {
				t.Fatalf("write: %v", err)
			}
			doc := buf.Bytes()
			for _, w := range tc.want {
				if !bytes.Contains(doc, []byte(w)) {
					t.Errorf("document lacks %s\n%s", w, doc)
				}
			}
			checkNoIllegal(t, doc)
			checkWellFormed(t, doc)
			if tc.xsd != "" { // the schema wants at least one url
				mustValidate(t, tc.xsd, doc)
			}
		})
	}
}

// TestSchemasReject makes sure the validation above is not vacuous: the same
// schemas turn down documents that break them.
func TestSchemasReject(t *testing.T) {
	for _, tc := range []struct{ name, xsd, doc string }{
		{"url without loc", "sitemap.xsd", `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><lastmod>2026-03-01</lastmod></url></urlset>`},
		{"index with a url", "siteindex.xsd", `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://news.example.com/</loc></url></sitemapindex>`},
		{"news language as a BCP 47 tag", "news.xsd", `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://news.example.com/a</loc><news:news><news:publication><news:name>B</news:name><news:language>fa-IR</news:language></news:publication><news:publication_date>2026-03-01</news:publication_date><news:title>T</news:title></news:news></url></urlset>`},
		{"news without title", "news.xsd", `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://news.example.com/a</loc><news:news><news:publication><news:name>B</news:name><news:language>fa</news:language></news:publication><news:publication_date>2026-03-01</news:publication_date></news:news></url></urlset>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if out, err := validate(t, tc.xsd, []byte(tc.doc)); err == nil {
				t.Errorf("xmllint accepted an invalid document:\n%s", out)
			}
		})
	}
}

func TestSitemapLimits(t *testing.T) {
	urls := func(n int) []URL {
		us := make([]URL, n)
		for i := range us {
			us[i] = URL{Loc: fmt.Sprintf("https://news.example.com/a/%d", i)}
		}
		return us
	}
	refs := func(n int) []SitemapRef {
		rs := make([]SitemapRef, n)
		for i := range rs {
			rs[i] = SitemapRef{Loc: fmt.Sprintf("https://news.example.com/sitemaps/%d.xml", i)}
		}
		return rs
	}
	news := func(n int) []NewsURL {
		ns := make([]NewsURL, n)
		for i := range ns {
			ns[i] = NewsURL{Loc: fmt.Sprintf("https://news.example.com/n/%d", i), Title: "T", Published: time.Now()}
		}
		return ns
	}
	pub := Publication{Name: "Broadsheet", Language: "en"}
	for _, tc := range []struct {
		name    string
		write   func(*bytes.Buffer) error
		entries int
		tooMany bool
	}{
		{"url set at the limit", func(b *bytes.Buffer) error { return URLSet(b, urls(MaxURLs)) }, MaxURLs, false},
		{"url set over the limit", func(b *bytes.Buffer) error { return URLSet(b, urls(MaxURLs+1)) }, 0, true},
		{"index at the limit", func(b *bytes.Buffer) error { return SitemapIndex(b, refs(MaxURLs)) }, MaxURLs, false},
		{"index over the limit", func(b *bytes.Buffer) error { return SitemapIndex(b, refs(MaxURLs+1)) }, 0, true},
		{"news at the limit", func(b *bytes.Buffer) error { return NewsSitemap(b, pub, news(MaxNewsURLs)) }, MaxNewsURLs, false},
		{"news over the limit", func(b *bytes.Buffer) error { return NewsSitemap(b, pub, news(MaxNewsURLs+1)) }, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := tc.write(&buf)
			if tc.tooMany {
				if !errors.Is(err, ErrTooManyURLs) {
					t.Errorf("error: got %v, want ErrTooManyURLs", err)
				}
				if buf.Len() != 0 {
					t.Errorf("wrote %d bytes before refusing", buf.Len())
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if n := bytes.Count(buf.Bytes(), []byte("<loc>")); n != tc.entries {
				t.Errorf("entries: got %d, want %d", n, tc.entries)
			}
		})
	}
	if MaxURLs != 50000 || MaxNewsURLs != 1000 {
		t.Errorf("limits: got %d and %d, want 50000 and 1000", MaxURLs, MaxNewsURLs)
	}
}

func TestNewsSitemapNeedsPublicationDate(t *testing.T) {
	var buf bytes.Buffer
	err := NewsSitemap(&buf, Publication{Name: "B", Language: "en"}, []NewsURL{{Loc: "https://news.example.com/a", Title: "T"}})
	if err == nil || buf.Len() != 0 {
		t.Errorf("got error %v and %d bytes, want an error and nothing written", err, buf.Len())
	}
}

func TestNewsLanguage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"en", "en"},
		{"fa-IR", "fa"},
		{"pt_BR", "pt"},
		{"FR", "fr"},
		{"ast", "ast"},
		{"zh-CN", "zh-cn"},
		{"zh-Hant-TW", "zh-tw"},
	} {
		if got := newsLanguage(tc.in); got != tc.want {
			t.Errorf("newsLanguage(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRobots(t *testing.T) {
	for _, tc := range []struct {
		name               string
		sitemaps, disallow []string
		want               string
	}{
		{
			name:     "disallows and sitemaps",
			sitemaps: []string{"https://news.example.com/sitemap.xml", "https://news.example.com/sitemap-news.xml"},
			disallow: []string{"/admin/", "/api/"},
			want: "User-agent: *\nDisallow: /admin/\nDisallow: /api/\n\n" +
				"Sitemap: https://news.example.com/sitemap.xml\nSitemap: https://news.example.com/sitemap-news.xml\n",
		},
		{
			name: "nothing disallowed",
			want: "User-agent: *\nDisallow:\n",
		},
		{
			name:     "a line break cannot add a directive",
			disallow: []string{"/private/\nAllow: /private/\x00"},
			want:     "User-agent: *\nDisallow: /private/Allow: /private/\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := Robots(&b, tc.sitemaps, tc.disallow); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got\n%q\nwant\n%q", b.String(), tc.want)
			}
		})
	}
}
