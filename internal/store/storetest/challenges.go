package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// UsedStore is the single-use record of solved anti-bot challenges.
type UsedStore interface {
	MarkUsed(ctx context.Context, id string, expires time.Time) (bool, error)
	PruneUsedChallenges(ctx context.Context, now time.Time) error
}

func testUsedChallenges(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var firsts atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			first, err := s.MarkUsed(ctx, "solution-a", now.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			if first {
				firsts.Add(1)
			}
		})
	}
	wg.Wait()
	if firsts.Load() != 1 {
		t.Errorf("%d of 8 simultaneous uses were first, want exactly 1", firsts.Load())
	}
	must(t, s.PruneUsedChallenges(ctx, now.Add(2*time.Minute)))
	// Pruned once expired: the same id is new again (its expiry rejects it
	// before this store is asked).
	if first, err := s.MarkUsed(ctx, "solution-a", now.Add(3*time.Minute)); err != nil || !first {
		t.Errorf("after pruning: first = %v, %v; want true", first, err)
	}
	if first, _ := s.MarkUsed(ctx, "solution-b", now.Add(time.Minute)); !first {
		t.Error("a new id is not first")
	}
}
