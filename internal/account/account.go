// Package account owns the newsroom's people: users and their roles, what
// each role may do, password hashing and policy, browser sessions, API
// tokens and first-run setup links. It knows nothing of HTTP or SQL.
package account

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"broadsheet/internal/errs"
)

// Role is a user's place in the newsroom. Each role can do everything the
// one before it can.
type Role string

const (
	Contributor Role = "contributor" // writes drafts, submits them for review
	Author      Role = "author"      // also publishes own articles
	Editor      Role = "editor"      // also edits and publishes any article, runs sections, tags, authors
	Admin       Role = "admin"       // also manages users and site settings
)

// Roles lists every role, least powerful first.
var Roles = []Role{Contributor, Author, Editor, Admin}

func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return -1
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() >= 0 }

// AtLeast reports whether r includes every right of min.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

// Permission is one thing a role may do.
type Permission int

const (
	WriteDrafts    Permission = iota // create articles and edit own drafts
	PublishOwn                       // publish, schedule and unpublish own articles
	EditAny                          // edit, publish and unpublish anyone's article
	ManageTaxonomy                   // sections, tags, authors, breaking news, corrections
	ManageUsers                      // users, roles, other people's sessions and tokens
	ManageSettings                   // site settings
	ViewAudit                        // the audit log
	UploadMedia                      // add images to the media library
)

var minimumRole = map[Permission]Role{
	WriteDrafts:    Contributor,
	UploadMedia:    Contributor,
	PublishOwn:     Author,
	EditAny:        Editor,
	ManageTaxonomy: Editor,
	ManageUsers:    Admin,
	ManageSettings: Admin,
	ViewAudit:      Admin,
}

// MinimumRole is the least role that holds p.
func MinimumRole(p Permission) Role { return minimumRole[p] }

// Can reports whether r holds p.
func (r Role) Can(p Permission) bool {
	min, ok := minimumRole[p]
	return ok && r.AtLeast(min)
}

// User is a member of the newsroom.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	PasswordHash string
	AuthorID     int64 // the byline profile, 0 if none
	CreatedAt    time.Time
	Disabled     bool
}

// Can reports whether the user holds p.
func (u *User) Can(p Permission) bool { return u != nil && !u.Disabled && u.Role.Can(p) }

// MaxName is the length of the longest name a user may have, in
// characters.
const MaxName = 100

// Validate checks what an admin types about a user, naming the field of
// each problem.
func (u *User) Validate() error {
	inv := &InvalidError{}
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || !strings.Contains(u.Email, ".") {
		inv.AddKey("email", "problem.email_invalid", u.Email)
	}
	if strings.TrimSpace(u.Name) == "" {
		inv.AddKey("name", "problem.name_required")
	} else if utf8.RuneCountInString(u.Name) > MaxName {
		inv.AddKey("name", "problem.name_long", MaxName)
	}
	if !u.Role.Valid() {
		inv.AddKey("role", "problem.role_unknown", string(u.Role))
	}
	return inv.OrNil()
}

// InvalidError lists what is wrong with an input, in words safe to show,
// each with the field it is about: the vocabulary's errs.InvalidError.
type InvalidError = errs.InvalidError

// Sentinel errors; stores wrap them.
var (
	ErrNotFound = errs.New(errs.NotFound, "not found")
	ErrConflict = errs.New(errs.Conflict, "conflict")
	// ErrLastAdmin refuses a change that would leave the site without an
	// enabled admin: nobody could then run it.
	ErrLastAdmin = errs.New(errs.Conflict, "the last enabled admin")
	// ErrTooMany refuses one more of something an account may hold only
	// so many of.
	ErrTooMany = errs.New(errs.Conflict, "too many")
)

// Session is a signed-in browser. The cookie holds a random token; the
// store holds only its hash, so a leaked database opens no sessions.
type Session struct {
	ID         int64
	TokenHash  string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	UserAgent  string
	IP         string
	// SecondStepAt is when a second step (or a passkey sign-in) was last
	// taken in this session; zero if never.
	SecondStepAt time.Time
}

// Session lifetimes: an idle session ends after IdleTimeout, any session
// after AbsoluteTimeout, whatever its activity.
const (
	IdleTimeout     = 12 * time.Hour
	AbsoluteTimeout = 7 * 24 * time.Hour
	// SeenResolution limits last-seen writes to one per session per minute.
	SeenResolution = time.Minute
)

// Expired reports whether s may no longer be used at now.
func (s *Session) Expired(now time.Time) bool {
	return now.Sub(s.LastSeenAt) > IdleTimeout || now.Sub(s.CreatedAt) > AbsoluteTimeout
}

// Token is an Admin API credential, acting as its user with that user's role.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// Store keeps users, sessions, tokens and setup links.
type Store interface {
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u *User) error
	// SetUserAccess changes a user's role, whether the account is
	// disabled and its byline, and nothing else; a change leaving no
	// enabled admin fails with ErrLastAdmin, whatever else runs at once.
	SetUserAccess(ctx context.Context, id int64, role Role, disabled bool, authorID int64) error
	// SetPassword changes a user's password hash, and nothing else.
	SetPassword(ctx context.Context, id int64, hash string) error
	UserByID(ctx context.Context, id int64) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	Users(ctx context.Context) ([]User, error)
	CountAdmins(ctx context.Context) (int, error)

	CreateSession(ctx context.Context, s *Session) error
	SessionByTokenHash(ctx context.Context, hash string) (*Session, error)
	TouchSession(ctx context.Context, id int64, at time.Time) error
	DeleteSession(ctx context.Context, id int64) error
	UserSessions(ctx context.Context, userID int64) ([]Session, error)
	// DeleteUserSessions ends every session of the user except keep (0: all).
	DeleteUserSessions(ctx context.Context, userID, keep int64) error

	CreateToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	UserTokens(ctx context.Context, userID int64) ([]Token, error)
	RevokeToken(ctx context.Context, userID, id int64, at time.Time) error
	TouchToken(ctx context.Context, id int64, at time.Time) error

	// CreateSetupToken stores a first-admin link's hash until expires.
	CreateSetupToken(ctx context.Context, hash string, expires time.Time) error
	// UseSetupToken marks the link used; it fails with ErrNotFound if the
	// link is unknown, used or expired. Exactly one caller can succeed.
	UseSetupToken(ctx context.Context, hash string, now time.Time) error
}
