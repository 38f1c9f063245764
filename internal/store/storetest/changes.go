package storetest

import (
	"context"
	"errors"
	"fmt"
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
	Writer() *store.Handle
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

// testChangeLogUnderConcurrentWriters: a reader that remembers the last
// change id it saw still sees every change made by writers at once: ids
// become visible in order.
func testChangeLogUnderConcurrentWriters(t *testing.T, s Store) {
	ctx := context.Background()
	const writers, each = 8, 15
	done := make(chan struct{})
	seen := map[int64]bool{}
	var last int64
	read := func() {
		cs, err := s.ChangesSince(ctx, last, 1000)
		if err != nil {
			t.Error(err)
			return
		}
		for _, c := range cs {
			seen[c.ID] = true
			last = c.ID
		}
	}
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					if err := s.CreateTag(ctx, &article.Tag{Slug: fmt.Sprintf("t-%d-%d", w, i), Name: "T"}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		read()
	}
	read()
	if len(seen) != writers*each {
		t.Errorf("the reader saw %d of %d changes", len(seen), writers*each)
	}
}

// testPruneChanges: change-log entries older than the cut-off go; newer
// ones stay, and stay the last.
func testPruneChanges(t *testing.T, s Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return t0 })
	must(t, s.CreateTag(ctx, &article.Tag{Slug: "old", Name: "Old"}))
	s.SetClock(func() time.Time { return t0.Add(2 * time.Hour) })
	must(t, s.CreateTag(ctx, &article.Tag{Slug: "new", Name: "New"}))
	cs, err := s.ChangesSince(ctx, 0, 10)
	must(t, err)
	if len(cs) != 2 {
		t.Fatalf("ChangesSince(0) = %d entries, want 2", len(cs))
	}
	must(t, s.PruneChanges(ctx, t0.Add(time.Hour)))
	after, err := s.ChangesSince(ctx, 0, 10)
	must(t, err)
	if len(after) != 1 || after[0].ID != cs[1].ID || !slices.Equal(after[0].Keys, cs[1].Keys) {
		t.Errorf("after pruning = %+v, want only %+v", after, cs[1])
	}
	if last, err := s.LastChange(ctx); err != nil || last != cs[1].ID {
		t.Errorf("LastChange after pruning = %d, %v; want %d", last, err, cs[1].ID)
	}
}

// testUpdate: an engine's own write is one transaction: its rows and the
// cache keys it names are kept together, the keys once each, and
// listeners told after the commit; or, refused, neither is kept and
// nobody is told.
func testUpdate(t *testing.T, s Store) {
	ctx := context.Background()
	var mu sync.Mutex
	var heard [][]string
	s.OnChange(func(keys []string) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, keys)
	})
	start, err := s.LastChange(ctx)
	must(t, err)
	refused := errors.New("refused")
	for _, tt := range []struct {
		name string
		keys []string
		err  error
	}{
		{"keys, one repeated", []string{"test:1", "test:2", "test:1"}, nil},
		{"no keys", nil, nil},
		{"refused", []string{"test:3"}, refused},
	} {
		key := "storetest " + tt.name
		err := s.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, key, "v"); err != nil {
				return nil, err
			}
			return tt.keys, tt.err
		})
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: Update err = %v, want %v", tt.name, err, tt.err)
		}
		var v string
		err = s.Reader().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
		if kept := err == nil; kept != (tt.err == nil) {
			t.Errorf("%s: row kept %v (%v), want %v", tt.name, kept, err, tt.err == nil)
		}
	}
	cs, err := s.ChangesSince(ctx, start, 10)
	must(t, err)
	if len(cs) != 1 || !slices.Equal(cs[0].Keys, []string{"test:1", "test:2"}) {
		t.Errorf("change log = %+v, want one entry [test:1 test:2]", cs)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(heard) != 1 || !slices.Equal(heard[0], []string{"test:1", "test:2"}) {
		t.Errorf("OnChange heard %v, want [test:1 test:2] once", heard)
	}
}

// testPlumbing: the store names its engine; its clock is the time writes
// record, and can be set; every statement is counted, and timed for an
// observer told the engine's name; released statements are prepared
// again when next used.
func testPlumbing(t *testing.T, s Store) {
	ctx := context.Background()
	if name := s.Name(); name != "sqlite" && name != "postgres" {
		t.Errorf("Name() = %q, want sqlite or postgres", name)
	}
	if now := s.Now(); time.Since(now).Abs() > time.Minute {
		t.Errorf("Now() = %v, want the time", now)
	}
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return at })
	if !s.Now().Equal(at) {
		t.Errorf("Now() after SetClock = %v, want %v", s.Now(), at)
	}
	p := article.Page{Slug: "about", Title: "About", Body: "Us."}
	must(t, s.CreatePage(ctx, &p))
	if got, err := s.PageBySlug(ctx, "about"); err != nil || !got.ModifiedAt.Equal(at) {
		t.Errorf("a page written at %v says %v, %v", at, got.ModifiedAt, err)
	}

	var mu sync.Mutex
	var observed []string
	s.Observe(func(engine string, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		observed = append(observed, engine)
	})
	before := s.Queries()
	_, err := s.Sections(ctx)
	must(t, err)
	_, err = s.Site(ctx)
	must(t, err)
	counted := s.Queries() - before
	mu.Lock()
	n := len(observed)
	if counted < 2 || uint64(n) != counted {
		t.Errorf("two reads: %d statements counted, %d observed; want the same, at least 2", counted, n)
	}
	for _, e := range observed {
		if e != s.Name() {
			t.Errorf("observer told engine %q, want %q", e, s.Name())
		}
	}
	mu.Unlock()
	s.Observe(nil)
	must(t, s.Ping(ctx))
	mu.Lock()
	if len(observed) != n {
		t.Errorf("observer told of %d statements after it was removed", len(observed)-n)
	}
	mu.Unlock()
	if s.Queries() == before+counted {
		t.Error("a statement with no observer was not counted")
	}

	s.CloseStatements()
	must(t, s.CreateSection(ctx, &article.Section{Slug: "after", Name: "After"}))
	if got, err := s.SectionBySlug(ctx, "after"); err != nil || got.Name != "After" {
		t.Errorf("after CloseStatements: SectionBySlug = %+v, %v", got, err)
	}
}
