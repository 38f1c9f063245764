package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"broadsheet/internal/article"
	"broadsheet/internal/related"
	"broadsheet/internal/search"
)

// Search: /search?q= over published articles, with filters by section,
// author and date, ten results a page with a highlighted passage each,
// and an OpenSearch description so browsers can add the site's search.
// Results are the reader's own query: rendered fresh, never stored in the
// page cache (strangers could otherwise fill it with queries).

const searchPage = 10

// maxQuery bounds what a reader may type; more is cut, not refused.
const maxQuery = 300

type searchView struct {
	Query                 string
	Section, Author       string // slugs
	From, To              string // YYYY-MM-DD
	Sections              []article.Section
	Authors               []article.Author
	Results               []searchHit
	Total                 int
	Searched              bool
	Problem               string
	PrevURL, NextURL      string
	FirstShown, LastShown int
	// Window is how many of the newest matches were ranked when more
	// match; EarlierURL searches those published before them.
	Window     int
	EarlierURL string
}

type searchHit struct {
	Article article.Article
	Snippet template.HTML
}

// GET /search
func (s *Server) searchHandler(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v, err := s.newView(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	sv := searchView{Query: strings.TrimSpace(q.Get("q")), Section: q.Get("section"), Author: q.Get("author"), From: q.Get("from"), To: q.Get("to"), Sections: v.Sections}
	if len(sv.Query) > maxQuery {
		sv.Query = strings.ToValidUTF8(sv.Query[:maxQuery], "")
	}
	if sv.Authors, err = s.store.Authors(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	req := search.Request{Text: sv.Query, Limit: searchPage, Newest: s.searchNewest}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(1, min(page, search.MaxHits/searchPage))
	req.Offset = (page - 1) * searchPage
	for _, sec := range v.Sections {
		if sec.Slug == sv.Section {
			req.SectionID = sec.ID
		}
		if len(v.Site.Editions) > 0 {
			// A site of several editions searches the page's own.
			req.Sections = append(req.Sections, sec.ID)
		}
	}
	if len(v.Site.Editions) > 0 && len(req.Sections) == 0 {
		req.Sections = []int64{0} // an edition without sections: no section has id 0
	}
	for _, a := range sv.Authors {
		if a.Slug == sv.Author {
			req.AuthorID = a.ID
		}
	}
	loc := v.Site.Location()
	if t, err := time.ParseInLocation("2006-01-02", sv.From, loc); err == nil {
		req.From = t
	} else if sv.From != "" {
		sv.Problem, sv.From = v.T("search.bad_date"), ""
	}
	if t, err := time.ParseInLocation("2006-01-02", sv.To, loc); err == nil {
		req.To = t.AddDate(0, 0, 1) // the whole day
	} else if sv.To != "" {
		sv.Problem, sv.To = v.T("search.bad_date"), ""
	}
	status := http.StatusOK
	if sv.Query != "" {
		ip := s.ips.ClientIP(r)
		if ok, retry := s.searchByIP.Allow(limitKey(ip)); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
			sv.Problem, status = v.T("search.rate_limited"), http.StatusTooManyRequests
		} else {
			res, err := s.store.Search(ctx, req)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			sv.Searched, sv.Total = true, res.Total
			terms := map[string]bool{}
			for _, t := range res.Terms {
				terms[t] = true
			}
			for _, a := range res.Articles {
				full, err := s.store.ArticleByID(ctx, a.ID)
				if err != nil {
					s.fail(w, r, err)
					return
				}
				sv.Results = append(sv.Results, searchHit{Article: a, Snippet: snippet(full, terms)})
			}
			sv.FirstShown, sv.LastShown = req.Offset+1, req.Offset+len(sv.Results)
			link := func(p int, to string) string {
				u := url.Values{"q": {sv.Query}}
				for k, val := range map[string]string{"section": sv.Section, "author": sv.Author, "from": sv.From, "to": to} {
					if val != "" {
						u.Set(k, val)
					}
				}
				if p > 1 {
					u.Set("page", strconv.Itoa(p))
				}
				return v.Under("/search") + "?" + u.Encode()
			}
			if page > 1 {
				sv.PrevURL = link(page-1, sv.To)
			}
			if req.Offset+searchPage < res.Total {
				sv.NextURL = link(page+1, sv.To)
			}
			if res.Window {
				sv.Window = req.Ranks()
				sv.EarlierURL = link(1, earlierTo(res.Before.In(loc), req.To))
			}
		}
	}
	v.Title = v.T("search.title")
	if sv.Query != "" {
		v.Title = v.T("search.title_for", sv.Query)
	}
	v.NoIndex = true
	v.Current = "/search"
	v.Data = sv
	var buf bytes.Buffer
	if err := s.pages["search"].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "private, max-age=60")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// earlierTo is the "to" date of the search for articles published before
// the oldest one ranked, at before: its day, which the next search
// includes whole (so none published that day before it is missed), or
// the day before when that would repeat a search that ends on that day.
// In that case, more matches than a search ranks in one day, the rest of
// that day is reached only with narrower words or filters: dates are
// whole days.
func earlierTo(before, to time.Time) string {
	day := time.Date(before.Year(), before.Month(), before.Day(), 0, 0, 0, 0, before.Location())
	if !to.IsZero() && !day.AddDate(0, 0, 1).Before(to) {
		day = day.AddDate(0, 0, -1)
	}
	return day.Format("2006-01-02")
}

// snippetWords is how long a passage is.
const snippetWords = 32

// snippet picks the passage of an article that holds the most searched
// terms — its standfirst and body, read as plain text — and marks them.
func snippet(a *article.Article, terms map[string]bool) template.HTML {
	text := a.Standfirst + " " + related.PlainText(a.Body)
	words := strings.FieldsFunc(text, unicode.IsSpace)
	hit := make([]bool, len(words))
	for i, w := range words {
		for _, t := range search.Terms(a.Language, w) {
			if terms[t] {
				hit[i] = true
			}
		}
	}
	best, bestN := 0, -1
	n := 0
	for i := range words {
		if hit[i] {
			n++
		}
		if i >= snippetWords && hit[i-snippetWords] {
			n--
		}
		if start := max(0, i-snippetWords+1); n > bestN {
			best, bestN = start, n
		}
	}
	end := min(len(words), best+snippetWords)
	var b strings.Builder
	if best > 0 {
		b.WriteString("… ")
	}
	for i := best; i < end; i++ {
		if i > best {
			b.WriteByte(' ')
		}
		w := template.HTMLEscapeString(words[i])
		if hit[i] {
			b.WriteString("<mark>" + w + "</mark>")
		} else {
			b.WriteString(w)
		}
	}
	if end < len(words) {
		b.WriteString(" …")
	}
	return template.HTML(b.String())
}

// GET /opensearch.xml lets a browser add the site's search.
func (s *Server) openSearch(r *http.Request) (*response, error) {
	site, err := s.store.Site(r.Context())
	if err != nil {
		return nil, err
	}
	// Each edition searches itself, in its language.
	ed, ok := site.Edition(editionOf(r.Context()))
	if !ok {
		return nil, article.ErrNotFound
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">` + "\n")
	short := ed.Title
	if r := []rune(short); len(r) > 16 {
		short = string(r[:16])
	}
	for _, e := range [][2]string{{"ShortName", short}, {"Description", ed.Title}, {"InputEncoding", "UTF-8"}, {"Language", ed.Lang}} {
		b.WriteString("  <" + e[0] + ">" + template.HTMLEscapeString(e[1]) + "</" + e[0] + ">\n")
	}
	b.WriteString(`  <Image height="512" width="512" type="image/png">` + template.HTMLEscapeString(s.baseURL+s.assetURL("logo.png")) + "</Image>\n")
	b.WriteString(`  <Url type="text/html" method="get" template="` + template.HTMLEscapeString(s.baseURL+ed.Path("/search")) + `?q={searchTerms}"/>` + "\n")
	b.WriteString(`  <Url type="application/opensearchdescription+xml" rel="self" template="` + template.HTMLEscapeString(s.baseURL+ed.Path("/opensearch.xml")) + `"/>` + "\n")
	b.WriteString("</OpenSearchDescription>\n")
	return &response{raw: b.Bytes(), contentType: "application/opensearchdescription+xml; charset=utf-8", keys: []string{article.KeySite}}, nil
}
