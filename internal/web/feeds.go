package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/feed"
	"broadsheet/internal/markup"
)

// Feeds. Every list a reader can follow — the site, a section, a tag, an
// author, an article's discussion — is offered as RSS 2.0, Atom and JSON
// Feed 1.1, at the page's address with .rss, .atom or .json added
// (/feed.rss for the whole site), and announced on the page with
// <link rel="alternate">. Feeds are cached like pages, so conditional GET
// works, and their text passes feed.CleanXML, so one bad comment never
// breaks a feed.

// feedFormats maps a feed's extension to its writer and content type.
var feedFormats = map[string]struct {
	write       func(io.Writer, feed.Feed) error
	contentType string
	name        string
}{
	"rss":  {feed.RSS, feed.ContentTypeRSS + "; charset=utf-8", "RSS"},
	"atom": {feed.Atom, feed.ContentTypeAtom + "; charset=utf-8", "Atom"},
	"json": {feed.JSONFeed, feed.ContentTypeJSONFeed + "; charset=utf-8", "JSON Feed"},
}

// feedItems is how many articles a feed carries.
const feedItems = 20

// splitFeed reads "housing.rss" as ("housing", "rss"); ok is false for a
// name that is not a feed.
func splitFeed(name string) (base, format string, ok bool) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return "", "", false
	}
	if _, known := feedFormats[name[i+1:]]; !known {
		return "", "", false
	}
	return name[:i], name[i+1:], true
}

// feedLink is a <link rel="alternate"> in a page's head.
type feedLink struct {
	Type, Title, Href string
}

// feedLinks announces the three formats of the feed at path (without its
// extension).
func feedLinks(title, path string) []feedLink {
	var out []feedLink
	for _, ext := range []string{"rss", "atom", "json"} {
		f := feedFormats[ext]
		out = append(out, feedLink{Type: strings.TrimSuffix(f.contentType, "; charset=utf-8"), Title: title + " (" + f.name + ")", Href: path + "." + ext})
	}
	return out
}

// writeFeed renders f in format as a cacheable response.
func writeFeed(format string, f feed.Feed, keys []string) (*response, error) {
	w := feedFormats[format]
	var buf bytes.Buffer
	if err := w.write(&buf, f); err != nil {
		return nil, err
	}
	return &response{raw: buf.Bytes(), contentType: w.contentType, keys: keys}, nil
}

// articleFeed is a feed of the latest articles q selects in the request's
// edition; pagePath is the page it follows, as the main edition has it.
func (s *Server) articleFeed(ctx context.Context, format, title, description, pagePath string, q article.Query, keys []string) (*response, error) {
	site, err := s.store.Site(ctx)
	if err != nil {
		return nil, err
	}
	ed, ok := site.Edition(editionOf(ctx))
	if !ok {
		return nil, article.ErrNotFound
	}
	q.Limit = feedItems
	q.OneEdition, q.Edition = true, ed.Code()
	list, err := s.store.Articles(ctx, q)
	if err != nil {
		return nil, err
	}
	f := feed.Feed{
		Title: title, Description: description, Language: ed.Lang,
		Link: s.baseURL + ed.Path(pagePath), Self: s.baseURL + ed.Path(strings.TrimSuffix(pagePath, "/")+feedSelf(pagePath, format)),
		Logo: s.baseURL + s.assetURL("logo.png"), Icon: s.baseURL + s.assetURL("logo.png"),
	}
	for _, a := range list.Articles {
		it := feed.Item{ID: s.baseURL + articlePath(&a), Title: a.Headline, Link: s.baseURL + articlePath(&a), Summary: a.Standfirst,
			Published: a.PublishedAt, Categories: []string{a.Section.Name}}
		if a.Updated() {
			it.Updated = a.UpdatedAt
		}
		for _, au := range a.Authors {
			it.Authors = append(it.Authors, feed.Person{Name: au.Name, URL: s.baseURL + "/author/" + au.Slug})
		}
		if img := a.LeadImage; img != nil && len(img.Variants) > 0 {
			it.Image = s.baseURL + "/media/" + strconv.FormatInt(img.ID, 10) + "/" + strconv.Itoa(largestWidth(img)) + ".jpg"
		}
		if site.FeedFullText {
			full, err := s.store.ArticleByID(ctx, a.ID)
			if err != nil {
				return nil, err
			}
			body, err := s.md.RenderStored(ctx, full.BodyHTML, full.Body)
			if err != nil {
				return nil, err
			}
			// Read away from the site: its pictures and links named in full.
			it.ContentHTML = markup.Absolute(body, s.baseURL)
		}
		if it.Published.After(f.Updated) {
			f.Updated = it.Published
		}
		f.Items = append(f.Items, it)
		keys = append(keys, article.KeyArticle(a.ID))
	}
	return writeFeed(format, f, keys)
}

// feedSelf is the feed's own path relative to its page: /feed.rss for the
// front page, /city.rss for /city.
func feedSelf(pagePath, format string) string {
	if pagePath == "/" {
		return "/feed." + format
	}
	return "." + format
}

// siteFeed answers /feed.rss, /feed.atom and /feed.json.
func (s *Server) siteFeed(r *http.Request, format string) (*response, error) {
	site, err := s.store.Site(r.Context())
	if err != nil {
		return nil, err
	}
	ed, ok := site.Edition(editionOf(r.Context()))
	if !ok {
		return nil, article.ErrNotFound
	}
	return s.articleFeed(r.Context(), format, ed.Title, ed.Tagline, "/", article.Query{}, []string{article.KeyAllArticles})
}

// GET /{section}/{slug}/comments.rss|atom|json, and of a live blog
// /{section}/{slug}/updates.rss|atom|json: an article's feeds.
func (s *Server) articleFeeds(r *http.Request) (*response, error) {
	base, format, ok := splitFeed(r.PathValue("feed"))
	if !ok || (base != "comments" && base != "updates") {
		return nil, article.ErrNotFound
	}
	ctx := r.Context()
	a, err := s.store.ArticleBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	if !a.Visible() || a.Section.Slug != r.PathValue("section") || a.Section.Edition != editionOf(ctx) {
		return nil, article.ErrNotFound
	}
	if base == "updates" {
		if !a.LiveBlog {
			return nil, article.ErrNotFound
		}
		return s.updatesFeed(r, a, format)
	}
	return s.commentFeed(ctx, a, format)
}

// commentFeed is the feed of the newest approved comments of a.
func (s *Server) commentFeed(ctx context.Context, a *article.Article, format string) (*response, error) {
	list, err := s.store.Thread(ctx, comment.Query{ArticleID: a.ID, Newest: true, Limit: 50})
	if err != nil {
		return nil, err
	}
	page := s.baseURL + articlePath(a)
	f := feed.Feed{Title: a.Headline, Description: a.Standfirst, Language: a.Language, Link: page, Self: page + "/comments." + format,
		ID: page + "#comments", Updated: a.PublishedAt}
	for _, c := range list {
		if c.Status != comment.Approved {
			continue
		}
		html, err := s.commentMD.RenderStored(ctx, c.HTML, c.Body)
		if err != nil {
			return nil, err
		}
		link := page + "#c-" + strconv.FormatInt(c.ID, 10)
		// The summary is plain text: the rendered comment's words, not its
		// Markdown.
		it := feed.Item{ID: link, Title: c.Name, Link: link, ContentHTML: html, Summary: feed.PlainText(html),
			Authors: []feed.Person{{Name: c.Name}}, Published: c.CreatedAt}
		if !c.EditedAt.IsZero() {
			it.Updated = c.EditedAt
		}
		f.Items = append(f.Items, it)
		if c.CreatedAt.After(f.Updated) {
			f.Updated = c.CreatedAt
		}
	}
	return writeFeed(format, f, []string{article.KeyArticle(a.ID), article.KeyComments(a.ID)})
}
