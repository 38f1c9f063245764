package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/newsroom"
)

// apiError is an error the API raises itself: its status, code, message
// and fields are all safe to show.
type apiError struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string // request field → what is wrong with it
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func badRequest(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf(format, args...)}
}

// invalid is a 422 naming each field that is wrong.
func invalid(fields map[string]string) *apiError {
	msgs := make([]string, 0, len(fields))
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		msgs = append(msgs, fields[f])
	}
	return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: strings.Join(msgs, "; "), Fields: fields}
}

func tooManyRequests(w http.ResponseWriter, retry time.Duration) *apiError {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(retry.Seconds())))))
	return &apiError{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "too many requests; wait for the number of seconds in Retry-After"}
}

var errUnsupportedMedia = &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
	Message: "send the request body as JSON with Content-Type: application/json"}

const internalMessage = "something went wrong on our side; it has been logged"

// errorJSON is the one shape of every error response, inside {"error": …}.
type errorJSON struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Current is what is stored now, on a 409 for a stale version.
	Current *adminArticleJSON `json:"current,omitempty"`
}

// fail is the one place an error becomes a response. Errors the API and the
// domain raise carry words safe to show; anything else is logged once and
// answered with a generic 500 that reveals nothing of the cause.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ae       *apiError
		tooBig   *http.MaxBytesError
		stale    *article.ConflictError
		problems *article.InvalidError
	)
	var e errorJSON
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &ae):
		status, e = ae.Status, errorJSON{Code: ae.Code, Message: ae.Message, Fields: ae.Fields}
	case errors.As(err, &tooBig):
		status = http.StatusRequestEntityTooLarge
		e = errorJSON{Code: "too_large", Message: fmt.Sprintf("the request body is larger than %d bytes", tooBig.Limit)}
	case errors.As(err, &stale):
		// Before ErrConflict, which it wraps.
		status = http.StatusConflict
		e = errorJSON{Code: "conflict", Message: stale.Message(),
			Fields: map[string]string{"version": "stale"}, Current: h.adminArticle(stale.Current)}
	case errors.As(err, &problems):
		status = http.StatusUnprocessableEntity
		e = errorJSON{Code: "invalid", Message: strings.Join(problems.Problems, "; "), Fields: problemFields(problems.Problems)}
	case errors.Is(err, newsroom.ErrForbidden):
		status, e = http.StatusForbidden, errorJSON{Code: "forbidden", Message: "your role does not allow this"}
	case errors.Is(err, article.ErrNotFound):
		status, e = http.StatusNotFound, errorJSON{Code: "not_found", Message: "not found"}
	case errors.Is(err, article.ErrConflict):
		// Every unique key a client can hit is a slug. A refused delete
		// is answered by its handler (refusedDelete), before this.
		status = http.StatusConflict
		e = errorJSON{Code: "conflict", Message: "the slug is already in use", Fields: map[string]string{"slug": "already in use"}}
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		return // the client left; nobody to answer
	default:
		h.log.Error("api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = errorJSON{Code: "internal", Message: internalMessage}
	}
	if status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="broadsheet"`)
	}
	writeError(w, status, e)
}

func writeError(w http.ResponseWriter, status int, e errorJSON) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Del("Content-Length")
	writeJSON(w, status, struct {
		Error errorJSON `json:"error"`
	}{e})
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

// problemFields attributes the domain's problems to the request fields they
// are about. The domain words its problems field-first, which is what this
// relies on; a problem it cannot place stays in the message only.
func problemFields(problems []string) map[string]string {
	prefixes := []struct{ prefix, field string }{
		// Longest first: "section, tag, …" must not be read as "section".
		// The workflow resolves sections, tags and authors before saving,
		// so the only reference left to miss is the image.
		{"section, tag, author or lead image", "lead_image_id"},
		{"there is no section", "section"},
		{"there is no author", "authors"},
		{"a published article needs", "publish_at"},
		{"the replacement", "replacement_id"},
		{"an article cannot replace", "replacement_id"},
		{"only a published or scheduled", "status"},
		{"headline", "headline"},
		{"standfirst", "standfirst"},
		{"body", "body"},
		{"slug", "slug"},
		{"status", "status"},
		{"section", "section"},
		{"language", "language"},
		{"name", "name"},
	}
	fields := map[string]string{}
	for _, p := range problems {
		for _, pf := range prefixes {
			if strings.HasPrefix(p, pf.prefix) {
				if prev, ok := fields[pf.field]; ok {
					p = prev + "; " + p
				}
				fields[pf.field] = p
				break
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return fields
}
