package store

import (
	"testing"
	"time"
)

// A walk for missing More Articles lists is due at first, after a commit
// that indexed an article, and RelatedRecheck after the last that found
// none; a walk during which an article was indexed proves nothing, since
// the commit may have landed after the walk read the table.
func TestMissingWalkDue(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		walk func(w *missingWalk) time.Time // what happens; returns when it is asked
		want bool
	}{
		{"at first", func(w *missingWalk) time.Time { return t0 }, true},
		{"after a walk that found none", func(w *missingWalk) time.Time {
			gen, _ := w.due(t0)
			w.none(gen, t0)
			return t0.Add(RelatedRecheck - time.Second)
		}, false},
		{"once the recheck is due", func(w *missingWalk) time.Time {
			gen, _ := w.due(t0)
			w.none(gen, t0)
			return t0.Add(RelatedRecheck)
		}, true},
		{"after an article was indexed", func(w *missingWalk) time.Time {
			gen, _ := w.due(t0)
			w.none(gen, t0)
			w.indexed()
			return t0.Add(time.Second)
		}, true},
		{"after a walk during which an article was indexed", func(w *missingWalk) time.Time {
			gen, _ := w.due(t0)
			w.indexed()
			w.none(gen, t0)
			return t0.Add(time.Second)
		}, true},
		{"after the walk that followed it found none", func(w *missingWalk) time.Time {
			gen, _ := w.due(t0)
			w.indexed()
			w.none(gen, t0)
			gen, _ = w.due(t0.Add(time.Second))
			w.none(gen, t0.Add(time.Second))
			return t0.Add(2 * time.Second)
		}, false},
	} {
		var w missingWalk
		now := tt.walk(&w)
		if _, got := w.due(now); got != tt.want {
			t.Errorf("%s: due = %v, want %v", tt.name, got, tt.want)
		}
	}
}
