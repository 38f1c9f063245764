package challenge

import (
	"context"
	"testing"
	"time"
)

// alwaysFirst is a store that never remembers, so one payload can be
// verified b.N times: the benchmarks measure this package, not a store.
type alwaysFirst struct{}

func (alwaysFirst) MarkUsed(context.Context, string, time.Time) (bool, error) { return true, nil }

func benchIssuer(b *testing.B, cost Cost) *Issuer {
	b.Helper()
	iss, err := New(Config{Key: testKey, Cost: cost}, alwaysFirst{})
	if err != nil {
		b.Fatal(err)
	}
	return iss
}

// BenchmarkChallenge is the server's cost of GET /api/v1/challenge at the
// default cost: one PBKDF2 attempt.
func BenchmarkChallenge(b *testing.B) {
	iss := benchIssuer(b, DefaultCost)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Challenge(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is the server's cost of checking a genuine solution,
// without the store; it does not depend on the cost.
func BenchmarkVerify(b *testing.B) {
	iss := benchIssuer(b, fastCost)
	_, payload := issueSolved(b, iss)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := iss.Verify(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyForged is the cost of refusing a well-formed payload with a
// bad signature, as a flood of forgeries would send.
func BenchmarkVerifyForged(b *testing.B) {
	iss := benchIssuer(b, fastCost)
	forger := benchIssuer(b, fastCost)
	forger.sigKey = []byte("not the key")
	_, payload := issueSolved(b, forger)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := iss.Verify(ctx, payload); err == nil {
			b.Fatal("forgery passed")
		}
	}
}

// BenchmarkSolve is a bot's cost of one solution at the default cost, in Go
// on one core (the widget spreads the same work over its workers).
func BenchmarkSolve(b *testing.B) {
	iss := benchIssuer(b, DefaultCost)
	for b.Loop() {
		ch, err := iss.Challenge()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Solve(ch); err != nil {
			b.Fatal(err)
		}
	}
}
