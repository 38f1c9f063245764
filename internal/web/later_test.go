package web

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// Work left by a request that is still running when shutdown has begun
// waiting is done in that request, not lost and not added to a wait group
// already being waited on.
func TestWorkLeftDuringShutdownIsDone(t *testing.T) {
	s := newSite(t)
	release := make(chan struct{})
	var first, late atomic.Bool
	s.srv.afterAnswer(context.Background(), "first", func(context.Context) error {
		<-release
		first.Store(true)
		return nil
	})
	finished := make(chan error, 1)
	go func() { finished <- s.srv.FinishAnswered(context.Background()) }()
	// Wait until shutdown has begun waiting.
	for deadline := time.Now().Add(5 * time.Second); ; {
		s.srv.laterMu.Lock()
		done := s.srv.laterDone
		s.srv.laterMu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("FinishAnswered did not begin")
		}
		time.Sleep(time.Millisecond)
	}
	s.srv.afterAnswer(context.Background(), "late", func(context.Context) error {
		late.Store(true)
		return nil
	})
	if !late.Load() {
		t.Error("work left after shutdown began was not done before afterAnswer returned")
	}
	close(release)
	if err := <-finished; err != nil {
		t.Fatal(err)
	}
	if !first.Load() {
		t.Error("FinishAnswered returned before the earlier work was done")
	}
}
