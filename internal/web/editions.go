package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"broadsheet/internal/article"
	"broadsheet/internal/feed"
	"broadsheet/internal/i18n"
)

// Editions. A site publishes in its main language at its root and in each
// other edition's language under "/{lang}" (article.Edition). The reading
// site's handlers are the same for every edition: editions strips the
// code from the path and puts it in the request's context, and everything
// that lists, searches or links asks editionOf. What is cached is keyed
// by the address as requested (requestPath), so each edition's pages are
// their own.

type editionKey struct{}

// editionOf is the code of the edition a request of the reading site is
// in: "" for the main edition.
func editionOf(ctx context.Context) string {
	code, _ := ctx.Value(editionKey{}).(string)
	return code
}

// inEdition is path in the request's edition.
func inEdition(ctx context.Context, path string) string {
	return article.EditionPath(editionOf(ctx), path)
}

// requestPath is the path the reader asked for, the edition's code
// included.
func requestPath(r *http.Request) string { return inEdition(r.Context(), r.URL.Path) }

// editions serves the addresses of the site's other editions with next,
// the reading site's routes: "/fa" is the Persian edition's front page
// and "/fa/world" its section. The newsroom and the API are not under an
// edition, so "/fa/admin" is simply a page that does not exist.
func (s *Server) editions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, rest := editionPrefix(r.URL.Path)
		if code == "" {
			next.ServeHTTP(w, r)
			return
		}
		f, err := s.siteFrame(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if _, ok := f.site.Edition(code); !ok {
			next.ServeHTTP(w, r)
			return
		}
		if r.URL.Path == "/"+code+"/" {
			// The edition's front page is /fa, as every page is without
			// the slash.
			redirect(w, r, (&url.URL{Path: "/" + code, RawQuery: r.URL.RawQuery}).String(), http.StatusMovedPermanently)
			return
		}
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = rest
		if u.RawPath != "" {
			_, u.RawPath = editionPrefix(u.RawPath)
		}
		r2.URL = &u
		r2 = r2.WithContext(context.WithValue(r.Context(), editionKey{}, code))
		next.ServeHTTP(w, r2)
		// The metrics count the edition's page under the route it took,
		// as they count the main edition's.
		r.Pattern = r2.Pattern
	})
}

// editionPrefix splits "/fa/world" into "fa" and "/world", and "/fa" into
// "fa" and "/"; a path whose first segment could not be an edition's code
// gives "" and path.
func editionPrefix(path string) (code, rest string) {
	seg, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if len(seg) < 2 || len(seg) > 3 || strings.Trim(seg, "abcdefghijklmnopqrstuvwxyz") != "" {
		return "", path
	}
	return seg, "/" + rest
}

// setEdition sets what v shows from the request's edition: its language,
// title, sections and the links to the other editions.
func (v *view) setEdition(site article.Site, code string, sections []article.Section) {
	ed, ok := site.Edition(code)
	if !ok {
		ed, _ = site.Edition("")
	}
	v.Edition = ed
	v.Site.Title, v.Site.Tagline = ed.Title, ed.Tagline
	v.Lang, v.Dir = ed.Lang, i18n.Dir(ed.Lang)
	v.cat = i18n.For(ed.Lang)
	if ed.LatinDigits {
		v.cat = v.cat.LatinDigits()
	}
	v.Sections = sections
	if slices.ContainsFunc(sections, func(sec article.Section) bool { return sec.Edition != ed.Code() }) {
		// Only the edition's own; a site of one edition keeps the list.
		v.Sections = nil
		for _, sec := range sections {
			if sec.Edition == ed.Code() {
				v.Sections = append(v.Sections, sec)
			}
		}
	}
	if len(site.Editions) > 0 {
		for _, e := range site.AllEditions() {
			v.EditionLinks = append(v.EditionLinks, editionLink{Lang: e.Lang, Name: i18n.For(e.Lang).T("language.name"),
				Href: e.Path("/"), Current: e.Code() == ed.Code()})
		}
	}
}

// editionLink is an entry of the masthead's list of editions.
type editionLink struct {
	Lang, Name, Href string
	Current          bool
}

// Under is path in the page's edition.
func (v *view) Under(path string) string { return v.Edition.Path(path) }

// alternate is a version of the page in another language, for
// <link rel="alternate" hreflang> and a sitemap's xhtml:link.
type alternate = feed.Alternate

// editionAlternates names path in every edition as v's alternates.
func (s *Server) editionAlternates(v *view, path string) {
	v.Alternates = append(v.Alternates, inEveryEdition(v.Site, path, s.abs)...)
}

// inEveryEdition is path in each of site's editions (none on a site of one
// edition), the main edition's also the x-default; href makes an address
// absolute.
func inEveryEdition(site article.Site, path string, href func(string) string) []alternate {
	if len(site.Editions) == 0 {
		return nil
	}
	var out []alternate
	for _, e := range site.AllEditions() {
		out = append(out, alternate{Lang: e.Lang, Href: href(e.Path(path))})
		if e.Main {
			out = append(out, alternate{Lang: "x-default", Href: href(e.Path(path))})
		}
	}
	return out
}

// versions names a translation group's articles, one a language, then the
// x-default (defaultVersion); group is ordered main edition first.
func versions(group []article.Article, href func(string) string) []alternate {
	var out []alternate
	for _, a := range oneEachLanguage(group) {
		out = append(out, alternate{Lang: a.Language, Href: href(a.Path())})
	}
	return append(out, alternate{Lang: "x-default", Href: href(defaultVersion(group).Path())})
}
