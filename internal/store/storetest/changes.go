package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/store"
)

// Plumbing is what every read and write goes through: the change log that
// tells caches what to drop, the clock, the statement counters, and the
// write transaction an engine's own writes use.
type Plumbing interface {
	Name() string
	Ping(ctx context.Context) error
	Now() time.Time
	SetClock(now func() time.Time)
	Reader() *store.Handle
	Update(ctx context.Context, fn func(ctx context.Context, tx *store.Tx) ([]string, error)) error
	OnChange(fn func(keys []string))
	ChangesSince(ctx context.Context, after int64, limit int) ([]store.Change, error)
	LastChange(ctx context.Context) (int64, error)
	PruneChanges(ctx context.Context, before time.Time) error
	Observe(fn store.QueryObserver)
	Queries() uint64
	CloseStatements()
}

func testChangeLog(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	var mu sync.Mutex
	var heard [][]string
	s.OnChange(func(keys []string) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, keys)
	})
	start, err := s.LastChange(ctx)
	must(t, err)
	a := f.article(0)
	a.Tags = []article.Tag{f.tags[0]}
	must(t, s.CreateArticle(ctx, a))
	a.Section = f.sections[1]
	a.Tags = []article.Tag{f.tags[1]}
	must(t, s.UpdateArticle(ctx, a))

	cs, err := s.ChangesSince(ctx, start, 100)
	must(t, err)
	if len(cs) != 2 {
		t.Fatalf("ChangesSince = %d entries, want 2", len(cs))
	}
	if cs[0].ID <= start || cs[1].ID <= cs[0].ID {
		t.Errorf("change ids %d, %d after %d: want increasing", cs[0].ID, cs[1].ID, start)
	}
	update := cs[1].Keys
	for _, k := range []string{
		article.KeyArticle(a.ID), article.KeyAllArticles,
		article.KeySectionList(f.sections[0].ID), article.KeySectionList(f.sections[1].ID), // old and new section
		article.KeyTagList(f.tags[0].ID), article.KeyTagList(f.tags[1].ID),
		article.KeyAuthorList(f.authors[0].ID),
	} {
		if !slices.Contains(update, k) {
			t.Errorf("update keys %v lack %q", update, k)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(heard) != 2 || !slices.Equal(heard[1], update) {
		t.Errorf("OnChange heard %v, want 2 calls, the last %v", heard, update)
	}
	last, err := s.LastChange(ctx)
	must(t, err)
	if last != cs[1].ID {
		t.Errorf("LastChange = %d, want %d", last, cs[1].ID)
	}
}
