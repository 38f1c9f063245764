package embed

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Store is where records are kept.
type Store interface {
	EmbedsByURL(ctx context.Context, urls []string) (map[string]Record, error)
	SaveEmbed(ctx context.Context, rec *Record) error
}

// Keeper keeps the records of the embeds of bodies being saved: the
// newsroom calls Keep before it stores an article, so that the article's
// page finds every record it needs.
type Keeper struct {
	Resolver *Resolver
	Store    Store
	// Budget bounds the time one save spends asking providers; default
	// 8s. An embed not answered by then is kept without metadata.
	Budget time.Duration
	// Parallel is how many providers one save asks at once; default 4.
	Parallel int
	// Retry is how old a record kept without metadata must be before a
	// save asks again; default a day.
	Retry time.Duration
	Log   *slog.Logger
	Now   func() time.Time
}

// Keep resolves the embeds of body that have no record yet, or only one
// kept without metadata longer ago than Retry, and stores their records;
// it returns how many it stored. It never fails: a provider that does not
// answer leaves a record with its frame and no title, and anything else
// that goes wrong is logged. Saving the article must not wait on, or
// fail because of, somebody else's server.
func (k *Keeper) Keep(ctx context.Context, body string) int {
	if k == nil || k.Resolver == nil || k.Store == nil {
		return 0
	}
	log := k.Log
	if log == nil {
		log = slog.Default()
	}
	urls := k.Resolver.Find(body)
	if len(urls) == 0 {
		return 0
	}
	have, err := k.Store.EmbedsByURL(ctx, urls)
	if err != nil {
		log.Warn("embeds: reading records", "err", err)
		return 0
	}
	now := time.Now
	if k.Now != nil {
		now = k.Now
	}
	retry := k.Retry
	if retry <= 0 {
		retry = 24 * time.Hour
	}
	var todo []string
	for _, u := range urls {
		rec, ok := have[u]
		if !ok || !rec.Complete && now().Sub(rec.FetchedAt) >= retry {
			todo = append(todo, u)
		}
	}
	if len(todo) == 0 {
		return 0
	}
	budget := k.Budget
	if budget <= 0 {
		budget = 8 * time.Second
	}
	parallel := k.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	asking, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	// Records are stored even when the budget, or the request, has run
	// out: a record without metadata is better than none.
	storing, cancelStoring := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancelStoring()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		stored int
		turns  = make(chan struct{}, parallel)
	)
	for _, u := range todo {
		wg.Go(func() {
			select {
			case turns <- struct{}{}:
				defer func() { <-turns }()
			case <-asking.Done():
			}
			rec, err := k.Resolver.Resolve(asking, u)
			if errors.Is(err, ErrNotEmbed) {
				return
			}
			if err != nil {
				log.Warn("embed kept without metadata; a later save asks again", "url", u, "provider", rec.Provider, "err", err)
			}
			if err := k.Store.SaveEmbed(storing, &rec); err != nil {
				log.Warn("embeds: storing a record", "url", u, "err", err)
				return
			}
			mu.Lock()
			stored++
			mu.Unlock()
		})
	}
	wg.Wait()
	return stored
}
