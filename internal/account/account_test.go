package account

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRolePermissions(t *testing.T) {
	want := map[Role][]Permission{
		Contributor: {WriteDrafts, UploadMedia},
		Author:      {WriteDrafts, UploadMedia, PublishOwn},
		Editor:      {WriteDrafts, UploadMedia, PublishOwn, EditAny, ManageTaxonomy},
		Admin:       {WriteDrafts, UploadMedia, PublishOwn, EditAny, ManageTaxonomy, ManageUsers, ManageSettings, ViewAudit},
	}
	all := []Permission{WriteDrafts, PublishOwn, EditAny, ManageTaxonomy, ManageUsers, ManageSettings, ViewAudit, UploadMedia}
	for role, perms := range want {
		for _, p := range all {
			allowed := false
			for _, q := range perms {
				allowed = allowed || q == p
			}
			if got := role.Can(p); got != allowed {
				t.Errorf("%s.Can(%d) = %v, want %v", role, p, got, allowed)
			}
		}
	}
	if Role("chief").Can(WriteDrafts) {
		t.Error("an unknown role has rights")
	}
	u := &User{Role: Admin, Disabled: true}
	if u.Can(WriteDrafts) {
		t.Error("a disabled user has rights")
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw   string
		ok   bool
		why  string
		with []string
	}{
		{"correct horse battery", true, "", nil},
		{"Tr0ub4dor&3x", true, "", nil},
		{"short", false, "at least 8", nil},
		{"password", false, "common", nil},
		{"Password123!", false, "common", nil},
		{"qwertyuiop", false, "common", nil},
		{"aaaaaaaaaa", false, "repeated", nil},
		{"23456789", false, "sequential", nil},
		{"zyxwvuts", false, "sequential", nil},
		{"amara-okafor-2026", false, "name", []string{"amara.okafor@courier.example", "Okafor"}},
		{"merrowcourier!", false, "site", []string{"x@y.z", "Ann", "Merrowcourier"}},
		{strings.Repeat("long passphrase ", 70), false, "longer than", nil},
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", false, "valid text", nil},
		{"пароль-для-сайта", true, "", nil},
	}
	for _, tt := range tests {
		err := CheckPassword(tt.pw, tt.with...)
		if (err == nil) != tt.ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", tt.pw, err, tt.ok)
		} else if err != nil && !strings.Contains(err.Error(), tt.why) {
			t.Errorf("CheckPassword(%q) = %q, want mention of %q", tt.pw, err, tt.why)
		}
	}
}

func TestHashAndVerify(t *testing.T) {
	long := strings.Repeat("x", 500) + "tail"
	for _, pw := range []string{"correct horse battery", long, "пароль-для-сайта"} {
		h, err := HashPassword(pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("hash %q is not argon2id PHC", h)
		}
		if !VerifyPassword(h, pw) {
			t.Errorf("VerifyPassword(hash, %.20q) = false", pw)
		}
		if VerifyPassword(h, pw+"!") || VerifyPassword(h, pw[:len(pw)-1]) {
			t.Errorf("VerifyPassword accepts a different password for %.20q", pw)
		}
	}
	// No truncation: two passwords equal in their first 72 bytes differ.
	a, b := strings.Repeat("a", 72)+"one", strings.Repeat("a", 72)+"two"
	h, _ := HashPassword(a)
	if VerifyPassword(h, b) {
		t.Error("password compared only up to a prefix")
	}
	h2, _ := HashPassword(a)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2id$", "$2a$10$abcdefghijklmnopqrstuv", "$argon2id$v=19$m=99999999,t=2,p=1$AAAA$AAAA"} {
		if VerifyPassword(bad, "anything") {
			t.Errorf("VerifyPassword(%q) accepted", bad)
		}
	}
}

// TestDummyHash: the hash an unknown email is checked against has a real
// hash's parameters and lengths, so that checking it costs what checking
// a user's password costs.
func TestDummyHash(t *testing.T) {
	real, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	got, want := strings.Split(dummyHash, "$"), strings.Split(real, "$")
	if len(got) != len(want) {
		t.Fatalf("dummy hash %q, want the form of %q", dummyHash, real)
	}
	for i := range want {
		if i < 4 && got[i] != want[i] || len(got[i]) != len(want[i]) {
			t.Errorf("dummy hash part %d = %q, want like %q", i, got[i], want[i])
		}
	}
	if VerifyPassword(dummyHash, "") || VerifyPassword(dummyHash, "correct horse battery") {
		t.Error("the dummy hash accepts a password")
	}
}

func TestTokens(t *testing.T) {
	tok, hash := NewToken()
	if len(tok) != 43 || HashToken(tok) != hash || len(hash) != 64 {
		t.Errorf("NewToken = %q, %q", tok, hash)
	}
	tok2, _ := NewToken()
	if tok == tok2 {
		t.Error("two tokens are equal")
	}
}

func TestSessionExpiry(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := Session{CreatedAt: start, LastSeenAt: start}
	if s.Expired(start.Add(time.Hour)) {
		t.Error("expired after an hour")
	}
	if !s.Expired(start.Add(IdleTimeout + time.Second)) {
		t.Error("not expired after the idle timeout")
	}
	s.LastSeenAt = start.Add(AbsoluteTimeout)
	if !s.Expired(start.Add(AbsoluteTimeout + time.Second)) {
		t.Error("an active session outlived the absolute timeout")
	}
}

func TestValidateUser(t *testing.T) {
	good := User{Email: "ed@courier.example", Name: "Ed", Role: Editor}
	if err := good.Validate(); err != nil {
		t.Errorf("Validate(good) = %v", err)
	}
	bad := User{Email: "Ed <ed@x>", Role: "boss"}
	var inv *InvalidError
	if err := bad.Validate(); !errors.As(err, &inv) || len(inv.Problems) != 3 {
		t.Errorf("Validate(bad) = %v, want 3 problems", err)
	}
}
