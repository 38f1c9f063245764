package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/i18n"
)

// pageNames are the templates in templates/, each defining "main".
var pageNames = []string{"home", "article", "archive", "page", "error", "corrections", "subscribe", "search"}

func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		if t.Lookup("main") == nil {
			return nil, fmt.Errorf("web: template %s defines no \"main\"", name)
		}
		pages[name] = t
	}
	return pages, nil
}

var funcs = template.FuncMap{
	// card passes an article and the root view to the card partial, with
	// the level of its headline (a byline needs none).
	"card": func(v *view, a article.Article, size string, level ...int) map[string]any {
		m := map[string]any{"V": v, "A": a, "Size": size, "Level": 3}
		if len(level) > 0 {
			m["Level"] = level[0]
		}
		return m
	},
	"dir": i18n.Dir,
	"add": func(a, b int) int { return a + b },
	// storyWidth is the size of an image a story's Markdown names.
	"storyWidth": storyWidthOf,
	"kilobytes":  func(n int64) int64 { return (n + 1023) / 1024 },
	"runes":      func(s string) int { return utf8.RuneCountInString(s) },
	// mdText and mdTitle write words into Markdown's link text and title
	// so that they stay words: the media page's snippets to copy.
	"mdText":  strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`).Replace,
	"mdTitle": strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace,
	// clip cuts s to n characters at most, marking the cut with an ellipsis.
	"clip": truncateRunes,
	// dict passes named values to a partial: dict "V" $v "Box" $box.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

// view is the data every template receives: the site frame plus Data, the
// page's own content.
type view struct {
	Site        article.Site
	Sections    []article.Section
	Pages       []article.Page // static pages, linked from the footer
	Lang, Dir   string
	Title       string // the page's own title; the layout adds the site's
	Description string
	Canonical   string
	Current     string // navigation entry to mark: "/", "/latest" or a section slug
	NoIndex     bool
	Stylesheet  string
	Now         time.Time
	Data        any
	Banner      *article.Banner // shown site-wide while active
	Meta        []metaTag       // OpenGraph and Twitter card tags
	JSONLD      []jsonLD        // schema.org structured data
	Feeds       []feedLink      // <link rel="alternate"> feeds of the page
	Alternates  []alternate     // the page in other languages (hreflang)
	// Edition is the edition the page is in; EditionLinks lead to every
	// edition's front page when the site has more than one.
	Edition      article.Edition
	EditionLinks []editionLink
	counts       map[int64]int // approved comments per listed article

	// Newsroom pages.
	User            *account.User
	Notice          string
	AdminStylesheet string

	cat      *i18n.Catalog
	loc      *time.Location
	external *externalWidget // a third-party anti-bot widget, when configured
	assetURL func(string) string
}

func (s *Server) newView(ctx context.Context) (*view, error) {
	f, err := s.siteFrame(ctx)
	if err != nil {
		return nil, err
	}
	site := f.site
	v := s.bareView()
	v.Site, v.Sections, v.Pages = site, f.sections, f.pages
	if f.banner.Active(s.now()) {
		banner := f.banner
		v.Banner = &banner
	}
	v.loc = site.Location()
	v.setEdition(site, editionOf(ctx), f.sections)
	return v, nil
}

// bareView is the frame used when the database cannot be asked.
func (s *Server) bareView() *view {
	v := &view{
		Site: article.DefaultSite, Lang: "en", Dir: "ltr",
		Stylesheet: s.assetURL("style.css"), Now: s.now(), assetURL: s.assetURL,
		cat: i18n.For("en"), loc: time.UTC,
	}
	if w, ok := challenge.Widgets[s.external.GetProvider()]; ok {
		v.external = &externalWidget{Script: w.Script, Class: w.Class, SiteKey: s.siteKey}
	}
	return v
}

// T translates a UI message.
func (v *view) T(key string, args ...any) string { return v.cat.T(key, args...) }

// Forms is the message of key in each plural form, as JSON for a script.
func (v *view) Forms(key string) (string, error) {
	b, err := json.Marshal(v.cat.Forms(key))
	return string(b), err
}

// Date formats t as a date in the site's time zone.
func (v *view) Date(t time.Time) string { return v.cat.Date(t.In(v.loc)) }

// DateTime formats t with its time of day in the site's time zone.
func (v *view) DateTime(t time.Time) string { return v.cat.DateTime(t.In(v.loc)) }

// Digits are the page's digits, 0 to 9, for a script that writes
// numbers as the page does.
func (v *view) Digits() string { return v.cat.Digits("0123456789") }

// ISO formats t for <time datetime>.
func (v *view) ISO(t time.Time) string { return t.In(v.loc).Format(time.RFC3339) }

// LiveNow reports whether a is a live blog whose coverage is open: its
// card says "Live".
func (v *view) LiveNow(a article.Article) bool { return a.Live() }

// ArticleURL is the canonical path of an article.
func (v *view) ArticleURL(a article.Article) string { return a.Path() }

func articlePath(a *article.Article) string { return a.Path() }

// ImageURL is the path of one stored width of an image.
func (v *view) ImageURL(img *article.Image, width int) string {
	return "/media/" + strconv.FormatInt(img.ID, 10) + "/" + strconv.Itoa(width) + ".jpg"
}

// Src is the image's largest stored width up to max, for browsers that
// ignore srcset.
func (v *view) Src(img *article.Image, max int) string {
	best := 0
	for _, w := range img.Variants {
		if w <= max || best == 0 {
			best = w
		}
	}
	return v.ImageURL(img, best)
}

// Srcset lists every stored width so the browser picks what the screen needs.
func (v *view) Srcset(img *article.Image) string {
	parts := make([]string, 0, len(img.Variants))
	for _, w := range img.Variants {
		parts = append(parts, v.ImageURL(img, w)+" "+strconv.Itoa(w)+"w")
	}
	return strings.Join(parts, ", ")
}

// ReadingTime is the estimated minutes to read a.
func (v *view) ReadingTime(a article.Article) int { return article.ReadingTime(a.Body) }

// Asset is the fingerprinted URL of a static file.
func (v *view) Asset(name string) string { return v.assetURL(name) }

// CommentCount is the number of approved comments on an article in a listing.
func (v *view) CommentCount(id int64) int { return v.counts[id] }

// withCounts loads comment counts for every article the page lists and
// returns the cache keys that make the page follow them.
func (s *Server) withCounts(r *http.Request, v *view, lists ...[]article.Article) ([]string, error) {
	var ids []int64
	for _, l := range lists {
		for _, a := range l {
			ids = append(ids, a.ID)
		}
	}
	counts, err := s.store.ApprovedCount(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	v.counts = counts
	keys := make([]string, 0, len(ids))
	for _, id := range ids {
		keys = append(keys, article.KeyComments(id))
	}
	return keys, nil
}

// Allowed reports whether the signed-in user may use a newsroom area, for
// showing only the links that will work.
func (v *view) Allowed(area string) bool {
	perm, ok := map[string]account.Permission{
		"taxonomy": account.ManageTaxonomy, "users": account.ManageUsers, "audit": account.ViewAudit, "publish": account.PublishOwn,
		"settings": account.ManageSettings,
	}[area]
	return ok && v.User.Can(perm)
}

// UIAttrs marks interface text (bylines, dates, labels) inside content in
// another language with the site's own language and direction, so "3 min
// read" inside a Persian article still reads left to right.
func (v *view) UIAttrs(contentLang string) template.HTMLAttr {
	if contentLang == v.Lang {
		return ""
	}
	return template.HTMLAttr(` lang="` + template.HTMLEscapeString(v.Lang) + `" dir="` + v.Dir + `"`)
}

// Sep is what goes before the i-th of n names in a byline: nothing, the
// language's comma, or the word for "and" before the last.
func (v *view) Sep(i, n int) string {
	switch {
	case i == 0:
		return ""
	case i == n-1:
		return " " + v.T("article.and") + " "
	}
	return v.cat.Comma() + " "
}

// response is what a public page handler produces: a template to render
// with the cache keys of everything it shows, or a redirect.
type response struct {
	status   int
	template string
	view     *view
	keys     []string
	redirect string
	// raw is a finished body (a feed) served instead of a template.
	raw         []byte
	contentType string
	// expires, when set, is when the page stops being true without any
	// write: an article's comments closing by age.
	expires time.Time
	// viewOf is the article whose reading this page counts (0: none).
	viewOf int64
	// csp, when set, replaces the site's Content-Security-Policy: a page
	// with embeds lets their frames in (framing).
	csp []string
	// tags are CDN tags the page shows beyond those of its keys
	// (cdnTagHeaders).
	tags []string
}

type pageFunc func(r *http.Request) (*response, error)

// askedQueryKey holds in a page's context the raw query as the reader
// asked it, when the page is rendered with less of it (canonicalQuery).
type askedQueryKey struct{}

// askedQuery is r's raw query as the reader asked it.
func askedQuery(r *http.Request) string {
	if q, ok := r.Context().Value(askedQueryKey{}).(string); ok {
		return q
	}
	return r.URL.RawQuery
}

// page serves fn's output through the rendered-page cache. params are the
// query parameters fn reads: the page is cached, and fn sees the query,
// with those alone, each in its one form (canonicalQuery).
func (s *Server) page(fn pageFunc, params ...queryParam) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		path := requestPath(r)
		url := path
		if r.URL.RawQuery != "" {
			reads := params
			if _, _, feed := splitFeed(path[strings.LastIndexByte(path, '/')+1:]); feed {
				reads = nil // a feed reads none: /city.rss is on an archive's route
			}
			q := canonicalQuery(r.URL.RawQuery, reads)
			if q != "" {
				url = path + "?" + q
			}
			if q != r.URL.RawQuery {
				// The page is rendered without what it is cached without;
				// an old address it does not find is still looked up as
				// asked (redirectOld).
				r2 := r.WithContext(context.WithValue(r.Context(), askedQueryKey{}, r.URL.RawQuery))
				u := *r.URL
				u.RawQuery, u.ForceQuery = q, false
				r2.URL = &u
				r = r2
			}
		}
		if ownHashes(r) != nil {
			// A recent commenter sees their own held comments: that page
			// is theirs alone, rendered fresh and never stored.
			s.renderFresh(w, r, fn)
			return
		}
		if c := s.cache.get(url, s.now()); c != nil {
			s.serveCached(w, r, c)
			s.countView(r, c.viewOf)
			return
		}
		f, leader := s.cache.join(url)
		var c *cached
		if leader {
			c = s.lead(w, r, fn, url, f)
		} else {
			select {
			case <-f.done:
			case <-r.Context().Done():
				return // the reader left
			}
			if c = f.c; c == nil {
				c = s.renderCached(w, r, fn, url, s.cache.generation())
			}
		}
		if c != nil {
			s.serveCached(w, r, c)
			s.countView(r, c.viewOf)
		}
	}
}

// lead renders the page of flight f, and ends f with it as soon as it is
// rendered, before sending it to a reader who may be slow to take it. If
// rendering panics, f ends without a page.
func (s *Server) lead(w http.ResponseWriter, r *http.Request, fn pageFunc, url string, f *flight) (c *cached) {
	defer func() { s.cache.land(url, f, c) }()
	return s.renderCached(w, r, fn, url, f.gen)
}

// renderCached renders fn's page for url and stores it in the cache
// unless a write since gen may have changed it; nil when fn answered
// without a page to keep (an error, a redirect).
func (s *Server) renderCached(w http.ResponseWriter, r *http.Request, fn pageFunc, url string, gen uint64) *cached {
	resp, body, ok := s.render(w, r, fn)
	if !ok {
		return nil
	}
	c := newCached(url, resp.status, body, append(resp.keys, article.KeySite), s.now())
	if resp.contentType != "" {
		c.contentType = []string{resp.contentType}
	}
	c.expires = resp.expires
	c.viewOf = resp.viewOf
	c.csp = resp.csp
	if c.csp == nil {
		c.csp = s.csp
	}
	c.cacheTag, c.surrogateKey = cdnTagHeaders(c.keys, resp.tags)
	c.renderHeads()
	c.observeIn(s.metrics, r.Pattern)
	s.cache.put(c, gen)
	return c
}

// render runs fn and renders its page, setting resp.status. It answers
// redirects and errors itself and then reports ok=false.
func (s *Server) render(w http.ResponseWriter, r *http.Request, fn pageFunc) (resp *response, body []byte, ok bool) {
	resp, err := fn(r)
	if err != nil {
		s.fail(w, r, err)
		return nil, nil, false
	}
	if resp.redirect != "" {
		redirect(w, r, resp.redirect, http.StatusMovedPermanently)
		return nil, nil, false
	}
	var buf bytes.Buffer
	if resp.raw != nil {
		buf.Write(resp.raw)
	} else {
		size := s.pageSizes[resp.template]
		buf.Grow(int(size.Load()) + 4096)
		if err := s.pages[resp.template].ExecuteTemplate(&buf, "layout", resp.view); err != nil {
			s.fail(w, r, fmt.Errorf("render %s: %w", resp.template, err))
			return nil, nil, false
		}
		size.Store(int64(buf.Len()))
	}
	if resp.status == 0 {
		resp.status = http.StatusOK
	}
	return resp, buf.Bytes(), true
}

// renderFresh serves a page that is the reader's alone: never stored.
func (s *Server) renderFresh(w http.ResponseWriter, r *http.Request, fn pageFunc) {
	resp, body, ok := s.render(w, r, fn)
	if !ok {
		return
	}
	h := w.Header()
	ctype := resp.contentType
	if ctype == "" {
		ctype = "text/html; charset=utf-8"
	}
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "private, no-store")
	setCSP(h, resp.csp)
	w.WriteHeader(resp.status)
	w.Write(body)
	s.countView(r, resp.viewOf)
}

// serveCached answers with c, or 304 when the reader's copy is current.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, c *cached) {
	f := formFor(c, r.Header.Get("Accept-Encoding"), r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since"))
	cachedHeader(w.Header(), c, f)
	if f == formNotModified {
		writeNotModified(w)
		return
	}
	w.WriteHeader(c.status)
	if r.Method == http.MethodHead {
		return
	}
	if f == formGzip {
		w.Write(c.gz)
	} else {
		w.Write(c.body)
	}
}
