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
	UpdateUser(ctx context.Context, u *account.User) error
	UserByID(ctx context.Context, id int64) (*account.User, error)
	CountAdmins(ctx context.Context) (int, error)
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
// demoted or disabled: the site would have nobody to run it. Disabling an
// account ends its browser sessions; its API tokens stop working with it.
func UpdateUser(ctx context.Context, st PeopleStore, admin *account.User, id int64, c UserChange) (*account.User, error) {
	target, err := st.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	role, disabled := target.Role, target.Disabled
	if c.Role != nil {
		role = *c.Role
	}
	if c.Disabled != nil {
		disabled = *c.Disabled
	}
	if !role.Valid() {
		return nil, errs.InvalidKey("role", "problem.role_unknown", string(role))
	}
	if target.Role == account.Admin && !target.Disabled && (role != account.Admin || disabled) {
		if n, err := st.CountAdmins(ctx); err != nil {
			return nil, err
		} else if n <= 1 {
			field := "role"
			if role == account.Admin {
				field = "disabled"
			}
			return nil, errs.InvalidKey(field, "admin.users.last_admin")
		}
	}
	target.Role, target.Disabled = role, disabled
	if c.AuthorID != nil {
		target.AuthorID = *c.AuthorID
	}
	if err := st.UpdateUser(ctx, target); err != nil {
		return nil, err
	}
	if disabled {
		if err := st.DeleteUserSessions(ctx, target.ID, 0); err != nil {
			return nil, err
		}
	}
	audit(ctx, st, admin, "user.update", "user", target.ID, fmt.Sprintf("role %s, disabled %v", role, disabled))
	return target, nil
}
