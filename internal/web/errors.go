package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"broadsheet/internal/article"
)

// statusError is an error with a status code and the catalog key of a
// message safe to show.
type statusError struct {
	status int
	key    string
}

func (e *statusError) Error() string { return strconv.Itoa(e.status) + ": " + e.key }

func badRequest(key string) error { return &statusError{http.StatusBadRequest, key} }

// errorView is what the error page shows.
type errorView struct {
	Status  int
	Title   string
	Message string
}

// fail is the one place an error becomes a response. Not-found, gone and
// bad input get their own page; anything else is logged once and answered
// with a generic 500 page that reveals nothing of the cause.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, detail := http.StatusInternalServerError, ""
	var se *statusError
	var inv *article.InvalidError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, article.ErrNotFound):
		status = http.StatusNotFound
	case errors.As(err, &tooBig):
		status, detail = http.StatusRequestEntityTooLarge, "@error.413.body"
	case errors.As(err, &se):
		status, detail = se.status, "@"+se.key
	case errors.As(err, &inv):
		status, detail = http.StatusBadRequest, strings.Join(inv.Problems, "; ")
	case errors.Is(err, article.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		return // the reader left; nobody to answer
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body := s.errorPage(r.Context(), status, detail)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// errorPage renders the error template, still with the site's navigation
// when the database answers and without it when it does not.
func (s *Server) errorPage(ctx context.Context, status int, detail string) []byte {
	v := s.errorView(ctx, status, detail)
	var buf bytes.Buffer
	if err := s.pages["error"].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("rendering error page", "status", status, "err", err)
		return []byte(http.StatusText(status) + "\n")
	}
	return buf.Bytes()
}

func (s *Server) errorView(ctx context.Context, status int, detail string) *view {
	v, err := s.newView(ctx)
	if err != nil {
		v = s.bareView()
	}
	code := status
	switch code {
	case 400, 404, 410, 413:
	default:
		if code >= 500 {
			code = 500
		} else {
			code = 400
		}
	}
	ev := errorView{Status: status, Title: v.T("error." + strconv.Itoa(code) + ".title"), Message: v.T("error." + strconv.Itoa(code) + ".body")}
	if key, ok := strings.CutPrefix(detail, "@"); ok {
		ev.Message = v.T(key)
	} else if detail != "" && status < 500 {
		ev.Message = detail
	}
	v.Title = ev.Title
	v.NoIndex = true
	v.Data = ev
	return v
}
