package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestQuietWatch(t *testing.T) {
	tests := []struct {
		name   string
		totals []uint64 // the running total at each look
		want   []bool
	}{
		{"idle", []uint64{100, 200, 300}, []bool{true, true, true}},
		{"a page rendered", []uint64{100, 5000, 5100}, []bool{true, false, true}},
		{"exactly the limit is not quiet", []uint64{1000, 1999}, []bool{false, true}},
		{"under load", []uint64{10_000, 20_000, 30_000}, []bool{false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := quietWatch{last: 0, limit: 1000}
			for i, now := range tt.totals {
				if got := w.quiet(now); got != tt.want[i] {
					t.Errorf("look %d at %d: quiet = %v, want %v", i, now, got, tt.want[i])
				}
			}
		})
	}
}

// A quiet program gives its memory back; a busy one never does.
func TestGiveBackWhenQuiet(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var given atomic.Int64
	go giveBackWhenQuiet(ctx, time.Millisecond, func() uint64 { return 42 }, func() { given.Add(1) })
	for deadline := time.Now().Add(10 * time.Second); given.Load() < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("quiet: given back %d times in 10 s, want at least 3", given.Load())
		}
	}

	busyCtx, busyCancel := context.WithCancel(context.Background())
	var busyGiven, looks atomic.Int64
	total := uint64(0)
	busy := func() uint64 { // a gigabyte more at every look
		looks.Add(1)
		total += 1 << 30
		return total
	}
	done := make(chan struct{})
	go func() {
		giveBackWhenQuiet(busyCtx, time.Millisecond, busy, func() { busyGiven.Add(1) })
		close(done)
	}()
	for looks.Load() < 20 {
		time.Sleep(time.Millisecond)
	}
	busyCancel()
	<-done
	if n := busyGiven.Load(); n != 0 {
		t.Errorf("busy: given back %d times in %d looks, want 0", n, looks.Load())
	}
}
