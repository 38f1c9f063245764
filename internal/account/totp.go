package account

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Authenticator-app codes (RFC 6238) with the parameters every app
// understands without being told: HMAC-SHA1, six digits, 30-second steps.
// Other choices are allowed by the key URI, but some apps silently ignore
// them and show codes that never match.
const (
	totpPeriod    = 30
	totpDigits    = 6
	totpSecretLen = 20 // bytes: the 160 bits RFC 4226 recommends, SHA-1's own length
)

// totpEncoding is how a secret is shown and stored: upper-case base32
// without padding, what apps expect when the key is typed by hand.
var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a fresh authenticator secret.
func NewTOTPSecret() string {
	b := make([]byte, totpSecretLen)
	if _, err := rand.Read(b); err != nil {
		panic("account: no randomness: " + err.Error())
	}
	return totpEncoding.EncodeToString(b)
}

// TOTPStep is the 30-second step that t falls in.
func TOTPStep(t time.Time) int64 {
	return floorDiv(t.Unix(), totpPeriod)
}

// floorDiv rounds towards minus infinity, so a time before 1970 is not
// placed in step 0 together with the first 30 seconds of 1970.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// TOTPCode is the six-digit code for secret at step.
func TOTPCode(secret string, step int64) (string, error) {
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return "", err
	}
	if step < 0 {
		return "", fmt.Errorf("account: totp step %d before 1970", step)
	}
	return totpCode(key, step), nil
}

// decodeTOTPSecret reads a secret as stored. Lower case and padding are
// forgiven: a secret copied back from an app may come either way.
func decodeTOTPSecret(secret string) ([]byte, error) {
	s := strings.TrimRight(strings.ToUpper(secret), "=")
	key, err := totpEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("account: totp secret: %w", err)
	}
	if len(key) < 16 {
		// RFC 4226 requires at least 128 bits; anything shorter is a
		// truncated or mistaken value, not one of our secrets.
		return nil, errors.New("account: totp secret shorter than 128 bits")
	}
	return key, nil
}

// totpCode is RFC 4226's HOTP with the step as counter: the dynamic
// truncation of the HMAC, taken modulo 10^6.
func totpCode(key []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, n%1_000_000)
}

// CheckTOTP reports whether code is secret's code for the step of now or
// the step either side of it, which allows for a phone's clock being a
// little off and for the seconds it takes to type. A step at or before
// lastStep is refused, so a code seen over a shoulder or replayed from a
// log cannot be used again: the caller stores the step returned and passes
// it as lastStep next time (0 for a user who has never signed in with a
// code).
func CheckTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	typed, good := normaliseTOTPCode(code)
	if !good {
		return 0, false
	}
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return 0, false
	}
	cur := TOTPStep(now)
	// Every step of the window is computed and compared, matched or not,
	// so how long a refusal takes says nothing about which step was near.
	for s := cur - 1; s <= cur+1; s++ {
		if s <= lastStep || s < 0 {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(totpCode(key, s)), typed) == 1 {
			step, ok = s, true
		}
	}
	return step, ok
}

// normaliseTOTPCode turns what a person typed into six ASCII digits. Spaces
// are dropped (apps show "123 456"), and Persian and Arabic-Indic digits,
// which phones set to those languages type, count as the digits they are.
func normaliseTOTPCode(code string) ([]byte, bool) {
	if len(code) > 64 {
		return nil, false
	}
	out := make([]byte, 0, totpDigits)
	for _, r := range code {
		switch {
		case unicode.IsSpace(r):
			continue
		case r >= '0' && r <= '9':
			out = append(out, byte(r))
		case r >= '۰' && r <= '۹': // U+06F0–U+06F9, Persian
			out = append(out, byte('0'+r-'۰'))
		case r >= '٠' && r <= '٩': // U+0660–U+0669, Arabic-Indic
			out = append(out, byte('0'+r-'٠'))
		default:
			return nil, false
		}
	}
	return out, len(out) == totpDigits
}

// TOTPURI is the otpauth:// key URI an app reads from the enrolment QR
// code, in the form Google Authenticator documents (key-uri-format).
func TOTPURI(issuer, account, secret string) string {
	// The label is "issuer:account" and apps split it at its first colon,
	// so a colon in the issuer would move part of it into the account
	// name. The label's issuer loses its colons; the issuer parameter,
	// which apps prefer, keeps the name exactly.
	label := uriEscape(account)
	if issuer != "" {
		label = uriEscape(strings.ReplaceAll(issuer, ":", "")) + ":" + label
	}
	var b strings.Builder
	b.WriteString("otpauth://totp/")
	b.WriteString(label)
	b.WriteString("?secret=")
	b.WriteString(uriEscape(secret))
	if issuer != "" {
		b.WriteString("&issuer=")
		b.WriteString(uriEscape(issuer))
	}
	fmt.Fprintf(&b, "&algorithm=SHA1&digits=%d&period=%d", totpDigits, totpPeriod)
	return b.String()
}

// uriEscape percent-encodes all but RFC 3986's unreserved characters.
// That is url.QueryEscape, but for its "+" for a space, which several apps
// show literally; a "+" typed is already %2B, so the swap is exact.
// url.PathEscape would leave ":", "&" and "=", which would split the label
// or the query in the wrong place.
func uriEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
