package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(3, time.Minute, 2)
	l.SetClock(func() time.Time { return now })
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("event %d refused", i)
		}
	}
	ok, retry := l.Allow("a")
	if ok || retry != time.Minute {
		t.Errorf("fourth event: ok=%v retry=%v, want refused, retry 1m", ok, retry)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Error("another key is limited")
	}
	if ok, _ := l.Allow("c"); ok {
		t.Error("a full table accepted a new key")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.Allow("a"); !ok {
		t.Error("still limited after the window")
	}
	if ok, _ := l.Allow("c"); !ok {
		t.Error("expired keys were not swept to make room")
	}
	l.Add("d")
	l.Add("d")
	l.Add("d")
	if blocked, _ := l.Blocked("d"); !blocked {
		t.Error("Blocked after three failures = false")
	}
	l.Reset("d")
	if blocked, _ := l.Blocked("d"); blocked {
		t.Error("Blocked after Reset")
	}
}
