package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

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
	// Translations are the article's published versions in the site's
	// other editions.
	Translations []translation
	// MostRead are the site's most read lists.
	MostRead []mostReadList
	Preview  bool // not published: say so instead of a publication time
	// Embeds says the body holds embed placeholders: the page loads
	// embed.js.
	Embeds bool
	// Comments is the discussion under the article; nil in previews.
	Comments *discussionView
	// Live is a published live blog's updates; nil for other articles.
	Live *liveView
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
	case a.Section.Slug != r.PathValue("section") || a.Section.Edition != editionOf(ctx):
		return &response{redirect: articlePath(a)}, nil
	}
	resp, err := s.articlePage(r, v, a, s.newForm(a.ID), nil)
	if err == nil {
		resp.viewOf = a.ID // a reader served this page has read the article
	}
	return resp, err
}

// articlePage renders an article with its discussion and a comment form
// holding form (empty, or what the reader typed) and errs beside its fields.
func (s *Server) articlePage(r *http.Request, v *view, a *article.Article, form commentForm, errs comment.FieldErrors) (*response, error) {
	ctx := r.Context()
	// The discussion is read while More Articles and their comment counts
	// are, and the body rendered: none needs another, and on PostgreSQL
	// each is a round trip.
	thread, updates := make(chan error, 1), make(chan error, 1)
	var discussion *discussionView
	go func() {
		var err error
		discussion, err = s.discussion(r, v, a)
		thread <- err
	}()
	// A live blog's updates, likewise.
	var live *liveView
	if a.LiveBlog && a.Visible() {
		go func() {
			var err error
			live, err = s.liveBlog(r, v, a)
			updates <- err
		}()
	} else {
		updates <- nil
	}
	parts, err := s.articleParts(r, v, a)
	for _, c := range []chan error{thread, updates} {
		if cerr := <-c; err == nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, err
	}
	discussion.Count = v.counts[a.ID]
	if form.Parent == 0 {
		form.Parent, _ = strconv.ParseInt(r.URL.Query().Get("reply"), 10, 64)
	}
	discussion.Form, discussion.Errors = form, errs
	v.Title = a.Headline
	v.Description = a.Standfirst
	if v.Description == "" {
		v.Description = summary(parts.body)
	}
	v.Canonical = s.abs(articlePath(a))
	translations, err := s.translations(ctx, v, a)
	if err != nil {
		return nil, err
	}
	s.articleMeta(v, a, translations)
	v.Feeds = feedLinks(v.Site.Title, v.Under("/feed"))
	if live != nil {
		s.liveMeta(v, a, live)
		v.Feeds = append(v.Feeds, feedLinks(v.T("live.feed_title", a.Headline), live.Feed)...)
	}
	if a.Visible() {
		v.Feeds = append(v.Feeds, feedLinks(v.T("comments.title")+": "+a.Headline, articlePath(a)+"/comments")...)
	}
	v.Current = a.Section.Slug
	shown := parts.body
	if live != nil {
		shown += live.bodies()
	}
	frames := embedOrigins(shown)
	if live != nil {
		live.Frames = strings.Join(frames, " ")
	}
	v.Data = articleView{
		Article:  a,
		Body:     template.HTML(parts.body),
		Embeds:   len(frames) > 0,
		Lang:     a.Language,
		Dir:      i18n.Dir(a.Language),
		More:     parts.more,
		Comments: discussion,
		Live:     live,
	}
	av := v.Data.(articleView)
	for _, t := range translations {
		if t.ID != a.ID {
			av.Translations = append(av.Translations, translation{Article: t, Name: i18n.For(t.Language).T("language.name")})
		}
	}
	v.Data = av
	mostRead, err := s.mostRead(ctx, v)
	if err != nil {
		return nil, err
	}
	av = v.Data.(articleView)
	av.MostRead = mostRead
	v.Data = av
	keys := append(parts.countKeys, article.KeyArticle(a.ID), article.KeyRelated(a.ID), article.KeySectionList(a.Section.ID),
		article.KeyTranslations(a.Original()))
	for _, m := range parts.more {
		keys = append(keys, article.KeyArticle(m.ID)) // gone from the box when withdrawn
	}
	if live != nil {
		keys = append(keys, article.KeyLiveBlog(a.ID))
	}
	resp := &response{template: "article", view: v, keys: keys, csp: s.framing(frames)}
	for _, au := range a.Authors {
		resp.tags = append(resp.tags, "author-"+strconv.FormatInt(au.ID, 10))
	}
	resp.expires = s.now().Add(mostReadAge)
	if !discussion.Closed {
		// The form must not outlive the discussion on a cached page.
		resp.expires = earliest(resp.expires, v.Site.CommentsCloseAt(a))
	}
	return resp, nil
}

// translation is a version of an article in another edition, named in
// its own language.
type translation struct {
	article.Article
	Name string
}

// translations returns the published articles of a's translation group in
// the site's editions, a among them, main edition first; none when a
// stands alone. A page lists the others and names them all as its
// alternates (hreflang), the main edition's, or else the original, as the
// x-default.
func (s *Server) translations(ctx context.Context, v *view, a *article.Article) ([]article.Article, error) {
	if !a.Visible() || (a.TranslationOf == 0 && len(v.Site.Editions) == 0) {
		return nil, nil
	}
	group, err := s.store.Translations(ctx, a.Original())
	if err != nil {
		return nil, err
	}
	group = slices.DeleteFunc(group, func(t article.Article) bool {
		_, ok := v.Site.Edition(t.Section.Edition)
		return !ok || !t.Visible()
	})
	if len(group) < 2 {
		return nil, nil
	}
	v.Alternates = append(v.Alternates, versions(group, s.abs)...)
	return group, nil
}

// oneEachLanguage keeps the first article of group in each language: two
// editions may hold a story in one language (an English article in the
// Russian edition), and hreflang names one page a language.
func oneEachLanguage(group []article.Article) []article.Article {
	seen := map[string]bool{}
	var out []article.Article
	for _, a := range group {
		if !seen[a.Language] {
			seen[a.Language] = true
			out = append(out, a)
		}
	}
	return out
}

// defaultVersion is the version of a story for readers whose language has
// none (hreflang x-default): the main edition's, or else the original.
// group is ordered main edition first.
func defaultVersion(group []article.Article) *article.Article {
	for i := range group {
		if group[i].Section.Edition == "" {
			return &group[i]
		}
	}
	for i := range group {
		if group[i].ID == group[i].Original() {
			return &group[i]
		}
	}
	return &group[0]
}

// articleParts is an article page's body and More Articles, with the
// cache keys of the comment counts shown for them.
type articleParts struct {
	body      string
	more      []article.Article
	countKeys []string
}

// articleParts renders the body of a and finds its More Articles and the
// comment counts of both (into v).
func (s *Server) articleParts(r *http.Request, v *view, a *article.Article) (p articleParts, err error) {
	ctx := r.Context()
	if p.body, err = s.md.RenderStored(ctx, a.BodyHTML, a.Body); err != nil {
		return p, err
	}
	// More Articles by content; a preview of an unpublished article has
	// no place in the index yet, and gets its section's latest.
	if a.Visible() {
		p.more, err = s.moreArticles(ctx, a.ID)
		// Related by content, but read in the page's edition.
		p.more = slices.DeleteFunc(slices.Clone(p.more), func(m article.Article) bool { return m.Section.Edition != a.Section.Edition })
	} else {
		var list article.List
		list, err = s.store.Articles(ctx, article.Query{SectionID: a.Section.ID, ExcludeID: a.ID, Limit: moreArticles})
		p.more = list.Articles
	}
	if err != nil {
		return p, err
	}
	// The counts of the article's comments and of More Articles', in one
	// question.
	p.countKeys, err = s.withCounts(r, v, []article.Article{*a}, p.more)
	return p, err
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
	Page   *article.Page
	Body   template.HTML
	Dir    string
	Embeds bool // as articleView's
}

// GET /{slug}: a section front, or else a static page. Section and page
// slugs share one namespace.
func (s *Server) sectionOrPage(r *http.Request) (*response, error) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	if base, format, ok := splitFeed(slug); ok {
		// GET /feed.rss|atom|json, GET /{section}.rss|atom|json
		if base == "feed" {
			return s.siteFeed(r, format)
		}
		sec, err := s.store.SectionBySlug(ctx, base)
		if err != nil {
			return nil, err
		}
		if sec.Edition != editionOf(ctx) {
			return nil, article.ErrNotFound
		}
		return s.articleFeed(ctx, format, sec.Name, sec.Description, "/"+sec.Slug, article.Query{SectionID: sec.ID}, []string{article.KeySectionList(sec.ID)})
	}
	sec, err := s.store.SectionBySlug(ctx, slug)
	if err == nil && sec.Edition != editionOf(ctx) {
		// A section's address names its edition; the other is an old link.
		return &response{redirect: sec.Path()}, nil
	}
	if err == nil {
		return s.archive(r, archiveSpec{
			feeds: feedLinks(sec.Name, sec.Path()),
			kind:  "section", current: sec.Slug, heading: sec.Name, description: sec.Description,
			query: article.Query{SectionID: sec.ID}, key: article.KeySectionList(sec.ID),
		})
	}
	if !errors.Is(err, article.ErrNotFound) {
		return nil, err
	}
	if editionOf(ctx) != "" {
		// Static pages are the main edition's.
		return nil, article.ErrNotFound
	}
	p, err := s.store.PageBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	body, err := s.md.Render(ctx, p.Body)
	if err != nil {
		return nil, err
	}
	v, err := s.newView(ctx)
	if err != nil {
		return nil, err
	}
	v.Title = p.Title
	v.Description = summary(body)
	v.Canonical = s.abs("/" + p.Slug)
	s.shareMeta(v, share{kind: "website", title: p.Title, url: v.Canonical, description: v.Description, lang: p.Language})
	frames := embedOrigins(body)
	v.Data = pageView{Page: p, Body: template.HTML(body), Dir: i18n.Dir(p.Language), Embeds: len(frames) > 0}
	return &response{template: "page", view: v, csp: s.framing(frames)}, nil
}
