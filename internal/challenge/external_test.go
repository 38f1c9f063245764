package challenge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// siteverifyServer speaks the siteverify protocol over TLS on loopback,
// answering from a table of tokens, and records what it was sent.
func siteverifyServer(t *testing.T, answers map[string]map[string]any) (*httptest.Server, *[]map[string]string) {
	var seen []map[string]string
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.ParseForm() != nil {
			http.Error(w, "bad", 400)
			return
		}
		seen = append(seen, map[string]string{"secret": r.PostFormValue("secret"), "response": r.PostFormValue("response"), "remoteip": r.PostFormValue("remoteip")})
		a, ok := answers[r.PostFormValue("response")]
		if !ok {
			a = map[string]any{"success": false, "error-codes": []string{"invalid-input-response"}}
		}
		if a["slow"] == true {
			time.Sleep(300 * time.Millisecond)
		}
		if code, ok := a["status"].(int); ok {
			w.WriteHeader(code)
			return
		}
		json.NewEncoder(w).Encode(a)
	}))
	t.Cleanup(ts.Close)
	return ts, &seen
}

func TestExternalVerifiers(t *testing.T) {
	score := func(f float64) *float64 { return &f }
	ts, seen := siteverifyServer(t, map[string]map[string]any{
		"good":       {"success": true, "hostname": "news.example.org", "action": "comment", "score": *score(0.9)},
		"low-score":  {"success": true, "hostname": "news.example.org", "action": "comment", "score": *score(0.1)},
		"other-host": {"success": true, "hostname": "evil.example", "action": "comment"},
		"other-act":  {"success": true, "hostname": "news.example.org", "action": "login"},
		"old":        {"success": false, "error-codes": []string{"timeout-or-duplicate"}},
		"broken":     {"status": 500},
		"slow":       {"success": true, "hostname": "news.example.org", "slow": true},
	})
	used := newMemStore(time.Now)
	for _, p := range []Provider{ReCAPTCHA, HCaptcha, Turnstile} {
		t.Run(string(p), func(t *testing.T) {
			e := &External{Provider: p, Secret: "s3cret", Hostname: "news.example.org", Action: "comment", MinScore: 0.5,
				Endpoint: ts.URL, Client: ts.Client(), Used: used}
			ctx := context.Background()
			for _, tt := range []struct {
				token string
				want  error
			}{
				{"low-score", ErrInvalid}, {"other-host", ErrInvalid}, {"other-act", ErrInvalid},
				{"old", ErrExpired}, {"unknown", ErrInvalid}, {"", ErrInvalid}, {"broken", ErrUnavailable},
			} {
				if err := e.Verify(ctx, tt.token, "203.0.113.5"); !errors.Is(err, tt.want) {
					t.Errorf("Verify(%q) = %v, want %v", tt.token, err, tt.want)
				}
			}
			if err := e.Verify(ctx, "good", "203.0.113.5"); err != nil {
				t.Errorf("Verify(good) = %v", err)
			}
			if err := e.Verify(ctx, "good", "203.0.113.5"); !errors.Is(err, ErrReplayed) {
				t.Errorf("second use = %v, want ErrReplayed", err)
			}
		})
	}
	last := (*seen)[len(*seen)-1]
	if last["secret"] != "s3cret" || last["response"] != "good" || last["remoteip"] != "203.0.113.5" {
		t.Errorf("sent %v", last)
	}
	// TLS is verified: a client that does not trust the test certificate
	// is refused, closed.
	e := &External{Provider: Turnstile, Secret: "s", Endpoint: ts.URL, Client: &http.Client{Timeout: time.Second}}
	if err := e.Verify(context.Background(), "good", ""); !errors.Is(err, ErrUnavailable) {
		t.Errorf("untrusted certificate: %v, want ErrUnavailable", err)
	}
	// A slow provider is cut off by the timeout, closed.
	e = &External{Provider: HCaptcha, Secret: "s", Endpoint: ts.URL, Client: ts.Client()}
	e.Client.Timeout = 100 * time.Millisecond
	if err := e.Verify(context.Background(), "slow", ""); !errors.Is(err, ErrUnavailable) {
		t.Errorf("slow provider: %v, want ErrUnavailable", err)
	}
}
