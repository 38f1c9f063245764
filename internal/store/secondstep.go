package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"

	"broadsheet/internal/account"
)

var _ account.SecondStepStore = (*DB)(nil)

// SecondSteps counts what userID has enrolled.
func (db *DB) SecondSteps(ctx context.Context, userID int64) (account.SecondSteps, error) {
	var s account.SecondSteps
	var secret string
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM passkeys WHERE user_id = ?),
		(SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL),
		totp_secret FROM users WHERE id = ?`, userID, userID, userID).Scan(&s.Passkeys, &s.RecoveryLeft, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return s, db.errorf("user %d: second steps: %w", userID, account.ErrNotFound)
	}
	if err != nil {
		return s, db.errorf("user %d: second steps: %w", userID, err)
	}
	s.TOTP = secret != ""
	return s, nil
}

// credentialKey is how a credential id is stored: base64url, so that
// both engines index and compare it as text.
func credentialKey(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) }

const passkeyColumns = `id, user_id, name, credential_id, record, created_at, COALESCE(last_used_at, 0)`

func scanPasskey(sc interface{ Scan(...any) error }) (*account.Passkey, error) {
	var p account.Passkey
	var cred, record string
	var created, used int64
	if err := sc.Scan(&p.ID, &p.UserID, &p.Name, &cred, &record, &created, &used); err != nil {
		return nil, err
	}
	id, err := base64.RawURLEncoding.DecodeString(cred)
	if err != nil {
		return nil, err
	}
	p.CredentialID, p.Record = id, []byte(record)
	p.CreatedAt = time.Unix(created, 0).UTC()
	if used > 0 {
		p.LastUsedAt = time.Unix(used, 0).UTC()
	}
	return &p, nil
}

// passkeysLock names the lock of an account's passkeys ("bspk" and the
// account's id).
const passkeysLock = 0x6273706b << 32

// AddPasskey stores p and sets its ID and CreatedAt. The count and the
// insert are one transaction under the account's lock, so that two
// registrations at once cannot pass MaxPasskeys together.
func (db *DB) AddPasskey(ctx context.Context, p *account.Passkey) error {
	p.CreatedAt = db.now().UTC().Truncate(time.Second)
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		if err := db.eng.Lock(ctx, tx, passkeysLock|p.UserID&0xffffffff); err != nil {
			return nil, err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM passkeys WHERE user_id = ?`, p.UserID).Scan(&n); err != nil {
			return nil, err
		}
		if n >= account.MaxPasskeys {
			return nil, account.ErrTooMany
		}
		return nil, tx.QueryRowContext(ctx, `INSERT INTO passkeys (user_id, name, credential_id, record, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			p.UserID, p.Name, credentialKey(p.CredentialID), string(p.Record), p.CreatedAt.Unix()).Scan(&p.ID)
	})
	if db.eng.IsUnique(err) {
		return db.errorf("passkey of user %d: already registered: %w", p.UserID, account.ErrConflict)
	}
	if err != nil {
		return db.errorf("passkey of user %d: %w", p.UserID, err)
	}
	return nil
}

// UserPasskeys lists a user's passkeys, oldest first.
func (db *DB) UserPasskeys(ctx context.Context, userID int64) ([]account.Passkey, error) {
	var ps []account.Passkey
	err := each(ctx, db.read, `SELECT `+passkeyColumns+` FROM passkeys WHERE user_id = ? ORDER BY id`, []any{userID}, func(rows *sql.Rows) error {
		p, err := scanPasskey(rows)
		if err == nil {
			ps = append(ps, *p)
		}
		return err
	})
	if err != nil {
		return nil, db.errorf("passkeys of user %d: %w", userID, err)
	}
	return ps, nil
}

// PasskeyByCredentialID returns the passkey an authenticator names.
func (db *DB) PasskeyByCredentialID(ctx context.Context, credentialID []byte) (*account.Passkey, error) {
	p, err := scanPasskey(db.read.QueryRowContext(ctx, `SELECT `+passkeyColumns+` FROM passkeys WHERE credential_id = ?`, credentialKey(credentialID)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("passkey: %w", account.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("passkey: %w", err)
	}
	return p, nil
}

// UsePasskey stores a passkey's record after a sign-in, and when.
func (db *DB) UsePasskey(ctx context.Context, id int64, record []byte, at time.Time) error {
	res, err := db.exec(ctx, `UPDATE passkeys SET record = ?, last_used_at = ? WHERE id = ?`, string(record), at.Unix(), id)
	if err != nil {
		return db.errorf("passkey %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.errorf("passkey %d: %w", id, account.ErrNotFound)
	}
	return nil
}

// DeletePasskey removes one of userID's passkeys and returns it.
func (db *DB) DeletePasskey(ctx context.Context, userID, id int64) (*account.Passkey, error) {
	p, err := scanPasskey(db.write.QueryRowContext(ctx, `DELETE FROM passkeys WHERE id = ? AND user_id = ? RETURNING `+passkeyColumns, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("passkey %d of user %d: %w", id, userID, account.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("passkey %d of user %d: %w", id, userID, err)
	}
	return p, nil
}

// SetTOTP stores userID's authenticator secret ("" removes it).
func (db *DB) SetTOTP(ctx context.Context, userID int64, secret string) error {
	res, err := db.exec(ctx, `UPDATE users SET totp_secret = ?, totp_step = 0 WHERE id = ?`, secret, userID)
	if err != nil {
		return db.errorf("user %d: authenticator: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.errorf("user %d: %w", userID, account.ErrNotFound)
	}
	return nil
}

// TOTP returns userID's authenticator secret and the step last used.
func (db *DB) TOTP(ctx context.Context, userID int64) (string, int64, error) {
	var secret string
	var step int64
	err := db.read.QueryRowContext(ctx, `SELECT totp_secret, totp_step FROM users WHERE id = ?`, userID).Scan(&secret, &step)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, db.errorf("user %d: %w", userID, account.ErrNotFound)
	}
	if err != nil {
		return "", 0, db.errorf("user %d: authenticator: %w", userID, err)
	}
	return secret, step, nil
}

// UseTOTPStep records the step of a code just used, if it is later than
// the last: one statement, so two requests with one code cannot both pass.
func (db *DB) UseTOTPStep(ctx context.Context, userID, step int64) error {
	res, err := db.exec(ctx, `UPDATE users SET totp_step = ? WHERE id = ? AND totp_step < ? AND totp_secret <> ''`, step, userID, step)
	if err != nil {
		return db.errorf("user %d: authenticator code: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.errorf("user %d: authenticator code used already: %w", userID, account.ErrConflict)
	}
	return nil
}

// SetRecoveryCodes replaces userID's recovery codes.
func (db *DB) SetRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	now := db.now().Unix()
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return nil, err
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)`, userID, h, now); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	if err != nil {
		return db.errorf("user %d: recovery codes: %w", userID, err)
	}
	return nil
}

// UseRecoveryCode spends one of userID's unused codes.
func (db *DB) UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (int, error) {
	var left int
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`, at.Unix(), userID, hash)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return nil, cmp.Or[error](err, account.ErrNotFound)
		}
		return nil, tx.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&left)
	})
	if err != nil {
		return 0, db.errorf("user %d: recovery code: %w", userID, err)
	}
	return left, nil
}

// ResetSecondSteps removes all of userID's second steps in one
// transaction.
func (db *DB) ResetSecondSteps(ctx context.Context, userID int64) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		for _, q := range []string{
			`DELETE FROM passkeys WHERE user_id = ?`,
			`DELETE FROM recovery_codes WHERE user_id = ?`,
			`UPDATE users SET totp_secret = '', totp_step = 0 WHERE id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	if err != nil {
		return db.errorf("user %d: reset second steps: %w", userID, err)
	}
	return nil
}

// MarkSecondStep records a second step taken in session id.
func (db *DB) MarkSecondStep(ctx context.Context, id int64, at time.Time) error {
	if _, err := db.exec(ctx, `UPDATE sessions SET second_step_at = ? WHERE id = ?`, at.Unix(), id); err != nil {
		return db.errorf("session %d: second step: %w", id, err)
	}
	return nil
}

// unixOrZero stores a time that may be unset as 0.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
