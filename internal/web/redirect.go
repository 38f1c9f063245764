package web

import (
	"net/http"

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
