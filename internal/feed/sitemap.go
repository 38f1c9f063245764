package feed

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Limits of one sitemap file. The caller splits its URLs into files of at
// most this many and lists the files in a sitemap index.
const (
	MaxURLs     = 50000 // per URL set and per sitemap index (sitemaps.org)
	MaxNewsURLs = 1000  // per Google News sitemap
)

// ErrTooManyURLs is returned, wrapped, when a sitemap is asked to hold more
// URLs than its limit allows.
var ErrTooManyURLs = errors.New("too many URLs for one sitemap")

const (
	nsSitemap = "http://www.sitemaps.org/schemas/sitemap/0.9"
	nsNews    = "http://www.google.com/schemas/sitemap-news/0.9"
	nsXHTML   = "http://www.w3.org/1999/xhtml"
)

// SitemapRef is one sitemap listed in a sitemap index.
type SitemapRef struct {
	Loc     string
	LastMod time.Time // optional
}

// URL is one page in a URL set.
type URL struct {
	Loc     string
	LastMod time.Time // optional
	// Alternates are the page in other languages, itself among them, and
	// the x-default: xhtml:link elements, as search engines read hreflang
	// in sitemaps.
	Alternates []Alternate
}

// Alternate is a version of a page in one language (Lang a BCP 47 tag, or
// "x-default").
type Alternate struct {
	Lang, Href string
}

// Publication names the publisher in a Google News sitemap.
type Publication struct {
	Name     string
	Language string // ISO 639 code; a BCP 47 tag such as "fa-IR" is cut to "fa"
}

// NewsURL is one article in a Google News sitemap.
type NewsURL struct {
	Loc       string
	Title     string
	Published time.Time
	// Language is the article's own language tag; empty means the
	// publication's.
	Language string
}

type sitemapIndexDoc struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []locLastMod `xml:"sitemap"`
}

type urlSetDoc struct {
	XMLName xml.Name `xml:"urlset"`
	NS      string   `xml:"xmlns,attr"`
	XHTMLNS string   `xml:"xmlns:xhtml,attr,omitempty"`
	URLs    []urlDoc `xml:"url"`
}

type urlDoc struct {
	Loc        string      `xml:"loc"`
	LastMod    string      `xml:"lastmod,omitempty"`
	Alternates []xhtmlLink `xml:"xhtml:link"`
}

type xhtmlLink struct {
	Rel      string `xml:"rel,attr"`
	HrefLang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

type locLastMod struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type newsDoc struct {
	XMLName xml.Name  `xml:"urlset"`
	NS      string    `xml:"xmlns,attr"`
	NewsNS  string    `xml:"xmlns:news,attr"`
	URLs    []newsURL `xml:"url"`
}

type newsURL struct {
	Loc  string   `xml:"loc"`
	News newsNews `xml:"news:news"`
}

type newsNews struct {
	Name            string `xml:"news:publication>news:name"`
	Language        string `xml:"news:publication>news:language"`
	PublicationDate string `xml:"news:publication_date"`
	Title           string `xml:"news:title"`
}

// SitemapIndex writes a sitemap index listing the given sitemaps.
func SitemapIndex(w io.Writer, refs []SitemapRef) error {
	if len(refs) > MaxURLs {
		return fmt.Errorf("feed: sitemap index: %d sitemaps, limit %d: %w", len(refs), MaxURLs, ErrTooManyURLs)
	}
	doc := sitemapIndexDoc{Sitemaps: make([]locLastMod, len(refs))}
	for i, r := range refs {
		doc.Sitemaps[i] = locLastMod{Loc: EscapeURL(r.Loc), LastMod: rfc3339(r.LastMod)}
	}
	if err := writeXML(w, doc); err != nil {
		return fmt.Errorf("feed: sitemap index: %w", err)
	}
	return nil
}

// URLSet writes one sitemap of at most MaxURLs pages. No pages give an empty
// urlset, which crawlers accept though the schema asks for one url.
func URLSet(w io.Writer, urls []URL) error {
	if len(urls) > MaxURLs {
		return fmt.Errorf("feed: urlset: %d URLs, limit %d: %w", len(urls), MaxURLs, ErrTooManyURLs)
	}
	doc := urlSetDoc{NS: nsSitemap, URLs: make([]urlDoc, len(urls))}
	for i, u := range urls {
		doc.URLs[i] = urlDoc{Loc: EscapeURL(u.Loc), LastMod: rfc3339(u.LastMod)}
		for _, a := range u.Alternates {
			doc.XHTMLNS = nsXHTML
			doc.URLs[i].Alternates = append(doc.URLs[i].Alternates, xhtmlLink{Rel: "alternate", HrefLang: CleanXML(a.Lang), Href: EscapeURL(a.Href)})
		}
	}
	if err := writeXML(w, doc); err != nil {
		return fmt.Errorf("feed: urlset: %w", err)
	}
	return nil
}

// NewsSitemap writes a Google News sitemap of at most MaxNewsURLs articles.
// Google reads only articles from the last two days; choosing them is the
// caller's business.
func NewsSitemap(w io.Writer, pub Publication, urls []NewsURL) error {
	if len(urls) > MaxNewsURLs {
		return fmt.Errorf("feed: news sitemap: %d URLs, limit %d: %w", len(urls), MaxNewsURLs, ErrTooManyURLs)
	}
	name, lang := CleanXML(pub.Name), newsLanguage(CleanXML(pub.Language))
	doc := newsDoc{NS: nsSitemap, NewsNS: nsNews, URLs: make([]newsURL, len(urls))}
	for i, u := range urls {
		if u.Published.IsZero() {
			return fmt.Errorf("feed: news sitemap: %s: no publication date", u.Loc)
		}
		lang := lang
		if u.Language != "" {
			lang = newsLanguage(CleanXML(u.Language))
		}
		doc.URLs[i] = newsURL{
			Loc: EscapeURL(u.Loc),
			News: newsNews{
				Name:            name,
				Language:        lang,
				PublicationDate: rfc3339(u.Published),
				Title:           CleanXML(u.Title),
			},
		}
	}
	if err := writeXML(w, doc); err != nil {
		return fmt.Errorf("feed: news sitemap: %w", err)
	}
	return nil
}

// EscapeURL is a URL as a sitemap must give it (RFC 3986, which sitemaps.org
// asks for): every byte outside ASCII percent-encoded as UTF-8, and so is
// every ASCII character but letters, digits, the unreserved -._~ and the
// delimiters !#$&*+,/:;=?@[] — the characters html/template leaves in a
// URL too, so a page's canonical link written with it (in upper-case hex,
// as RFC 3986 asks) names the page exactly as its sitemap entry does. A
// '%' is kept: the URL is taken to be encoded already where it is.
func EscapeURL(u string) string {
	u = CleanXML(u)
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~!#$&*+,/:;=?@[]%", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// newsLanguage turns a language tag into the code Google News accepts: the
// primary ISO 639 subtag in lower case, except zh-cn and zh-tw, which it
// wants whole.
func newsLanguage(tag string) string {
	tag = strings.ToLower(strings.ReplaceAll(tag, "_", "-"))
	switch tag {
	case "zh-cn", "zh-hans", "zh-hans-cn":
		return "zh-cn"
	case "zh-tw", "zh-hant", "zh-hant-tw":
		return "zh-tw"
	}
	primary, _, _ := strings.Cut(tag, "-")
	return primary
}

// Robots writes a robots.txt that lets every crawler in except for the
// disallowed path prefixes and lists the sitemaps. Control characters, line
// breaks above all, are removed so that no value can add a directive.
func Robots(w io.Writer, sitemapURLs []string, disallow []string) error {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	if len(disallow) == 0 {
		b.WriteString("Disallow:\n") // empty: nothing is disallowed
	}
	for _, p := range disallow {
		fmt.Fprintf(&b, "Disallow: %s\n", robotsValue(p))
	}
	if len(sitemapURLs) > 0 {
		b.WriteString("\n")
	}
	for _, u := range sitemapURLs {
		fmt.Fprintf(&b, "Sitemap: %s\n", robotsValue(u))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("feed: robots.txt: %w", err)
	}
	return nil
}

// robotsValue is s on one line: CleanXML's rules minus tab, newline and
// carriage return, and without surrounding space.
func robotsValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r == 0x7F {
			return -1
		}
		return r
	}, CleanXML(s))
	return strings.TrimSpace(s)
}
