// Package subscription owns readers' subscriptions: to the whole site, a
// section, or one article's discussion; double opt-in; the signed links in
// every mail that confirm, manage and unsubscribe; and the Store every
// engine implements. It knows nothing of HTTP, SQL or SMTP.
package subscription

import (
	"context"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/errs"
)

// Kind is what a subscription follows.
type Kind string

const (
	Site    Kind = "site"    // every new article
	Section Kind = "section" // new articles in one section
	Article Kind = "article" // new comments under one article
)

// Scope is one thing to follow: the site (ID 0), a section or an article.
type Scope struct {
	Kind Kind
	ID   int64
}

func (s Scope) String() string {
	if s.Kind == Site {
		return "site"
	}
	return string(s.Kind) + ":" + strconv.FormatInt(s.ID, 10)
}

// Frequency is how often a site or section subscription mails.
type Frequency string

const (
	Immediate Frequency = "immediate" // one mail per article, when it goes live
	Daily     Frequency = "daily"     // one digest a day at the site's digest hour
)

// Valid reports whether f is a known frequency.
func (f Frequency) Valid() bool { return f == Immediate || f == Daily }

// Status is where a subscription stands.
type Status string

const (
	Pending Status = "pending" // waiting for the address to confirm
	Active  Status = "active"
)

// Subscriber is one email address and what it follows.
type Subscriber struct {
	ID          int64
	Email       string
	ConfirmedAt time.Time // zero until the address confirmed once
	Consent     string    // how consent was given, for the record
	CreatedAt   time.Time
	Subs        []Subscription
}

// Confirmed reports whether the address has confirmed a subscription once:
// it is never asked again.
func (s *Subscriber) Confirmed() bool { return !s.ConfirmedAt.IsZero() }

// Subscription is one scope followed by one address.
type Subscription struct {
	ID           int64
	SubscriberID int64
	Scope        Scope
	Frequency    Frequency
	Status       Status
	Nonce        string // the pending confirmation's secret
	CreatedAt    time.Time
	// Label names the scope for people: "Everything", a section's name or
	// an article's headline. The store leaves it empty; the pages that
	// show subscriptions fill it.
	Label string
}

// Request is a reader asking to subscribe.
type Request struct {
	Email     string
	Scope     Scope
	Frequency Frequency
	Nonce     string // a fresh secret for the confirmation link
	Consent   string
	Label     string // the scope for people, as the mail will name it
	// Language is the language the mail about the request is written in:
	// that of what the scope follows.
	Language string
}

// Outcome says what a request did.
type Outcome int

const (
	// Confirming: a confirmation mail was queued.
	Confirming Outcome = iota
	// Added: the address was confirmed before, so the subscription is
	// active at once and a notice (with a way out) was queued.
	Added
	// Unchanged: the address already had this subscription.
	Unchanged
)

// Sentinel errors; stores wrap them.
var (
	ErrNotFound = errs.New(errs.NotFound, "subscription not found")
	// ErrBadLink: a confirm or manage link that is forged, expired, or
	// already spent.
	ErrBadLink = errs.New(errs.Gone, "subscription: link is not valid")
	// ErrNoEmail and ErrBadEmail: what is wrong with a typed address.
	ErrNoEmail  = errs.New(errs.Invalid, "subscription: no email address")
	ErrBadEmail = errs.New(errs.Invalid, "subscription: not an email address")
)

// MaxEmail is the longest address accepted (RFC 5321).
const MaxEmail = 254

// NormalizeEmail checks a reader's address and returns it trimmed; the
// domain is lower-cased, the local part kept as typed.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrNoEmail
	}
	if len(s) > MaxEmail || strings.ContainsAny(s, " <>,;\"\r\n") {
		return "", ErrBadEmail
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", ErrBadEmail
	}
	at := strings.LastIndexByte(s, '@')
	return s[:at] + strings.ToLower(s[at:]), nil
}

// Domain is the part of an address after the @, lower-cased.
func Domain(email string) string {
	return strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
}

// ParseScope reads a scope as the form sends it: "site", "section:SLUG" or
// "article:ID". lookup turns a section slug into its id.
func ParseScope(s string, section func(slug string) (int64, error)) (Scope, error) {
	kind, rest, _ := strings.Cut(s, ":")
	switch Kind(kind) {
	case Site:
		if rest == "" {
			return Scope{Kind: Site}, nil
		}
	case Section:
		if rest != "" {
			id, err := section(rest)
			if err != nil {
				return Scope{}, fmt.Errorf("no section %q", rest)
			}
			return Scope{Kind: Section, ID: id}, nil
		}
	case Article:
		if id, err := strconv.ParseInt(rest, 10, 64); err == nil && id > 0 {
			return Scope{Kind: Article, ID: id}, nil
		}
	}
	return Scope{}, fmt.Errorf("scope %q: want site, section:SLUG or article:ID", s)
}

// Store keeps subscribers and their subscriptions. Every method that
// decides to mail someone queues that mail in its own transaction.
type Store interface {
	// Subscribe records r, creating the subscriber when new, and queues
	// the confirmation or the notice the Outcome names.
	Subscribe(ctx context.Context, r Request) (Outcome, error)
	// Confirm activates the pending subscription id whose nonce matches
	// and marks its address confirmed. Confirming again is no error;
	// a wrong nonce, or a subscription that no longer exists, is
	// ErrBadLink.
	Confirm(ctx context.Context, id int64, nonce string) (*Subscription, error)
	// Subscriber returns the subscriber with every subscription, labelled.
	Subscriber(ctx context.Context, id int64) (*Subscriber, error)
	// SetFrequency changes how often one of the subscriber's
	// subscriptions mails.
	SetFrequency(ctx context.Context, subscriberID, id int64, f Frequency) error
	// Unsubscribe ends one of the subscriber's subscriptions, or all of
	// them when id is 0. Ending what is already gone is no error.
	Unsubscribe(ctx context.Context, subscriberID, id int64) error
}

// Stats counts a site's subscribers.
type Stats struct {
	Subscribers, Confirmed int
	// Active subscriptions by scope.
	ByScope map[Scope]int
}

// Query selects subscribers for the newsroom's list.
type Query struct {
	Search  string // part of the address
	AfterID int64  // keyset: continue after this subscriber
	Limit   int
}

// Import is one row of a subscriber import. Consent says how and when the
// person agreed; the newsroom's import form refuses a file with a row
// without it, before anything is stored.
type Import struct {
	Email   string
	Scope   Scope
	Consent string
}

// Admin is what the newsroom's subscriber pages need.
type Admin interface {
	SubscriberStats(ctx context.Context) (Stats, error)
	Subscribers(ctx context.Context, q Query) ([]Subscriber, error)
	SubscriberByEmail(ctx context.Context, email string) (*Subscriber, error)
	// ImportSubscribers adds confirmed subscriptions, one transaction for
	// all rows; an address already subscribed to a scope is skipped.
	ImportSubscribers(ctx context.Context, rows []Import) (added int, err error)
	// EraseSubscriber deletes the address, its subscriptions and every
	// message to it; false when there was nothing to erase.
	EraseSubscriber(ctx context.Context, email string) (bool, error)
}
