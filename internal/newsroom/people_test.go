package newsroom

import (
	"context"
	"errors"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/errs"
)

// resetMeanwhile is the store with the user's own password reset landing
// while an admin's change is under way: just after the admin's page read
// the account.
type resetMeanwhile struct {
	PeopleStore
	reset func()
}

func (r resetMeanwhile) UserByID(ctx context.Context, id int64) (*account.User, error) {
	u, err := r.PeopleStore.UserByID(ctx, id)
	r.reset()
	return u, err
}

// An admin's change writes the role, the state and the byline only: a
// password reset that lands in between is not undone.
func TestUpdateUserKeepsAPasswordChangedMeanwhile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	target := f.users[account.Author]
	st := resetMeanwhile{PeopleStore: f.db, reset: func() { must(t, f.db.SetPassword(ctx, target.ID, "reset")) }}
	editor := account.Editor
	if _, err := UpdateUser(ctx, st, f.users[account.Admin], target.ID, UserChange{Role: &editor}); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.UserByID(ctx, target.ID)
	must(t, err)
	if got.PasswordHash != "reset" || got.Role != account.Editor {
		t.Errorf("after the change: role %s, password hash %q; want editor and the reset password kept", got.Role, got.PasswordHash)
	}
}

// The last enabled admin is refused by field; an unknown byline names
// author_id and changes nothing.
func TestUpdateUserRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.users[account.Admin]
	editor, off, ghost := account.Editor, true, int64(999)
	for _, tt := range []struct {
		name  string
		id    int64
		c     UserChange
		field string
	}{
		{"the last admin demoted", admin.ID, UserChange{Role: &editor}, "role"},
		{"the last admin disabled", admin.ID, UserChange{Disabled: &off}, "disabled"},
		{"an unknown byline", f.users[account.Author].ID, UserChange{AuthorID: &ghost}, "author_id"},
	} {
		_, err := UpdateUser(ctx, f.db, admin, tt.id, tt.c)
		var inv *errs.InvalidError
		if !errors.As(err, &inv) || len(inv.Fields) != 1 || inv.Fields[0] != tt.field {
			t.Errorf("%s: err = %v, want a problem of %q", tt.name, err, tt.field)
		}
	}
	if got, _ := f.db.UserByID(ctx, f.users[account.Author].ID); got.AuthorID != 0 {
		t.Errorf("a refused byline was stored: %d", got.AuthorID)
	}
}
