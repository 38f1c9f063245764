package api

import "net/http"

// The Content API is public and read-only: a headless front end on any
// origin may read it from a browser. It holds nothing that depends on who
// asks — no cookie, no token is read — so every origin gets the same answer,
// "*", and the answer never varies by Origin (no Vary: Origin, and caches
// may share one copy). Credentials are never allowed, and the "*" of
// Allow-Headers does not cover Authorization, so a browser cannot send a
// token this way. The Admin API sends none of these headers: a browser on
// another origin cannot call it.

// public registers a Content API endpoint at path: GET (and so HEAD) for
// fn, OPTIONS for a browser's preflight.
func (h *handler) public(mux *http.ServeMux, path string, fn contentFunc) {
	h.handle(mux, "GET "+path, contentRoute, h.content(fn))
	h.handle(mux, "OPTIONS "+path, preflightRoute, h.preflight)
}

// allowAnyOrigin marks a Content API response readable from any origin.
func allowAnyOrigin(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Access-Control-Expose-Headers", "Retry-After")
}

// OPTIONS on a Content API path: the answer to a preflight, the same for
// every origin and every request.
func (h *handler) preflight(w http.ResponseWriter, r *http.Request) {
	allowAnyOrigin(w)
	hd := w.Header()
	hd.Set("Access-Control-Allow-Methods", "GET, HEAD")
	hd.Set("Access-Control-Allow-Headers", "*")
	hd.Set("Access-Control-Max-Age", "86400")
	hd.Set("Allow", "GET, HEAD, OPTIONS")
	hd.Set("Cache-Control", contentCache)
	w.WriteHeader(http.StatusNoContent)
}
