// Package errs is the one vocabulary of errors every package of Broadsheet
// speaks: what went wrong, as a Kind (not found, conflict, invalid input,
// forbidden, …), and what of it may be shown to the person who asked — a
// message in words safe to show and, for input, the field each problem is
// about, recorded where the problem is found. A problem's words are
// English, for logs and the JSON API; one recorded with its message
// catalog's key (AddKey, InvalidKey) can also be said in the language of
// the page that shows it (Problem.In).
//
// Domain and storage code raise these; internal/httperr turns any error
// into an HTTP answer in one place. An error outside the vocabulary is an
// internal one: it is logged, never shown. This package knows nothing of
// HTTP.
package errs

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/i18n"
)

// Kind is what went wrong, in the words every package shares. A Kind is
// itself an error, so that errors.Is(err, errs.NotFound) asks the kind of
// any error of the vocabulary.
type Kind uint8

const (
	// Internal is anything outside the vocabulary: ours to fix, logged,
	// never shown.
	Internal Kind = iota
	// BadRequest: the request could not be read at all.
	BadRequest
	// Invalid: the input breaks a rule; an *InvalidError names the field
	// of each problem.
	Invalid
	// Forbidden: not allowed, for this person or at this time.
	Forbidden
	// NotFound: there is no such thing.
	NotFound
	// Gone: it was here and is not any more (an expired link).
	Gone
	// Conflict: it clashes with what is stored (a slug in use, a stale
	// version, a record still in use).
	Conflict
	// TooLarge: the input is larger than accepted.
	TooLarge
	// TooMany: too many requests; Error.Retry says when to try again.
	TooMany
	// Unavailable: something this needs did not answer; trying again may
	// work.
	Unavailable
)

var kindNames = [...]string{
	Internal:    "internal error",
	BadRequest:  "bad request",
	Invalid:     "invalid",
	Forbidden:   "forbidden",
	NotFound:    "not found",
	Gone:        "gone",
	Conflict:    "conflict",
	TooLarge:    "too large",
	TooMany:     "too many requests",
	Unavailable: "unavailable",
}

// Kinds lists every kind, Internal first.
var Kinds = []Kind{Internal, BadRequest, Invalid, Forbidden, NotFound, Gone, Conflict, TooLarge, TooMany, Unavailable}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind %d", k)
}

func (k Kind) Error() string { return k.String() }

// Shown says the kind as an *Error with no words of its own.
func (k Kind) Shown() *Error { return &Error{Kind: k} }

// Problem is one thing wrong with an input: the field it is about ("" for
// the input as a whole) and what is wrong, in words safe to show.
type Problem struct {
	Field string
	// Message is in English: what logs and the JSON API say.
	Message string
	// Key is the message catalog's key (internal/i18n) of Message, and
	// Args its arguments, when it was recorded with them; "" otherwise.
	Key  string
	Args []any
}

// In says the problem in the catalog's language: its message there when it
// has a key, its English Message otherwise.
func (p Problem) In(c *i18n.Catalog) string {
	if p.Key == "" {
		return p.Message
	}
	return c.T(p.Key, p.Args...)
}

// Error is an error of the vocabulary: its kind and what may be shown of
// it. Only Kind is required.
type Error struct {
	Kind Kind
	// Code is a finer reason than the kind, stable for API clients to
	// branch on ("check_expired"); "" for the kind's own.
	Code string
	// Message says what went wrong in words safe to show; "" leaves the
	// words to whoever answers, by kind.
	Message string
	// Key is the message catalog's key (internal/i18n) of Message, so a
	// page can say it in its reader's language; "" for none.
	Key string
	// Fields are the input fields the error is about, each with what to
	// say beside it.
	Fields []Problem
	// Retry is how long to wait before trying again (TooMany).
	Retry time.Duration
	// Err is the cause, for logs and errors.Is; never shown.
	Err error
}

// New returns an error of kind k whose text is for logs only: whoever
// answers says the kind's usual words. It suits sentinels such as
// article.ErrNotFound.
func New(k Kind, text string) *Error { return &Error{Kind: k, Err: errors.New(text)} }

// Shown returns an error of kind k that says message to whoever asked.
func Shown(k Kind, message string) *Error { return &Error{Kind: k, Message: message} }

// Showf is Shown with a format.
func Showf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of kind k, saying message, caused by err.
func Wrap(k Kind, message string, err error) *Error {
	return &Error{Kind: k, Message: message, Err: err}
}

func (e *Error) Error() string {
	switch {
	case e.Message != "" && e.Err != nil:
		return e.Message + ": " + e.Err.Error()
	case e.Message != "":
		return e.Message
	case e.Err != nil:
		return e.Err.Error()
	case e.Code != "":
		return e.Kind.String() + " (" + e.Code + ")"
	}
	return e.Kind.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports a match with e's kind, so errors.Is(err, errs.NotFound) holds
// for every not-found error, whichever package raised it.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// Shown returns e itself.
func (e *Error) Shown() *Error { return e }

// InvalidError lists everything wrong with an input: each problem in words
// safe to show, and the field it is about, recorded where it was found.
// Fields[i] names the field of Problems[i]; a problem without one (Fields
// shorter, or "") is about the input as a whole.
type InvalidError struct {
	Problems []string
	Fields   []string
	// keys are the catalog's key and arguments of the problems recorded
	// with them, by index like Fields; zero for one in English only.
	keys []catalogKey
}

type catalogKey struct {
	key  string
	args []any
}

// InvalidField returns an InvalidError of one problem about field.
func InvalidField(field, message string) *InvalidError {
	return &InvalidError{Problems: []string{message}, Fields: []string{field}}
}

// InvalidKey returns an InvalidError of one problem about field, said by
// the catalog's message key with args (AddKey).
func InvalidKey(field, key string, args ...any) *InvalidError {
	e := &InvalidError{}
	e.AddKey(field, key, args...)
	return e
}

// InvalidFields returns an InvalidError of a problem per field, in the
// order of the field names.
func InvalidFields(byField map[string]string) *InvalidError {
	e := &InvalidError{}
	for _, f := range slices.Sorted(maps.Keys(byField)) {
		e.Add(f, byField[f])
	}
	return e
}

// Add records a problem about field ("" for none), in English only.
func (e *InvalidError) Add(field, message string) {
	e.AddProblem(Problem{Field: field, Message: message})
}

// AddKey records a problem about field ("" for none) as the catalog's
// message key with args: its Message is the English catalog's words, so a
// page can say it in its own language (Problem.In) while logs and the API
// keep English.
func (e *InvalidError) AddKey(field, key string, args ...any) {
	e.AddProblem(Problem{Field: field, Message: i18n.For("en").T(key, args...), Key: key, Args: args})
}

// AddProblem records p, with its field and key.
func (e *InvalidError) AddProblem(p Problem) {
	for len(e.Fields) < len(e.Problems) {
		e.Fields = append(e.Fields, "")
	}
	for len(e.keys) < len(e.Problems) {
		e.keys = append(e.keys, catalogKey{})
	}
	e.Problems = append(e.Problems, p.Message)
	e.Fields = append(e.Fields, p.Field)
	e.keys = append(e.keys, catalogKey{p.Key, p.Args})
}

// Field is the field Problems[i] is about, "" for none.
func (e *InvalidError) Field(i int) string {
	if i < len(e.Fields) {
		return e.Fields[i]
	}
	return ""
}

// Has reports whether a problem about field is recorded.
func (e *InvalidError) Has(field string) bool {
	for i := range e.Problems {
		if e.Field(i) == field {
			return true
		}
	}
	return false
}

// List returns the problems with their fields, in order.
func (e *InvalidError) List() []Problem {
	list := make([]Problem, len(e.Problems))
	for i, p := range e.Problems {
		list[i] = Problem{Field: e.Field(i), Message: p}
		if i < len(e.keys) {
			list[i].Key, list[i].Args = e.keys[i].key, e.keys[i].args
		}
	}
	return list
}

// OrNil returns e, or nil when it holds no problem: the error to return
// after collecting problems.
func (e *InvalidError) OrNil() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	return e
}

func (e *InvalidError) Error() string { return "invalid: " + strings.Join(e.Problems, "; ") }

// Is reports a match with Invalid.
func (e *InvalidError) Is(target error) bool { return target == Invalid }

// Shown says e as an *Error: every problem in the message, each field
// beside its own.
func (e *InvalidError) Shown() *Error {
	return &Error{Kind: Invalid, Message: strings.Join(e.Problems, "; "), Fields: e.List()}
}

// Explained is an error of the vocabulary: it says, as an *Error, what
// kind it is and what may be shown of it. *Error, *InvalidError and every
// Kind are; so is a domain's own error type that carries more (such as the
// stored version of an article on a conflict).
type Explained interface {
	error
	Shown() *Error
}

// From returns what err says of itself in the vocabulary: the first error
// in its chain that is Explained, as an *Error. Anything else is Internal,
// with no words to show.
func From(err error) *Error {
	var x Explained
	if errors.As(err, &x) {
		if e := x.Shown(); e != nil {
			return e
		}
	}
	return &Error{Kind: Internal, Err: err}
}

// KindOf is the kind of err: Internal for anything outside the vocabulary.
func KindOf(err error) Kind { return From(err).Kind }

// Fields collects, field by field, what to say beside each; problems about
// the same field are joined with "; ". Problems about no field are left
// out: the whole message says them.
func Fields(problems []Problem) map[string]string {
	out := map[string]string{}
	for _, p := range problems {
		if p.Field == "" {
			continue
		}
		if prev, ok := out[p.Field]; ok {
			out[p.Field] = prev + "; " + p.Message
		} else {
			out[p.Field] = p.Message
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
