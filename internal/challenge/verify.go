package challenge

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// submission is a decoded payload. Every field has passed its format check.
type submission struct {
	params     Parameters
	signature  []byte
	sigHex     string // the challenge's id in the UsedStore
	derivedKey []byte
	keyHex     string
}

// Verify checks payload, the value of the form field the widget fills (the
// base64 of {"challenge":…,"solution":…}). It returns nil only for a correct
// solution of an unexpired challenge this issuer signed, the first time that
// challenge is presented; otherwise ErrInvalid, ErrExpired, ErrReplayed, or
// the store's error (fail closed). An empty payload is ErrInvalid.
func (i *Issuer) Verify(ctx context.Context, payload string) error {
	if i == nil || i.used == nil {
		return errNotMade
	}
	sol, err := i.Check(payload)
	if err != nil {
		return err
	}
	return i.Spend(ctx, sol)
}

// Solved is a correct solution of a genuine, unexpired challenge that is
// not yet recorded as used.
type Solved struct {
	ID      string    // the challenge's id in the UsedStore
	Expires time.Time // until when the record must be kept
}

// Check does everything Verify does except recording the use, for a caller
// that records it in its own transaction beside what the check protects
// (one durable write instead of two); that caller must record it with the
// same atomicity as UsedStore.MarkUsed and refuse a second use.
//
// Checks run cheapest first, and the signature before anything else is
// believed: an expired challenge is ErrExpired only when it is genuine.
func (i *Issuer) Check(payload string) (Solved, error) {
	if i == nil || i.sigKey == nil {
		return Solved{}, errNotMade
	}
	if payload == "" {
		return Solved{}, fmt.Errorf("%w: empty payload", ErrInvalid)
	}
	if len(payload) > MaxPayload {
		return Solved{}, fmt.Errorf("%w: payload is over %d bytes", ErrInvalid, MaxPayload)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(payload)
	if err != nil {
		return Solved{}, fmt.Errorf("%w: payload is not base64", ErrInvalid)
	}
	s, err := parsePayload(raw)
	if err != nil {
		return Solved{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	p := s.params
	if p.Algorithm != Algorithm || p.KeyLength != keyLength {
		return Solved{}, fmt.Errorf("%w: algorithm %q with %d-byte keys, want %q with %d", ErrInvalid, p.Algorithm, p.KeyLength, Algorithm, keyLength)
	}
	if !hmac.Equal(s.signature, mac(i.sigKey, p.canonical())) {
		return Solved{}, fmt.Errorf("%w: bad signature", ErrInvalid)
	}
	expires := time.Unix(p.ExpiresAt, 0)
	if !i.now().Before(expires) {
		return Solved{}, fmt.Errorf("%w at %s", ErrExpired, expires.UTC().Format(time.RFC3339))
	}
	// The prefix is public, so comparing it first leaks nothing; the
	// key's signature proves the rest of the key was derived, not guessed.
	keySig, _ := hex.DecodeString(p.KeySignature)
	if !strings.HasPrefix(s.keyHex, p.KeyPrefix) || !hmac.Equal(keySig, mac(i.dkKey, s.derivedKey)) {
		return Solved{}, fmt.Errorf("%w: wrong derived key", ErrInvalid)
	}
	return Solved{ID: s.sigHex, Expires: expires}, nil
}

// parsePayload decodes the widget's JSON strictly. The solution's "time"
// (milliseconds the widget spent) is optional and ignored.
func parsePayload(raw []byte) (*submission, error) {
	top, err := fields(raw, "challenge", "solution")
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if top[0] == nil || top[1] == nil {
		return nil, errors.New("payload: challenge or solution missing")
	}
	ch, err := fields(top[0], "parameters", "signature")
	if err != nil {
		return nil, fmt.Errorf("challenge: %w", err)
	}
	if ch[0] == nil || ch[1] == nil {
		return nil, errors.New("challenge: parameters or signature missing")
	}
	s := &submission{}
	if s.sigHex, s.signature, err = hexField(ch[1], 32); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	if err := parseParameters(ch[0], &s.params); err != nil {
		return nil, fmt.Errorf("parameters: %w", err)
	}

	sol, err := fields(top[1], "counter", "derivedKey", "time")
	if err != nil {
		return nil, fmt.Errorf("solution: %w", err)
	}
	if sol[0] == nil || sol[1] == nil {
		return nil, errors.New("solution: counter or derivedKey missing")
	}
	// The counter is checked for form only: the derived key is the proof.
	if _, err := uintField(sol[0], math.MaxUint32); err != nil {
		return nil, fmt.Errorf("counter: %w", err)
	}
	if s.keyHex, s.derivedKey, err = hexField(sol[1], keyLength); err != nil {
		return nil, fmt.Errorf("derivedKey: %w", err)
	}
	if sol[2] != nil {
		var f float64
		if sol[2][0] == 'n' || json.Unmarshal(sol[2], &f) != nil {
			return nil, errors.New("time: not a number")
		}
	}
	return s, nil
}

var parameterNames = []string{"algorithm", "cost", "expiresAt", "keyLength", "keyPrefix", "keySignature", "nonce", "salt"}

func parseParameters(raw []byte, p *Parameters) error {
	v, err := fields(raw, parameterNames...)
	if err != nil {
		return err
	}
	for i, name := range parameterNames {
		if v[i] == nil {
			return fmt.Errorf("%s missing", name)
		}
	}
	if p.Algorithm, err = stringField(v[0]); err != nil {
		return fmt.Errorf("algorithm: %w", err)
	}
	var n uint64
	if n, err = uintField(v[1], maxIterations); err != nil {
		return fmt.Errorf("cost: %w", err)
	}
	p.Cost = int(n)
	if n, err = uintField(v[2], 1<<40); err != nil {
		return fmt.Errorf("expiresAt: %w", err)
	}
	p.ExpiresAt = int64(n)
	if n, err = uintField(v[3], 1024); err != nil {
		return fmt.Errorf("keyLength: %w", err)
	}
	p.KeyLength = int(n)
	for _, f := range []struct {
		name  string
		raw   []byte
		bytes int
		dst   *string
	}{
		{"keyPrefix", v[4], prefixLength, &p.KeyPrefix},
		{"keySignature", v[5], 32, &p.KeySignature},
		{"nonce", v[6], randomLength, &p.Nonce},
		{"salt", v[7], randomLength, &p.Salt},
	} {
		if *f.dst, _, err = hexField(f.raw, f.bytes); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

// fields reads the JSON object data, whose keys must be among names, each
// at most once and spelt exactly, and returns each name's raw value, nil
// where absent. encoding/json alone would let a later duplicate win and
// match keys case-insensitively.
func fields(data []byte, names ...string) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	vals := make([]json.RawMessage, len(names))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("malformed object")
		}
		key, _ := tok.(string)
		i := slices.Index(names, key)
		if i < 0 {
			return nil, fmt.Errorf("unexpected key %q", key)
		}
		if vals[i] != nil {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		if err := dec.Decode(&vals[i]); err != nil {
			return nil, errors.New("malformed object")
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, errors.New("malformed object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	return vals, nil
}

func stringField(raw []byte) (string, error) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", errors.New("not a string")
	}
	return s, nil
}

// hexField reads a string of exactly n bytes in lowercase hex, the only
// spelling the canonical form allows.
func hexField(raw []byte, n int) (string, []byte, error) {
	s, err := stringField(raw)
	if err != nil {
		return "", nil, err
	}
	if len(s) != 2*n || strings.ToLower(s) != s {
		return "", nil, fmt.Errorf("not %d bytes of lowercase hex", n)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return "", nil, fmt.Errorf("not %d bytes of lowercase hex", n)
	}
	return s, b, nil
}

// uintField reads a non-negative integer written plainly: no sign, point,
// exponent or leading zero, so that it has one spelling.
func uintField(raw []byte, max uint64) (uint64, error) {
	s := string(raw)
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') || strings.Trim(s, "0123456789") != "" {
		return 0, errors.New("not a plain non-negative integer")
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > max {
		return 0, fmt.Errorf("not an integer from 0 to %d", max)
	}
	return n, nil
}
