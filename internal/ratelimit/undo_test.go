package ratelimit_test

// An external test: storage imports the packages that count their limits
// here (comment, subscription), so the package's own tests cannot import
// storage.

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"broadsheet/internal/ratelimit"
	"broadsheet/internal/store/sqlite"
)

// An event given back frees its slot, in memory and in a count shared
// through the database.
func TestUndo(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "limits.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC)
	memory := ratelimit.New(2, time.Minute, 10)
	shared := ratelimit.New(2, time.Minute, 10)
	shared.Share("test", db)
	for name, l := range map[string]*ratelimit.Limiter{"memory": memory, "shared": shared} {
		l.SetClock(func() time.Time { return now })
		for range 10 {
			if ok, _ := l.Allow("a"); !ok {
				t.Fatalf("%s: an event given back still counts", name)
			}
			l.Undo("a")
		}
		l.Allow("a")
		l.Allow("a")
		if ok, _ := l.Allow("a"); ok {
			t.Errorf("%s: a third event kept allowed, limit 2", name)
		}
		l.Undo("never seen")
	}
}
