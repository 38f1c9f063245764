package feed

import (
	"encoding/xml"
	"fmt"
	"io"
)

type atomFeed struct {
	XMLName  xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
	MediaNS  string       `xml:"xmlns:media,attr"`
	Lang     string       `xml:"xml:lang,attr,omitempty"`
	ID       string       `xml:"id"`
	Title    atomText     `xml:"title"`
	Subtitle *atomText    `xml:"subtitle"`
	Updated  string       `xml:"updated"`
	Links    []linkElem   `xml:"link"`
	Authors  []atomPerson `xml:"author"`
	Icon     string       `xml:"icon,omitempty"`
	Logo     string       `xml:"logo,omitempty"`
	Entries  []atomEntry  `xml:"entry"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Authors    []atomPerson   `xml:"author"`
	Links      []linkElem     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary"`
	Content    *atomText      `xml:"content"`
	Image      *mediaElem     `xml:"media:content"`
}

// Atom writes f as an Atom 1.0 feed (RFC 4287). Titles and summaries are
// plain text, the full text is type="html". An entry without authors would
// make the feed invalid unless the feed itself has one, so the publication
// (the feed title) is named as the feed's author whenever an entry has none.
func Atom(w io.Writer, f Feed) error {
	f = cleaned(f)
	updated := lastUpdated(f)
	doc := atomFeed{
		MediaNS: nsMedia,
		Lang:    f.Language,
		ID:      feedID(f),
		Title:   atomText{Type: "text", Value: f.Title},
		Updated: rfc3339(updated),
		Icon:    f.Icon,
		Logo:    f.Logo,
	}
	if f.Description != "" {
		doc.Subtitle = &atomText{Type: "text", Value: f.Description}
	}
	if f.Link != "" {
		doc.Links = append(doc.Links, linkElem{Href: f.Link, Rel: "alternate", Type: "text/html"})
	}
	if f.Self != "" {
		doc.Links = append(doc.Links, linkElem{Href: f.Self, Rel: "self", Type: ContentTypeAtom})
	}
	needAuthor := false
	for _, it := range f.Items {
		e := atomEntry{
			ID:        itemID(it),
			Title:     atomText{Type: "text", Value: it.Title},
			Updated:   rfc3339(firstTime(it.updated(), updated)),
			Published: rfc3339(it.Published),
		}
		for _, p := range it.Authors {
			e.Authors = append(e.Authors, atomPerson{Name: p.Name, URI: p.URL})
		}
		needAuthor = needAuthor || len(e.Authors) == 0
		if it.Link != "" {
			e.Links = append(e.Links, linkElem{Href: it.Link, Rel: "alternate", Type: "text/html"})
		}
		for _, c := range it.Categories {
			e.Categories = append(e.Categories, atomCategory{Term: c})
		}
		if it.Summary != "" {
			e.Summary = &atomText{Type: "text", Value: it.Summary}
		}
		if it.ContentHTML != "" {
			e.Content = &atomText{Type: "html", Value: it.ContentHTML}
		}
		if it.Image != "" {
			e.Image = &mediaElem{URL: it.Image, Medium: "image"}
		}
		doc.Entries = append(doc.Entries, e)
	}
	if needAuthor {
		doc.Authors = []atomPerson{{Name: f.Title, URI: f.Link}}
	}
	if err := writeXML(w, doc); err != nil {
		return fmt.Errorf("feed: atom: %w", err)
	}
	return nil
}
