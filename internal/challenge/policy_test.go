package challenge

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The one anti-bot rule: with a provider only its token is proof and a
// built-in solution is refused; without one only the built-in solution
// is; no proof at all is unverified, not an error. The provider is a fake
// siteverify endpoint over TLS.
func TestPolicy(t *testing.T) {
	ts, _ := siteverifyServer(t, map[string]map[string]any{
		"good":  {"success": true, "hostname": "news.example.org"},
		"good2": {"success": true, "hostname": "news.example.org"},
		"old":   {"success": false, "error-codes": []string{"timeout-or-duplicate"}},
		"down":  {"status": 503},
	})
	ctx := context.Background()
	iss, _, _ := newTestIssuer(t, testKey)
	solved := func() string { _, p := issueSolved(t, iss); return p }
	ext := &External{Provider: Turnstile, Secret: "s3cret", Hostname: "news.example.org", Endpoint: ts.URL, Client: ts.Client(),
		Used: newMemStore(time.Now)}
	builtin := &Policy{Builtin: iss}
	provider := &Policy{Builtin: iss, External: ext}

	for _, tt := range []struct {
		name     string
		policy   *Policy
		proof    Proof
		verified bool
		err      error
	}{
		{"built-in: a solution", builtin, Proof{Altcha: solved()}, true, nil},
		{"built-in: nothing", builtin, Proof{}, false, nil},
		{"built-in: a forged solution", builtin, Proof{Altcha: "eyJ4IjoxfQ=="}, false, ErrInvalid},
		{"built-in: a provider's token", builtin, Proof{Token: "good"}, false, ErrWrongProof},
		{"provider: its token", provider, Proof{Token: "good", RemoteIP: "203.0.113.5"}, true, nil},
		{"provider: a token and a solution", provider, Proof{Token: "good2", Altcha: solved()}, true, nil},
		{"provider: nothing", provider, Proof{}, false, nil},
		{"provider: a built-in solution instead", provider, Proof{Altcha: solved()}, false, ErrWrongProof},
		{"provider: a bad token", provider, Proof{Token: "forged"}, false, ErrInvalid},
		{"provider: an expired token", provider, Proof{Token: "old"}, false, ErrExpired},
		{"provider: a token used before", provider, Proof{Token: "good"}, false, ErrReplayed},
		{"provider: unreachable", provider, Proof{Token: "down"}, false, ErrUnavailable},
	} {
		v, err := tt.policy.Check(ctx, tt.proof)
		if v.Verified != tt.verified || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("%s: Check = %v, %v; want verified %v, %v", tt.name, v.Verified, err, tt.verified, tt.err)
		}
		if v.Unspent.ID != "" && (tt.policy.External != nil || tt.proof.Altcha == "") {
			t.Errorf("%s: left a built-in solution to spend", tt.name)
		}
	}
	if !errors.Is(ErrWrongProof, ErrInvalid) {
		t.Error("ErrWrongProof is not a kind of ErrInvalid")
	}
	if f := provider.TokenField(); f != "cf-turnstile-response" {
		t.Errorf("TokenField = %q", f)
	}
	if f := builtin.TokenField(); f != "" {
		t.Errorf("TokenField without a provider = %q", f)
	}

	// Check leaves a built-in solution for the caller to record; Verify
	// records it, so it works once.
	p := solved()
	v, err := builtin.Check(ctx, Proof{Altcha: p})
	if err != nil || v.Unspent.ID == "" {
		t.Fatalf("Check = %+v, %v; want a solution to spend", v, err)
	}
	if ok, err := builtin.Verify(ctx, Proof{Altcha: p}); !ok || err != nil {
		t.Errorf("Verify = %v, %v; want the first use accepted (Check spent nothing)", ok, err)
	}
	if ok, err := builtin.Verify(ctx, Proof{Altcha: p}); ok || !errors.Is(err, ErrReplayed) {
		t.Errorf("Verify again = %v, %v; want ErrReplayed", ok, err)
	}
}
