package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/comment"
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

// testCommentSpendsCheck: a comment and the anti-bot check it spends are
// one write, whether the comment is published or held. Of simultaneous
// comments carrying one check exactly one is stored; a refused comment
// leaves its check unspent; the same submission again is the first
// comment, not a replay.
func testCommentSpendsCheck(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	for _, status := range []comment.Status{comment.Approved, comment.Pending} {
		check := comment.SpentCheck{ID: "solution-shared-" + string(status), Expires: time.Now().Add(time.Hour)}
		var stored, spent atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				c := newComment(a.ID, 0, fmt.Sprint("Bot", i), fmt.Sprint("key-bot-", status, i), status)
				c.Check = check
				switch err := s.CreateComment(ctx, c); {
				case err == nil:
					stored.Add(1)
				case errors.Is(err, comment.ErrCheckSpent):
					spent.Add(1)
				default:
					t.Errorf("%s comment %d: %v", status, i, err)
				}
			})
		}
		wg.Wait()
		if stored.Load() != 1 || spent.Load() != 7 {
			t.Errorf("8 %s comments with one check: %d stored, %d refused as spent; want 1 and 7", status, stored.Load(), spent.Load())
		}
		if first, err := s.MarkUsed(ctx, check.ID, check.Expires); err != nil || first {
			t.Errorf("MarkUsed after a %s comment spent the check = %v, %v; want false", status, first, err)
		}

		// A comment refused for another reason does not spend its check.
		fresh := comment.SpentCheck{ID: "solution-fresh-" + string(status), Expires: time.Now().Add(time.Hour)}
		orphan := newComment(a.ID, 99999, "Jo", "key-orphan-"+string(status), status)
		orphan.Check = fresh
		var fe comment.FieldErrors
		if err := s.CreateComment(ctx, orphan); !errors.As(err, &fe) {
			t.Fatalf("%s reply to a missing comment: err = %v, want a field error", status, err)
		}
		ok := newComment(a.ID, 0, "Jo", "key-jo-"+string(status), status)
		ok.Check = fresh
		must(t, s.CreateComment(ctx, ok))
		// The same submission sent twice (a double click) is the first
		// comment, not a replayed check; sent again with a check of its
		// own, it spends nothing.
		for _, again := range []comment.SpentCheck{fresh, {ID: "solution-unused-" + string(status), Expires: time.Now().Add(time.Hour)}} {
			c := newComment(a.ID, 0, "Jo", "key-jo-"+string(status), status)
			c.Check = again
			var dup *comment.DuplicateError
			if err := s.CreateComment(ctx, c); !errors.As(err, &dup) || dup.Existing.ID != ok.ID {
				t.Errorf("the same %s submission again: err = %v, want DuplicateError for %d", status, err, ok.ID)
			}
		}
		if first, err := s.MarkUsed(ctx, "solution-unused-"+string(status), time.Now().Add(time.Hour)); err != nil || !first {
			t.Errorf("a check sent with a repeated %s submission was spent: first = %v, %v", status, first, err)
		}
	}
}
