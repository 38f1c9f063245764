package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

var (
	published = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	edited    = time.Date(2026, 3, 2, 17, 5, 0, 0, time.FixedZone("IRST", 3*3600+1800))
	built     = time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)
)

// The second item is the one a careless feed breaks on: XML-illegal control
// characters, U+FFFE, an invalid UTF-8 byte, HTML special characters and
// right-to-left Persian text, in its title, summary and content.
const (
	dirtyTitle   = "Bad\x00 <b>bold</b> & \x0bcontrol\x1b chars\uFFFE — سلام دنیا"
	cleanTitle   = "Bad <b>bold</b> & control chars — سلام دنیا"
	dirtySummary = "خلاصه: \"quotes\" & <tags>\x00\xff"
	cleanSummary = "خلاصه: \"quotes\" & <tags>"
	dirtyContent = "<p dir=\"rtl\">متن فارسی\x1b با &amp; و <a href=\"https://news.example.com/?a=1&amp;b=2\">پیوند</a></p>\x0b"
	cleanContent = "<p dir=\"rtl\">متن فارسی با &amp; و <a href=\"https://news.example.com/?a=1&amp;b=2\">پیوند</a></p>"
)

func testFeed() Feed {
	return Feed{
		Title:       "Broadsheet",
		Description: "News & views",
		Language:    "fa",
		Link:        "https://news.example.com/",
		Self:        "https://news.example.com/feed",
		Updated:     built,
		Logo:        "https://news.example.com/logo.png",
		Icon:        "https://news.example.com/icon.png",
		Items: []Item{
			{
				ID:          "https://news.example.com/world/first",
				Title:       "First headline",
				Link:        "https://news.example.com/world/first",
				Summary:     "The first summary.",
				ContentHTML: "<p>The <em>full</em> text.</p>",
				Authors: []Person{
					{Name: "Sara Ahmadi", URL: "https://news.example.com/authors/sara"},
					{Name: "John Doe"},
				},
				Categories: []string{"World", "Politics"},
				Published:  published,
				Updated:    edited,
				Image:      "https://news.example.com/media/first.jpg",
			},
			{
				ID:          "tag:news.example.com,2026:article-2",
				Title:       dirtyTitle,
				Link:        "https://news.example.com/fa/second",
				Summary:     dirtySummary,
				ContentHTML: dirtyContent,
				Authors:     []Person{{Name: "مریم رضایی"}},
				Categories:  []string{"سیاست"},
				Published:   published.Add(time.Hour),
			},
			{
				ID:        "https://news.example.com/third",
				Title:     "Summary only",
				Link:      "https://news.example.com/third",
				Summary:   "Only a summary is published.",
				Published: published.Add(2 * time.Hour),
			},
		},
	}
}

// format describes how each feed format carries the fields gofeed does not
// translate the same way everywhere.
type format struct {
	name     string
	write    func(io.Writer, Feed) error
	feedType gofeed.FeedType
	version  string                      // as gofeed reports it
	summary  func(*gofeed.Item) string   // the item summary as plain text
	authors  func(*gofeed.Item) []string // author names, in order
	image    func(*gofeed.Item) string
	noText   func(Item) string // what Content holds for an item without full text
	updated  bool              // whether items carry their modification date
}

func personNames(ps []*gofeed.Person) []string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names
}

func mediaImage(it *gofeed.Item) string {
	for _, c := range it.Extensions["media"]["content"] {
		if c.Attrs["medium"] == "image" {
			return c.Attrs["url"]
		}
	}
	return ""
}

var formats = []format{
	{
		name:     "RSS",
		write:    RSS,
		feedType: gofeed.FeedTypeRSS,
		version:  "2.0",
		// description is HTML, so the plain-text summary arrives escaped.
		summary: func(it *gofeed.Item) string { return html.UnescapeString(it.Description) },
		authors: func(it *gofeed.Item) []string {
			if it.DublinCoreExt == nil {
				return nil
			}
			return it.DublinCoreExt.Creator
		},
		image:  mediaImage,
		noText: func(Item) string { return "" },
	},
	{
		name:     "Atom",
		write:    Atom,
		feedType: gofeed.FeedTypeAtom,
		version:  "1.0",
		summary:  func(it *gofeed.Item) string { return it.Description },
		authors:  func(it *gofeed.Item) []string { return personNames(it.Authors) },
		image:    mediaImage,
		noText:   func(Item) string { return "" },
		updated:  true,
	},
	{
		name:     "JSON Feed",
		write:    JSONFeed,
		feedType: gofeed.FeedTypeJSON,
		version:  JSONFeedVersion,
		summary:  func(it *gofeed.Item) string { return it.Description },
		authors:  func(it *gofeed.Item) []string { return personNames(it.Authors) },
		image: func(it *gofeed.Item) string {
			if it.Image == nil {
				return ""
			}
			return it.Image.URL
		},
		noText:  func(it Item) string { return it.Summary }, // as content_text
		updated: true,
	},
}

func TestFeedsParse(t *testing.T) {
	in := testFeed()
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := f.write(&buf, in); err != nil {
				t.Fatalf("write: %v", err)
			}
			out := buf.Bytes()
			checkNoIllegal(t, out)
			if f.feedType == gofeed.FeedTypeJSON {
				checkJSON(t, out)
			} else {
				checkWellFormed(t, out)
			}

			got, err := gofeed.NewParser().ParseString(string(out))
			if err != nil {
				t.Fatalf("gofeed cannot parse it: %v\n%s", err, out)
			}
			if typ := gofeed.DetectFeedType(bytes.NewReader(out)); typ != f.feedType {
				t.Errorf("detected feed type: got %v, want %v", typ, f.feedType)
			}
			if got.FeedVersion != f.version {
				t.Errorf("feed version: got %q, want %q", got.FeedVersion, f.version)
			}
			for _, c := range []struct{ field, got, want string }{
				{"title", got.Title, in.Title},
				{"description", got.Description, in.Description},
				{"link", got.Link, in.Link},
				{"feed link", got.FeedLink, in.Self},
				{"language", got.Language, in.Language},
			} {
				if c.got != c.want {
					t.Errorf("feed %s: got %q, want %q", c.field, c.got, c.want)
				}
			}
			if f.feedType != gofeed.FeedTypeJSON { // JSON Feed has no feed date
				checkTime(t, "feed updated", got.UpdatedParsed, built)
			}
			if len(got.Items) != len(in.Items) {
				t.Fatalf("items: got %d, want %d", len(got.Items), len(in.Items))
			}
			for i, want := range in.Items {
				checkItem(t, f, got.Items[i], want)
			}
		})
	}
}

func checkItem(t *testing.T, f format, got *gofeed.Item, want Item) {
	t.Helper()
	wantTitle, wantSummary, wantContent := want.Title, want.Summary, want.ContentHTML
	if want.Title == dirtyTitle {
		wantTitle, wantSummary, wantContent = cleanTitle, cleanSummary, cleanContent
	}
	if wantContent == "" {
		wantContent = f.noText(want)
	}
	wantImage := want.Image
	var wantAuthors []string
	for _, p := range want.Authors {
		wantAuthors = append(wantAuthors, p.Name)
	}

	name := want.Link
	for _, c := range []struct{ field, got, want string }{
		{"title", got.Title, wantTitle},
		{"link", got.Link, want.Link},
		{"guid", got.GUID, want.ID},
		{"summary", f.summary(got), wantSummary},
		{"content", got.Content, wantContent},
		{"image", f.image(got), wantImage},
	} {
		if c.got != c.want {
			t.Errorf("item %s: %s: got %q, want %q", name, c.field, c.got, c.want)
		}
	}
	if a := f.authors(got); !slices.Equal(a, wantAuthors) {
		t.Errorf("item %s: authors: got %q, want %q", name, a, wantAuthors)
	}
	if !slices.Equal(got.Categories, want.Categories) {
		t.Errorf("item %s: categories: got %q, want %q", name, got.Categories, want.Categories)
	}
	checkTime(t, "item "+name+" published", got.PublishedParsed, want.Published)
	if f.updated && !want.Updated.IsZero() {
		checkTime(t, "item "+name+" updated", got.UpdatedParsed, want.Updated)
	}
}

func checkTime(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: missing, want %v", what, want)
	} else if !got.Equal(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// checkNoIllegal fails if the output still holds a character XML forbids,
// or the U+FFFD that encoding/xml would put in place of one.
func checkNoIllegal(t *testing.T, out []byte) {
	t.Helper()
	for _, bad := range []string{"\x00", "\x0b", "\x1b", "\uFFFE", "\uFFFD", "\xff"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("output contains %q", bad)
		}
	}
}

// checkWellFormed reads every token with encoding/xml's strict decoder,
// which rejects the characters XML 1.0 forbids.
func checkWellFormed(t *testing.T, out []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(out))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, out)
		}
	}
}

func checkJSON(t *testing.T, out []byte) {
	t.Helper()
	var doc struct {
		Version string           `json:"version"`
		Items   []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	if doc.Version != JSONFeedVersion {
		t.Errorf("version: got %q, want %q", doc.Version, JSONFeedVersion)
	}
	for _, it := range doc.Items {
		if it["content_html"] == nil && it["content_text"] == nil {
			t.Errorf("item %v has neither content_html nor content_text", it["id"])
		}
	}
}

func TestRSSGUIDPermaLink(t *testing.T) {
	var buf bytes.Buffer
	if err := RSS(&buf, testFeed()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`<guid isPermaLink="true">https://news.example.com/world/first</guid>`,
		`<guid isPermaLink="false">tag:news.example.com,2026:article-2</guid>`,
		`<pubDate>Sun, 01 Mar 2026 09:30:00 +0000</pubDate>`,
		`<atom:link href="https://news.example.com/feed" rel="self" type="application/rss+xml"></atom:link>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("RSS lacks %s", want)
		}
	}
}

func TestAtomFeedAuthorWhenAnEntryHasNone(t *testing.T) {
	for _, tc := range []struct {
		name string
		feed Feed
		want bool
	}{
		{"an entry without author", testFeed(), true},
		{"every entry has one", Feed{Title: "T", Items: []Item{{ID: "x", Authors: []Person{{Name: "A"}}}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Atom(&buf, tc.feed); err != nil {
				t.Fatal(err)
			}
			got, err := gofeed.NewParser().ParseString(buf.String())
			if err != nil {
				t.Fatal(err)
			}
			if has := len(got.Authors) > 0; has != tc.want {
				t.Errorf("feed-level author: got %v, want %v", got.Authors, tc.want)
			}
		})
	}
}

func TestCleanXML(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain", "Hello, world", "Hello, world"},
		{"tab newline return kept", "a\tb\nc\rd", "a\tb\nc\rd"},
		{"NUL", "a\x00b", "ab"},
		{"vertical tab and escape", "a\x0bb\x1bc", "abc"},
		{"DEL and C1 are legal", "a\x7fb\u0085c", "a\x7fb\u0085c"},
		{"U+FFFE and U+FFFF", "a\uFFFEb\uFFFFc", "abc"},
		{"real U+FFFD kept", "a\uFFFDb", "a\uFFFDb"},
		{"invalid byte", "a\xffb", "ab"},
		{"truncated sequence", "a\xe2\x82b", "ab"},
		{"encoded lone surrogate", "a\xed\xa0\x80b", "ab"},
		{"astral plane kept", "a😀b", "a😀b"},
		{"Persian", "سلام\x00 دنیا", "سلام دنیا"},
		{"HTML specials kept", `<a href="x">&amp;</a>`, `<a href="x">&amp;</a>`},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CleanXML(tc.in); got != tc.want {
				t.Errorf("CleanXML(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWritersDoNotChangeTheirInput(t *testing.T) {
	in := testFeed()
	for _, f := range formats {
		if err := f.write(io.Discard, in); err != nil {
			t.Fatal(err)
		}
	}
	if in.Items[1].Title != dirtyTitle || in.Items[1].Authors[0].Name != "مریم رضایی" {
		t.Errorf("writers modified the caller's feed: %q", in.Items[1].Title)
	}
}

func TestPlainText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"<p>A <strong>fair</strong> point, see <a href=\"https://example.org\" rel=\"nofollow\">the <em>map</em></a>.</p>", "A fair point, see the map."},
		{"<p>One.</p>\n<p>Two.</p>", "One. Two."},
		{"<ul>\n<li>a</li>\n<li>b</li>\n</ul>", "a b"},
		{"<blockquote>\n<p>said</p>\n</blockquote>\n<p>x &lt; y &amp; &quot;z&quot;</p>", `said x < y & "z"`},
		{"<p>line<br>next</p>", "line next"},
		{"<p>کتاب‌ها <code>x</code></p>", "کتاب‌ها x"},
		// Footnotes as the Markdown renderer writes them: the prose only.
		{`<p>Met<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup> today.</p>
<div class="footnotes" role="doc-endnotes"><hr><ol><li id="fn:1"><div><p>A <em>note</em>.&#160;<a href="#fnref:1" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;</a></p></div></li></ol></div><p>After.</p>`,
			"Met today. After."},
		{"", ""},
	} {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Addresses with words in other scripts are percent-encoded in every
// format, as the pages' canonical links and the sitemaps give them: RSS
// asks for URLs, and one page has one address everywhere.
func TestFeedAddressesArePercentEncoded(t *testing.T) {
	const raw = "https://news.example.org/culture/شب-شعر"
	const want = "https://news.example.org/culture/%D8%B4%D8%A8-%D8%B4%D8%B9%D8%B1"
	in := Feed{Title: "Culture", Link: "https://news.example.org/culture", Self: "https://news.example.org/culture.rss", Updated: built,
		Items: []Item{{ID: raw, Title: "شب شعر", Link: raw, Summary: "Poetry.", Published: built,
			Authors: []Person{{Name: "Leila", URL: "https://news.example.org/author/لیلا"}}}}}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := f.write(&buf, in); err != nil {
				t.Fatalf("write: %v", err)
			}
			if bytes.Contains(buf.Bytes(), []byte("شب-شعر")) || bytes.Contains(buf.Bytes(), []byte("/لیلا")) {
				t.Errorf("an address is written in raw Unicode:\n%s", buf.Bytes())
			}
			got, err := gofeed.NewParser().ParseString(buf.String())
			if err != nil {
				t.Fatal(err)
			}
			if it := got.Items[0]; it.Link != want || it.GUID != want {
				t.Errorf("item link %q, id %q; want %q", it.Link, it.GUID, want)
			}
		})
	}
}
