package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// RecoveryCodes is how many single-use codes a user is given when two-step
// sign-in is turned on, for the day the phone is lost.
const RecoveryCodes = 10

// recoveryAlphabet has no 0, o, 1, l or i, which look alike on paper and in
// many fonts: the codes are written down and typed back by hand. Its 31
// characters give a ten-character code 49.5 bits.
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

const recoveryLen = 10

// NewRecoveryCodes returns RecoveryCodes fresh codes, each shown as
// "xxxxx-xxxxx", all different.
func NewRecoveryCodes() []string {
	codes := make([]string, 0, RecoveryCodes)
	seen := make(map[string]bool, RecoveryCodes)
	for len(codes) < RecoveryCodes {
		c := newRecoveryCode()
		if seen[c] {
			continue
		}
		seen[c] = true
		codes = append(codes, c)
	}
	return codes
}

func newRecoveryCode() string {
	// Bytes at or above the largest multiple of the alphabet's size are
	// drawn again, so every character is equally likely.
	const limit = 256 - 256%len(recoveryAlphabet)
	var code [recoveryLen + 1]byte
	buf := make([]byte, 32)
	n := 0
	for n < recoveryLen {
		if _, err := rand.Read(buf); err != nil {
			panic("account: no randomness: " + err.Error())
		}
		for _, b := range buf {
			if n == recoveryLen {
				break
			}
			if int(b) >= limit {
				continue
			}
			i := n
			if n >= recoveryLen/2 {
				i++ // after the hyphen
			}
			code[i] = recoveryAlphabet[int(b)%len(recoveryAlphabet)]
			n++
		}
	}
	code[recoveryLen/2] = '-'
	return string(code[:])
}

// HashRecoveryCode is how a recovery code is stored and looked up. What a
// person types is first brought to the code's own form: any case, with or
// without the hyphen, spaces anywhere, so "ABCDE FGHJK" finds abcde-fghjk.
//
// SHA-256 rather than argon2id: a password is chosen by a person and can
// be guessed from a list, so its hash must be slow; these codes are drawn
// at random from 2^49.5, beyond any online guessing the limits allow, and
// one code is a second factor, useless without the password. A fast,
// unsalted hash lets a code be found by its hash in one look-up. It does
// not stand up to offline search by whoever holds the database: a GPU
// runs through 2^49.5 in hours. That reader holds the site's signing key
// too, which forges password-reset links, so a slow hash here would guard
// nothing the database does not already give away.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte(normaliseRecoveryCode(code)))
	return hex.EncodeToString(sum[:])
}

// normaliseRecoveryCode drops spaces and dashes (a phone may turn the
// hyphen into another dash) and lowers the case.
func normaliseRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) {
			return -1
		}
		return unicode.ToLower(r)
	}, code)
}
