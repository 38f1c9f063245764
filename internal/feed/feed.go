// Package feed owns what Broadsheet publishes for machines rather than
// people: the RSS 2.0, Atom and JSON Feed syndication feeds, the sitemaps
// (index, URL set and Google News) and robots.txt.
//
// It works on neutral structs (Feed, Item, URL, NewsURL, …) filled in by the
// caller, so it knows nothing of articles, storage or HTTP; each writer
// renders the whole document in memory and writes it to w in one call, so a
// failure never leaves half a feed behind. Every string is passed through
// CleanXML first: a stray control character in one comment or headline must
// not make the whole feed unreadable.
package feed

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Content types to serve each document with. The XML documents declare
// UTF-8 in their prolog; the JSON Feed is always UTF-8.
const (
	ContentTypeRSS      = "application/rss+xml"
	ContentTypeAtom     = "application/atom+xml"
	ContentTypeJSONFeed = "application/feed+json"
	ContentTypeSitemap  = "application/xml"
	ContentTypeRobots   = "text/plain; charset=utf-8"
)

// Feed is one syndication feed, whatever format it is written in.
type Feed struct {
	Title       string
	Description string
	Language    string // BCP 47, e.g. "en" or "fa"
	Link        string // the HTML page the feed mirrors
	Self        string // the feed's own URL
	ID          string // stable identifier; Self, then Link, when empty
	Updated     time.Time
	Logo        string // wide image URL (RSS image, Atom logo)
	Icon        string // square image URL (Atom icon, JSON Feed icon)
	Items       []Item
}

// Item is one entry of a feed.
type Item struct {
	ID          string // stable: the article URL or a tag: URI; Link when empty
	Title       string // plain text
	Link        string
	Summary     string // plain text
	ContentHTML string // full text as HTML; empty when only summaries are published
	Authors     []Person
	Categories  []string
	Published   time.Time
	Updated     time.Time // zero when never changed
	Image       string    // optional image URL
}

// Person is an author.
type Person struct {
	Name string
	URL  string
}

// CleanXML returns s without the characters XML 1.0 forbids: control
// characters other than tab, newline and carriage return, U+FFFE and U+FFFF,
// and bytes that are not valid UTF-8 (which includes encoded lone
// surrogates). Everything else, right-to-left text included, is kept as is.
func CleanXML(s string) string {
	clean := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !xmlChar(r, size) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if xmlChar(r, size) {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// xmlChar reports whether the rune decoded with the given size is a Char in
// the sense of XML 1.0 §2.2. A RuneError of size 1 is an invalid byte, not a
// real U+FFFD.
func xmlChar(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return false
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r >= 0xD800 && r <= 0xDFFF:
		return false
	case r == 0xFFFE || r == 0xFFFF:
		return false
	}
	return true
}

// isPermaLink reports whether an item ID is itself a URL a reader can open,
// which RSS wants to know about its guid.
func isPermaLink(id string) bool {
	u, err := url.Parse(id)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// itemID is the item's stable identifier: its ID, or its link without one.
func itemID(it Item) string {
	if it.ID != "" {
		return it.ID
	}
	return it.Link
}

// feedID is the feed's stable identifier: its ID, or its own URL, or its page.
func feedID(f Feed) string {
	return firstNonEmpty(f.ID, f.Self, f.Link)
}

// updated is the time an item last changed: Updated, else Published.
func (it Item) updated() time.Time {
	if !it.Updated.IsZero() {
		return it.Updated
	}
	return it.Published
}

// lastUpdated is the feed's Updated, or else the newest item time, so a
// caller that leaves it zero still gets a meaningful date.
func lastUpdated(f Feed) time.Time {
	t := f.Updated
	if t.IsZero() {
		for _, it := range f.Items {
			if u := it.updated(); u.After(t) {
				t = u
			}
		}
	}
	return t
}

// rfc3339 formats t in UTC for Atom, JSON Feed and sitemaps (a W3C datetime);
// the zero time gives "".
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// cleaned returns a copy of f with CleanXML applied to every string, so the
// writers below never see a character they cannot write, and every address
// percent-encoded (EscapeURL) as the pages' canonical links and the
// sitemaps give it: RSS asks for URLs, not IRIs, and a reader comparing a
// feed's links with the pages finds the same bytes.
func cleaned(f Feed) Feed {
	f.Title = CleanXML(f.Title)
	f.Description = CleanXML(f.Description)
	f.Language = CleanXML(f.Language)
	f.Link = EscapeURL(f.Link)
	f.Self = EscapeURL(f.Self)
	f.ID = EscapeURL(f.ID)
	f.Logo = EscapeURL(f.Logo)
	f.Icon = EscapeURL(f.Icon)
	items := make([]Item, len(f.Items))
	for i, it := range f.Items {
		it.ID = EscapeURL(it.ID)
		it.Title = CleanXML(it.Title)
		it.Link = EscapeURL(it.Link)
		it.Summary = CleanXML(it.Summary)
		it.ContentHTML = CleanXML(it.ContentHTML)
		it.Image = EscapeURL(it.Image)
		authors := make([]Person, len(it.Authors))
		for j, p := range it.Authors {
			authors[j] = Person{Name: CleanXML(p.Name), URL: EscapeURL(p.URL)}
		}
		it.Authors = authors
		cats := make([]string, len(it.Categories))
		for j, c := range it.Categories {
			cats[j] = CleanXML(c)
		}
		it.Categories = cats
		items[i] = it
	}
	f.Items = items
	return f
}

// writeXML renders v as an indented XML document and writes it to w in a
// single call.
func writeXML(w io.Writer, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}
