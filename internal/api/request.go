package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/errs"
)

// decode reads the request body into dst: JSON by Content-Type, no unknown
// fields, exactly one value. ServeHTTP has capped the body already.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errUnsupportedMedia
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errUnsupportedMedia
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return badRequest("the body must hold exactly one JSON value")
	}
	return nil
}

// decodeOptional is decode for endpoints whose body may be left out.
func decodeOptional(w http.ResponseWriter, r *http.Request, dst any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decode(w, r, dst)
}

// jsonError turns what encoding/json says into words for the client,
// naming the field where it can.
func jsonError(err error) error {
	var (
		tooBig  *http.MaxBytesError
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.Is(err, io.EOF):
		return badRequest("the request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("the JSON ends too soon")
	case errors.As(err, &syntax):
		return badRequest("malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return badRequest("the body must be a JSON object")
		}
		field := typeErr.Field[strings.LastIndex(typeErr.Field, ".")+1:]
		e := badRequest("%s must be %s", field, kindName(typeErr.Type))
		e.Fields = []errs.Problem{{Field: field, Message: "must be " + kindName(typeErr.Type)}}
		return e
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		e := badRequest("unknown field %q", name)
		e.Fields = []errs.Problem{{Field: name, Message: "unknown field"}}
		return e
	}
	return badRequest("malformed JSON")
}

func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(kindName(t.Elem()), "a ") + "s"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	}
	return "an object"
}

// pathID reads the {id} wildcard. Anything but a positive integer names no
// article, so it is a 404 like any other unknown id.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound("there is no article %q", r.PathValue("id"))
	}
	return id, nil
}

// queryLimit reads ?limit=, def when absent, and refuses anything outside
// [1, most].
func queryLimit(r *http.Request, def, most int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > most {
		return 0, badRequest("limit must be a whole number from 1 to %d", most)
	}
	return n, nil
}

// queryBefore reads ?before=, the next cursor of an Admin API list: 0
// when absent.
func queryBefore(r *http.Request) (int64, error) {
	s := r.URL.Query().Get("before")
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("before is not a cursor this API gave out")
	}
	return id, nil
}

// listPage reads the limit and cursor of an Admin API list that pages by
// id, newest first, as the list's store query takes them: one more than
// the page, which says whether a next page follows (cutPage).
func listPage(r *http.Request) (limit, query int, before int64, err error) {
	if limit, err = queryLimit(r, adminDefaultPage, maxAdminPage); err != nil {
		return 0, 0, 0, err
	}
	if before, err = queryBefore(r); err != nil {
		return 0, 0, 0, err
	}
	return limit, limit + 1, before, nil
}

// cutPage cuts list, asked for one more than limit, to the page, and
// returns the cursor of the next page: the id of the page's last item,
// nil when nothing follows.
func cutPage[T any](list []T, limit int, id func(*T) int64) ([]T, *string) {
	if len(list) <= limit {
		return list, nil
	}
	list = list[:limit]
	next := strconv.FormatInt(id(&list[limit-1]), 10)
	return list, &next
}

// overlay sets *dst to *src when the field was sent: a PATCH's pointer
// field left out (nil) keeps what is there.
func overlay[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// parseFuture reads an RFC 3339 time that must lie after now.
func parseFuture(field, s string, now time.Time) (time.Time, string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, field + " must be an RFC 3339 time such as 2026-07-01T06:00:00Z"
	}
	if !t.After(now) {
		return time.Time{}, field + " must be in the future; to publish now, leave it out"
	}
	return t, ""
}
