package account

import (
	"regexp"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	format := regexp.MustCompile(`^[23456789abcdefghjkmnpqrstuvwxyz]{5}-[23456789abcdefghjkmnpqrstuvwxyz]{5}$`)
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 20 {
		codes := NewRecoveryCodes()
		if len(codes) != RecoveryCodes {
			t.Fatalf("got %d codes, want %d", len(codes), RecoveryCodes)
		}
		for _, c := range codes {
			if !format.MatchString(c) {
				t.Errorf("code %q is not xxxxx-xxxxx from the unambiguous alphabet", c)
			}
			if seen[c] {
				t.Errorf("code %q drawn twice", c)
			}
			seen[c] = true
			for _, r := range c {
				counts[r]++
			}
		}
	}
	// 2,000 characters drawn: each of the 31 is expected about 65 times.
	// One that never appears means part of the alphabet is out of reach.
	for _, r := range recoveryAlphabet {
		if counts[r] == 0 {
			t.Errorf("character %q never drawn in 2,000", r)
		}
	}
}

func TestHashRecoveryCode(t *testing.T) {
	want := HashRecoveryCode("abcde-fghjk")
	if len(want) != 64 {
		t.Fatalf("hash %q: want 64 hex characters", want)
	}
	for _, typed := range []string{
		"abcde-fghjk",
		"abcdefghjk",
		"ABCDE FGHJK",
		"ABCDE-FGHJK",
		"  abcde-fghjk\n",
		"abcde – fghjk", // a phone's en dash
		"ab cde fg hjk",
	} {
		if got := HashRecoveryCode(typed); got != want {
			t.Errorf("HashRecoveryCode(%q) differs from abcde-fghjk's", typed)
		}
	}
	for _, other := range []string{"abcde-fghjm", "abcdefghj", "abcde-fghjkk", ""} {
		if HashRecoveryCode(other) == want {
			t.Errorf("HashRecoveryCode(%q) equals abcde-fghjk's", other)
		}
	}
	// A fresh code hashes alike however it is typed back.
	c := NewRecoveryCodes()[0]
	if HashRecoveryCode(c) != HashRecoveryCode(c[:5]+c[6:]) {
		t.Errorf("code %q and its hyphenless form hash differently", c)
	}
}
