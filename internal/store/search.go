package store

import (
	"context"
	"math"
	"slices"
	"time"

	"broadsheet/internal/search"
)

var _ search.Searcher = (*DB)(nil)

// Hit is one article an engine's search index matched, with its
// relevance to the query (higher is better).
type Hit struct {
	ID        int64
	Relevance float64
	Published time.Time
}

// Matches is what an engine's search index answers for a query: at most
// search.MaxHits hits among the newest r.Ranks() matches; Window says that
// more matched, Before the time of the oldest that was ranked.
type Matches struct {
	Hits   []Hit
	Window bool
	Before time.Time
}

// Search finds published articles by their Go-normalised terms, ranks them
// by relevance blended with recency, and returns one page.
func (db *DB) Search(ctx context.Context, r search.Request) (search.Results, error) {
	var res search.Results
	forms := search.QueryForms(r.Text)
	if len(forms) == 0 {
		return res, nil
	}
	res.Terms = search.FormTerms(forms)
	m, err := db.eng.Match(ctx, r)
	if err != nil {
		return res, db.errorf("search: %w", err)
	}
	res.Window, res.Before = m.Window, m.Before
	// A story's news value fades over months, so relevance keeps most of
	// its weight.
	now := db.now()
	type scored struct {
		id    int64
		score float64
	}
	hits := make([]scored, len(m.Hits))
	for i, h := range m.Hits {
		age := now.Sub(h.Published)
		hits[i] = scored{h.ID, h.Relevance * (0.7 + 0.3*math.Exp(-float64(age)/float64(90*24*time.Hour)))}
	}
	slices.SortStableFunc(hits, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return int(b.id - a.id)
	})
	hits = hits[:min(len(hits), search.MaxHits)]
	res.Total = len(hits)
	if r.Limit <= 0 {
		r.Limit = 10
	}
	var ids []int64
	for _, h := range hits[min(r.Offset, len(hits)):min(r.Offset+r.Limit, len(hits))] {
		ids = append(ids, h.id)
	}
	if res.Articles, err = db.articlesByID(ctx, ids); err != nil {
		return res, db.errorf("search: %w", err)
	}
	return res, nil
}
