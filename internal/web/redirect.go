package web

import (
	"net/http"
	"strings"

	redirects "broadsheet/internal/redirect"
)

// redirect sends the browser to target, a path on this site. Every redirect
// the site makes goes through here, so that none can leave the site: a
// target that is not plainly one of its paths sends the browser to the
// front page instead (callers that take a target from a request check it
// with localPath first and choose their own fallback). The one other way
// is a stored redirect (stored below), which may leave the site only when
// an admin allowed it.
func redirect(w http.ResponseWriter, r *http.Request, target string, code int) {
	p, ok := localPath(target)
	if !ok {
		p = "/"
	}
	http.Redirect(w, r, p, code)
}

// localPath returns target, cleaned, when every browser reads it as a path
// on this site, and false when it may not (redirects.LocalPath).
func localPath(target string) (string, bool) { return redirects.LocalPath(target) }

// redirectTo answers r with a stored redirect, and reports false, answering
// nothing, when its target is no place the site may send a reader: a path
// of the site that is not plainly one (localPath), or another site's
// address that no admin allowed. A path is sent on the site's own origin;
// the answer says how long a browser or CDN may keep it.
func (s *Server) redirectTo(w http.ResponseWriter, r *http.Request, rd *redirects.Redirect) bool {
	loc := ""
	if p, ok := localPath(rd.ToURL); ok {
		loc = s.baseURL + p
	} else if to, err := redirects.CheckTarget(rd.ToURL, true); rd.OffSite && err == nil && !strings.HasPrefix(to, "/") {
		loc = to
	}
	if loc == "" {
		return false
	}
	w.Header().Set("Cache-Control", redirectCache(rd.Status))
	http.Redirect(w, r, loc, rd.Status)
	return true
}

// locationOf is where an answer's header sends the browser.
func locationOf(h http.Header) string { return h.Get("Location") }
