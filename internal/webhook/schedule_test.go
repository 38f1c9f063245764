package webhook

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The waits between attempts follow the specification's example: 5
// seconds, 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours, 10 hours;
// eight attempts over 27 hours 35 minutes 5 seconds, each wait within a
// tenth of its step; then a dead letter.
func TestBackoffSchedule(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	want := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	var total time.Duration
	failed := Attempt{At: now, Status: 500}
	for n := 1; n <= len(want); n++ {
		o := Judge(failed, n, 0, now, 0.5)
		if o.Status != Queued || o.NextAt.Sub(now) != want[n-1] {
			t.Errorf("after attempt %d: %+v, want queued %s later", n, o, want[n-1])
		}
		for _, r := range []float64{0, 0.999999} {
			wait := Judge(failed, n, 0, now, r).NextAt.Sub(now)
			if lo, hi := want[n-1]*9/10, want[n-1]*11/10; wait < lo || wait > hi {
				t.Errorf("after attempt %d with jitter %v: %s, want within [%s, %s]", n, r, wait, lo, hi)
			}
		}
		total += want[n-1]
	}
	if o := Judge(failed, MaxAttempts, 0, now, 0.5); o.Status != Failed || MaxAttempts != 8 {
		t.Errorf("after the last of %d attempts: %+v, want a dead letter", MaxAttempts, o)
	}
	if total != 27*time.Hour+35*time.Minute+5*time.Second {
		t.Errorf("the schedule spans %s", total)
	}
	if o := Judge(Attempt{Status: 204}, 3, 0, now, 0.5); o.Status != Delivered {
		t.Errorf("a 204: %+v", o)
	}
	if o := Judge(Attempt{Status: 410}, 1, 0, now, 0.5); o.Status != Failed || !strings.Contains(o.Disable, "410 Gone") {
		t.Errorf("a 410: %+v, want failed and the endpoint disabled", o)
	}
	for _, status := range []int{0, 301, 302, 400, 404, 429, 502, 503} {
		if o := Judge(Attempt{Status: status}, 1, 0, now, 0.5); o.Status != Queued || o.Disable != "" {
			t.Errorf("status %d: %+v, want another attempt", status, o)
		}
	}
	// Retry-After lengthens a wait, never shortens it, and is bounded.
	if o := Judge(Attempt{Status: 503}, 1, time.Hour, now, 0.5); o.NextAt.Sub(now) != time.Hour {
		t.Errorf("Retry-After of an hour: %s", o.NextAt.Sub(now))
	}
	if o := Judge(Attempt{Status: 429}, 4, time.Minute, now, 0.5); o.NextAt.Sub(now) != 2*time.Hour {
		t.Errorf("a short Retry-After: %s, want the schedule's 2h", o.NextAt.Sub(now))
	}
	if got := RetryAfter("999999", now); got != MaxRetryAfter {
		t.Errorf("RetryAfter(999999) = %s", got)
	}
	if got := RetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now); got != 90*time.Second {
		t.Errorf("RetryAfter(date) = %s", got)
	}
	for _, h := range []string{"", "-5", "soon"} {
		if got := RetryAfter(h, now); got != 0 {
			t.Errorf("RetryAfter(%q) = %s", h, got)
		}
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("é", 400) // 800 bytes
	got := Excerpt([]byte(long))
	if len(got) > ResponseExcerpt+3 || !strings.HasPrefix(got, "éé") {
		t.Errorf("excerpt of %d bytes: %d bytes", len(long), len(got))
	}
	if got := Excerpt([]byte("ok\x00\x1b[31m\nline\ttab")); got != "ok  [31m\nline\ttab" {
		t.Errorf("control characters: %q", got)
	}
}

func TestMessageIDs(t *testing.T) {
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	a, b := NewMessageID(at), NewMessageID(at.Add(time.Millisecond))
	if len(a) != 30 || !strings.HasPrefix(a, "msg_") || strings.ContainsAny(a, ".ILOU") || a == b || a >= b {
		t.Errorf("ids %q and %q: want msg_ and 26 characters, distinct, in time order", a, b)
	}
}

func TestSecrets(t *testing.T) {
	s := NewSecret()
	key, err := SecretKey(s)
	if err != nil || len(key) != 32 || !strings.HasPrefix(s, "whsec_") {
		t.Errorf("NewSecret = %q: %d bytes, %v", s, len(key), err)
	}
	for _, bad := range []string{"", "whsec_", "whsec_c2hvcnQ=", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!!!"} {
		if _, err := SecretKey(bad); err == nil {
			t.Errorf("SecretKey(%q) accepted it", bad)
		}
	}
	// The specification's own example: this secret signs this message so.
	sig, err := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
		[]byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; err != nil || sig != want {
		t.Errorf("Sign = %q, %v; want %q", sig, err, want)
	}
}
