package web

import (
	"net/http"

	"broadsheet/internal/article"
)

// /api/v1/ — the API mounted there answers everything under it, the
// site's own JSON endpoints included (internal/api).
func (s *Server) apiRest(w http.ResponseWriter, r *http.Request) {
	if s.api == nil {
		s.fail(w, r, article.ErrNotFound)
		return
	}
	s.api.ServeHTTP(w, r)
}
