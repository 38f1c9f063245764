package newsroom

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
)

// The newsroom's accounts, as an admin creates and changes them on the
// users page or through the Admin API. The caller has checked that the
// admin may manage users (account.ManageUsers).

// PeopleStore is what managing accounts needs.
type PeopleStore interface {
	CreateUser(ctx context.Context, u *account.User) error
	SetUserAccess(ctx context.Context, id int64, role account.Role, disabled bool, authorID int64) error
	UserByID(ctx context.Context, id int64) (*account.User, error)
	Authors(ctx context.Context) ([]article.Author, error)
	DeleteUserSessions(ctx context.Context, userID, keep int64) error
	Audit(ctx context.Context, e article.AuditEntry) error
}

// CreateUser adds nu with password, which the admin passes on: the fields
// and the password are checked first (an *errs.InvalidError names each
// problem), and an address already in use is a problem of "email".
func CreateUser(ctx context.Context, st PeopleStore, admin *account.User, nu *account.User, password string) error {
	nu.Email, nu.Name = strings.TrimSpace(nu.Email), strings.TrimSpace(nu.Name)
	inv := &errs.InvalidError{}
	if err := nu.Validate(); err != nil {
		addProblems(inv, "", err)
	}
	if err := account.CheckPassword(password, nu.Email, nu.Name); err != nil {
		addProblems(inv, "password", err)
	}
	if err := checkByline(ctx, st, nu.AuthorID, inv); err != nil {
		return err
	}
	if err := inv.OrNil(); err != nil {
		return err
	}
	hash, err := account.HashPassword(password)
	if err != nil {
		return err
	}
	nu.PasswordHash = hash
	if err := st.CreateUser(ctx, nu); errors.Is(err, account.ErrConflict) {
		return errs.InvalidKey("email", "admin.users.taken")
	} else if err != nil {
		return err
	}
	audit(ctx, st, admin, "user.create", "user", nu.ID, string(nu.Role))
	return nil
}

// UserChange is what an admin changes of an account; nil keeps it.
type UserChange struct {
	Role     *account.Role
	Disabled *bool
	AuthorID *int64 // the byline profile, 0 for none
}

// UpdateUser changes the account id. The last enabled admin cannot be
// demoted or disabled: the site would have nobody to run it (the store
// checks it as it writes, so two admins demoting each other at once cannot
// both succeed). Only the role, the state and the byline are written: a
// password changed meanwhile stays changed. Disabling an account ends its
// browser sessions; its API tokens stop working with it.
func UpdateUser(ctx context.Context, st PeopleStore, admin *account.User, id int64, c UserChange) (*account.User, error) {
	target, err := st.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	role, disabled, authorID := target.Role, target.Disabled, target.AuthorID
	if c.Role != nil {
		role = *c.Role
	}
	if c.Disabled != nil {
		disabled = *c.Disabled
	}
	if c.AuthorID != nil {
		authorID = *c.AuthorID
	}
	inv := &errs.InvalidError{}
	if !role.Valid() {
		inv.AddKey("role", "problem.role_unknown", string(role))
	}
	if authorID != target.AuthorID {
		if err := checkByline(ctx, st, authorID, inv); err != nil {
			return nil, err
		}
	}
	if err := inv.OrNil(); err != nil {
		return nil, err
	}
	err = st.SetUserAccess(ctx, id, role, disabled, authorID)
	if errors.Is(err, account.ErrLastAdmin) {
		field := "role"
		if role == account.Admin {
			field = "disabled"
		}
		return nil, errs.InvalidKey(field, "admin.users.last_admin")
	}
	if err != nil {
		return nil, err
	}
	target.Role, target.Disabled, target.AuthorID = role, disabled, authorID
	if disabled {
		if err := st.DeleteUserSessions(ctx, target.ID, 0); err != nil {
			return nil, err
		}
	}
	audit(ctx, st, admin, "user.update", "user", target.ID, fmt.Sprintf("role %s, disabled %v", role, disabled))
	return target, nil
}

// checkByline adds a problem of "author_id" to inv when id (0: none)
// names no author.
func checkByline(ctx context.Context, st PeopleStore, id int64, inv *errs.InvalidError) error {
	if id == 0 {
		return nil
	}
	authors, err := st.Authors(ctx)
	if err != nil {
		return err
	}
	for _, a := range authors {
		if a.ID == id {
			return nil
		}
	}
	inv.AddKey("author_id", "problem.author_id_unknown", id)
	return nil
}
