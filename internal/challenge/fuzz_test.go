package challenge

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
)

// FuzzVerify: Verify never panics and never passes a fuzzed payload.
//
// The seeds are genuine solutions, and every fuzzing process makes the
// same ones (fixed key, clock and randomness) and spends them before
// fuzzing, so that a pass can only be a forgery or a replay: both bugs.
// Run it with: go test -run '^$' -fuzz FuzzVerify -fuzztime 60s ./internal/challenge/
func FuzzVerify(f *testing.F) {
	iss, _, _ := newTestIssuer(f, testKey)
	iss.random = rand.NewChaCha8([32]byte{'f', 'u', 'z', 'z'})
	ctx := context.Background()
	for range 4 {
		_, payload := issueSolved(f, iss)
		f.Add(payload)
		// Solve reports the time it took, so payloads differ between
		// processes; the challenge, which is what is spent, does not.
		if err := iss.Verify(ctx, payload); err != nil {
			f.Fatalf("genuine seed: %v", err)
		}
		js := payloadJSON(f, payload)
		f.Add(b64(strings.Replace(js, `"expiresAt":`, `"expiresAt":9,"expiresAt":`, 1)))
		f.Add(b64(js[:len(js)/2]))
	}
	for _, s := range []string{
		"",
		"e30=", // {}
		b64(`{"challenge":null,"solution":null,"test":true}`),
		b64(`{"algorithm":"SHA-256","challenge":"00","number":1,"salt":"abc?expires=1&expires=9999999999","signature":"00","took":1}`),
		b64(`{"challenge":{"parameters":{},"signature":""},"solution":{"counter":0,"derivedKey":""}}`),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		if err := iss.Verify(ctx, payload); err == nil {
			t.Fatalf("Verify passed a fuzzed payload: %q", payload)
		}
	})
}
