// Package httperr is the one place an error becomes what an HTTP answer
// says of it: a status, a stable code, a message safe to show and the
// input fields it is about. The reading site's pages, the newsroom's forms
// and the JSON API all ask Of, then each words the answer in its own
// format. Errors of the vocabulary (internal/errs) carry their own words;
// anything else is internal: the caller logs it once and shows only a
// generic message, never the error's text.
package httperr

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"broadsheet/internal/errs"
)

// Error is an error only HTTP has: a method the path does not answer, a
// body of a media type the endpoint does not read, missing credentials.
// Its status, code and message are all safe to show.
type Error struct {
	Status  int
	Code    string
	Message string
}

// New returns an Error.
func New(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// InternalMessage is what an internal error says, wherever it is shown.
const InternalMessage = "something went wrong on our side; it has been logged"

// kinds is the table: each kind's status, code and usual words.
var kinds = map[errs.Kind]struct {
	status        int
	code, message string
}{
	errs.Internal:    {http.StatusInternalServerError, "internal", InternalMessage},
	errs.BadRequest:  {http.StatusBadRequest, "bad_request", "the request could not be read"},
	errs.Invalid:     {http.StatusUnprocessableEntity, "invalid", "the input is not valid"},
	errs.Forbidden:   {http.StatusForbidden, "forbidden", "this is not allowed"},
	errs.NotFound:    {http.StatusNotFound, "not_found", "not found"},
	errs.Gone:        {http.StatusGone, "gone", "this is no longer here"},
	errs.Conflict:    {http.StatusConflict, "conflict", "this conflicts with what is stored"},
	errs.TooLarge:    {http.StatusRequestEntityTooLarge, "too_large", "the request body is too large"},
	errs.TooMany:     {http.StatusTooManyRequests, "rate_limited", "too many requests; wait for the number of seconds in Retry-After"},
	errs.Unavailable: {http.StatusServiceUnavailable, "unavailable", "a service this needs did not answer; please try again"},
}

// Reply is what an answer says about an error.
type Reply struct {
	Kind   errs.Kind
	Status int
	// Code is stable, for API clients: the error's own (check_expired) or
	// its kind's (not_found).
	Code string
	// Message is safe to show: the error's own words, or, when Generic,
	// its kind's usual ones.
	Message string
	Generic bool
	// Key is the catalog key of the error's own words, for a page in its
	// reader's language; "" when it has none.
	Key string
	// Fields are the input fields the error is about, in order.
	Fields []errs.Problem
	// Retry is how long the client should wait (Retry-After).
	Retry time.Duration
	// Internal: the error is outside the vocabulary. The caller logs it
	// once; Message is generic and reveals nothing of it.
	Internal bool
}

// Of maps any error to its answer.
func Of(err error) Reply {
	var (
		he     *Error
		x      errs.Explained
		tooBig *http.MaxBytesError
	)
	switch {
	case errors.As(err, &he):
		return Reply{Kind: kindOfStatus(he.Status), Status: he.Status, Code: he.Code, Message: he.Message}
	case errors.As(err, &x):
		return reply(x.Shown())
	case errors.As(err, &tooBig):
		return reply(errs.Showf(errs.TooLarge, "the request body is larger than %d bytes", tooBig.Limit))
	}
	return reply(&errs.Error{Kind: errs.Internal})
}

func reply(e *errs.Error) Reply {
	k, ok := kinds[e.Kind]
	if !ok || e.Kind == errs.Internal {
		k = kinds[errs.Internal]
		return Reply{Kind: errs.Internal, Status: k.status, Code: k.code, Message: k.message, Generic: true, Internal: true}
	}
	r := Reply{Kind: e.Kind, Status: k.status, Code: k.code, Message: e.Message, Key: e.Key, Fields: e.Fields, Retry: e.Retry}
	if e.Code != "" {
		r.Code = e.Code
	}
	if r.Message == "" {
		r.Message, r.Generic = k.message, true
	}
	return r
}

// kindOfStatus is the kind an HTTP-only error is closest to.
func kindOfStatus(status int) errs.Kind {
	for k, v := range kinds {
		if v.status == status {
			return k
		}
	}
	if status >= 500 {
		return errs.Internal
	}
	return errs.BadRequest
}

// FieldMessages says, field by field, what is wrong; nil when no field is
// named.
func (r Reply) FieldMessages() map[string]string { return errs.Fields(r.Fields) }

// SetRetryAfter sets Retry-After, in whole seconds rounded up, when the
// reply asks the client to wait.
func (r Reply) SetRetryAfter(h http.Header) {
	if r.Retry > 0 {
		h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(r.Retry.Seconds())))))
	}
}

// ClientLeft reports whether err only says that the client of r went away
// before the answer: there is nobody to answer, nothing to log.
func ClientLeft(r *http.Request, err error) bool {
	return errors.Is(err, context.Canceled) && r.Context().Err() != nil
}
