package challenge

import (
	"context"
	"errors"
	"sync"
	"time"
)

// memStore is an in-memory UsedStore, for tests only: it forgets on restart
// and is not shared between instances, which the real store must be.
type memStore struct {
	mu   sync.Mutex
	used map[string]time.Time
	now  func() time.Time
}

var _ UsedStore = (*memStore)(nil)

func newMemStore(now func() time.Time) *memStore {
	return &memStore{used: map[string]time.Time{}, now: now}
}

func (s *memStore) MarkUsed(_ context.Context, id string, expires time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, exp := range s.used {
		if !s.now().Before(exp) {
			delete(s.used, k)
		}
	}
	if _, ok := s.used[id]; ok {
		return false, nil
	}
	s.used[id] = expires
	return true, nil
}

func (s *memStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.used)
}

// brokenStore fails every call, as a database that is down.
type brokenStore struct{}

var errStoreDown = errors.New("store down")

func (brokenStore) MarkUsed(context.Context, string, time.Time) (bool, error) {
	return false, errStoreDown
}
