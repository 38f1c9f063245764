// Package comment owns readers' comments: what a valid comment is, how
// replies thread, who sees which comment, and the Store every engine
// implements. It knows nothing of HTTP or SQL.
package comment

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"broadsheet/internal/article"
	"broadsheet/internal/errs"
)

// Status is where a comment stands in moderation.
type Status string

const (
	Pending  Status = "pending"  // held: visible only to its author and moderators
	Approved Status = "approved" // public
	Spam     Status = "spam"
	Trash    Status = "trash"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case Pending, Approved, Spam, Trash:
		return true
	}
	return false
}

// MaxDepth is how deep replies nest on the page; deeper replies stay at this
// depth and say whom they answer.
const MaxDepth = 3

// ReplyPlace is where a reply to a comment at parentDepth by parentName
// goes: one level deeper, or, under a comment already at MaxDepth, beside
// it at the last level, saying whom it answers.
func ReplyPlace(parentDepth int, parentName string) (depth int, replyTo string, beside bool) {
	if parentDepth < MaxDepth {
		return parentDepth + 1, "", false
	}
	return MaxDepth, parentName, true
}

// KeyRules names, in the change log, a change of the rules comments are
// checked by (the blocklist); the site's settings change under
// article.KeySite.
const KeyRules = "comment-rules"

// HeldReported is why a comment readers reported went back to moderation.
const HeldReported = "reported by readers"

// Limits on what a reader may send.
const (
	MaxName      = 80
	MinBody      = 2
	MaxBody      = 5000
	MaxEmail     = 254
	EditWindow   = 15 * time.Minute
	MaxKeyLength = 64 // idempotency key
)

// Comment is one reader's (or a staff member's) contribution.
type Comment struct {
	ID          int64
	ArticleID   int64
	ParentID    int64  // 0 for a top-level comment
	Depth       int    // 0 for top level, at most MaxDepth
	ReplyToName string // set when a reply is deeper than MaxDepth allows
	Name        string
	Email       string // never shown
	URL         string // the author's web address: only comments imported from elsewhere have one
	Body        string // Markdown subset
	// HTML is Body rendered for readers, as stored with the comment; empty
	// when it was stored by another renderer (markup.CommentsVersion) and
	// must be rendered again.
	HTML       string
	Status     Status
	Pinned     bool
	UserID     int64 // a newsroom user replying as staff
	Notify     bool  // email the author about replies
	IPHash     string
	Key        string // idempotency key from the form
	EditHash   string // hash of the author's edit token
	Reports    int
	CreatedAt  time.Time
	EditedAt   time.Time
	HeldReason string // why a rule held it, for moderators
	// Check is the single-use anti-bot check this submission spends, if
	// any. The store records it in the comment's own transaction, so the
	// comment and the spent check are one durable write.
	Check SpentCheck
}

// SpentCheck identifies a solved anti-bot check that may be used once.
type SpentCheck struct {
	ID      string
	Expires time.Time // the record may be forgotten after this
}

// Staff reports whether a newsroom member wrote it.
func (c *Comment) Staff() bool { return c.UserID != 0 }

// FieldErrors maps a form field to the message shown beside it: invalid
// input in the vocabulary (errs.Invalid), its problems in the form's order.
type FieldErrors map[string]string

// fieldOrder is the comment form's order of fields.
var fieldOrder = []string{"name", "email", "body", "parent", "notify"}

func (e FieldErrors) Error() string {
	parts := make([]string, 0, len(e))
	for _, f := range fieldOrder {
		if m, ok := e[f]; ok {
			parts = append(parts, f+": "+m)
		}
	}
	return "invalid comment: " + strings.Join(parts, "; ")
}

// Is reports a match with errs.Invalid.
func (e FieldErrors) Is(target error) bool { return target == errs.Invalid }

// Shown says the problems as the vocabulary does, in the form's order.
func (e FieldErrors) Shown() *errs.Error {
	inv := &errs.InvalidError{}
	for _, f := range fieldOrder {
		if m, ok := e[f]; ok {
			inv.Add(f, m)
		}
	}
	return inv.Shown()
}

// Messages shown to readers. They name exactly what is missing.
const (
	MsgNameMissing  = "Please enter your name."
	MsgNameTooLong  = "Please shorten your name to 80 characters or fewer."
	MsgBodyMissing  = "Please enter your comment."
	MsgBodyTooShort = "Please write a little more: a comment needs at least 2 characters."
	MsgBodyTooLong  = "Please shorten your comment to 5,000 characters or fewer."
	MsgEmailInvalid = "Please enter a valid email address, or leave it empty."
	MsgEmailNotify  = "Please enter your email address to be notified of replies."
	MsgControlChars = "Please remove the invisible control characters from the text."
	MsgBadEncoding  = "The text could not be read. Please type it again."
)

// Normalize trims what a form adds around the reader's text and makes line
// breaks uniform. It changes nothing the reader meant.
func (c *Comment) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.Email = strings.TrimSpace(c.Email)
	c.Body = strings.TrimSpace(strings.ReplaceAll(c.Body, "\r\n", "\n"))
}

// Validate checks what the reader typed and says, per field, what to fix.
func (c *Comment) Validate() error {
	problems := FieldErrors{}
	switch n := utf8.RuneCountInString(c.Name); {
	case !utf8.ValidString(c.Name):
		problems["name"] = MsgBadEncoding
	case n == 0:
		problems["name"] = MsgNameMissing
	case n > MaxName:
		problems["name"] = MsgNameTooLong
	case hasControl(c.Name, false):
		problems["name"] = MsgControlChars
	}
	switch n := utf8.RuneCountInString(c.Body); {
	case !utf8.ValidString(c.Body):
		problems["body"] = MsgBadEncoding
	case n == 0:
		problems["body"] = MsgBodyMissing
	case n < MinBody:
		problems["body"] = MsgBodyTooShort
	case n > MaxBody:
		problems["body"] = MsgBodyTooLong
	case hasControl(c.Body, true):
		problems["body"] = MsgControlChars
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email || len(c.Email) > MaxEmail || !strings.Contains(c.Email, "@") {
			problems["email"] = MsgEmailInvalid
		}
	} else if c.Notify {
		problems["email"] = MsgEmailNotify
	}
	if len(problems) > 0 {
		return problems
	}
	return nil
}

// hasControl reports control characters other than newlines and tabs
// (where allowed), and the bidirectional overrides used to disguise text.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			if !multiline {
				return true
			}
		case unicode.IsControl(r):
			return true
		case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			return true
		}
	}
	return false
}

// Sentinel errors; stores wrap them.
var (
	ErrNotFound = errs.New(errs.NotFound, "comment not found")
	// ErrDuplicate means the same form was submitted again; the error
	// carries the comment the first submission created.
	ErrDuplicate = errs.New(errs.Conflict, "comment already posted")
	// ErrCheckSpent means the comment's anti-bot check was already used by
	// another submission: to the sender, a check that failed.
	ErrCheckSpent = &errs.Error{Kind: errs.Invalid, Code: "check_failed", Err: errors.New("comment: anti-bot check already used")}
)

// DuplicateError carries the comment a repeated submission already made.
type DuplicateError struct{ Existing *Comment }

func (e *DuplicateError) Error() string { return "comment already posted" }
func (e *DuplicateError) Unwrap() error { return ErrDuplicate }

// Query selects comments of one article for display, oldest first unless
// Newest, one page at a time. Pinned comments come first on the first page.
type Query struct {
	ArticleID int64
	Newest    bool
	AfterID   int64 // keyset: continue after this comment (in the chosen order)
	Limit     int
	// Also shows pending comments whose edit token hashes to one of these:
	// a reader sees their own held comment.
	OwnEditHashes []string
}

// Store keeps comments.
type Store interface {
	// CreateComment stores c; a repeated idempotency key for the same
	// article returns a *DuplicateError with the first comment. When
	// c.Check is set it is recorded as used in the same write, and a
	// check already used (by anything but this same submission) is
	// ErrCheckSpent.
	CreateComment(ctx context.Context, c *Comment) error
	CommentByID(ctx context.Context, id int64) (*Comment, error)
	// Thread returns the comments a reader sees, threaded: each top-level
	// comment followed by its replies in order.
	Thread(ctx context.Context, q Query) ([]Comment, error)
	// ApprovedCount counts public comments per article.
	ApprovedCount(ctx context.Context, articleIDs []int64) (map[int64]int, error)
	// Returning reports whether an approved comment was sent with email
	// by the holder of the commenter token whose hash is editHash: such a
	// returning commenter need not wait for moderation. The address alone
	// proves nothing (anyone can type it); the token is a secret only the
	// commenter's browser or client holds. Email case does not matter.
	Returning(ctx context.Context, email, editHash string) (bool, error)
	// ModerationQueue lists comments with a status, newest first, with the
	// headline and URL parts of their article.
	ModerationQueue(ctx context.Context, status Status, beforeID int64, limit int) ([]Queued, error)
	// Comments lists the comments q selects, newest first, as
	// ModerationQueue does.
	Comments(ctx context.Context, q QueueQuery) ([]Queued, error)
	// SetCommentStatus moves comments to a status.
	SetCommentStatus(ctx context.Context, ids []int64, status Status) error
	// SetCommentPinned pins or unpins a comment to the top of its thread.
	SetCommentPinned(ctx context.Context, id int64, pinned bool) error
	// EditOwnComment replaces the text of comment id if editHash is its
	// author's and it is younger than EditWindow at now; ErrNotFound
	// otherwise, whatever the reason, so nothing is revealed. A non-empty
	// hold (HoldEdit's reason) sends the comment to moderation with it;
	// an edit never changes a comment's status otherwise.
	EditOwnComment(ctx context.Context, id int64, editHash, body, hold string, now time.Time) error
	// DeleteOwnComment moves the author's comment to the trash, on the same terms.
	DeleteOwnComment(ctx context.Context, id int64, editHash string, now time.Time) error
	// ForgetAddresses clears the network hash of comments older than before:
	// it serves against floods for a while, then is not kept.
	ForgetAddresses(ctx context.Context, before time.Time) (int, error)
	// CommentsByEmail lists everything an email address has written, for
	// an export; EraseCommenter deletes it all and returns how many.
	CommentsByEmail(ctx context.Context, email string) ([]Comment, error)
	EraseCommenter(ctx context.Context, email string) (int, error)
	// EditComment replaces a comment's text on a moderator's behalf.
	EditComment(ctx context.Context, id int64, body string, now time.Time) error
	// Blocklist returns the words, addresses and domains that hold a comment.
	Blocklist(ctx context.Context) ([]string, error)
	SetBlocklist(ctx context.Context, entries []string) error
	// ReportComment counts a reader's report; at ReportThreshold an
	// approved comment goes back to moderation. It returns the new count.
	ReportComment(ctx context.Context, id int64) (int, error)
}

// AddressRetention is how long a comment keeps its network hash.
const AddressRetention = 90 * 24 * time.Hour

// ReportThreshold is how many reports send a comment back to moderation.
const ReportThreshold = 3

// QueueQuery selects comments for moderators, newest first, a page at a
// time.
type QueueQuery struct {
	Status    Status // "" for every status
	ArticleID int64  // 0 for every article
	BeforeID  int64  // the page after the comment with this id
	Limit     int    // 1–200; 50 when out of range
}

// Queued is a comment in the moderation queue with where it was posted.
type Queued struct {
	Comment
	ArticleHeadline string
	ArticlePath     string
}

// Imported is a comment an import brings from another system, with its
// id there and the id there of the comment it replies to (0 for none):
// the store threads it under what that one became.
type Imported struct {
	Comment
	From, Parent int64
}

// ArticleImport is one article an import writes with its comments, in a
// group written together (see the store's ImportArticles); Result and
// Err say what became of it.
type ArticleImport struct {
	Origin   article.Origin
	Article  *article.Article
	Comments []Imported
	Result   article.ImportResult
	Err      error // this article not written: invalid, or its slug taken
}
