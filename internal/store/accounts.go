package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/mail"
)

var _ account.Store = (*DB)(nil)

const userColumns = `id, email, name, role, password_hash, COALESCE(author_id, 0), created_at, disabled`

func scanUser(sc interface{ Scan(...any) error }) (*account.User, error) {
	var u account.User
	var created int64
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.AuthorID, &created, &u.Disabled); err != nil {
		return nil, err
	}
	u.CreatedAt = time.Unix(created, 0).UTC()
	return &u, nil
}

// CreateUser inserts u and sets its ID.
func (db *DB) CreateUser(ctx context.Context, u *account.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	u.CreatedAt = db.now().UTC().Truncate(time.Second)
	err := db.write.QueryRowContext(ctx, `INSERT INTO users (email, email_key, name, role, password_hash, author_id, created_at, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, mail.AddressKey(u.Email), u.Name, u.Role, u.PasswordHash, nullID(u.AuthorID), u.CreatedAt.Unix(), u.Disabled).Scan(&u.ID)
	if db.eng.IsUnique(err) {
		return db.errorf("user %q already exists: %w", u.Email, account.ErrConflict)
	}
	if err != nil {
		return db.errorf("create user %q: %w", u.Email, err)
	}
	return nil
}

// UpdateUser stores u's name, email, role, password hash, byline and state.
func (db *DB) UpdateUser(ctx context.Context, u *account.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	res, err := db.exec(ctx, `UPDATE users SET email = ?, email_key = ?, name = ?, role = ?, password_hash = ?, author_id = ?, disabled = ? WHERE id = ?`,
		u.Email, mail.AddressKey(u.Email), u.Name, u.Role, u.PasswordHash, nullID(u.AuthorID), u.Disabled, u.ID)
	if db.eng.IsUnique(err) {
		return db.errorf("user %q already exists: %w", u.Email, account.ErrConflict)
	}
	if err != nil {
		return db.errorf("update user %d: %w", u.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.errorf("user %d: %w", u.ID, account.ErrNotFound)
	}
	return nil
}

// adminsLock names the lock of changes to who may run the site ("bsadm").
const adminsLock = 0x627361646d

// SetUserAccess changes a user's role, whether the account is disabled and
// its byline (0 for none), and nothing else: a password changed meanwhile
// stays changed. A change that would leave the site without an enabled
// admin fails with account.ErrLastAdmin. The check is part of the UPDATE,
// and such changes take turns: under PostgreSQL's READ COMMITTED two
// admins demoting each other at once would each still count the other.
func (db *DB) SetUserAccess(ctx context.Context, id int64, role account.Role, disabled bool, authorID int64) error {
	if !role.Valid() {
		inv := &account.InvalidError{}
		inv.AddKey("role", "problem.role_unknown", string(role))
		return inv
	}
	staysAdmin := role == account.Admin && !disabled
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		if err := db.eng.Lock(ctx, tx, adminsLock); err != nil {
			return nil, err
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, disabled = ?, author_id = ? WHERE id = ?
			AND (? OR role <> 'admin' OR disabled
			     OR (SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND id <> ?) > 0)`,
			role, disabled, nullID(authorID), id, staysAdmin, id)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return nil, err
		}
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return nil, account.ErrNotFound
		} else if err != nil {
			return nil, err
		}
		return nil, account.ErrLastAdmin
	})
	if err != nil {
		return db.errorf("user %d: role, state and byline: %w", id, err)
	}
	return nil
}

// SetPassword changes a user's password hash, and nothing else: an admin
// disabling the account meanwhile is not undone.
func (db *DB) SetPassword(ctx context.Context, id int64, hash string) error {
	res, err := db.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)
	if err != nil {
		return db.errorf("user %d: password: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.errorf("user %d: %w", id, account.ErrNotFound)
	}
	return nil
}

func (db *DB) userWhere(ctx context.Context, what string, where string, arg any) (*account.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("user %s: %w", what, account.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("user %s: %w", what, err)
	}
	return u, nil
}

// UserByID returns one user.
func (db *DB) UserByID(ctx context.Context, id int64) (*account.User, error) {
	return db.userWhere(ctx, fmt.Sprint(id), "id = ?", id)
}

// UserByEmail returns one user; the match ignores case.
func (db *DB) UserByEmail(ctx context.Context, email string) (*account.User, error) {
	return db.userWhere(ctx, fmt.Sprintf("%q", email), "email_key = ?", mail.AddressKey(email))
}

// Users lists every user by name.
func (db *DB) Users(ctx context.Context) ([]account.User, error) {
	var us []account.User
	err := each(ctx, db.read, `SELECT `+userColumns+` FROM users ORDER BY name, id`, nil, func(rows *sql.Rows) error {
		u, err := scanUser(rows)
		if err == nil {
			us = append(us, *u)
		}
		return err
	})
	if err != nil {
		return nil, db.errorf("users: %w", err)
	}
	return us, nil
}

// CountAdmins counts enabled admins.
func (db *DB) CountAdmins(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`).Scan(&n); err != nil {
		return 0, db.errorf("count admins: %w", err)
	}
	return n, nil
}

const sessionColumns = `id, token_hash, user_id, created_at, last_seen_at, user_agent, ip, second_step_at`

func scanSession(sc interface{ Scan(...any) error }) (*account.Session, error) {
	var s account.Session
	var created, seen, second int64
	if err := sc.Scan(&s.ID, &s.TokenHash, &s.UserID, &created, &seen, &s.UserAgent, &s.IP, &second); err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSeenAt = time.Unix(created, 0).UTC(), time.Unix(seen, 0).UTC()
	if second > 0 {
		s.SecondStepAt = time.Unix(second, 0).UTC()
	}
	return &s, nil
}

// CreateSession inserts s and sets its ID.
func (db *DB) CreateSession(ctx context.Context, s *account.Session) error {
	err := db.write.QueryRowContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, user_agent, ip, second_step_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.TokenHash, s.UserID, s.CreatedAt.Unix(), s.LastSeenAt.Unix(), s.UserAgent, s.IP, unixOrZero(s.SecondStepAt)).Scan(&s.ID)
	if err != nil {
		return db.errorf("create session: %w", err)
	}
	return nil
}

// SessionByTokenHash returns the session whose cookie hashes to hash.
func (db *DB) SessionByTokenHash(ctx context.Context, hash string) (*account.Session, error) {
	s, err := scanSession(db.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("session: %w", account.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("session: %w", err)
	}
	return s, nil
}

// TouchSession records activity.
func (db *DB) TouchSession(ctx context.Context, id int64, at time.Time) error {
	if _, err := db.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, at.Unix(), id); err != nil {
		return db.errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session.
func (db *DB) DeleteSession(ctx context.Context, id int64) error {
	if _, err := db.exec(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
		return db.errorf("delete session: %w", err)
	}
	return nil
}

// UserSessions lists a user's sessions, most recently active first.
func (db *DB) UserSessions(ctx context.Context, userID int64) ([]account.Session, error) {
	var ss []account.Session
	err := each(ctx, db.read, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = ? ORDER BY last_seen_at DESC, id DESC`, []any{userID}, func(rows *sql.Rows) error {
		s, err := scanSession(rows)
		if err == nil {
			ss = append(ss, *s)
		}
		return err
	})
	if err != nil {
		return nil, db.errorf("sessions: %w", err)
	}
	return ss, nil
}

// DeleteUserSessions ends every session of userID except keep.
func (db *DB) DeleteUserSessions(ctx context.Context, userID, keep int64) error {
	if _, err := db.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keep); err != nil {
		return db.errorf("delete sessions: %w", err)
	}
	return nil
}

// CreateToken inserts an API token and sets its ID.
func (db *DB) CreateToken(ctx context.Context, t *account.Token) error {
	t.CreatedAt = db.now().UTC().Truncate(time.Second)
	err := db.write.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Name, t.TokenHash, t.CreatedAt.Unix()).Scan(&t.ID)
	if err != nil {
		return db.errorf("create token: %w", err)
	}
	return nil
}

const tokenColumns = `id, user_id, name, token_hash, created_at, last_used_at, revoked_at`

func scanToken(sc interface{ Scan(...any) error }) (*account.Token, error) {
	var t account.Token
	var created int64
	var used, revoked sql.NullInt64
	if err := sc.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &created, &used, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = time.Unix(created, 0).UTC(), fromUnix(used), fromUnix(revoked)
	return &t, nil
}

// TokenByHash returns the token with that hash, revoked or not.
func (db *DB) TokenByHash(ctx context.Context, hash string) (*account.Token, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("token: %w", account.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("token: %w", err)
	}
	return t, nil
}

// UserTokens lists a user's tokens, newest first.
func (db *DB) UserTokens(ctx context.Context, userID int64) ([]account.Token, error) {
	var ts []account.Token
	err := each(ctx, db.read, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, []any{userID}, func(rows *sql.Rows) error {
		t, err := scanToken(rows)
		if err == nil {
			ts = append(ts, *t)
		}
		return err
	})
	if err != nil {
		return nil, db.errorf("tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken revokes one of userID's tokens.
func (db *DB) RevokeToken(ctx context.Context, userID, id int64, at time.Time) error {
	res, err := db.exec(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?`, at.Unix(), id, userID)
	if err != nil {
		return db.errorf("revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.errorf("token %d: %w", id, account.ErrNotFound)
	}
	return nil
}

// TouchToken records a token's use.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	if _, err := db.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, at.Unix(), id); err != nil {
		return db.errorf("touch token: %w", err)
	}
	return nil
}

// CreateSetupToken stores a first-admin link.
func (db *DB) CreateSetupToken(ctx context.Context, hash string, expires time.Time) error {
	if _, err := db.exec(ctx, `INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?, ?)`, hash, expires.Unix()); err != nil {
		return db.errorf("setup token: %w", err)
	}
	return nil
}

// UseSetupToken marks a first-admin link used, once.
func (db *DB) UseSetupToken(ctx context.Context, hash string, now time.Time) error {
	res, err := db.exec(ctx, `UPDATE setup_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`, now.Unix(), hash, now.Unix())
	if err != nil {
		return db.errorf("setup token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.errorf("setup token: %w", account.ErrNotFound)
	}
	return nil
}
