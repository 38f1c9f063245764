package web

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/i18n"
)

// articleView is the article page.
type articleView struct {
	Article *article.Article
	Body    template.HTML // sanitised by markup
	Lang    string
	Dir     string
	More    []article.Article
	// MostRead are the site's most read lists.
	MostRead []mostReadList
	Preview  bool // not published: say so instead of a publication time
	// Comments is the discussion under the article; nil in previews.
	Comments *discussionView
}

const moreArticles = 5

// GET /{section}/{slug}
func (s *Server) article(r *http.Request) (*response, error) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	a, err := s.store.ArticleBySlug(ctx, slug)
	if errors.Is(err, article.ErrNotFound) {
		return s.redirectOldSlug(r, slug)
	}
	if err != nil {
		return nil, err
	}
	v, err := s.newView(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case a.Status == article.Unpublished && a.ReplacedBy != 0:
		if repl, err := s.store.ArticleByID(ctx, a.ReplacedBy); err == nil && repl.Visible() {
			return &response{redirect: articlePath(repl)}, nil
		}
		fallthrough
	case a.Status == article.Unpublished:
		// Cached like any page, and dropped when the article changes again.
		v = s.errorView(ctx, http.StatusGone, "")
		return &response{status: http.StatusGone, template: "error", view: v, keys: []string{article.KeyArticle(a.ID)}}, nil
	case !a.Visible():
		return nil, article.ErrNotFound
	case a.Section.Slug != r.PathValue("section"):
		return &response{redirect: articlePath(a)}, nil
	}
	return s.articlePage(r, v, a, s.newForm(a.ID), nil)
}

// articlePage renders an article with its discussion and a comment form
// holding form (empty, or what the reader typed) and errs beside its fields.
func (s *Server) articlePage(r *http.Request, v *view, a *article.Article, form commentForm, errs comment.FieldErrors) (*response, error) {
	ctx := r.Context()
	body, err := s.md.Render(a.Body)
	if err != nil {
		return nil, err
	}
	more, err := s.store.Articles(ctx, article.Query{SectionID: a.Section.ID, ExcludeID: a.ID, Limit: moreArticles})
	if err != nil {
		return nil, err
	}
	discussion, err := s.discussion(r, v, a)
	if err != nil {
		return nil, err
	}
	if form.Parent == 0 {
		form.Parent, _ = strconv.ParseInt(r.URL.Query().Get("reply"), 10, 64)
	}
	discussion.Form, discussion.Errors = form, errs
	v.Title = a.Headline
	v.Description = a.Standfirst
	v.Canonical = s.baseURL + articlePath(a)
	s.articleMeta(v, a)
	v.Current = a.Section.Slug
	v.Data = articleView{
		Article:  a,
		Body:     template.HTML(body),
		Lang:     a.Language,
		Dir:      i18n.Dir(a.Language),
		More:     more.Articles,
		Comments: discussion,
	}
	mostRead, err := s.mostRead(ctx, v)
	if err != nil {
		return nil, err
	}
	av := v.Data.(articleView)
	av.MostRead = mostRead
	v.Data = av
	countKeys, err := s.withCounts(r, v, more.Articles)
	if err != nil {
		return nil, err
	}
	resp := &response{template: "article", view: v, keys: append(countKeys, article.KeyArticle(a.ID), article.KeySectionList(a.Section.ID))}
	resp.expires = s.now().Add(mostReadAge)
	if !discussion.Closed {
		// The form must not outlive the discussion on a cached page.
		resp.expires = earliest(resp.expires, v.Site.CommentsCloseAt(a))
	}
	return resp, nil
}

// redirectOldSlug sends a reader who followed an article's former address
// to where it lives now.
func (s *Server) redirectOldSlug(r *http.Request, old string) (*response, error) {
	ctx := r.Context()
	slug, err := s.store.RedirectSlug(ctx, old)
	if err != nil {
		return nil, err // ErrNotFound becomes the 404 page
	}
	a, err := s.store.ArticleBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !a.Visible() && a.Status != article.Unpublished {
		return nil, article.ErrNotFound
	}
	return &response{redirect: articlePath(a)}, nil
}

// pageView is a static page.
type pageView struct {
	Page *article.Page
	Body template.HTML
	Dir  string
}

// GET /{slug}: a section front, or else a static page. Section and page
// slugs share one namespace.
func (s *Server) sectionOrPage(r *http.Request) (*response, error) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	sec, err := s.store.SectionBySlug(ctx, slug)
	if err == nil {
		return s.archive(r, archiveSpec{
			kind: "section", current: sec.Slug, heading: sec.Name, description: sec.Description, section: sec,
			query: article.Query{SectionID: sec.ID}, key: article.KeySectionList(sec.ID),
		})
	}
	if !errors.Is(err, article.ErrNotFound) {
		return nil, err
	}
	p, err := s.store.PageBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	body, err := s.md.Render(p.Body)
	if err != nil {
		return nil, err
	}
	v, err := s.newView(ctx)
	if err != nil {
		return nil, err
	}
	v.Title = p.Title
	v.Canonical = s.baseURL + "/" + p.Slug
	v.Data = pageView{Page: p, Body: template.HTML(body), Dir: i18n.Dir(p.Language)}
	return &response{template: "page", view: v}, nil
}
