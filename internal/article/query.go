package article

import (
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/errs"
)

// Query selects visible articles for a listing, newest first. At most one of
// SectionID, TagID and AuthorID is usually set; zero means "any".
type Query struct {
	SectionID int64
	TagID     int64
	AuthorID  int64
	ExcludeID int64 // leave this article out (an article's own More Articles box)
	// OneEdition limits the list to the articles of Edition ("" is the
	// main edition); otherwise every edition's are listed.
	OneEdition bool
	Edition    string
	Before     *Cursor // older than this position
	After      *Cursor // newer than this position; ignored when Before is set
	Limit      int     // clamped to [1, MaxLimit]; 0 means DefaultLimit
}

// Listing sizes.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// PageSize returns the clamped limit.
func (q Query) PageSize() int {
	switch {
	case q.Limit <= 0:
		return DefaultLimit
	case q.Limit > MaxLimit:
		return MaxLimit
	}
	return q.Limit
}

// List is one page of a listing with the cursors of its neighbours.
type List struct {
	Articles []Article
	Newer    *Cursor // pass as Query.After for the previous page; nil on the first
	Older    *Cursor // pass as Query.Before for the next page; nil on the last
}

// Cursor is a position in the newest-first order of published articles:
// keyset pagination, so a page costs the same however deep it is and
// articles published meanwhile do not shift what the reader sees.
type Cursor struct {
	PublishedAt time.Time
	ID          int64
}

// CursorOf returns the position of a.
func CursorOf(a *Article) *Cursor { return &Cursor{PublishedAt: a.PublishedAt, ID: a.ID} }

// ErrBadCursor is returned for a cursor that was not made by String.
var ErrBadCursor = errs.New(errs.BadRequest, "malformed page cursor")

// String encodes c as "UNIXSECONDS-ID", short and safe in a query string.
func (c Cursor) String() string {
	return strconv.FormatInt(c.PublishedAt.Unix(), 10) + "-" + strconv.FormatInt(c.ID, 10)
}

// ParseCursor decodes what String produced.
func ParseCursor(s string) (*Cursor, error) {
	ts, id, ok := strings.Cut(s, "-")
	if !ok || ts == "" || id == "" || len(s) > 40 {
		return nil, ErrBadCursor
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec < 0 || strings.HasPrefix(ts, "+") {
		return nil, ErrBadCursor
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strings.HasPrefix(id, "+") {
		return nil, ErrBadCursor
	}
	return &Cursor{PublishedAt: time.Unix(sec, 0).UTC(), ID: n}, nil
}
