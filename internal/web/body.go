package web

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"broadsheet/internal/errs"
)

// bodyCap is how much of a request body one route may read.
type bodyCap struct {
	bytes int64
	// upload: the handler reads the body itself, after checking who is
	// asking; it is never parsed before that.
	upload bool
	// msg is the catalog key of what a refused body is told; empty for
	// the general "error.413.body".
	msg string
}

// handle registers h for pattern on m behind the body cap bodyLimits names
// for the pattern, and lists the pattern for the tests that walk every
// route.
func (s *Server) handle(m *http.ServeMux, pattern string, h http.HandlerFunc) {
	c, ok := bodyLimits[pattern]
	if !ok {
		c = bodyCap{bytes: maxFormBytes}
	}
	s.routeList = append(s.routeList, pattern)
	m.Handle(pattern, s.capBody(c, h))
}

// capBody holds a route to its body cap before its handler runs. A body
// declared larger is refused at once, without reading it; one whose length
// is not declared stops being read at the cap. A form is read here, so
// that one too large is answered 413 whichever handler it was for, and no
// handler can read more by forgetting to check an error.
func (s *Server) capBody(c bodyCap, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > c.bytes {
			s.tooLarge(w, r, c)
			return
		}
		if r.Body == nil || r.Body == http.NoBody {
			h.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, c.bytes)
		if !c.upload {
			var err error
			switch mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt {
			case "application/x-www-form-urlencoded":
				err = r.ParseForm()
			case "multipart/form-data":
				err = r.ParseMultipartForm(c.bytes) // the whole form fits in memory
			}
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				s.tooLarge(w, r, c)
				return
			case err != nil:
				s.badBody(w, r)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// tooLarge answers a body over its cap in the words of the tree it was
// sent to: a newsroom page under /admin, a reader's page elsewhere. (The
// API under /api/v1/ caps its own bodies.)
func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request, c bodyCap) {
	key := c.msg
	if key == "" {
		key = "error.413.body"
	}
	// Whatever of the body is left unread is not worth reading.
	w.Header().Set("Connection", "close")
	if wantsJSON(r) { // the editor's upload: it shows the words in its dialog
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"errors": []string{s.adminWords(r.Context()).T(key)}})
		return
	}
	s.refuseBody(w, r, refuse(errs.TooLarge, key))
}

// badBody answers a form that cannot be read.
func (s *Server) badBody(w http.ResponseWriter, r *http.Request) {
	s.refuseBody(w, r, badRequest("error.bad_body"))
}

// refuseBody answers a body refused before its handler ran. The newsroom's
// page knows nobody yet: who is asking is looked at after the body.
func (s *Server) refuseBody(w http.ResponseWriter, r *http.Request, err error) {
	switch p := r.URL.Path; {
	case p == "/admin" || strings.HasPrefix(p, "/admin/"):
		s.adminFail(w, r, nil, err)
	default:
		s.fail(w, r, err)
	}
}
