package account

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"broadsheet/internal/errs"
)

// Password rules. There is no truncation: every byte counts, up to a
// ceiling that only stops someone sending megabytes to the hasher.
const (
	MinPasswordRunes = 8
	MaxPasswordBytes = 1024
)

// argon2id parameters: the OWASP baseline (19 MiB, two passes, one lane),
// about 30 ms on one core of a small server.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// CheckPassword applies the password policy. words are things the password
// must not be built from: the user's email, name, the site's title. What is
// wrong is a problem about the password field.
func CheckPassword(pw string, words ...string) error {
	if key, args := passwordProblem(pw, words); key != "" {
		return errs.InvalidKey("password", key, args...)
	}
	return nil
}

// passwordProblem is what is wrong with pw, as a message key of the
// catalog and its arguments; "" when nothing is.
func passwordProblem(pw string, words []string) (string, []any) {
	switch {
	case len(pw) > MaxPasswordBytes:
		return "problem.password_long", []any{MaxPasswordBytes}
	case !utf8.ValidString(pw):
		return "problem.password_text", nil
	case utf8.RuneCountInString(pw) < MinPasswordRunes:
		return "problem.password_short", []any{MinPasswordRunes}
	}
	lower := strings.ToLower(pw)
	if isCommon(lower) {
		return "problem.password_common", nil
	}
	if repetitive(lower) {
		return "problem.password_pattern", nil
	}
	for _, w := range words {
		w = strings.ToLower(strings.TrimSpace(w))
		if local, _, ok := strings.Cut(w, "@"); ok {
			w = local
		}
		if len(w) >= 4 && strings.Contains(lower, w) {
			return "problem.password_personal", nil
		}
	}
	return "", nil
}

// repetitive catches one character repeated or a run of neighbouring
// characters ("aaaaaaaa", "12345678", "abcdefgh", "87654321").
func repetitive(pw string) bool {
	rs := []rune(pw)
	same, up, down := true, true, true
	for i := 1; i < len(rs); i++ {
		same = same && rs[i] == rs[0]
		up = up && rs[i] == rs[i-1]+1
		down = down && rs[i] == rs[i-1]-1
	}
	return same || up || down
}

// hashSlots bounds how many argon2id computations run at once. Each takes
// 19 MiB for a moment; without a bound, a burst of sign-in attempts could
// exhaust the server's memory. Callers beyond the bound wait their turn.
var hashSlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

func idKey(pw, salt []byte, t, mem uint32, threads uint8, n uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(pw, salt, t, mem, threads, n)
}

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	if len(pw) > MaxPasswordBytes {
		return "", fmt.Errorf("account: password longer than %d bytes", MaxPasswordBytes)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return phc(salt, idKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)), nil
}

// phc writes a salt and key derived with this package's parameters in the
// PHC string format.
func phc(salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether pw matches hash, in constant time. The
// parameters are read from the hash, so stronger settings later still
// verify old hashes.
func VerifyPassword(hash, pw string) bool {
	if len(pw) > MaxPasswordBytes {
		return false
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, t uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &threads); err != nil || mem == 0 || mem > 1<<21 || t == 0 || t > 10 || threads == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := idKey([]byte(pw), salt, t, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when an email is unknown, so a login for a
// stranger takes as long as one for a user: the parameters of a real hash,
// a key no password is known to derive. It is written out rather than
// derived, which cost every start of the program 19 MiB and a
// password's time.
var dummyHash = phc(make([]byte, saltLen), make([]byte, argonKeyLen))

// VerifyDummy spends the time of one password check.
func VerifyDummy(pw string) { VerifyPassword(dummyHash, pw) }

// NewToken returns a random secret for a cookie, link or API token, and the
// hash under which it is stored.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("account: no randomness: " + err.Error())
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is how a secret is stored and looked up. The secret has 256
// bits of entropy, so a fast hash is enough.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
