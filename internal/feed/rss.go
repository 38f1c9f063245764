package feed

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"time"
)

// Namespaces of the extensions the XML feeds use.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"
)

// encoding/xml cannot choose namespace prefixes, so the extension elements
// below are named with their prefix and the prefixes declared on the root.

type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	AtomNS    string     `xml:"xmlns:atom,attr"`
	ContentNS string     `xml:"xmlns:content,attr"`
	DCNS      string     `xml:"xmlns:dc,attr"`
	MediaNS   string     `xml:"xmlns:media,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Self          *linkElem `xml:"atom:link"`
	Image         *rssImage `xml:"image"`
	Items         []rssItem `xml:"item"`
}

type linkElem struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type rssImage struct {
	URL   string `xml:"url"`
	Title string `xml:"title"`
	Link  string `xml:"link"`
}

type rssItem struct {
	Title       string     `xml:"title,omitempty"`
	Link        string     `xml:"link,omitempty"`
	GUID        *rssGUID   `xml:"guid"`
	PubDate     string     `xml:"pubDate,omitempty"`
	Creators    []string   `xml:"dc:creator"`
	Categories  []string   `xml:"category"`
	Description string     `xml:"description,omitempty"`
	Content     string     `xml:"content:encoded,omitempty"`
	Image       *mediaElem `xml:"media:content"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// mediaElem is a Media RSS image, understood by readers in RSS and Atom
// alike without the byte length an RSS enclosure would demand.
type mediaElem struct {
	URL    string `xml:"url,attr"`
	Medium string `xml:"medium,attr"`
}

// RSS writes f as an RSS 2.0 feed. Item summaries are plain text and are
// escaped into the HTML description; the full text, when there is one, goes
// in content:encoded. Authors are written as dc:creator, since RSS's own
// author element must be an e-mail address.
func RSS(w io.Writer, f Feed) error {
	f = cleaned(f)
	ch := rssChannel{
		Title:         f.Title,
		Link:          f.Link,
		Description:   f.Description,
		Language:      f.Language,
		LastBuildDate: rfc1123z(lastUpdated(f)),
	}
	if f.Self != "" {
		ch.Self = &linkElem{Href: f.Self, Rel: "self", Type: ContentTypeRSS}
	}
	if img := firstNonEmpty(f.Logo, f.Icon); img != "" {
		ch.Image = &rssImage{URL: img, Title: f.Title, Link: f.Link}
	}
	for _, it := range f.Items {
		ri := rssItem{
			Title:      it.Title,
			Link:       it.Link,
			PubDate:    rfc1123z(firstTime(it.Published, it.Updated)),
			Categories: it.Categories,
			Content:    it.ContentHTML,
		}
		if id := itemID(it); id != "" {
			ri.GUID = &rssGUID{IsPermaLink: isPermaLink(id), Value: id}
		}
		for _, p := range it.Authors {
			ri.Creators = append(ri.Creators, p.Name)
		}
		if it.Summary != "" {
			ri.Description = html.EscapeString(it.Summary)
		} else {
			// Readers that ignore content:encoded still get the text.
			ri.Description = it.ContentHTML
		}
		if it.Image != "" {
			ri.Image = &mediaElem{URL: it.Image, Medium: "image"}
		}
		ch.Items = append(ch.Items, ri)
	}
	doc := rssDoc{
		Version:   "2.0",
		AtomNS:    nsAtom,
		ContentNS: nsContent,
		DCNS:      nsDC,
		MediaNS:   nsMedia,
		Channel:   ch,
	}
	if err := writeXML(w, doc); err != nil {
		return fmt.Errorf("feed: rss: %w", err)
	}
	return nil
}

// rfc1123z formats t the way RSS dates are written; the zero time gives "".
func rfc1123z(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC1123Z)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
