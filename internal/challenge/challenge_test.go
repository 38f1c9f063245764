package challenge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	testKey   = []byte("0123456789abcdef0123456789abcdef")
	otherKey  = []byte("fedcba9876543210fedcba9876543210")
	testStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// fastCost keeps the tests quick; the protocol is the same at any cost.
	fastCost = Cost{Iterations: 20, MinCounter: 0, MaxCounter: 40}
)

// clock is a settable clock shared by an issuer and its store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestIssuer(t testing.TB, key []byte) (*Issuer, *clock, *memStore) {
	t.Helper()
	clk := &clock{t: testStart}
	store := newMemStore(clk.Now)
	iss, err := New(Config{Key: key, Cost: fastCost, Now: clk.Now}, store)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return iss, clk, store
}

// issueSolved issues a challenge and solves it with Solve.
func issueSolved(t testing.TB, iss *Issuer) (Challenge, string) {
	t.Helper()
	ch, err := iss.Challenge()
	if err != nil {
		t.Fatalf("Challenge: %v", err)
	}
	payload, err := Solve(ch)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	return ch, payload
}

func TestRoundTrip(t *testing.T) {
	iss, _, store := newTestIssuer(t, testKey)
	_, payload := issueSolved(t, iss)
	ctx := context.Background()
	if err := iss.Verify(ctx, payload); err != nil {
		t.Fatalf("first Verify: got %v, want nil", err)
	}
	if got := store.len(); got != 1 {
		t.Errorf("store holds %d ids, want 1", got)
	}
	if err := iss.Verify(ctx, payload); !errors.Is(err, ErrReplayed) {
		t.Errorf("second Verify: got %v, want ErrReplayed", err)
	}
}

// A second instance with the same key and the same store accepts what the
// first issued, and refuses it once either has accepted it.
func TestAcrossInstances(t *testing.T) {
	clk := &clock{t: testStart}
	store := newMemStore(clk.Now)
	a, err := New(Config{Key: testKey, Cost: fastCost, Now: clk.Now}, store)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Config{Key: testKey, Cost: fastCost, Now: clk.Now}, store)
	if err != nil {
		t.Fatal(err)
	}
	_, payload := issueSolved(t, a)
	if err := b.Verify(context.Background(), payload); err != nil {
		t.Fatalf("other instance: got %v, want nil", err)
	}
	if err := a.Verify(context.Background(), payload); !errors.Is(err, ErrReplayed) {
		t.Errorf("issuing instance after the other accepted: got %v, want ErrReplayed", err)
	}
}

func TestConcurrentReplay(t *testing.T) {
	iss, _, _ := newTestIssuer(t, testKey)
	_, payload := issueSolved(t, iss)
	const n = 16
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { errs <- iss.Verify(context.Background(), payload) })
	}
	wg.Wait()
	close(errs)
	var passed, replayed int
	for err := range errs {
		switch {
		case err == nil:
			passed++
		case errors.Is(err, ErrReplayed):
			replayed++
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if passed != 1 || replayed != n-1 {
		t.Errorf("got %d passed and %d replayed, want 1 and %d", passed, replayed, n-1)
	}
}

func TestExpiry(t *testing.T) {
	iss, clk, store := newTestIssuer(t, testKey)
	ch, payload := issueSolved(t, iss)
	if want := testStart.Add(DefaultExpiry).Unix(); ch.Parameters.ExpiresAt != want {
		t.Fatalf("expiresAt = %d, want %d (issue time + default expiry)", ch.Parameters.ExpiresAt, want)
	}
	clk.Add(DefaultExpiry)
	err := iss.Verify(context.Background(), payload)
	if !errors.Is(err, ErrExpired) {
		t.Fatalf("at expiresAt: got %v, want ErrExpired", err)
	}
	if errors.Is(err, ErrInvalid) || errors.Is(err, ErrReplayed) {
		t.Errorf("ErrExpired must be distinguishable, got %v", err)
	}
	if store.len() != 0 {
		t.Error("an expired solution was recorded as used")
	}

	// One second before, it passes.
	iss2, clk2, _ := newTestIssuer(t, testKey)
	_, payload2 := issueSolved(t, iss2)
	clk2.Add(DefaultExpiry - time.Second)
	if err := iss2.Verify(context.Background(), payload2); err != nil {
		t.Errorf("a second before expiry: got %v, want nil", err)
	}
}

func TestExpiryConfigured(t *testing.T) {
	clk := &clock{t: testStart}
	iss, err := New(Config{Key: testKey, Cost: fastCost, Now: clk.Now, Expiry: time.Minute}, newMemStore(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	ch, payload := issueSolved(t, iss)
	if want := testStart.Add(time.Minute).Unix(); ch.Parameters.ExpiresAt != want {
		t.Errorf("expiresAt = %d, want %d", ch.Parameters.ExpiresAt, want)
	}
	clk.Add(61 * time.Second)
	if err := iss.Verify(context.Background(), payload); !errors.Is(err, ErrExpired) {
		t.Errorf("got %v, want ErrExpired", err)
	}
}

func TestStoreError(t *testing.T) {
	clk := &clock{t: testStart}
	iss, err := New(Config{Key: testKey, Cost: fastCost, Now: clk.Now}, brokenStore{})
	if err != nil {
		t.Fatal(err)
	}
	_, payload := issueSolved(t, iss)
	err = iss.Verify(context.Background(), payload)
	if err == nil || !errors.Is(err, errStoreDown) {
		t.Fatalf("got %v, want the store's error", err)
	}
	for _, s := range []error{ErrInvalid, ErrExpired, ErrReplayed} {
		if errors.Is(err, s) {
			t.Errorf("store failure reported as %v", s)
		}
	}
}

// Verify is the only way to a pass: an Issuer not made by New refuses
// everything, even a genuine solution, and does not panic.
func TestIssuerNotMadeWithNew(t *testing.T) {
	iss, _, _ := newTestIssuer(t, testKey)
	_, payload := issueSolved(t, iss)
	for name, bad := range map[string]*Issuer{"nil": nil, "zero": {}} {
		if err := bad.Verify(context.Background(), payload); err == nil {
			t.Errorf("%s Issuer: Verify passed", name)
		}
		if _, err := bad.Challenge(); err == nil {
			t.Errorf("%s Issuer: Challenge succeeded", name)
		}
	}
}

func TestNew(t *testing.T) {
	store := newMemStore(time.Now)
	tests := []struct {
		name  string
		cfg   Config
		store UsedStore
		ok    bool
	}{
		{"defaults", Config{Key: testKey}, store, true},
		{"short key", Config{Key: testKey[:31]}, store, false},
		{"no key", Config{}, store, false},
		{"no store", Config{Key: testKey}, nil, false},
		{"expiry too short", Config{Key: testKey, Expiry: time.Millisecond}, store, false},
		{"expiry too long", Config{Key: testKey, Expiry: 25 * time.Hour}, store, false},
		{"negative expiry", Config{Key: testKey, Expiry: -time.Minute}, store, false},
		{"no iterations", Config{Key: testKey, Cost: Cost{MaxCounter: 10}}, store, false},
		{"too many iterations", Config{Key: testKey, Cost: Cost{Iterations: maxIterations + 1}}, store, false},
		{"counter range reversed", Config{Key: testKey, Cost: Cost{Iterations: 1, MinCounter: 5, MaxCounter: 4}}, store, false},
		{"negative counter", Config{Key: testKey, Cost: Cost{Iterations: 1, MinCounter: -1, MaxCounter: 4}}, store, false},
		{"counter too large", Config{Key: testKey, Cost: Cost{Iterations: 1, MaxCounter: maxCounter + 1}}, store, false},
		{"single counter", Config{Key: testKey, Cost: Cost{Iterations: 1, MinCounter: 7, MaxCounter: 7}}, store, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, err := New(tt.cfg, tt.store)
			if tt.ok && (err != nil || iss == nil) {
				t.Errorf("got %v, want an Issuer", err)
			}
			if !tt.ok && (err == nil || iss != nil) {
				t.Errorf("got an Issuer, want an error")
			}
		})
	}
	iss, err := New(Config{Key: testKey}, store)
	if err != nil {
		t.Fatal(err)
	}
	if iss.cost != DefaultCost || iss.expiry != DefaultExpiry {
		t.Errorf("defaults: cost %+v expiry %v, want %+v and %v", iss.cost, iss.expiry, DefaultCost, DefaultExpiry)
	}
}

// The JSON is exactly what the widget reads: {parameters, signature}, the
// parameters it needs, hex of the right lengths, and nothing it would
// misread (no "challenge" key, which makes it take the v1 path).
func TestChallengeJSON(t *testing.T) {
	iss, _, _ := newTestIssuer(t, testKey)
	ch, err := iss.Challenge()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(ch)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	if len(top) != 2 || top["parameters"] == nil || top["signature"] == nil {
		t.Fatalf("top-level keys of %s: want exactly parameters and signature", b)
	}
	var params map[string]any
	if err := json.Unmarshal(top["parameters"], &params); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"keyPrefix": 32, "keySignature": 64, "nonce": 32, "salt": 32}
	for k, n := range want {
		s, _ := params[k].(string)
		if len(s) != n || strings.Trim(s, "0123456789abcdef") != "" {
			t.Errorf("%s = %q, want %d lowercase hex digits", k, s, n)
		}
	}
	if params["algorithm"] != "PBKDF2/SHA-256" || params["cost"] != float64(fastCost.Iterations) || params["keyLength"] != float64(32) {
		t.Errorf("parameters %v: want PBKDF2/SHA-256, cost %d, keyLength 32", params, fastCost.Iterations)
	}
	if len(params) != 8 {
		t.Errorf("got %d parameters, want 8: %v", len(params), params)
	}
	// canonical must be what encoding/json writes for the struct (whose
	// fields are in sorted order) — and so what JSON.stringify writes.
	pb, err := json.Marshal(ch.Parameters)
	if err != nil {
		t.Fatal(err)
	}
	if c := ch.Parameters.canonical(); !bytes.Equal(c, pb) {
		t.Errorf("canonical form\n%s\nwant\n%s", c, pb)
	}
}

func TestChallengesDiffer(t *testing.T) {
	iss, _, _ := newTestIssuer(t, testKey)
	seen := map[string]bool{}
	counters := map[int]bool{}
	for range 50 {
		ch, payload := issueSolved(t, iss)
		for _, v := range []string{ch.Parameters.Nonce, ch.Parameters.Salt, ch.Signature} {
			if seen[v] {
				t.Fatalf("value %s issued twice", v)
			}
			seen[v] = true
		}
		counters[solvedCounter(t, payload)] = true
	}
	for c := range counters {
		if c < fastCost.MinCounter || c > fastCost.MaxCounter {
			t.Errorf("counter %d outside [%d, %d]", c, fastCost.MinCounter, fastCost.MaxCounter)
		}
	}
	if len(counters) < 10 {
		t.Errorf("only %d distinct counters in 50 challenges", len(counters))
	}
}

func TestSolveRejects(t *testing.T) {
	iss, _, _ := newTestIssuer(t, testKey)
	ch, err := iss.Challenge()
	if err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*Parameters){
		"algorithm": func(p *Parameters) { p.Algorithm = "ARGON2ID" },
		"nonce":     func(p *Parameters) { p.Nonce = "zz" },
		"salt":      func(p *Parameters) { p.Salt = "zz" },
		"cost":      func(p *Parameters) { p.Cost = 0 },
		"prefix":    func(p *Parameters) { p.KeyPrefix = "" },
	} {
		bad := ch
		mutate(&bad.Parameters)
		if _, err := Solve(bad); err == nil {
			t.Errorf("%s: Solve accepted a bad challenge", name)
		}
	}
}
