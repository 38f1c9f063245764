// Package ratelimit counts events per key in a sliding window, in memory.
// It bounds its own memory: keys are forgotten once their window passes,
// keys are cut to a fixed length, and a full table forgets an arbitrary
// key to make room rather than growing or refusing newcomers.
package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Limiter allows at most Max events per key in any Window.
type Limiter struct {
	Max    int
	Window time.Duration

	// When shared, events are counted in the database instead, so that
	// every instance of the site counts together (see Share).
	shared Counter
	name   string

	mu      sync.Mutex
	events  map[string][]time.Time
	maxKeys int
	now     func() time.Time
}

// New returns a limiter for max events per window, tracking at most
// maxKeys keys at once.
func New(max int, window time.Duration, maxKeys int) *Limiter {
	return &Limiter{Max: max, Window: window, events: map[string][]time.Time{}, maxKeys: maxKeys, now: time.Now}
}

// SetClock replaces the clock (tests).
func (l *Limiter) SetClock(now func() time.Time) { l.now = now }

func (l *Limiter) prune(key string, now time.Time) []time.Time {
	ev := l.events[key]
	i := 0
	for i < len(ev) && now.Sub(ev[i]) >= l.Window {
		i++
	}
	ev = ev[i:]
	if len(ev) == 0 {
		delete(l.events, key)
		return nil
	}
	l.events[key] = ev
	return ev
}

// Counter counts events per key in fixed windows, for limits shared by
// several processes: it records one event and returns how many the window
// holding now has seen, and when the window began.
type Counter interface {
	CountEvent(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error)
}

// Share makes the limiter count in c, under name, from now on. The shared
// count uses fixed windows rather than a sliding one: at a window's edge a
// client may get up to twice Max in a short time, never more.
func (l *Limiter) Share(name string, c Counter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.shared, l.name = c, name
}

// sharedTimeout bounds the database's answer. A count that cannot be made
// lets the event through: whatever it leads to needs the same database,
// and fails there with an honest error rather than a false "too many".
const sharedTimeout = 2 * time.Second

// Allow records an event for key and reports whether it is within the
// limit. When it is not, retry says how long until one more is allowed.
func (l *Limiter) Allow(key string) (ok bool, retry time.Duration) {
	key = clip(key)
	l.mu.Lock()
	shared, name := l.shared, l.name
	l.mu.Unlock()
	if shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		defer cancel()
		now := l.now()
		n, start, err := shared.CountEvent(ctx, name+"|"+key, l.Window, now)
		if err != nil {
			return true, 0
		}
		if n > l.Max {
			return false, start.Add(l.Window).Sub(now)
		}
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	ev := l.prune(key, now)
	if len(ev) >= l.Max {
		return false, l.Window - now.Sub(ev[0])
	}
	if ev == nil {
		l.makeRoom(now)
	}
	l.events[key] = append(ev, now)
	return true, 0
}

// maxKeyLen bounds what one key costs, whatever a client sends.
const maxKeyLen = 128

func clip(key string) string {
	if len(key) > maxKeyLen {
		return key[:maxKeyLen]
	}
	return key
}

// makeRoom keeps the table under maxKeys: expired keys go first, then an
// arbitrary one (map order is random), so a flood of new keys cannot lock
// out everyone else.
func (l *Limiter) makeRoom(now time.Time) {
	if len(l.events) < l.maxKeys {
		return
	}
	l.sweep(now)
	for k := range l.events {
		if len(l.events) < l.maxKeys {
			return
		}
		delete(l.events, k)
	}
}

// Uncounter is a Counter that can also take an event back (see Undo).
type Uncounter interface {
	UncountEvent(ctx context.Context, key string, window time.Duration, now time.Time) error
}

// Undo takes back one event that Allow recorded for key and allowed: for
// limits that count only some outcomes (failed sign-ins), an attempt takes
// its slot before it is judged, so that simultaneous attempts cannot slip
// past the count, and gives it back when it turns out not to count. A
// shared count takes it from the window holding now (the attempt's own,
// but for one that straddled the window's edge), and needs a Counter that
// is also an Uncounter; without one the event stays counted.
func (l *Limiter) Undo(key string) {
	key = clip(key)
	l.mu.Lock()
	shared, name := l.shared, l.name
	l.mu.Unlock()
	if shared != nil {
		if u, ok := shared.(Uncounter); ok {
			ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
			defer cancel()
			u.UncountEvent(ctx, name+"|"+key, l.Window, l.now())
		}
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if ev := l.events[key]; len(ev) > 1 {
		l.events[key] = ev[:len(ev)-1]
	} else {
		delete(l.events, key)
	}
}

func (l *Limiter) sweep(now time.Time) {
	for k := range l.events {
		l.prune(k, now)
	}
}
