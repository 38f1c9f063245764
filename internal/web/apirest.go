package web

import (
	"net/http"
	"slices"
	"strings"

	"broadsheet/internal/api"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
)

// /api/v1/ — every path the site's own JSON endpoints do not serve under
// the method asked. The API mounted there answers it, unless the site
// serves the path under other methods and the API does not serve it under
// this one: then it is 405, with Allow naming every method either
// answers, in the API's JSON, so that the two read as one API.
func (s *Server) apiRest(w http.ResponseWriter, r *http.Request) {
	own := api.MethodsAt(s.root, r)
	var theirs []string
	if m, ok := s.api.(interface{ Methods(*http.Request) []string }); ok {
		theirs = m.Methods(r)
	}
	if len(own) == 0 || slices.Contains(theirs, r.Method) {
		if s.api != nil {
			s.api.ServeHTTP(w, r)
			return
		}
		s.writeProblem(w, r, errs.Shown(errs.NotFound, "there is no such endpoint; see docs/api.md"))
		return
	}
	var allow []string
	for _, m := range api.Methods {
		if slices.Contains(own, m) || slices.Contains(theirs, m) {
			allow = append(allow, m)
		}
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.writeProblem(w, r, httperr.New(http.StatusMethodNotAllowed, "method_not_allowed", "this endpoint answers "+strings.Join(allow, ", ")))
}
