package web

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
	"broadsheet/internal/i18n"
)

// refuse is an error of kind k whose words for the reader are the
// catalog's message key.
func refuse(k errs.Kind, key string) error { return &errs.Error{Kind: k, Key: key} }

// badRequest is a request the site cannot read, saying the message key.
func badRequest(key string) error { return refuse(errs.BadRequest, key) }

// errorView is what the error page shows.
type errorView struct {
	Status  int
	Title   string
	Message string
}

// fail answers err with the reader's error page, as internal/httperr maps
// it: the error's own message when it has one for readers (a catalog key,
// or the problems of invalid input), the status's usual words otherwise.
// Anything outside the vocabulary is logged once and answered with a
// generic 500 page that reveals nothing of the cause. A request for an
// address the site does not have is first looked up among the redirects
// from old addresses (redirectOld).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httperr.ClientLeft(r, err) {
		return // the reader left; nobody to answer
	}
	if httperr.Of(err).Status == http.StatusNotFound && s.redirectOld(w, r) {
		return // an old address that a redirect answers
	}
	s.failPage(w, r, err)
}

// failPage is fail without looking for a redirect.
func (s *Server) failPage(w http.ResponseWriter, r *http.Request, err error) {
	rep := httperr.Of(err)
	if rep.Internal {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	rep.SetRetryAfter(w.Header())
	body := s.errorPage(r.Context(), rep.Status, pageDetail(rep))
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rep.Status)
	w.Write(body)
}

// pageDetail is what a page says of an error beyond its status: "@" and
// the catalog key of its words, the problems of invalid input, or nothing
// for the status's usual words.
func pageDetail(rep httperr.Reply) string {
	switch {
	case rep.Key != "":
		return "@" + rep.Key
	case rep.Kind == errs.Invalid && !rep.Generic:
		return rep.Message
	}
	return ""
}

// problemsOf lists what is wrong with an input in words safe to show, in
// the catalog's language: each problem of invalid input, or the error's
// one message. A problem recorded without a catalog key stays in English.
func problemsOf(cat *i18n.Catalog, err error) []string {
	rep := httperr.Of(err)
	if rep.Kind == errs.Invalid && len(rep.Fields) > 0 {
		out := make([]string, len(rep.Fields))
		for i, p := range rep.Fields {
			out[i] = p.In(cat)
		}
		return out
	}
	if rep.Key != "" {
		return []string{cat.T(rep.Key)}
	}
	return []string{rep.Message}
}

// adminWords is the catalog the newsroom speaks: the site's language.
func (s *Server) adminWords(ctx context.Context) *i18n.Catalog { return s.adminView(ctx, nil).cat }

// fieldProblemsOf says, field by field, what is wrong with an input, in
// the catalog's language (errs.Fields).
func fieldProblemsOf(cat *i18n.Catalog, err error) map[string]string {
	problems := slices.Clone(errs.From(err).Fields)
	for i, p := range problems {
		problems[i].Message = p.In(cat)
	}
	return errs.Fields(problems)
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
