package account

import (
	"context"
	"time"
)

// A second step proves, after the password, that the person signing in
// holds something the password's thief does not: a passkey, or the phone
// with the authenticator app. Recovery codes stand in for either when it
// is lost. A passkey is also a whole sign-in on its own: it is something
// held, unlocked by something known or something one is.

// Passkey is a WebAuthn credential registered to a user.
type Passkey struct {
	ID           int64
	UserID       int64
	Name         string // the owner's name for it: "Work laptop"
	CredentialID []byte
	// Record is the WebAuthn library's credential record (public key,
	// signature counter, flags), as JSON; only the web layer reads it.
	Record     []byte
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
}

// MaxPasskeys bounds the passkeys one account may register; MaxPasskeyName
// the length of a passkey's name, in characters.
const (
	MaxPasskeys    = 20
	MaxPasskeyName = 60
)

// SecondSteps is what an account has enrolled.
type SecondSteps struct {
	Passkeys     int
	TOTP         bool
	RecoveryLeft int // unused recovery codes
}

// Enrolled reports whether the account has a second step. Recovery codes
// alone are not one: they come with a passkey or an app, to replace it.
func (s SecondSteps) Enrolled() bool { return s.Passkeys > 0 || s.TOTP }

// Policy says which accounts must have a second step.
type Policy string

const (
	PolicyNone     Policy = ""         // a second step is each person's choice
	PolicyEditors  Policy = "editors"  // editors and admins must have one
	PolicyEveryone Policy = "everyone" // every account must have one
)

// Policies lists every policy, the least demanding first.
var Policies = []Policy{PolicyNone, PolicyEditors, PolicyEveryone}

// Valid reports whether p is a known policy.
func (p Policy) Valid() bool {
	for _, x := range Policies {
		if p == x {
			return true
		}
	}
	return false
}

// Requires reports whether an account of role r must have a second step.
func (p Policy) Requires(r Role) bool {
	switch p {
	case PolicyEveryone:
		return true
	case PolicyEditors:
		return r.AtLeast(Editor)
	}
	return false
}

// Freshness is how long a second step counts as just taken: long enough
// to finish a task, short enough that a browser left open does not let a
// passer-by make an API token.
const Freshness = 10 * time.Minute

// Fresh reports whether the session's second step was taken recently.
func (s *Session) Fresh(now time.Time) bool {
	return !s.SecondStepAt.IsZero() && now.Sub(s.SecondStepAt) <= Freshness
}

// SecondStepStore keeps each account's passkeys, authenticator secret and
// recovery codes.
type SecondStepStore interface {
	// SecondSteps counts what userID has enrolled.
	SecondSteps(ctx context.Context, userID int64) (SecondSteps, error)

	// AddPasskey stores p and sets its ID; a credential registered
	// already (to anyone) fails with ErrConflict, and one beyond
	// MaxPasskeys for the account with ErrTooMany.
	AddPasskey(ctx context.Context, p *Passkey) error
	UserPasskeys(ctx context.Context, userID int64) ([]Passkey, error)
	PasskeyByCredentialID(ctx context.Context, credentialID []byte) (*Passkey, error)
	// UsePasskey stores the credential's record after a sign-in (its
	// counter moves) and the time of use.
	UsePasskey(ctx context.Context, id int64, record []byte, at time.Time) error
	// DeletePasskey removes one of userID's passkeys: ErrNotFound if it
	// has no such passkey.
	DeletePasskey(ctx context.Context, userID, id int64) (*Passkey, error)

	// SetTOTP stores the account's authenticator secret ("" removes it)
	// and forgets which code was used last.
	SetTOTP(ctx context.Context, userID int64, secret string) error
	// TOTP returns the account's secret ("" for none) and the time step
	// of the last code used.
	TOTP(ctx context.Context, userID int64) (secret string, lastStep int64, err error)
	// UseTOTPStep records that the code of step was used: it fails with
	// ErrConflict unless step is later than every step used before, so
	// that of two requests with one code only one succeeds.
	UseTOTPStep(ctx context.Context, userID, step int64) error

	// SetRecoveryCodes replaces the account's recovery codes with these
	// hashes (none: removes them all).
	SetRecoveryCodes(ctx context.Context, userID int64, hashes []string) error
	// UseRecoveryCode spends the unused code with this hash and says how
	// many are left; ErrNotFound if there is none.
	UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (left int, err error)

	// ResetSecondSteps removes every passkey, the authenticator secret and
	// the recovery codes of userID, at once.
	ResetSecondSteps(ctx context.Context, userID int64) error
	// MarkSecondStep records a second step taken in session id.
	MarkSecondStep(ctx context.Context, id int64, at time.Time) error
}
