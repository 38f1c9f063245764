package web

import (
	"context"
	"time"
)

// Work a request leaves for after its answer, so that how long the answer
// takes says nothing about what the work found (see forgot). It is bounded:
// beyond maxLater jobs waiting, more are dropped with a warning rather than
// piling up goroutines under a flood; the answer is the same either way.
const (
	maxLater     = 64
	laterTimeout = 30 * time.Second
)

// afterAnswer runs fn in the background, detached from the request's
// cancellation, once the handler has written its answer.
func (s *Server) afterAnswer(ctx context.Context, what string, fn func(context.Context) error) {
	ctx = context.WithoutCancel(ctx)
	run := func() {
		ctx, cancel := context.WithTimeout(ctx, laterTimeout)
		defer cancel()
		if err := fn(ctx); err != nil {
			s.log.Error(what, "err", err)
		}
	}
	s.laterMu.Lock()
	if s.laterDone {
		// Shutting down: nobody would wait for a goroutine.
		s.laterMu.Unlock()
		run()
		return
	}
	select {
	case s.later <- struct{}{}:
	default:
		s.laterMu.Unlock()
		s.log.Warn("too much work waiting after answered requests; dropped one", "work", what)
		return
	}
	s.laterWork.Add(1)
	s.laterMu.Unlock()
	go func() {
		defer func() {
			<-s.later
			s.laterWork.Done()
		}()
		run()
	}()
}

// FinishAnswered waits for the work left by requests already answered,
// until ctx ends: call it at shutdown, once no request is being served.
func (s *Server) FinishAnswered(ctx context.Context) error {
	s.laterMu.Lock()
	s.laterDone = true
	s.laterMu.Unlock()
	done := make(chan struct{})
	go func() {
		s.laterWork.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
