// Package mail owns outgoing email: the durable outbox every message is
// queued in (in the same transaction as the event that caused it), the
// letters composed from embedded templates, and the worker that delivers
// them over SMTP with retries, backoff and a dead-letter state. It knows
// nothing of HTTP or SQL.
package mail

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/errs"
)

// Kind is why a message is sent; it picks the template.
type Kind string

const (
	Confirm    Kind = "confirm"    // confirm a new subscription (double opt-in)
	Subscribed Kind = "subscribed" // a confirmed address was subscribed to more
	Article    Kind = "article"    // a new article, to site and section subscribers
	Digest     Kind = "digest"     // the day's articles, to daily subscribers
	Comment    Kind = "comment"    // a new comment, to the discussion's subscribers
	Reply      Kind = "reply"      // a reply, to the commenter who asked for replies
	Reset      Kind = "reset"      // a newsroom password reset link
	Moderation Kind = "moderation" // comments waiting for a moderator
	Security   Kind = "security"   // a change to a newsroom account's sign-in, told to its owner
)

// Status is where a message stands.
type Status string

const (
	Queued    Status = "queued"    // waiting for its next attempt
	Sent      Status = "sent"      // the SMTP server accepted it
	Failed    Status = "failed"    // dead letter: every attempt failed
	Cancelled Status = "cancelled" // its reason went away (an article withdrawn)
)

// Message is one outbox row: who, why and about what. Its text is composed
// when it is sent.
type Message struct {
	ID        int64
	Key       string // unique: recipient, kind and object
	To        string
	Kind      Kind
	ObjectID  int64
	Data      string // small kind-specific detail, such as a link token
	Status    Status
	Attempts  int
	NextAt    time.Time
	LastError string
	CreatedAt time.Time
	SentAt    time.Time
}

// AddressKey is the form under which two email addresses are one: the
// address lower-cased letter by letter in every alphabet ("Édith@…" and
// "édith@…", "ИВАН@…" and "иван@…"). The stores keep it beside the address
// as typed, for uniqueness and lookups.
//
// strings.ToLower rather than cases.Fold: full case folding also merges
// letters that are not one another's capital ("ß" with "ss", "ﬁ" with
// "fi"), which could make two mailboxes one account; lower-casing maps
// each letter to one letter and never does. It is also what the outbox
// keys, the signed subscription links and the limits per address already
// compare, and what PostgreSQL's CITEXT compared in a UTF-8 locale. The
// price is that the few letters with two small forms, such as Greek final
// "ς" beside "σ", are not matched with each other.
func AddressKey(addr string) string { return strings.ToLower(addr) }

// Key makes a message's unique key: one mail per recipient, reason and
// object, ever.
func Key(to string, kind Kind, object string) string {
	return AddressKey(to) + "|" + string(kind) + "|" + object
}

// KeyID is Key for an object named by its id.
func KeyID(to string, kind Kind, id int64) string {
	return Key(to, kind, strconv.FormatInt(id, 10))
}

// Outbox is the store's side of the outbox.
type Outbox interface {
	// Enqueue queues messages; one whose key is already queued or sent is
	// skipped, silently.
	Enqueue(ctx context.Context, msgs ...Message) error
	// Claim leases up to limit messages that are due, so no other worker
	// takes them until the lease ends.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// MarkSent records that the server has the message, and calls then
	// (when not nil) the moment the record is durable, on whatever
	// goroutine made it so, before returning: the sender writes the
	// message's last byte there.
	MarkSent(ctx context.Context, id int64, at time.Time, then func()) error
	// Requeue records a failed attempt: the message waits until next, or,
	// when dead, becomes Failed. It undoes a MarkSent.
	Requeue(ctx context.Context, id int64, attempts int, next time.Time, lastErr string, dead bool) error
	// Cancel marks a message that has no reason to go any more.
	Cancel(ctx context.Context, id int64, why string) error
	// ExpandFanouts turns due fan-outs into messages, at most batch
	// subscribers per call, and reports whether work remains.
	ExpandFanouts(ctx context.Context, now time.Time, batch int) (more bool, err error)
}

// ErrSkip, from a Composer, means the message should not be sent at all:
// what it was about is gone.
var ErrSkip = errors.New("mail: nothing to send")

// Admin is what the newsroom's outbox page reads and does.
type Admin interface {
	OutboxCounts(ctx context.Context) (map[Status]int, error)
	// OutboxList lists messages with status, newest first, below beforeID
	// (0: from the newest).
	OutboxList(ctx context.Context, status Status, beforeID int64, limit int) ([]Message, error)
	OutboxMessage(ctx context.Context, id int64) (*Message, error)
	// Retry queues failed (or cancelled) messages again, now, with a fresh
	// count of attempts; id 0 retries every failed message.
	Retry(ctx context.Context, id int64, now time.Time) (int, error)
}

// ErrNotFound: no such message.
var ErrNotFound = errs.New(errs.NotFound, "mail: message not found")

// AnnounceWindow: an article published longer ago than this when its
// fan-out comes up (an imported archive, say) is not mailed.
const AnnounceWindow = 48 * time.Hour
