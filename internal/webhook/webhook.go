// Package webhook owns the site's webhooks, as the Standard Webhooks
// specification describes them (https://www.standardwebhooks.com): the
// endpoints admins register and the events each wants; the events
// themselves — their types and the JSON each carries (payload.go); how a
// message is signed (sign.go); the retry schedule and what an answer
// means for a delivery (schedule.go); the admins' use cases, which the
// newsroom's pages and the Admin API share (service.go); and the Worker
// that delivers (worker.go).
//
// Storage records an event in the same transaction as the change that
// causes it (internal/store), as one message and one delivery per
// endpoint that wants it, so that nothing is lost across a restart and
// nothing is announced that did not happen. This package imports no
// storage and no HTTP handlers.
package webhook

import (
	"slices"
	"time"

	"broadsheet/internal/errs"
)

// The events the site sends, each a full-stop delimited type as the
// specification recommends. docs/webhooks.md documents each one's data.
const (
	ArticlePublished   = "article.published"
	ArticleUpdated     = "article.updated"
	ArticleUnpublished = "article.unpublished"
	ArticleCorrected   = "article.corrected"
	// LiveblogUpdatePosted is an update posted to a published live blog.
	LiveblogUpdatePosted = "liveblog.update_posted"
	CommentCreated       = "comment.created"
	CommentApproved      = "comment.approved"
	SubscriberConfirmed  = "subscriber.confirmed"
	// Test is what the newsroom's "Send a test event" sends, to one
	// endpoint, whatever events it asked for.
	Test = "webhook.test"
)

// Types are the events an endpoint may ask for, in the order the
// newsroom lists them.
var Types = []string{ArticlePublished, ArticleUpdated, ArticleUnpublished, ArticleCorrected, LiveblogUpdatePosted,
	CommentCreated, CommentApproved, SubscriberConfirmed}

// ArticleTypes are the events of articles, which a write of an article
// may cause.
var ArticleTypes = []string{ArticlePublished, ArticleUpdated, ArticleUnpublished, ArticleCorrected}

// Known reports whether typ is an event an endpoint may ask for.
func Known(typ string) bool { return slices.Contains(Types, typ) }

// Endpoint is an address that receives the events it asked for.
type Endpoint struct {
	ID          int64
	URL         string
	Description string
	// Events are the types it receives, in the order of Types.
	Events  []string
	Enabled bool
	// Secret signs every message (whsec_ and base64). After a rotation
	// OldSecret, the one before, signs beside it until OldUntil, so that a
	// receiver can change over without missing a message.
	Secret    string
	OldSecret string
	OldUntil  time.Time
	// DisabledReason says why the site itself turned the endpoint off
	// (it answered 410 Gone); "" when an admin did, or it is on.
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// How it fares, filled by listings: its latest attempt, if any, and
	// its deliveries waiting and failed for good.
	Last           *Attempt
	Queued, Failed int
}

// Wants reports whether e receives events of typ.
func (e *Endpoint) Wants(typ string) bool { return slices.Contains(e.Events, typ) }

// Secrets are the secrets that sign a message sent at now: the current
// one, and the one it replaced while it still signs.
func (e *Endpoint) Secrets(now time.Time) []string {
	s := []string{e.Secret}
	if e.OldSecret != "" && now.Before(e.OldUntil) {
		s = append(s, e.OldSecret)
	}
	return s
}

// Message is one event: its id (msg_…), the same on every delivery and
// every attempt of it, its type, and the JSON body every endpoint
// receives, composed once when the event happened.
type Message struct {
	ID        string
	Type      string
	Payload   []byte
	CreatedAt time.Time
}

// Status is where a delivery stands.
type Status string

const (
	// Queued: waiting for its next attempt.
	Queued Status = "queued"
	// Delivered: the endpoint answered 2xx.
	Delivered Status = "delivered"
	// Failed: a dead letter, after the last attempt of the schedule or a
	// 410 Gone. "Send again" queues it once more.
	Failed Status = "failed"
)

// Delivery is one message on its way to one endpoint.
type Delivery struct {
	ID         int64
	MessageID  string
	Type       string
	EndpointID int64
	Status     Status
	// Attempts counts the attempts since it was queued (again).
	Attempts  int
	NextAt    time.Time
	CreatedAt time.Time
	DoneAt    time.Time // when it was delivered or given up
	// Log is every attempt, newest first, filled by listings.
	Log []Attempt
}

// Attempt is one request of a delivery and what came of it.
type Attempt struct {
	ID         int64
	DeliveryID int64
	At         time.Time
	// Status is the answer's HTTP status, 0 when there was none.
	Status int
	// Error says what went wrong: no answer (refused, timed out), or an
	// answer that is not a success; "" for a success.
	Error    string
	Duration time.Duration
	// Response is the opening of the answer's body, as text.
	Response string
}

// OK reports whether the attempt was a success.
func (a Attempt) OK() bool { return a.Status >= 200 && a.Status <= 299 && a.Error == "" }

// Limits of what an admin types.
const (
	MaxURL         = 2000
	MaxDescription = 300
)

// ErrNotFound means there is no such endpoint or delivery.
var ErrNotFound = errs.New(errs.NotFound, "webhook: not found")
