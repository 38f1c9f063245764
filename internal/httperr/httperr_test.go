package httperr

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/errs"
)

// The table: each kind of the vocabulary is one status and one code, for
// the site, the newsroom and the API alike.
func TestKindToStatusAndCode(t *testing.T) {
	for _, tc := range []struct {
		kind   errs.Kind
		status int
		code   string
	}{
		{errs.Internal, 500, "internal"},
		{errs.BadRequest, 400, "bad_request"},
		{errs.Invalid, 422, "invalid"},
		{errs.Forbidden, 403, "forbidden"},
		{errs.NotFound, 404, "not_found"},
		{errs.Gone, 410, "gone"},
		{errs.Conflict, 409, "conflict"},
		{errs.TooLarge, 413, "too_large"},
		{errs.TooMany, 429, "rate_limited"},
		{errs.Unavailable, 503, "unavailable"},
	} {
		for _, err := range []error{tc.kind, errs.New(tc.kind, "sentinel"), fmt.Errorf("wrapped: %w", errs.Shown(tc.kind, "words"))} {
			r := Of(err)
			if r.Status != tc.status || r.Code != tc.code || r.Kind != tc.kind {
				t.Errorf("Of(%v) = %d %s (%v), want %d %s", err, r.Status, r.Code, r.Kind, tc.status, tc.code)
			}
			if r.Message == "" {
				t.Errorf("Of(%v): no message", err)
			}
		}
	}
	if len(kinds) != len(errs.Kinds) {
		t.Errorf("the table has %d kinds, the vocabulary %d", len(kinds), len(errs.Kinds))
	}
}

// What the answer says comes from the error: its code, words, catalog
// key, fields and wait; a kind without words gets its usual ones.
func TestReplyCarriesTheErrorsOwnWords(t *testing.T) {
	e := &errs.Error{Kind: errs.Invalid, Code: "check_expired", Message: "The check expired.", Key: "comment.check_expired"}
	if r := Of(fmt.Errorf("comment: %w", e)); r.Status != 422 || r.Code != "check_expired" || r.Message != "The check expired." || r.Key != "comment.check_expired" || r.Generic {
		t.Errorf("own words: %+v", r)
	}
	r := Of(errs.New(errs.NotFound, "sqlite: article 7 not found"))
	if r.Message != "not found" || !r.Generic || strings.Contains(r.Message, "sqlite") {
		t.Errorf("a sentinel's text for logs was shown: %+v", r)
	}

	inv := &errs.InvalidError{}
	inv.Add("headline", "headline is required")
	inv.Add("section", `there is no section "weather"`)
	inv.Add("", "the save did not say which version it edits")
	r = Of(inv)
	if r.Status != 422 || r.Message != `headline is required; there is no section "weather"; the save did not say which version it edits` {
		t.Errorf("invalid: %+v", r)
	}
	if want := map[string]string{"headline": "headline is required", "section": `there is no section "weather"`}; !reflect.DeepEqual(r.FieldMessages(), want) {
		t.Errorf("fields = %v, want %v", r.FieldMessages(), want)
	}

	h := http.Header{}
	Of(&errs.Error{Kind: errs.TooMany, Retry: 1500 * time.Millisecond}).SetRetryAfter(h)
	if h.Get("Retry-After") != "2" {
		t.Errorf("Retry-After = %q, want 2 (rounded up)", h.Get("Retry-After"))
	}
	h = http.Header{}
	Of(errs.NotFound).SetRetryAfter(h)
	if len(h) != 0 {
		t.Errorf("Retry-After without a wait: %v", h)
	}
}

// Anything outside the vocabulary is a generic 500 that says nothing of
// the error; HTTP's own errors keep their status.
func TestInternalAndHTTPErrors(t *testing.T) {
	r := Of(fmt.Errorf("sqlite: disk I/O error at /var/lib/broadsheet.db: %w", errors.New("EIO")))
	if r.Status != 500 || r.Code != "internal" || !r.Internal || r.Message != InternalMessage || r.Fields != nil {
		t.Errorf("internal: %+v", r)
	}
	r = Of(&http.MaxBytesError{Limit: 1 << 20})
	if r.Status != 413 || r.Code != "too_large" || r.Message != "the request body is larger than 1048576 bytes" {
		t.Errorf("MaxBytesError: %+v", r)
	}
	r = Of(fmt.Errorf("decode: %w", New(http.StatusUnsupportedMediaType, "unsupported_media_type", "send JSON")))
	if r.Status != 415 || r.Code != "unsupported_media_type" || r.Message != "send JSON" || r.Internal {
		t.Errorf("HTTP error: %+v", r)
	}
}
