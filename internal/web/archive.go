package web

import (
	"net/http"
	"net/url"
	"slices"

	"broadsheet/internal/article"
)

// archiveView is one page of a section, tag, author or latest listing.
type archiveView struct {
	Kind        string
	Heading     string
	Description string
	Author      *article.Author
	Articles    []article.Article
	NewerURL    string
	OlderURL    string
}

type archiveSpec struct {
	kind, heading, description string
	feeds                      []feedLink
	current                    string
	author                     *article.Author
	query                      article.Query
	key                        string
}

const archivePageSize = 12

// archive renders one keyset page: ?before=CURSOR walks to older articles,
// ?after=CURSOR back to newer ones.
func (s *Server) archive(r *http.Request, spec archiveSpec) (*response, error) {
	ctx := r.Context()
	q := spec.query
	q.Limit = archivePageSize
	q.OneEdition, q.Edition = true, editionOf(ctx)
	params := r.URL.Query()
	before, after := params.Get("before"), params.Get("after")
	if len(params["before"]) > 1 || len(params["after"]) > 1 || (before != "" && after != "") {
		return nil, badRequest("error.400.cursors")
	}
	var err error
	if before != "" {
		if q.Before, err = article.ParseCursor(before); err != nil {
			return nil, badRequest("error.400.cursor")
		}
	}
	if after != "" {
		if q.After, err = article.ParseCursor(after); err != nil {
			return nil, badRequest("error.400.cursor")
		}
	}
	list, err := s.store.Articles(ctx, q)
	if err != nil {
		return nil, err
	}
	v, err := s.newView(ctx)
	if err != nil {
		return nil, err
	}
	if spec.heading == "" {
		spec.heading = v.T("archive." + spec.kind)
	}
	av := archiveView{Kind: spec.kind, Heading: spec.heading, Description: spec.description, Author: spec.author, Articles: list.Articles}
	if list.Newer != nil {
		av.NewerURL = requestPath(r) + "?after=" + url.QueryEscape(list.Newer.String())
	}
	if list.Older != nil {
		av.OlderURL = requestPath(r) + "?before=" + url.QueryEscape(list.Older.String())
	}
	v.Title = spec.heading
	v.Description = spec.description
	if v.Description == "" {
		// Every archive says what it holds, for search results and
		// link previews; a tag has no description of its own.
		v.Description = v.T("archive."+spec.kind+"_description", spec.heading, v.Site.Title)
	}
	// Every page of an archive is its own canonical page; the first has no cursor.
	v.Canonical = s.abs(requestPath(r))
	if q.Before != nil || q.After != nil {
		v.Canonical += "?" + r.URL.RawQuery
	}
	v.Current = spec.current
	if spec.kind == "latest" && q.Before == nil && q.After == nil {
		// Every edition has its latest articles: the same page in each
		// language.
		s.editionAlternates(v, "/latest")
	}
	v.Data = av
	v.Feeds = spec.feeds
	if spec.kind == "section" || spec.kind == "latest" {
		v.Feeds = append(v.Feeds, feedLinks(v.Site.Title, v.Under("/feed"))...)
	}
	s.archiveMeta(v, spec, list.Articles)
	keys, err := s.withCounts(r, v, list.Articles)
	if err != nil {
		return nil, err
	}
	return &response{template: "archive", view: v, keys: append(keys, spec.key)}, nil
}

// GET /latest
func (s *Server) latest(r *http.Request) (*response, error) {
	return s.archive(r, archiveSpec{kind: "latest", current: "/latest", key: article.KeyAllArticles})
}

// GET /tag/{slug}
func (s *Server) tagArchive(r *http.Request) (*response, error) {
	slug, format, isFeed := splitFeed(r.PathValue("slug"))
	if !isFeed {
		slug = r.PathValue("slug")
	}
	t, err := s.store.TagBySlug(r.Context(), slug)
	if err != nil {
		return nil, err
	}
	if isFeed {
		// GET /tag/{slug}.rss|atom|json
		return s.articleFeed(r.Context(), format, t.Name, "", "/tag/"+t.Slug, article.Query{TagID: t.ID}, []string{article.KeyTagList(t.ID)})
	}
	resp, err := s.archive(r, archiveSpec{kind: "tag", heading: t.Name, query: article.Query{TagID: t.ID}, key: article.KeyTagList(t.ID),
		feeds: feedLinks(t.Name, inEdition(r.Context(), "/tag/"+t.Slug))})
	if err == nil && len(resp.view.Data.(archiveView).Articles) == 0 {
		// A tag only drafts use must not give their story away by its name.
		return nil, article.ErrNotFound
	}
	return resp, err
}

// GET /author/{slug}
func (s *Server) authorArchive(r *http.Request) (*response, error) {
	slug, format, isFeed := splitFeed(r.PathValue("slug"))
	if !isFeed {
		slug = r.PathValue("slug")
	}
	a, err := s.store.AuthorBySlug(r.Context(), slug)
	if err != nil {
		return nil, err
	}
	if isFeed {
		// GET /author/{slug}.rss|atom|json
		return s.articleFeed(r.Context(), format, a.Name, a.Bio, "/author/"+a.Slug, article.Query{AuthorID: a.ID}, []string{article.KeyAuthorList(a.ID)})
	}
	return s.archive(r, archiveSpec{kind: "author", heading: a.Name, description: a.Bio, author: a,
		query: article.Query{AuthorID: a.ID}, key: article.KeyAuthorList(a.ID), feeds: feedLinks(a.Name, inEdition(r.Context(), "/author/"+a.Slug))})
}

// correctionsView is the public list of corrections.
type correctionsView struct {
	Notes []article.Note
}

// GET /corrections
func (s *Server) corrections(r *http.Request) (*response, error) {
	ctx := r.Context()
	notes, err := s.store.Corrections(ctx, 200)
	if err != nil {
		return nil, err
	}
	// Each edition lists the corrections of its own articles.
	notes = slices.DeleteFunc(notes, func(n article.Note) bool { return n.Article.Section.Edition != editionOf(ctx) })
	v, err := s.newView(ctx)
	if err != nil {
		return nil, err
	}
	v.Title = v.T("corrections.title")
	v.Description = v.T("corrections.intro")
	v.Canonical = s.abs(v.Under("/corrections"))
	s.editionAlternates(v, "/corrections")
	v.Data = correctionsView{Notes: notes}
	return &response{template: "corrections", view: v, keys: []string{article.KeyCorrections}}, nil
}
