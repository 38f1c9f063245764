// Package liveblog owns live blogs: breaking news told as short,
// timestamped updates below an article, newest first, some pinned, some
// marked as key events. It holds what an update is and what makes one
// valid, the change key that tells readers' streams of it, and the Store
// every engine implements. Who may post, edit and delete updates and
// open and close the coverage is the editorial workflow's
// (newsroom.LiveBlogs), which the newsroom's pages and the Admin API
// share. It knows nothing of HTTP or SQL.
package liveblog

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"broadsheet/internal/article"
	"broadsheet/internal/errs"
)

// Update is one entry of a live blog.
type Update struct {
	ID        int64
	ArticleID int64
	// Seq is the live blog's change number (article.Article.LiveSeq) this
	// update took when it was last posted, edited or deleted.
	Seq      int64
	Headline string // optional
	Body     string // Markdown, read as an article's body is
	// BodyHTML is Body rendered, as stored with it; empty when it was
	// stored by another renderer and must be rendered again.
	BodyHTML string
	Authors  []article.Author // in order
	Pinned   bool             // shown above the others
	KeyEvent bool             // listed in the summary at the top
	// Version counts saves; an edit names the version it started from.
	Version   int
	CreatedBy int64     // the user who posted it, 0 if unknown
	CreatedAt time.Time // its time, as readers see it
	EditedAt  time.Time // zero unless edited
	// DeletedAt is set on an update that was deleted: its text is gone,
	// and only its id, place and change number remain, so that readers'
	// pages learn that it went.
	DeletedAt time.Time
	// EditorID is who is saving: recorded on the update and in its
	// revisions.
	EditorID int64
}

// Deleted reports whether the update was deleted.
func (u *Update) Deleted() bool { return !u.DeletedAt.IsZero() }

// Revision is an earlier version of an update, kept when it was edited.
type Revision struct {
	UpdateID  int64
	Version   int
	UserID    int64     // who wrote this version, 0 if unknown
	SavedAt   time.Time // when this version was saved
	Headline  string
	Body      string
	Pinned    bool
	KeyEvent  bool
	AuthorIDs []int64
}

// Limits on an update.
const (
	MaxHeadline = 200
	MaxBody     = 10_000 // characters: an update is short
	MaxAuthors  = 4
)

// Validate checks what a journalist typed, naming the field of each
// problem.
func (u *Update) Validate() error {
	inv := &errs.InvalidError{}
	if strings.TrimSpace(u.Body) == "" {
		inv.AddKey("body", "problem.live_body_required")
	} else if utf8.RuneCountInString(u.Body) > MaxBody {
		inv.AddKey("body", "problem.live_body_long", MaxBody)
	}
	if utf8.RuneCountInString(u.Headline) > MaxHeadline {
		inv.AddKey("headline", "problem.headline_long", MaxHeadline)
	}
	if len(u.Authors) > MaxAuthors {
		inv.AddKey("authors", "problem.live_authors_many", MaxAuthors)
	}
	return inv.OrNil()
}

// Query asks for one page of a live blog's updates. Deleted updates are
// never listed.
type Query struct {
	ArticleID int64
	// Oldest lists the oldest first; otherwise the newest come first.
	Oldest bool
	// From begins the page at this update, in the order asked for; 0
	// begins at the start. An update's permalink is the page from it, so
	// that it works however many updates come after.
	From  int64
	Limit int
	// Pinned lists pinned updates among the others (the feed, the
	// newsroom); a reader's page shows them apart, above the rest.
	Pinned bool
}

// DefaultLimit is how many updates a page lists.
const DefaultLimit = 50

// PageSize is the limit the query asks for, bounded.
func (q Query) PageSize() int {
	if q.Limit <= 0 || q.Limit > 200 {
		return DefaultLimit
	}
	return q.Limit
}

// Page is one page of updates.
type Page struct {
	Updates []Update
	// Next is the update the next page begins at; 0 when this page is the
	// last.
	Next int64
	// HasPrev says a page comes before this one; Prev is the update it
	// begins at, 0 for the first page.
	HasPrev bool
	Prev    int64
}

// Highlights are what a live blog's page shows above its updates: the
// pinned updates and the key events, each newest first.
type Highlights struct {
	Pinned    []Update
	KeyEvents []Update
}

// Permalink is the address of update id of the live blog at articlePath:
// the page of updates that begins with it, wherever newer updates have
// pushed it.
func Permalink(articlePath string, id int64) string {
	n := strconv.FormatInt(id, 10)
	return articlePath + "?from=" + n + "#update-" + n
}

// Key is the change-log key of a post, edit or deletion of an update:
// "live:ARTICLE:UPDATE". The streams of readers with the live blog open
// hear it, in this process and in others; the page cache drops the live
// blog's pages by article.KeyLiveBlog, logged beside it.
func Key(articleID, updateID int64) string {
	return "live:" + strconv.FormatInt(articleID, 10) + ":" + strconv.FormatInt(updateID, 10)
}

// ParseKey reads a Key: the article and the update it names.
func ParseKey(k string) (articleID, updateID int64, ok bool) {
	rest, ok := strings.CutPrefix(k, "live:")
	if !ok {
		return 0, 0, false
	}
	a, u, ok := strings.Cut(rest, ":")
	if !ok {
		return 0, 0, false
	}
	articleID, err1 := strconv.ParseInt(a, 10, 64)
	updateID, err2 := strconv.ParseInt(u, 10, 64)
	if err1 != nil || err2 != nil || articleID <= 0 || updateID < 0 {
		return 0, 0, false
	}
	return articleID, updateID, true
}

// Sentinel errors; stores wrap them.
var (
	ErrNotFound = errs.New(errs.NotFound, "live update not found")
	// ErrNotLive is an update asked of an article that is not a live blog.
	ErrNotLive = errs.InvalidKey("", "problem.live_not_live_blog")
)

// ConflictError is an edit that named a version other than the stored
// one: someone else saved the update in between. Current is what is
// stored, so the journalist sees both texts and loses neither.
type ConflictError struct {
	Current *Update
	Sent    int
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("live update %d: version %d was named, but version %d is stored", e.Current.ID, e.Sent, e.Current.Version)
}

// Is reports a match with errs.Conflict.
func (e *ConflictError) Is(target error) bool { return target == errs.Conflict }

// Shown says the conflict in the vocabulary's words: a conflict about the
// version field, as an article's is. The catalog's key is what the
// composer says, in its language; the message, for the JSON API, names
// both versions.
func (e *ConflictError) Shown() *errs.Error {
	msg := fmt.Sprintf("you sent version %d, but someone else has saved this update since: it is now at version %d (see current)", e.Sent, e.Current.Version)
	if e.Sent > e.Current.Version {
		msg = fmt.Sprintf("you sent version %d, which this update has not reached: it is at version %d (see current)", e.Sent, e.Current.Version)
	}
	return &errs.Error{Kind: errs.Conflict, Key: "problem.live_stale", Message: msg,
		Fields: []errs.Problem{{Field: "version", Message: "stale"}}}
}

// Store is what live blogs need from a storage engine. Every engine
// passes the conformance suite in internal/store/storetest.
type Store interface {
	// PostLiveUpdate stores u as an update of its article, which must be
	// a live blog, at u.CreatedAt (an import's, a demo's) or, when that is
	// zero, now; it sets its ID, Seq, Version and CreatedAt.
	PostLiveUpdate(ctx context.Context, u *Update) error
	// EditLiveUpdate saves u over the version u.Version names, keeping
	// that version as a revision; a stale version is a *ConflictError.
	EditLiveUpdate(ctx context.Context, u *Update) error
	// DeleteLiveUpdate deletes an update: its text, authors and revisions
	// go; its place stays, marked deleted.
	DeleteLiveUpdate(ctx context.Context, articleID, id, userID int64) error
	// LiveUpdate returns one update, a deleted one too.
	LiveUpdate(ctx context.Context, id int64) (*Update, error)
	// LiveUpdates returns one page of a live blog's updates.
	LiveUpdates(ctx context.Context, q Query) (Page, error)
	// LiveHighlights returns a live blog's pinned updates and key events.
	LiveHighlights(ctx context.Context, articleID int64) (Highlights, error)
	// LiveChanges returns the updates of a live blog posted, edited or
	// deleted after its change number seq, deleted ones too, in the order
	// of their changes, at most limit of them: what a reader's stream
	// has not heard yet.
	LiveChanges(ctx context.Context, articleID, seq int64, limit int) ([]Update, error)
	// LiveRevisions returns an update's earlier versions, newest first.
	LiveRevisions(ctx context.Context, id int64) ([]Revision, error)
	// SetCoverage sets when a live blog's coverage opened and closed.
	SetCoverage(ctx context.Context, articleID int64, start, end time.Time) error
}
