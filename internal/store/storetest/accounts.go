package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/account"
)

// Accounts is the newsroom's users, their sessions and API tokens, and
// the one-time setup link.
type Accounts interface {
	CreateUser(ctx context.Context, u *account.User) error
	UpdateUser(ctx context.Context, u *account.User) error
	SetUserAccess(ctx context.Context, id int64, role account.Role, disabled bool, authorID int64) error
	SetPassword(ctx context.Context, id int64, hash string) error
	UserByID(ctx context.Context, id int64) (*account.User, error)
	UserByEmail(ctx context.Context, email string) (*account.User, error)
	Users(ctx context.Context) ([]account.User, error)
	CountAdmins(ctx context.Context) (int, error)
	CreateSession(ctx context.Context, s *account.Session) error
	SessionByTokenHash(ctx context.Context, hash string) (*account.Session, error)
	TouchSession(ctx context.Context, id int64, at time.Time) error
	DeleteSession(ctx context.Context, id int64) error
	UserSessions(ctx context.Context, userID int64) ([]account.Session, error)
	DeleteUserSessions(ctx context.Context, userID, keep int64) error
	CreateToken(ctx context.Context, t *account.Token) error
	TokenByHash(ctx context.Context, hash string) (*account.Token, error)
	UserTokens(ctx context.Context, userID int64) ([]account.Token, error)
	RevokeToken(ctx context.Context, userID, id int64, at time.Time) error
	TouchToken(ctx context.Context, id int64, at time.Time) error
	CreateSetupToken(ctx context.Context, hash string, expires time.Time) error
	UseSetupToken(ctx context.Context, hash string, now time.Time) error
}

func testUsers(t *testing.T, s Store) {
	ctx := context.Background()
	u := account.User{Email: "ed@courier.example", Name: "Ed Itor", Role: account.Editor, PasswordHash: "$argon2id$x"}
	must(t, s.CreateUser(ctx, &u))
	if u.ID == 0 || u.CreatedAt.IsZero() {
		t.Fatalf("CreateUser did not set ID and CreatedAt: %+v", u)
	}
	if err := s.CreateUser(ctx, &account.User{Email: "ED@courier.example", Name: "Twin", Role: account.Author}); !errors.Is(err, account.ErrConflict) {
		t.Errorf("same email in other case: err = %v, want ErrConflict", err)
	}
	var inv *account.InvalidError
	if err := s.CreateUser(ctx, &account.User{Email: "nope", Role: "boss"}); !errors.As(err, &inv) {
		t.Errorf("invalid user: err = %v, want *InvalidError", err)
	}
	got, err := s.UserByEmail(ctx, "Ed@Courier.Example")
	must(t, err)
	if got.ID != u.ID || got.Role != account.Editor || got.PasswordHash != "$argon2id$x" {
		t.Errorf("UserByEmail = %+v", got)
	}
	u.Role = account.Admin
	u.Name = "Ed Promoted"
	must(t, s.UpdateUser(ctx, &u))
	got, err = s.UserByID(ctx, u.ID)
	must(t, err)
	if got.Role != account.Admin || got.Name != "Ed Promoted" {
		t.Errorf("after update = %+v", got)
	}
	n, err := s.CountAdmins(ctx)
	must(t, err)
	if n != 1 {
		t.Errorf("CountAdmins = %d, want 1", n)
	}
	u.Disabled = true
	must(t, s.UpdateUser(ctx, &u))
	if n, _ := s.CountAdmins(ctx); n != 0 {
		t.Errorf("CountAdmins with the admin disabled = %d, want 0", n)
	}
	if _, err := s.UserByID(ctx, 999); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("missing user: err = %v", err)
	}
	other := account.User{Email: "au@courier.example", Name: "Au Thor", Role: account.Author}
	must(t, s.CreateUser(ctx, &other))
	list, err := s.Users(ctx)
	must(t, err)
	if len(list) != 2 || list[0].ID != other.ID || list[1].ID != u.ID {
		t.Errorf("Users() = %+v, want Au Thor then Ed Promoted, by name", list)
	}
	for _, tt := range []struct {
		name     string
		u        account.User
		notFound bool
		conflict bool
		invalid  bool
	}{
		{"a missing user", account.User{ID: u.ID + 1000, Email: "x@courier.example", Name: "X", Role: account.Author}, true, false, false},
		{"onto another's email, in another case", account.User{ID: other.ID, Email: "ED@courier.example", Name: "Au", Role: account.Author}, false, true, false},
		{"an unknown role", account.User{ID: other.ID, Email: "au@courier.example", Name: "Au", Role: "boss"}, false, false, true},
	} {
		err := s.UpdateUser(ctx, &tt.u)
		var inv *account.InvalidError
		if errors.Is(err, account.ErrNotFound) != tt.notFound || errors.Is(err, account.ErrConflict) != tt.conflict || errors.As(err, &inv) != tt.invalid {
			t.Errorf("UpdateUser(%s) err = %v, want not found %v, conflict %v, invalid %v", tt.name, err, tt.notFound, tt.conflict, tt.invalid)
		}
	}
	if got, err := s.UserByID(ctx, other.ID); err != nil || got.Email != "au@courier.example" || got.Role != account.Author {
		t.Errorf("after refused updates: %+v, %v; want Au Thor unchanged", got, err)
	}
	if _, err := s.UserByEmail(ctx, "nobody@courier.example"); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("UserByEmail(missing) err = %v, want ErrNotFound", err)
	}
}

func testSessionsAndTokens(t *testing.T, s Store) {
	ctx := context.Background()
	u := account.User{Email: "a@courier.example", Name: "A", Role: account.Author, PasswordHash: "h"}
	must(t, s.CreateUser(ctx, &u))
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ids []int64
	for i := range 3 {
		_, hash := account.NewToken()
		sess := account.Session{TokenHash: hash, UserID: u.ID, CreatedAt: now, LastSeenAt: now.Add(time.Duration(i) * time.Minute), UserAgent: "Firefox", IP: "192.0.2.1"}
		must(t, s.CreateSession(ctx, &sess))
		ids = append(ids, sess.ID)
	}
	list, err := s.UserSessions(ctx, u.ID)
	must(t, err)
	if len(list) != 3 || list[0].ID != ids[2] {
		t.Fatalf("UserSessions = %+v, want 3, most recent first", list)
	}
	got, err := s.SessionByTokenHash(ctx, list[1].TokenHash)
	must(t, err)
	if got.ID != ids[1] || got.UserAgent != "Firefox" || !got.CreatedAt.Equal(now) {
		t.Errorf("SessionByTokenHash = %+v", got)
	}
	must(t, s.TouchSession(ctx, ids[1], now.Add(time.Hour)))
	got, _ = s.SessionByTokenHash(ctx, list[1].TokenHash)
	if !got.LastSeenAt.Equal(now.Add(time.Hour)) {
		t.Errorf("after touch LastSeenAt = %v", got.LastSeenAt)
	}
	must(t, s.DeleteUserSessions(ctx, u.ID, ids[0]))
	list, _ = s.UserSessions(ctx, u.ID)
	if len(list) != 1 || list[0].ID != ids[0] {
		t.Errorf("after revoking others: %+v", list)
	}
	must(t, s.DeleteSession(ctx, ids[0]))
	if _, err := s.SessionByTokenHash(ctx, list[0].TokenHash); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("deleted session: err = %v", err)
	}

	_, hash := account.NewToken()
	tok := account.Token{UserID: u.ID, Name: "CMS import", TokenHash: hash}
	must(t, s.CreateToken(ctx, &tok))
	gotTok, err := s.TokenByHash(ctx, hash)
	must(t, err)
	if gotTok.ID != tok.ID || gotTok.Name != "CMS import" || !gotTok.RevokedAt.IsZero() {
		t.Errorf("TokenByHash = %+v", gotTok)
	}
	must(t, s.TouchToken(ctx, tok.ID, now))
	other := account.User{Email: "b@courier.example", Name: "B", Role: account.Author, PasswordHash: "h"}
	must(t, s.CreateUser(ctx, &other))
	if err := s.RevokeToken(ctx, other.ID, tok.ID, now); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("revoking someone else's token: err = %v, want ErrNotFound", err)
	}
	must(t, s.RevokeToken(ctx, u.ID, tok.ID, now))
	gotTok, _ = s.TokenByHash(ctx, hash)
	if gotTok.RevokedAt.IsZero() || !gotTok.LastUsedAt.Equal(now) {
		t.Errorf("after revoke: %+v", gotTok)
	}
	toks, err := s.UserTokens(ctx, u.ID)
	must(t, err)
	if len(toks) != 1 {
		t.Errorf("UserTokens = %d, want 1", len(toks))
	}
}

func testSetupTokens(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	_, hash := account.NewToken()
	must(t, s.CreateSetupToken(ctx, hash, now.Add(time.Hour)))
	if err := s.UseSetupToken(ctx, "wrong", now); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("unknown link: err = %v", err)
	}
	if err := s.UseSetupToken(ctx, hash, now.Add(2*time.Hour)); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("expired link: err = %v", err)
	}
	must(t, s.UseSetupToken(ctx, hash, now))
	if err := s.UseSetupToken(ctx, hash, now); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("second use: err = %v, want ErrNotFound", err)
	}
}

// An admin's change of a user's role, state and byline writes those and
// nothing else, and never leaves the site without an enabled admin.
func testUserAccess(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	admin := account.User{Email: "ad@courier.example", Name: "Ad Min", Role: account.Admin, PasswordHash: "old"}
	must(t, s.CreateUser(ctx, &admin))
	writer := account.User{Email: "wr@courier.example", Name: "Wri Ter", Role: account.Contributor, PasswordHash: "w"}
	must(t, s.CreateUser(ctx, &writer))

	// A password changed after the admin's page was read stays changed,
	// and a disabled account stays disabled whatever its password does.
	must(t, s.SetPassword(ctx, writer.ID, "new"))
	must(t, s.SetUserAccess(ctx, writer.ID, account.Author, true, f.authors[1].ID))
	got, err := s.UserByID(ctx, writer.ID)
	must(t, err)
	if got.PasswordHash != "new" || got.Role != account.Author || !got.Disabled || got.AuthorID != f.authors[1].ID ||
		got.Name != "Wri Ter" || got.Email != "wr@courier.example" {
		t.Errorf("after SetPassword then SetUserAccess: %+v", got)
	}
	must(t, s.SetPassword(ctx, writer.ID, "newer"))
	if got, _ := s.UserByID(ctx, writer.ID); got.PasswordHash != "newer" || !got.Disabled || got.Role != account.Author {
		t.Errorf("after SetPassword on a disabled account: %+v, want it still disabled", got)
	}
	must(t, s.SetUserAccess(ctx, writer.ID, account.Author, false, 0))
	if got, _ := s.UserByID(ctx, writer.ID); got.AuthorID != 0 || got.Disabled {
		t.Errorf("byline taken off and enabled again: %+v", got)
	}

	for _, tt := range []struct {
		name     string
		role     account.Role
		disabled bool
	}{
		{"demoting the only admin", account.Editor, false},
		{"disabling the only admin", account.Admin, true},
		{"both", account.Contributor, true},
	} {
		if err := s.SetUserAccess(ctx, admin.ID, tt.role, tt.disabled, 0); !errors.Is(err, account.ErrLastAdmin) {
			t.Errorf("%s: err = %v, want ErrLastAdmin", tt.name, err)
		}
	}
	if got, _ := s.UserByID(ctx, admin.ID); got.Role != account.Admin || got.Disabled {
		t.Errorf("after the refusals the admin is %+v", got)
	}
	// The only admin may still be given a byline.
	must(t, s.SetUserAccess(ctx, admin.ID, account.Admin, false, f.authors[0].ID))
	// With a second admin, one of them may step down; a disabled admin is
	// not one who can run the site.
	must(t, s.SetUserAccess(ctx, writer.ID, account.Admin, true, 0))
	if err := s.SetUserAccess(ctx, admin.ID, account.Editor, false, 0); !errors.Is(err, account.ErrLastAdmin) {
		t.Errorf("demoting the only enabled admin beside a disabled one: err = %v, want ErrLastAdmin", err)
	}
	must(t, s.SetUserAccess(ctx, writer.ID, account.Admin, false, 0))
	must(t, s.SetUserAccess(ctx, admin.ID, account.Editor, false, 0))
	if n, _ := s.CountAdmins(ctx); n != 1 {
		t.Errorf("CountAdmins = %d, want 1", n)
	}

	if err := s.SetUserAccess(ctx, admin.ID+1000, account.Editor, false, 0); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("a missing user: err = %v, want ErrNotFound", err)
	}
	if err := s.SetPassword(ctx, admin.ID+1000, "x"); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("SetPassword(missing user) err = %v, want ErrNotFound", err)
	}
	var inv *account.InvalidError
	if err := s.SetUserAccess(ctx, admin.ID, "boss", false, 0); !errors.As(err, &inv) {
		t.Errorf("an unknown role: err = %v, want *InvalidError", err)
	}
}

// Two admins demoting or disabling each other at the same moment: one
// of them succeeds, the other is refused, and the site keeps an admin.
// Each round starts both changes together; where the check and the write
// were not taken in turn, both would pass in some round.
func testLastAdminUnderConcurrency(t *testing.T, s Store) {
	ctx := context.Background()
	var survivor *account.User
	for round := range 20 {
		var pair [2]*account.User
		for i := range pair {
			pair[i] = &account.User{Email: fmt.Sprintf("admin%d-%d@courier.example", round, i), Name: "Admin", Role: account.Admin, PasswordHash: "x"}
			must(t, s.CreateUser(ctx, pair[i]))
		}
		if survivor != nil {
			must(t, s.SetUserAccess(ctx, survivor.ID, account.Editor, false, 0))
		}
		if n, _ := s.CountAdmins(ctx); n != 2 {
			t.Fatalf("round %d: %d enabled admins before the changes, want the pair", round, n)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 2)
		for i := range pair {
			wg.Go(func() {
				<-start
				if round%2 == 0 {
					errs[i] = s.SetUserAccess(ctx, pair[1-i].ID, account.Editor, false, 0)
				} else {
					errs[i] = s.SetUserAccess(ctx, pair[1-i].ID, account.Admin, true, 0)
				}
			})
		}
		close(start)
		wg.Wait()
		refused := 0
		for _, err := range errs {
			if errors.Is(err, account.ErrLastAdmin) {
				refused++
			} else if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		n, err := s.CountAdmins(ctx)
		must(t, err)
		if refused != 1 || n != 1 {
			t.Fatalf("round %d: %d of the two changes refused, %d enabled admins left; want one refused and one admin", round, refused, n)
		}
		for _, u := range pair {
			if got, _ := s.UserByID(ctx, u.ID); got.Role == account.Admin && !got.Disabled {
				survivor = got
			}
		}
	}
}
