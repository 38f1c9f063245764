package errs

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// Every error of the vocabulary answers errors.Is for its kind, however
// deeply wrapped; anything else is Internal.
func TestKindOf(t *testing.T) {
	sentinel := New(NotFound, "article not found")
	for _, tc := range []struct {
		name string
		err  error
		want Kind
	}{
		{"sentinel", sentinel, NotFound},
		{"wrapped sentinel", fmt.Errorf("sqlite: article %q: %w", "x", sentinel), NotFound},
		{"kind itself", Conflict, Conflict},
		{"wrapped kind", fmt.Errorf("saving: %w", Forbidden), Forbidden},
		{"shown", Shown(Gone, "the link has expired"), Gone},
		{"invalid", InvalidField("name", "name is required"), Invalid},
		{"invalid as the store writes it", fmt.Errorf("x: %w", &InvalidError{Problems: []string{"a note needs text"}}), Invalid},
		{"outermost wins", &Error{Kind: Conflict, Err: InvalidField("slug", "taken")}, Conflict},
		{"plain", errors.New("disk full"), Internal},
		{"plain wrapped", fmt.Errorf("saving: %w", errors.New("disk full")), Internal},
	} {
		if got := KindOf(tc.err); got != tc.want {
			t.Errorf("%s: KindOf = %v, want %v", tc.name, got, tc.want)
		}
		for _, k := range Kinds[1:] {
			if k == Invalid && tc.name == "outermost wins" {
				continue // errors.Is looks down the chain too
			}
			if got := errors.Is(tc.err, k); got != (k == tc.want) {
				t.Errorf("%s: errors.Is(err, %v) = %v", tc.name, k, got)
			}
		}
	}
}

// Two sentinels of one kind stay two errors: comment.ErrNotFound is not
// article.ErrNotFound, though both are NotFound.
func TestSentinelsOfOneKindStayDistinct(t *testing.T) {
	a, b := New(NotFound, "article not found"), New(NotFound, "comment not found")
	err := fmt.Errorf("loading: %w", a)
	if !errors.Is(err, a) || errors.Is(err, b) {
		t.Errorf("errors.Is(wrapped a, a) = %v, (…, b) = %v; want true, false", errors.Is(err, a), errors.Is(err, b))
	}
	if got := err.Error(); got != "loading: article not found" {
		t.Errorf("Error() = %q: a sentinel's text is its own", got)
	}
	if e := From(err); e.Message != "" {
		t.Errorf("a sentinel shows %q; want no words of its own", e.Message)
	}
}

// An InvalidError keeps each problem with its field, in order, and still
// reads as the store writes it: problems without fields.
func TestInvalidErrorFields(t *testing.T) {
	inv := &InvalidError{}
	inv.Add("headline", "headline is required")
	inv.Add("", "the save did not say which version it edits")
	inv.Add("headline", "headline is longer than 200 characters")
	want := []Problem{{"headline", "headline is required"}, {"", "the save did not say which version it edits"}, {"headline", "headline is longer than 200 characters"}}
	if got := inv.List(); !reflect.DeepEqual(got, want) {
		t.Errorf("List() = %v, want %v", got, want)
	}
	if got := Fields(inv.List()); !reflect.DeepEqual(got, map[string]string{"headline": "headline is required; headline is longer than 200 characters"}) {
		t.Errorf("Fields = %v", got)
	}
	shown := inv.Shown()
	if shown.Kind != Invalid || shown.Message != "headline is required; the save did not say which version it edits; headline is longer than 200 characters" {
		t.Errorf("Shown() = %+v", shown)
	}

	legacy := &InvalidError{Problems: []string{"an image needs at least one variant"}}
	if legacy.Field(0) != "" || Fields(legacy.List()) != nil || legacy.Error() != "invalid: an image needs at least one variant" {
		t.Errorf("a problem without a field: Field = %q, Fields = %v, Error = %q", legacy.Field(0), Fields(legacy.List()), legacy.Error())
	}
	legacy.Add("kind", "a note is a correction or an update")
	if legacy.Field(0) != "" || legacy.Field(1) != "kind" {
		t.Errorf("after Add: fields %q", legacy.Fields)
	}

	if err := (&InvalidError{}).OrNil(); err != nil {
		t.Errorf("OrNil of no problems = %v", err)
	}
	byField := InvalidFields(map[string]string{"slug": "taken", "name": "name is required"})
	if byField.Shown().Message != "name is required; taken" || !byField.Has("slug") || byField.Has("bio") {
		t.Errorf("InvalidFields: %+v", byField)
	}
}
