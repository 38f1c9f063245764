package storetest

import (
	"context"
	"sync"
	"testing"
	"time"
)

// RateCounter counts events for limits shared by several processes.
type RateCounter interface {
	CountEvent(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error)
	UncountEvent(ctx context.Context, key string, window time.Duration, now time.Time) error
	PruneRateEvents(ctx context.Context, before time.Time) error
}

// testRateEvents: concurrent events all count, windows are fixed and
// separate, keys are separate.
func testRateEvents(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 30, 0, time.UTC)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, _, err := s.CountEvent(ctx, "login|ana", time.Minute, now); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	n, start, err := s.CountEvent(ctx, "login|ana", time.Minute, now.Add(10*time.Second))
	must(t, err)
	if n != 21 || !start.Equal(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("21st event: count %d in window from %s, want 21 from 12:00:00", n, start)
	}
	if n, _, _ := s.CountEvent(ctx, "login|ana", time.Minute, now.Add(time.Minute)); n != 1 {
		t.Errorf("first event of the next window: count %d, want 1", n)
	}
	if n, _, _ := s.CountEvent(ctx, "login|bo", time.Minute, now); n != 1 {
		t.Errorf("another key: count %d, want 1", n)
	}
	// An event taken back leaves the window one lower, never below zero,
	// and other keys and windows alone.
	must(t, s.UncountEvent(ctx, "login|ana", time.Minute, now))
	if n, _, _ := s.CountEvent(ctx, "login|ana", time.Minute, now); n != 21 {
		t.Errorf("after one event taken back and one more: count %d, want 21", n)
	}
	must(t, s.UncountEvent(ctx, "login|bo", time.Minute, now))
	must(t, s.UncountEvent(ctx, "login|bo", time.Minute, now))
	must(t, s.UncountEvent(ctx, "login|nobody", time.Minute, now))
	if n, _, _ := s.CountEvent(ctx, "login|bo", time.Minute, now); n != 1 {
		t.Errorf("a window taken back past zero, then one event: count %d, want 1", n)
	}
	if n, _, _ := s.CountEvent(ctx, "login|ana", time.Minute, now.Add(time.Minute)); n != 2 {
		t.Errorf("the next window: count %d, want 2", n)
	}
	must(t, s.PruneRateEvents(ctx, now.Add(time.Hour)))
	if n, _, _ := s.CountEvent(ctx, "login|ana", time.Minute, now); n != 1 {
		t.Errorf("after pruning: count %d, want 1", n)
	}
}
