package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"broadsheet/internal/article"
)

// The Content API shows readers exactly what the site shows them: published
// articles. A draft, scheduled or unpublished article is a 404, the same
// answer as an id that never existed.

// ok sends a Content API response, which any cache may keep for a minute.
func ok(w http.ResponseWriter, v any) error {
	w.Header().Set("Cache-Control", contentCache)
	writeJSON(w, http.StatusOK, v)
	return nil
}

type articleList struct {
	Articles []articleJSON `json:"articles"`
	Next     *string       `json:"next"` // pass as ?before= for older articles
	Prev     *string       `json:"prev"` // pass as ?after= for newer articles
}

func cursorOrNull(c *article.Cursor) *string {
	if c == nil {
		return nil
	}
	s := c.String()
	return &s
}

// GET /api/v1/articles
func (h *handler) listArticles(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	var query article.Query
	var err error
	if query.Limit, err = queryLimit(r, article.DefaultLimit, article.MaxLimit); err != nil {
		return err
	}
	before, after := q.Get("before"), q.Get("after")
	switch {
	case before != "" && after != "":
		return badRequest("give before or after, not both")
	case before != "":
		if query.Before, err = article.ParseCursor(before); err != nil {
			return badRequest("before is not a cursor this API gave out")
		}
	case after != "":
		if query.After, err = article.ParseCursor(after); err != nil {
			return badRequest("after is not a cursor this API gave out")
		}
	}
	if query.SectionID, query.AuthorID, err = h.sectionAndAuthor(ctx, q); err != nil {
		return err
	}
	if slug := q.Get("tag"); slug != "" {
		// An unknown tag is an empty list, not a 404: a tag exists as soon
		// as a draft names it, and a 404 would tell the two apart. A tag
		// only unpublished articles carry answers exactly as an unknown one.
		t, err := h.publishedTag(ctx, slug)
		if err != nil {
			return err
		}
		if t == nil {
			return ok(w, articleList{Articles: []articleJSON{}})
		}
		query.TagID = t.ID
	}
	list, err := h.store.Articles(ctx, query)
	if err != nil {
		return err
	}
	res := articleList{Articles: make([]articleJSON, 0, len(list.Articles)), Next: cursorOrNull(list.Older), Prev: cursorOrNull(list.Newer)}
	for i := range list.Articles {
		res.Articles = append(res.Articles, h.article(&list.Articles[i], false))
	}
	return ok(w, res)
}

// GET /api/v1/articles/{id}
func (h *handler) getArticle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := h.store.ArticleByID(r.Context(), id)
	if err != nil {
		return err
	}
	return h.published(w, r, a)
}

// GET /api/v1/articles/by-slug/{slug}
func (h *handler) getArticleBySlug(w http.ResponseWriter, r *http.Request) error {
	a, err := h.store.ArticleBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	return h.published(w, r, a)
}

// published sends a if readers may see it, with its body also rendered.
func (h *handler) published(w http.ResponseWriter, r *http.Request, a *article.Article) error {
	if !a.Visible() {
		return article.ErrNotFound
	}
	j := h.article(a, true)
	html, err := h.md.RenderStored(r.Context(), a.BodyHTML, a.Body)
	if err != nil {
		return err
	}
	j.BodyHTML = &html
	return ok(w, j)
}

// GET /api/v1/sections
func (h *handler) listSections(w http.ResponseWriter, r *http.Request) error {
	ss, err := h.sections(r.Context())
	if err != nil {
		return err
	}
	return ok(w, ss)
}

// GET /api/v1/authors
func (h *handler) listAuthors(w http.ResponseWriter, r *http.Request) error {
	as, err := h.authors(r.Context())
	if err != nil {
		return err
	}
	return ok(w, as)
}

// GET /api/v1/tags
func (h *handler) listTags(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.publishedTags(r.Context())
	if err != nil {
		return err
	}
	res := tagList{make([]tagJSON, 0, len(ts))}
	for i := range ts {
		res.Tags = append(res.Tags, h.tagJSON(&ts[i]))
	}
	return ok(w, res)
}

// publishedTags returns the tags on at least one published article. A tag
// is created the moment a draft names it, so the whole list would tell
// readers what unpublished stories are about.
func (h *handler) publishedTags(ctx context.Context) ([]article.Tag, error) {
	return h.store.PublishedTags(ctx)
}

// publishedTag returns the tag with that slug if a published article carries
// it, and nil otherwise: unknown and unpublished-only tags look alike.
func (h *handler) publishedTag(ctx context.Context, slug string) (*article.Tag, error) {
	ts, err := h.publishedTags(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		if ts[i].Slug == slug {
			return &ts[i], nil
		}
	}
	return nil, nil
}

type tagList struct {
	Tags []tagJSON `json:"tags"`
}

type sectionList struct {
	Sections []sectionJSON `json:"sections"`
}

func (h *handler) sections(ctx context.Context) (sectionList, error) {
	ss, err := h.store.Sections(ctx)
	if err != nil {
		return sectionList{}, err
	}
	res := sectionList{Sections: make([]sectionJSON, 0, len(ss))}
	for i := range ss {
		res.Sections = append(res.Sections, h.sectionJSON(&ss[i]))
	}
	return res, nil
}

type authorList struct {
	Authors []authorJSON `json:"authors"`
}

func (h *handler) authors(ctx context.Context) (authorList, error) {
	as, err := h.store.Authors(ctx)
	if err != nil {
		return authorList{}, err
	}
	res := authorList{Authors: make([]authorJSON, 0, len(as))}
	for i := range as {
		res.Authors = append(res.Authors, h.authorJSON(&as[i]))
	}
	return res, nil
}

// sectionAndAuthor resolves the section and author filters both article
// lists take, by slug; an unknown slug is a 404 naming it.
func (h *handler) sectionAndAuthor(ctx context.Context, q url.Values) (sectionID, authorID int64, err error) {
	if slug := q.Get("section"); slug != "" {
		s, err := h.store.SectionBySlug(ctx, slug)
		if errors.Is(err, article.ErrNotFound) {
			return 0, 0, notFound("there is no section %q", slug)
		} else if err != nil {
			return 0, 0, err
		}
		sectionID = s.ID
	}
	if slug := q.Get("author"); slug != "" {
		a, err := h.store.AuthorBySlug(ctx, slug)
		if errors.Is(err, article.ErrNotFound) {
			return 0, 0, notFound("there is no author %q", slug)
		} else if err != nil {
			return 0, 0, err
		}
		authorID = a.ID
	}
	return sectionID, authorID, nil
}
