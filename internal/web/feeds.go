package web

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
)

// atomFeed and atomEntry are the parts of RFC 4287 a comment feed uses.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr,omitempty"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	Title   string     `xml:"title"`
	ID      string     `xml:"id"`
	Updated string     `xml:"updated"`
	Author  atomPerson `xml:"author"`
	Link    atomLink   `xml:"link"`
	Content atomText   `xml:"content"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// GET /{section}/{slug}/comments.atom: the newest approved comments of one
// article, for readers who follow a discussion in a feed reader.
func (s *Server) commentFeed(r *http.Request) (*response, error) {
	if r.PathValue("feed") != "comments.atom" {
		return nil, article.ErrNotFound
	}
	ctx := r.Context()
	a, err := s.store.ArticleBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	if !a.Visible() || a.Section.Slug != r.PathValue("section") {
		return nil, article.ErrNotFound
	}
	list, err := s.store.Thread(ctx, comment.Query{ArticleID: a.ID, Newest: true, Limit: 50})
	if err != nil {
		return nil, err
	}
	page := s.baseURL + articlePath(a)
	f := atomFeed{Lang: a.Language, Title: a.Headline, ID: page + "#comments",
		Links:   []atomLink{{Rel: "self", Type: "application/atom+xml", Href: page + "/comments.atom"}, {Rel: "alternate", Type: "text/html", Href: page}},
		Updated: a.ModifiedAt.UTC().Format(time.RFC3339)}
	newest := a.PublishedAt
	for _, c := range list {
		if c.Status != comment.Approved {
			continue
		}
		html, err := s.commentMD.Render(c.Body)
		if err != nil {
			return nil, err
		}
		link := page + "#c-" + strconv.FormatInt(c.ID, 10)
		f.Entries = append(f.Entries, atomEntry{Title: c.Name, ID: link, Updated: c.CreatedAt.UTC().Format(time.RFC3339),
			Author: atomPerson{Name: c.Name}, Link: atomLink{Rel: "alternate", Href: link}, Content: atomText{Type: "html", Body: html}})
		if c.CreatedAt.After(newest) {
			newest = c.CreatedAt
		}
	}
	f.Updated = newest.UTC().Format(time.RFC3339)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(f); err != nil {
		return nil, err
	}
	return &response{raw: buf.Bytes(), contentType: "application/atom+xml; charset=utf-8",
		keys: []string{article.KeyArticle(a.ID), article.KeyComments(a.ID)}}, nil
}
