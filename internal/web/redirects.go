package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	redirects "broadsheet/internal/redirect"
)

// The site's redirects from old addresses (internal/redirect): a request
// the site would answer 404 is looked up among them before the 404 page
// is sent (fail), and so is a request for the front page whose query
// names content, "/?p=123", before the front page is (frontPage). Old
// slugs of an article are the article page's own affair and come first.
// Neither a 404 page nor a redirect is kept in the page cache, so a
// redirect added after a 404 answers at once; a redirect's answer tells
// browsers and CDNs how long they may keep it (redirectTo).

// frontPage serves GET /{$}: an old address of a post, page, category or
// feed of the front page's is sent on if a redirect answers it; any other
// query (?utm_source=…) is the front page.
func (s *Server) frontPage() http.HandlerFunc {
	home := s.page(s.home)
	return func(w http.ResponseWriter, r *http.Request) {
		if redirects.ContentQuery(r.URL.RawQuery) != "" && s.redirectOld(w, r) {
			return
		}
		home(w, r)
	}
}

// redirectOld answers r with the redirect stored for its address, if there
// is one, and reports whether it did. Only GET and HEAD are redirected,
// and never an address of the newsroom or the API.
func (s *Server) redirectOld(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	// The address as asked, an edition's code and all.
	target := inEdition(r.Context(), r.URL.EscapedPath())
	if q := askedQuery(r); q != "" {
		target += "?" + q
	}
	if redirects.Reserved(target) {
		return false
	}
	rd, err := s.store.RedirectFor(r.Context(), target)
	if err != nil {
		if !errors.Is(err, redirects.ErrNotFound) && r.Context().Err() == nil {
			s.log.Warn("looking up a redirect", "path", r.URL.Path, "err", err)
		}
		return false
	}
	if !s.redirectTo(w, r, rd) {
		s.log.Warn("a stored redirect leads nowhere the site may send a reader", "id", rd.ID, "to", rd.ToURL)
		return false
	}
	if t, ok := r.Context().Value(tryingKey{}).(*trial); ok {
		t.by = rd // the newsroom trying an address: not a hit
	} else {
		s.redirectHits.add(rd.ID, redirects.Hit{N: 1, Last: s.now()})
	}
	return true
}

// addHit merges hits counted of one redirect.
func addHit(held, more redirects.Hit) redirects.Hit {
	held.N += more.N
	if more.Last.After(held.Last) {
		held.Last = more.Last
	}
	return held
}

// redirectCache is how long a browser or CDN may keep a redirect's answer:
// a day for a permanent one, which an admin may still change, and not at
// all for a temporary one.
func redirectCache(status int) string {
	if redirects.Permanent(status) {
		return "public, max-age=86400"
	}
	return "no-store"
}

// trial is what the newsroom learns when it tries an address on the site
// (tryAddress): the redirect that answered it, if one did.
type trial struct {
	by *redirects.Redirect
}

type tryingKey struct{}

// tryAddress runs a GET of target, a path with an optional query, through
// the site's own routes as a reader's browser would send it, and returns
// the answer's status, its Location, and the stored redirect that gave
// it (nil when the site answered by itself). Nothing is counted as a hit
// or a view, and the body is thrown away.
func (s *Server) tryAddress(ctx context.Context, target string) (int, string, *redirects.Redirect, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	t := &trial{}
	req, err := http.NewRequestWithContext(context.WithValue(ctx, tryingKey{}, t), http.MethodGet, target, nil)
	if err != nil {
		return 0, "", nil, err
	}
	req.RequestURI = target
	rec := &headOnly{header: http.Header{}, done: cancel}
	s.root.ServeHTTP(rec, req)
	return rec.status, locationOf(rec.header), t.by, nil
}

// headOnly keeps a response's status and header and throws its body away.
// Once the header is written the request's context ends, so that a page
// that would go on streaming (a discussion's live updates) stops.
type headOnly struct {
	header http.Header
	status int
	done   func()
}

func (h *headOnly) Header() http.Header { return h.header }

func (h *headOnly) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
		h.done()
	}
}

func (h *headOnly) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return len(b), nil
}

func (h *headOnly) Flush() {}
