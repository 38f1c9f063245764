package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/feed"
)

// Sitemaps for search engines: /sitemap.xml indexes the sitemap of the
// site's pages, the article sitemaps (50,000 articles each, oldest first)
// and the Google News sitemap (the last 48 hours, at most 1,000 articles).
// Each edition has its own (/fa/sitemap.xml), and a page with versions in
// other editions names them all (xhtml:link hreflang). robots.txt points
// to every edition's. All are cached like pages.

const newsWindow = 48 * time.Hour

// GET /robots.txt
func (s *Server) robots(r *http.Request) (*response, error) {
	site, err := s.store.Site(r.Context())
	if err != nil {
		return nil, err
	}
	var maps []string
	for _, e := range site.AllEditions() {
		maps = append(maps, s.baseURL+e.Path("/sitemap.xml"), s.baseURL+e.Path("/sitemaps/news.xml"))
	}
	disallow := []string{"/admin/", "/api/", "/preview/", "/search", "/subscribe", "/subscriptions", "/unsubscribe"}
	for _, code := range site.EditionCodes() {
		disallow = append(disallow, "/"+code+"/search")
	}
	var buf bytes.Buffer
	err = feed.Robots(&buf, maps, disallow)
	if err != nil {
		return nil, err
	}
	return &response{raw: buf.Bytes(), contentType: feed.ContentTypeRobots, keys: []string{article.KeySite}}, nil
}

// GET /sitemap.xml
func (s *Server) sitemapIndex(r *http.Request) (*response, error) {
	ed := editionOf(r.Context())
	n, err := s.store.PublishedCount(r.Context(), ed)
	if err != nil {
		return nil, err
	}
	now := s.now()
	at := func(file string) string { return s.baseURL + article.EditionPath(ed, "/sitemaps/"+file) }
	refs := []feed.SitemapRef{{Loc: at("pages.xml"), LastMod: now}, {Loc: at("news.xml"), LastMod: now}}
	for i := 0; i*feed.MaxURLs < max(n, 1); i++ {
		refs = append(refs, feed.SitemapRef{Loc: at("articles-" + strconv.Itoa(i+1) + ".xml")})
	}
	var buf bytes.Buffer
	if err := feed.SitemapIndex(&buf, refs); err != nil {
		return nil, err
	}
	return &response{raw: buf.Bytes(), contentType: feed.ContentTypeSitemap, keys: []string{article.KeyAllArticles}}, nil
}

// GET /sitemaps/{file}: pages.xml, news.xml or articles-N.xml.
func (s *Server) sitemap(r *http.Request) (*response, error) {
	ctx := r.Context()
	file := r.PathValue("file")
	site, err := s.store.Site(ctx)
	if err != nil {
		return nil, err
	}
	ed, ok := site.Edition(editionOf(ctx))
	if !ok {
		return nil, article.ErrNotFound
	}
	var buf bytes.Buffer
	switch {
	case file == "pages.xml":
		urls := []feed.URL{{Loc: s.baseURL + ed.Path("/"), Alternates: inEveryEdition(site, "/", s.onSite)},
			{Loc: s.baseURL + ed.Path("/latest"), Alternates: inEveryEdition(site, "/latest", s.onSite)}}
		sections, err := s.store.Sections(ctx)
		if err != nil {
			return nil, err
		}
		for _, sec := range sections {
			if sec.Edition == ed.Code() {
				urls = append(urls, feed.URL{Loc: s.baseURL + sec.Path()})
			}
		}
		if ed.Main {
			// Static pages and authors' pages are the main edition's.
			pages, err := s.store.Pages(ctx)
			if err != nil {
				return nil, err
			}
			for _, p := range pages {
				urls = append(urls, feed.URL{Loc: s.baseURL + "/" + p.Slug})
			}
			authors, err := s.store.Authors(ctx)
			if err != nil {
				return nil, err
			}
			for _, a := range authors {
				urls = append(urls, feed.URL{Loc: s.baseURL + "/author/" + a.Slug})
			}
		}
		if err := feed.URLSet(&buf, urls); err != nil {
			return nil, err
		}
	case file == "news.xml":
		list, err := s.store.Articles(ctx, article.Query{Limit: article.MaxLimit, OneEdition: true, Edition: ed.Code()})
		if err != nil {
			return nil, err
		}
		var urls []feed.NewsURL
		// Up to 1,000 articles: page through the newest until the window ends.
		for {
			for _, a := range list.Articles {
				if s.now().Sub(a.PublishedAt) <= newsWindow && len(urls) < feed.MaxNewsURLs {
					urls = append(urls, feed.NewsURL{Loc: s.baseURL + articlePath(&a), Title: a.Headline, Published: a.PublishedAt, Language: a.Language})
				}
			}
			if list.Older == nil || len(urls) >= feed.MaxNewsURLs || len(list.Articles) == 0 || s.now().Sub(list.Articles[len(list.Articles)-1].PublishedAt) > newsWindow {
				break
			}
			if list, err = s.store.Articles(ctx, article.Query{Before: list.Older, Limit: article.MaxLimit, OneEdition: true, Edition: ed.Code()}); err != nil {
				return nil, err
			}
		}
		if err := feed.NewsSitemap(&buf, feed.Publication{Name: ed.Title, Language: ed.Lang}, urls); err != nil {
			return nil, err
		}
	case strings.HasPrefix(file, "articles-") && strings.HasSuffix(file, ".xml"):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(file, "articles-"), ".xml"))
		if err != nil || n < 1 || strconv.Itoa(n) != strings.TrimSuffix(strings.TrimPrefix(file, "articles-"), ".xml") {
			return nil, article.ErrNotFound
		}
		alternates, err := s.sitemapAlternates(ctx, site)
		if err != nil {
			return nil, err
		}
		var urls []feed.URL
		err = s.store.SitemapArticles(ctx, ed.Code(), (n-1)*feed.MaxURLs, feed.MaxURLs, func(a article.Article) error {
			mod := a.PublishedAt
			if a.Updated() {
				mod = a.UpdatedAt
			}
			urls = append(urls, feed.URL{Loc: s.baseURL + articlePath(&a), LastMod: mod, Alternates: alternates[a.Original()]})
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(urls) == 0 && n > 1 {
			return nil, article.ErrNotFound
		}
		if err := feed.URLSet(&buf, urls); err != nil {
			return nil, err
		}
	default:
		return nil, article.ErrNotFound
	}
	resp := &response{raw: buf.Bytes(), contentType: feed.ContentTypeSitemap, keys: []string{article.KeyAllArticles}}
	if file == "news.xml" {
		resp.expires = s.now().Add(time.Hour) // articles age out of the window
	}
	return resp, nil
}

// sitemapAlternates lists, by translation group (Article.Original), the
// published versions of each story in the site's editions with the
// x-default: the main edition's version, or else the original.
func (s *Server) sitemapAlternates(ctx context.Context, site article.Site) (map[int64][]feed.Alternate, error) {
	list, err := s.store.PublishedTranslations(ctx)
	if err != nil {
		return nil, err
	}
	groups := map[int64][]article.Article{}
	for _, a := range list {
		if _, ok := site.Edition(a.Section.Edition); ok {
			groups[a.Original()] = append(groups[a.Original()], a)
		}
	}
	out := make(map[int64][]feed.Alternate, len(groups))
	for original, g := range groups {
		if len(g) >= 2 {
			out[original] = versions(g, s.onSite)
		}
	}
	return out, nil
}

// onSite is path on the site, unescaped: the sitemap writer escapes it.
func (s *Server) onSite(path string) string { return s.baseURL + path }
