// Package challenge is the anti-bot proof-of-work check of the readers'
// forms: it issues challenges, verifies solutions, and refuses expired,
// forged and replayed ones. It speaks the ALTCHA protocol v2 ("PoW v2"), the
// only one the pinned widget (npm altcha 3.2.2, internal/web/static/altcha.min.js)
// solves natively; the widget still reads the old v1 challenges
// ({algorithm, challenge, maxnumber, salt, signature}, SHA-256 of
// salt+number, "?expires=" inside the salt) by translating them, but v1 is
// the format whose unsigned salt parameters allowed CVE-2025-68113, so this
// package neither issues nor accepts it.
//
// # The wire format
//
// GET /api/v1/challenge returns a [Challenge]; every hex string is lowercase:
//
//	{"parameters": {
//	    "algorithm":    "PBKDF2/SHA-256",
//	    "cost":         5000,           // PBKDF2 iterations per attempt
//	    "expiresAt":    1767225600,     // Unix seconds
//	    "keyLength":    32,             // bytes of derived key
//	    "keyPrefix":    "<32 hex>",     // first 16 bytes of the expected key
//	    "keySignature": "<64 hex>",     // HMAC-SHA-256 of the whole expected key
//	    "nonce":        "<32 hex>",     // 16 random bytes
//	    "salt":         "<32 hex>"},    // 16 random bytes
//	 "signature": "<64 hex>"}           // HMAC-SHA-256 of the canonical parameters
//
// The widget tries counter = 0, 1, 2, … (split across Web Workers) and
// computes
//
//	key = PBKDF2-HMAC-SHA-256(password = nonce ‖ uint32 big-endian(counter),
//	                          salt, cost, keyLength)
//
// until key starts with keyPrefix. It then submits, as the form field
// "altcha", the standard base64 (with padding) of
//
//	{"challenge": {"parameters": {…as issued…}, "signature": "…"},
//	 "solution":  {"counter": 412, "derivedKey": "<64 hex>", "time": 812.3}}
//
// This is ALTCHA's "deterministic" mode: the issuer picks the counter at
// random in [Cost.MinCounter, Cost.MaxCounter] and publishes half of the key
// it derives from it, so the prefix is met by that counter alone and the work
// is predictable (counter+1 attempts), not luck. Verifying derives no key:
// it checks two HMACs, the parameters' signature and the key's
// (keySignature), which only someone who derived the whole key can match.
//
// # Why the signature cannot be spliced
//
// The signature is HMAC-SHA-256 over the canonical JSON of the parameters:
// the object with its keys sorted, no spaces, as JavaScript's
// JSON.stringify writes it (altcha-lib's canonicalJSON), e.g.
// {"algorithm":"PBKDF2/SHA-256","cost":5000,"expiresAt":1767225600,…}.
// Every parameter is a field of its own, so expiresAt cannot be moved into
// or out of another value as "?expires=" could be moved between v1's salt
// and number. Verify re-encodes the canonical form from the values it
// parsed, never from the bytes it was sent, and parses strictly: no unknown,
// duplicate or case-folded keys, no null, hex strings of exact length,
// integers written as plain integers.
//
// # Keys
//
// Config.Key is the site's signing key. The package never uses it directly:
// it derives with HKDF-SHA-256 one key for the parameters' signature and one
// for keySignature, so neither can be confused with the other nor with any
// other use of the site key.
package challenge

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Algorithm is the only key-derivation function issued and accepted.
const Algorithm = "PBKDF2/SHA-256"

const (
	keyLength    = 32 // bytes of derived key
	prefixLength = 16 // bytes of it published as keyPrefix
	randomLength = 16 // bytes of nonce and of salt

	// DefaultExpiry is how long a challenge may be solved and submitted.
	DefaultExpiry = 20 * time.Minute
	// MinKeyLength is the shortest Config.Key accepted.
	MinKeyLength = 32
	// MaxPayload is the longest payload Verify reads; a real one is about
	// 700 bytes.
	MaxPayload = 4 << 10

	maxIterations = 10_000_000
	maxCounter    = 1 << 24
)

// DefaultCost takes the widget about 400 attempts of 5000 iterations: 0.4–1.5 s
// in Chromium with 2 workers on a busy 2-core server, so an estimated
// 0.3–1 s on a phone's 4–8 workers. A bot pays about 0.6 s of one core per
// solution in Go (BenchmarkSolve); the issuer 1.4 ms (BenchmarkChallenge).
var DefaultCost = Cost{Iterations: 5000, MinCounter: 200, MaxCounter: 600}

// Sentinel errors of Verify. Any other error it returns — the store's, or an
// Issuer not made with New — means the check could not be made: treat it as
// a server error, never as a pass.
var (
	// ErrInvalid: the payload is not a solution of a challenge this site
	// issued — malformed, tampered, wrongly solved or signed with another key.
	ErrInvalid = errors.New("challenge: invalid solution")
	// ErrExpired: a genuine challenge whose time ran out. The page should
	// hand out a fresh challenge and keep what the reader wrote.
	ErrExpired = errors.New("challenge: expired")
	// ErrReplayed: a genuine solution that was already accepted once.
	ErrReplayed = errors.New("challenge: already used")
)

// Cost is the difficulty of a challenge. The widget needs, on average,
// (MinCounter+MaxCounter)/2 attempts of Iterations PBKDF2 iterations each,
// shared among its workers; the issuer spends one attempt per challenge
// issued, and Verify none.
type Cost struct {
	// Iterations is the PBKDF2 iteration count of one attempt: the
	// protocol's "cost".
	Iterations int
	// MinCounter and MaxCounter bound the secret counter, drawn uniformly:
	// the solver needs counter+1 attempts.
	MinCounter, MaxCounter int
}

// Config configures an Issuer. Zero fields take the defaults.
type Config struct {
	// Key is the site's signing key, at least MinKeyLength bytes. Every
	// instance of the site must share it.
	Key []byte
	// Expiry is how long a challenge may be solved and submitted;
	// DefaultExpiry if zero.
	Expiry time.Duration
	// Cost is the difficulty; DefaultCost if zero.
	Cost Cost
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

// UsedStore records solved challenges until they expire, so a solution is
// accepted once, across restarts and across instances.
type UsedStore interface {
	// MarkUsed records id until expires and reports whether this was its
	// first use. It must be atomic: of two concurrent calls with one id,
	// exactly one reports first. A record may be forgotten once expires has
	// passed, since Verify refuses an expired challenge before asking.
	MarkUsed(ctx context.Context, id string, expires time.Time) (first bool, err error)
}

// Issuer issues challenges and verifies their solutions. Make one with New;
// it is safe for concurrent use.
type Issuer struct {
	sigKey []byte // signs the parameters
	dkKey  []byte // signs the expected derived key
	expiry time.Duration
	cost   Cost
	now    func() time.Time
	used   UsedStore
	random io.Reader // crypto/rand; tests make it deterministic
}

// Challenge is what GET /api/v1/challenge returns, as JSON, to the widget.
type Challenge struct {
	Parameters Parameters `json:"parameters"`
	Signature  string     `json:"signature"`
}

// Parameters are a challenge's signed parameters. The fields are in the
// order of the canonical form.
type Parameters struct {
	Algorithm    string `json:"algorithm"`
	Cost         int    `json:"cost"`
	ExpiresAt    int64  `json:"expiresAt"`
	KeyLength    int    `json:"keyLength"`
	KeyPrefix    string `json:"keyPrefix"`
	KeySignature string `json:"keySignature"`
	Nonce        string `json:"nonce"`
	Salt         string `json:"salt"`
}

// New returns an Issuer that records used solutions in used.
func New(cfg Config, used UsedStore) (*Issuer, error) {
	if len(cfg.Key) < MinKeyLength {
		return nil, fmt.Errorf("challenge: key is %d bytes, want at least %d", len(cfg.Key), MinKeyLength)
	}
	if used == nil {
		return nil, errors.New("challenge: no store for used solutions")
	}
	if cfg.Expiry == 0 {
		cfg.Expiry = DefaultExpiry
	}
	if cfg.Expiry < time.Second || cfg.Expiry > 24*time.Hour {
		return nil, fmt.Errorf("challenge: expiry %v is not between 1s and 24h", cfg.Expiry)
	}
	if cfg.Cost == (Cost{}) {
		cfg.Cost = DefaultCost
	}
	c := cfg.Cost
	if c.Iterations < 1 || c.Iterations > maxIterations {
		return nil, fmt.Errorf("challenge: %d iterations is not between 1 and %d", c.Iterations, maxIterations)
	}
	if c.MinCounter < 0 || c.MinCounter > c.MaxCounter || c.MaxCounter > maxCounter {
		return nil, fmt.Errorf("challenge: counter range [%d, %d] is not within [0, %d]", c.MinCounter, c.MaxCounter, maxCounter)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	sigKey, err := hkdf.Key(sha256.New, cfg.Key, nil, "broadsheet challenge v2: parameters", 32)
	if err != nil {
		return nil, fmt.Errorf("challenge: derive key: %w", err)
	}
	dkKey, err := hkdf.Key(sha256.New, cfg.Key, nil, "broadsheet challenge v2: derived key", 32)
	if err != nil {
		return nil, fmt.Errorf("challenge: derive key: %w", err)
	}
	return &Issuer{
		sigKey: sigKey,
		dkKey:  dkKey,
		expiry: cfg.Expiry,
		cost:   c,
		now:    cfg.Now,
		used:   used,
		random: rand.Reader,
	}, nil
}

// Challenge issues a new challenge, valid for the configured expiry. It
// costs one attempt of the solver's work (Cost.Iterations of PBKDF2).
func (i *Issuer) Challenge() (Challenge, error) {
	if i == nil || i.used == nil {
		return Challenge{}, errNotMade
	}
	var buf [2*randomLength + 8]byte
	if _, err := io.ReadFull(i.random, buf[:]); err != nil {
		return Challenge{}, fmt.Errorf("challenge: random: %w", err)
	}
	nonce, salt := buf[:randomLength], buf[randomLength:2*randomLength]
	// The modulo's bias is below 2^-39 for any allowed range.
	span := uint64(i.cost.MaxCounter - i.cost.MinCounter + 1)
	counter := uint32(i.cost.MinCounter) + uint32(binary.BigEndian.Uint64(buf[2*randomLength:])%span)

	dk, err := deriveKey(nonce, salt, counter, i.cost.Iterations, keyLength)
	if err != nil {
		return Challenge{}, err
	}
	p := Parameters{
		Algorithm:    Algorithm,
		Cost:         i.cost.Iterations,
		ExpiresAt:    i.now().Add(i.expiry).Unix(),
		KeyLength:    keyLength,
		KeyPrefix:    hex.EncodeToString(dk[:prefixLength]),
		KeySignature: hex.EncodeToString(mac(i.dkKey, dk)),
		Nonce:        hex.EncodeToString(nonce),
		Salt:         hex.EncodeToString(salt),
	}
	return Challenge{Parameters: p, Signature: hex.EncodeToString(mac(i.sigKey, p.canonical()))}, nil
}

var errNotMade = errors.New("challenge: Issuer not made with New")

// deriveKey is one attempt: PBKDF2-HMAC-SHA-256 of nonce ‖ counter.
func deriveKey(nonce, salt []byte, counter uint32, iterations, length int) ([]byte, error) {
	password := binary.BigEndian.AppendUint32(append([]byte(nil), nonce...), counter)
	dk, err := pbkdf2.Key(sha256.New, string(password), salt, iterations, length)
	if err != nil {
		return nil, fmt.Errorf("challenge: pbkdf2: %w", err)
	}
	return dk, nil
}

func mac(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

// canonical is the signed form of p: JSON with sorted keys and no spaces,
// byte for byte what JavaScript's JSON.stringify writes. The strings need no
// escaping: Challenge writes hex and Algorithm, and Verify accepts nothing
// else.
func (p Parameters) canonical() []byte {
	b := make([]byte, 0, 320)
	b = append(b, `{"algorithm":"`...)
	b = append(b, p.Algorithm...)
	b = append(b, `","cost":`...)
	b = strconv.AppendInt(b, int64(p.Cost), 10)
	b = append(b, `,"expiresAt":`...)
	b = strconv.AppendInt(b, p.ExpiresAt, 10)
	b = append(b, `,"keyLength":`...)
	b = strconv.AppendInt(b, int64(p.KeyLength), 10)
	b = append(b, `,"keyPrefix":"`...)
	b = append(b, p.KeyPrefix...)
	b = append(b, `","keySignature":"`...)
	b = append(b, p.KeySignature...)
	b = append(b, `","nonce":"`...)
	b = append(b, p.Nonce...)
	b = append(b, `","salt":"`...)
	b = append(b, p.Salt...)
	b = append(b, `"}`...)
	return b
}
