package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/account"
)

// SecondSteps is each account's passkeys, authenticator secret and
// recovery codes.
type SecondSteps interface {
	SecondSteps(ctx context.Context, userID int64) (account.SecondSteps, error)
	AddPasskey(ctx context.Context, p *account.Passkey) error
	UserPasskeys(ctx context.Context, userID int64) ([]account.Passkey, error)
	PasskeyByCredentialID(ctx context.Context, credentialID []byte) (*account.Passkey, error)
	UsePasskey(ctx context.Context, id int64, record []byte, at time.Time) error
	DeletePasskey(ctx context.Context, userID, id int64) (*account.Passkey, error)
	SetTOTP(ctx context.Context, userID int64, secret string) error
	TOTP(ctx context.Context, userID int64) (string, int64, error)
	UseTOTPStep(ctx context.Context, userID, step int64) error
	SetRecoveryCodes(ctx context.Context, userID int64, hashes []string) error
	UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (int, error)
	ResetSecondSteps(ctx context.Context, userID int64) error
	MarkSecondStep(ctx context.Context, id int64, at time.Time) error
}

func testSecondSteps(t *testing.T, s Store) {
	ctx := context.Background()
	u := account.User{Email: "two@courier.example", Name: "Two Step", Role: account.Editor, PasswordHash: "h"}
	other := account.User{Email: "other@courier.example", Name: "Other", Role: account.Author, PasswordHash: "h"}
	must(t, s.CreateUser(ctx, &u))
	must(t, s.CreateUser(ctx, &other))
	got, err := s.SecondSteps(ctx, u.ID)
	must(t, err)
	if got.Enrolled() || got != (account.SecondSteps{}) {
		t.Fatalf("SecondSteps of a new account = %+v, want none", got)
	}
	if _, err := s.SecondSteps(ctx, 99999); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("SecondSteps(missing) err = %v, want ErrNotFound", err)
	}

	// Passkeys: unique credentials, owned, counted, bounded.
	pk := account.Passkey{UserID: u.ID, Name: "Laptop", CredentialID: []byte{0, 1, 2, 0xff}, Record: []byte(`{"n":1}`)}
	must(t, s.AddPasskey(ctx, &pk))
	if pk.ID == 0 || pk.CreatedAt.IsZero() {
		t.Fatalf("AddPasskey did not set ID and CreatedAt: %+v", pk)
	}
	if err := s.AddPasskey(ctx, &account.Passkey{UserID: other.ID, Name: "Copy", CredentialID: []byte{0, 1, 2, 0xff}, Record: []byte(`{}`)}); !errors.Is(err, account.ErrConflict) {
		t.Errorf("a credential registered twice: err = %v, want ErrConflict", err)
	}
	byCred, err := s.PasskeyByCredentialID(ctx, []byte{0, 1, 2, 0xff})
	must(t, err)
	if byCred.ID != pk.ID || byCred.UserID != u.ID || string(byCred.Record) != `{"n":1}` || !byCred.LastUsedAt.IsZero() {
		t.Errorf("PasskeyByCredentialID = %+v", byCred)
	}
	if _, err := s.PasskeyByCredentialID(ctx, []byte{9}); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("PasskeyByCredentialID(unknown) err = %v, want ErrNotFound", err)
	}
	used := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	must(t, s.UsePasskey(ctx, pk.ID, []byte(`{"n":2}`), used))
	list, err := s.UserPasskeys(ctx, u.ID)
	must(t, err)
	if len(list) != 1 || string(list[0].Record) != `{"n":2}` || !list[0].LastUsedAt.Equal(used) || list[0].Name != "Laptop" {
		t.Errorf("UserPasskeys after use = %+v", list)
	}
	if _, err := s.DeletePasskey(ctx, other.ID, pk.ID); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("deleting another account's passkey: err = %v, want ErrNotFound", err)
	}
	// MaxPasskeys holds even when registrations race.
	var wg sync.WaitGroup
	errs := make([]error, account.MaxPasskeys+5)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.AddPasskey(ctx, &account.Passkey{UserID: u.ID, Name: "Key", CredentialID: []byte{byte(i), 7, 7}, Record: []byte(`{}`)})
		})
	}
	wg.Wait()
	var refused int
	for _, err := range errs {
		switch {
		case errors.Is(err, account.ErrTooMany):
			refused++
		case err != nil:
			t.Fatalf("AddPasskey: %v", err)
		}
	}
	list, err = s.UserPasskeys(ctx, u.ID)
	must(t, err)
	if len(list) != account.MaxPasskeys || refused != 6 {
		t.Errorf("after %d registrations at once: %d passkeys, %d refused; want %d and 6", len(errs), len(list), refused, account.MaxPasskeys)
	}
	gone, err := s.DeletePasskey(ctx, u.ID, pk.ID)
	must(t, err)
	if gone.Name != "Laptop" {
		t.Errorf("DeletePasskey returned %+v", gone)
	}
	if _, err := s.PasskeyByCredentialID(ctx, []byte{0, 1, 2, 0xff}); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("a deleted passkey is still found: %v", err)
	}

	// Authenticator codes: each step once, later steps only, even at once.
	must(t, s.SetTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXP"))
	secret, last, err := s.TOTP(ctx, u.ID)
	must(t, err)
	if secret != "JBSWY3DPEHPK3PXP" || last != 0 {
		t.Errorf("TOTP = %q, %d", secret, last)
	}
	must(t, s.UseTOTPStep(ctx, u.ID, 1000))
	for _, step := range []int64{1000, 999} {
		if err := s.UseTOTPStep(ctx, u.ID, step); !errors.Is(err, account.ErrConflict) {
			t.Errorf("UseTOTPStep(%d) after 1000: err = %v, want ErrConflict", step, err)
		}
	}
	var wins int
	var mu sync.Mutex
	for range 8 {
		wg.Go(func() {
			if s.UseTOTPStep(ctx, u.ID, 1001) == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("one code used by 8 requests at once: %d succeeded, want 1", wins)
	}
	if err := s.UseTOTPStep(ctx, other.ID, 5); !errors.Is(err, account.ErrConflict) {
		t.Errorf("UseTOTPStep without a secret: err = %v, want ErrConflict", err)
	}

	// Recovery codes: each once, counted, replaced whole.
	must(t, s.SetRecoveryCodes(ctx, u.ID, []string{"h1", "h2", "h3"}))
	must(t, s.SetRecoveryCodes(ctx, other.ID, []string{"h1"}))
	left, err := s.UseRecoveryCode(ctx, u.ID, "h2", used)
	must(t, err)
	if left != 2 {
		t.Errorf("UseRecoveryCode left = %d, want 2", left)
	}
	if _, err := s.UseRecoveryCode(ctx, u.ID, "h2", used); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("a recovery code used twice: err = %v, want ErrNotFound", err)
	}
	if _, err := s.UseRecoveryCode(ctx, u.ID, "nope", used); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("an unknown recovery code: err = %v, want ErrNotFound", err)
	}
	got, err = s.SecondSteps(ctx, u.ID)
	must(t, err)
	if want := (account.SecondSteps{Passkeys: account.MaxPasskeys - 1, TOTP: true, RecoveryLeft: 2}); got != want {
		t.Errorf("SecondSteps = %+v, want %+v", got, want)
	}

	// A session remembers its second step.
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	_, hash := account.NewToken()
	sess := account.Session{TokenHash: hash, UserID: u.ID, CreatedAt: now, LastSeenAt: now, SecondStepAt: now}
	must(t, s.CreateSession(ctx, &sess))
	back, err := s.SessionByTokenHash(ctx, hash)
	must(t, err)
	if !back.SecondStepAt.Equal(now) || !back.Fresh(now.Add(account.Freshness)) || back.Fresh(now.Add(account.Freshness+time.Second)) {
		t.Errorf("session's second step = %v, want %v and fresh for %v", back.SecondStepAt, now, account.Freshness)
	}
	must(t, s.MarkSecondStep(ctx, sess.ID, now.Add(time.Hour)))
	back, _ = s.SessionByTokenHash(ctx, hash)
	if !back.SecondStepAt.Equal(now.Add(time.Hour)) {
		t.Errorf("after MarkSecondStep: %v", back.SecondStepAt)
	}

	// A reset takes everything, and only from that account.
	must(t, s.ResetSecondSteps(ctx, u.ID))
	got, err = s.SecondSteps(ctx, u.ID)
	must(t, err)
	if got != (account.SecondSteps{}) {
		t.Errorf("after ResetSecondSteps: %+v, want none", got)
	}
	if secret, _, _ := s.TOTP(ctx, u.ID); secret != "" {
		t.Errorf("authenticator secret kept after reset: %q", secret)
	}
	if got, _ := s.SecondSteps(ctx, other.ID); got.RecoveryLeft != 1 {
		t.Errorf("another account's codes after reset: %+v", got)
	}
}
