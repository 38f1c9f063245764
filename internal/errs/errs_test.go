package errs

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"broadsheet/internal/i18n"
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
	want := []Problem{{Field: "headline", Message: "headline is required"}, {Message: "the save did not say which version it edits"},
		{Field: "headline", Message: "headline is longer than 200 characters"}}
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

// A problem recorded with its catalog key says the English catalog's words
// wherever English is read (the message, the fields, the log line) and
// the reader's language where a page asks for it; one without a key is
// English everywhere. Keys stay with their problems, in order, as problems
// are copied from one error to another.
func TestInvalidErrorKeys(t *testing.T) {
	inv := &InvalidError{Problems: []string{"an image needs at least one variant"}}
	inv.AddKey("headline", "problem.headline_long", 200)
	inv.Add("authors", "headline writers cannot be bylined")
	inv.AddKey("section", "problem.section_unknown", "weather")
	if want := "invalid: an image needs at least one variant; headline is longer than 200 characters; headline writers cannot be bylined; there is no section \"weather\""; inv.Error() != want {
		t.Errorf("Error() = %q, want %q", inv.Error(), want)
	}
	list := inv.List()
	fa := i18n.For("fa")
	for i, want := range []string{"an image needs at least one variant", "تیتر بیش از ۲۰۰ نویسه است", "headline writers cannot be bylined", "بخشی با نامک «weather» وجود ندارد"} {
		if got := list[i].In(fa); got != want {
			t.Errorf("problem %d in Persian = %q, want %q", i, got, want)
		}
	}
	if got := list[1].In(i18n.For("en")); got != list[1].Message {
		t.Errorf("in English = %q, its message %q", got, list[1].Message)
	}

	copied := &InvalidError{}
	for _, p := range From(inv).Fields[1:] {
		copied.AddProblem(p)
	}
	if !reflect.DeepEqual(copied.List(), list[1:]) {
		t.Errorf("copied = %+v\nwant     %+v", copied.List(), list[1:])
	}
	one := InvalidKey("slug", "problem.slug_required")
	if p := one.List()[0]; p.Field != "slug" || p.Message != "slug is required" || p.In(fa) != "نامک الزامی است" {
		t.Errorf("InvalidKey = %+v", p)
	}
}
