package ratelimit

import (
	"fmt"
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
	// A full table makes room: a newcomer is never refused for lack of it.
	if ok, _ := l.Allow("c"); !ok {
		t.Error("a full table refused a new key")
	}
	if len(l.events) > 2 {
		t.Errorf("table holds %d keys, cap 2", len(l.events))
	}
	now = now.Add(time.Minute)
	if ok, _ := l.Allow("a"); !ok {
		t.Error("still limited after the window")
	}
	for i := range 100 {
		l.Allow(fmt.Sprint("flood", i))
	}
	if len(l.events) > 2 {
		t.Errorf("a flood of new keys grew the table to %d keys, cap 2", len(l.events))
	}
}
