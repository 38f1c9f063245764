package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
	"broadsheet/internal/liveblog"
)

// Errors the API raises itself. Their words are all safe to show; each
// is answered by fail, like any other error.

func badRequest(format string, args ...any) *errs.Error {
	return errs.Showf(errs.BadRequest, format, args...)
}

func notFound(format string, args ...any) *errs.Error {
	return errs.Showf(errs.NotFound, format, args...)
}

// invalid is a 422 naming each field that is wrong.
func invalid(fields map[string]string) error { return errs.InvalidFields(fields) }

// tooManyRequests is a 429; fail says in Retry-After how long to wait.
func tooManyRequests(retry time.Duration) *errs.Error {
	return &errs.Error{Kind: errs.TooMany, Retry: retry}
}

var errUnsupportedMedia = httperr.New(http.StatusUnsupportedMediaType, "unsupported_media_type",
	"send the request body as JSON with Content-Type: application/json")

var errUnsupportedUpload = httperr.New(http.StatusUnsupportedMediaType, "unsupported_media_type",
	"send the file as multipart/form-data, in a part named file")

const internalMessage = httperr.InternalMessage

// errorJSON is the one shape of every error response, inside {"error": …}.
type errorJSON struct {
	Code    string            `json:"code" doc:"stable: branch on it"`
	Message string            `json:"message" doc:"for people; lists every problem"`
	Fields  map[string]string `json:"fields,omitempty" doc:"what is wrong with each request field or query parameter"`
	// Current is what is stored now, on a 409 for a stale version.
	Current storedNow `json:"current,omitempty" doc:"what is stored now, on a 409 for a stale version: the article, or the live update"`
}

// storedNow is the record a stale version was sent for, as stored now: an
// *adminArticleJSON or an *adminLiveUpdate (schemaOneOf).
type storedNow interface{}

// fail answers err in the API's JSON, as internal/httperr maps it: errors
// of the vocabulary with their own words and fields, anything else logged
// once and answered with a generic 500 that reveals nothing of the cause.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httperr.ClientLeft(r, err) {
		return // the client left; nobody to answer
	}
	rep := httperr.Of(err)
	if rep.Internal {
		h.log.Error("api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	e := errorJSON{Code: rep.Code, Message: rep.Message, Fields: rep.FieldMessages()}
	if rep.Key != "" && rep.Generic {
		e.Message = h.words(r.Context()).T(rep.Key) // words of the site's, in its language
	}
	if stale := (*article.ConflictError)(nil); errors.As(err, &stale) {
		e.Current = h.adminArticle(stale.Current)
	}
	if stale := (*liveblog.ConflictError)(nil); errors.As(err, &stale) {
		// Its address needs its live blog's; without it the update is
		// left out rather than the answer lost.
		if a, aerr := h.store.BareArticleByID(r.Context(), stale.Current.ArticleID); aerr == nil {
			e.Current = h.adminLiveUpdate(a, stale.Current)
		}
	}
	rep.SetRetryAfter(w.Header())
	if rep.Status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="broadsheet"`)
	}
	writeError(w, rep.Status, e)
}

func writeError(w http.ResponseWriter, status int, e errorJSON) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Del("Content-Length")
	writeJSON(w, status, errorBody{e})
}

// errorBody is what every error response holds.
type errorBody struct {
	Error errorJSON `json:"error"`
}

// writeJSON sends v. Every API response goes through here. HTML is not
// escaped: the body is never read as HTML (nosniff, a JSON type), and
// body_html stays legible.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only a programming mistake gets here: every value is plain data.
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"` + internalMessage + `"}}` + "\n")
	}
	body := buf.Bytes()
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
