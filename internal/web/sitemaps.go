package web

import (
	"bytes"
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
// robots.txt points to them. All are cached like pages.

const newsWindow = 48 * time.Hour

// GET /robots.txt
func (s *Server) robots(r *http.Request) (*response, error) {
	var buf bytes.Buffer
	err := feed.Robots(&buf, []string{s.baseURL + "/sitemap.xml", s.baseURL + "/sitemaps/news.xml"},
		[]string{"/admin/", "/api/", "/preview/", "/search", "/subscribe", "/subscriptions", "/unsubscribe"})
	if err != nil {
		return nil, err
	}
	return &response{raw: buf.Bytes(), contentType: feed.ContentTypeRobots, keys: []string{article.KeySite}}, nil
}

// GET /sitemap.xml
func (s *Server) sitemapIndex(r *http.Request) (*response, error) {
	n, err := s.store.PublishedCount(r.Context())
	if err != nil {
		return nil, err
	}
	now := s.now()
	refs := []feed.SitemapRef{{Loc: s.baseURL + "/sitemaps/pages.xml", LastMod: now}, {Loc: s.baseURL + "/sitemaps/news.xml", LastMod: now}}
	for i := 0; i*feed.MaxURLs < max(n, 1); i++ {
		refs = append(refs, feed.SitemapRef{Loc: s.baseURL + "/sitemaps/articles-" + strconv.Itoa(i+1) + ".xml"})
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
	var buf bytes.Buffer
	switch {
	case file == "pages.xml":
		urls := []feed.URL{{Loc: s.baseURL + "/"}, {Loc: s.baseURL + "/latest"}}
		sections, err := s.store.Sections(ctx)
		if err != nil {
			return nil, err
		}
		for _, sec := range sections {
			urls = append(urls, feed.URL{Loc: s.baseURL + "/" + sec.Slug})
		}
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
		if err := feed.URLSet(&buf, urls); err != nil {
			return nil, err
		}
	case file == "news.xml":
		site, err := s.store.Site(ctx)
		if err != nil {
			return nil, err
		}
		list, err := s.store.Articles(ctx, article.Query{Limit: article.MaxLimit})
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
			if list, err = s.store.Articles(ctx, article.Query{Before: list.Older, Limit: article.MaxLimit}); err != nil {
				return nil, err
			}
		}
		if err := feed.NewsSitemap(&buf, feed.Publication{Name: site.Title, Language: site.Language}, urls); err != nil {
			return nil, err
		}
	case strings.HasPrefix(file, "articles-") && strings.HasSuffix(file, ".xml"):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(file, "articles-"), ".xml"))
		if err != nil || n < 1 || strconv.Itoa(n) != strings.TrimSuffix(strings.TrimPrefix(file, "articles-"), ".xml") {
			return nil, article.ErrNotFound
		}
		list, err := s.store.SitemapArticles(ctx, (n-1)*feed.MaxURLs, feed.MaxURLs)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 && n > 1 {
			return nil, article.ErrNotFound
		}
		urls := make([]feed.URL, 0, len(list))
		for _, a := range list {
			mod := a.PublishedAt
			if a.Updated() {
				mod = a.UpdatedAt
			}
			urls = append(urls, feed.URL{Loc: s.baseURL + articlePath(&a), LastMod: mod})
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
