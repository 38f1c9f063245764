package web

import (
	"context"
	"net/http"
	"regexp"
	"sync"
	"time"

	"broadsheet/internal/article"
)

// Page views for the Most read lists: counted in memory per article id
// (a slug can change before the next flush; the id cannot), with no
// cookie, no address and no script, and added to the database in batches
// (FlushViews), never one write per view. Obvious robots, link previews
// and prefetches are not counted.

// maxCounted bounds the distinct articles counted between two flushes.
const maxCounted = 50_000

type viewCounter struct {
	mu     sync.Mutex
	counts map[int64]int // by article id
}

func (c *viewCounter) add(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[int64]int{}
	}
	if _, ok := c.counts[id]; ok || len(c.counts) < maxCounted {
		c.counts[id]++
	}
}

// putBack returns counts a flush took but could not store, for the next.
func (c *viewCounter) putBack(counts map[int64]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[int64]int{}
	}
	for id, n := range counts {
		if _, ok := c.counts[id]; ok || len(c.counts) < maxCounted {
			c.counts[id] += n
		}
	}
}

func (c *viewCounter) take() map[int64]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.counts
	c.counts = nil
	return out
}

var robotAgent = regexp.MustCompile(`(?i)bot|crawl|spider|slurp|archiver|fetcher|scraper|curl|wget|python|go-http-client|java/|libwww|httpclient|headless|lighthouse|pingdom|monitor|uptime|preview|facebookexternalhit|whatsapp|telegram|discord|slack|embedly|feed|rss`)

// isReader reports whether a request looks like a person reading.
func isReader(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	if p := r.Header.Get("Sec-Purpose") + r.Header.Get("Purpose") + r.Header.Get("X-Moz"); p != "" {
		return false // a prefetch or prerender, which may never be seen
	}
	ua := r.UserAgent()
	return len(ua) >= 10 && !robotAgent.MatchString(ua)
}

// countView counts a view of the article a page shows (id 0: the page
// shows none) when a reader was served it, whole or as a 304: a reader
// coming back to it.
func (s *Server) countView(r *http.Request, id int64) {
	if id != 0 && isReader(r) {
		s.views.add(id)
	}
}

// FlushViews adds the views counted since the last flush to the database.
// Views it could not store are kept for the next flush: a flush cut short
// (the periodic one, when shutdown ends its context) loses nothing that
// the last one at shutdown can save. AddViews stores a batch whole or not
// at all, so nothing is counted twice.
func (s *Server) FlushViews(ctx context.Context) error {
	counts := s.views.take()
	if len(counts) == 0 {
		return nil
	}
	if err := s.store.AddViews(ctx, counts, s.now()); err != nil {
		s.views.putBack(counts)
		return err
	}
	return nil
}

// mostReadPeriods are the Most read lists: the last day and the last week.
var mostReadPeriods = []struct {
	key string
	d   time.Duration
}{{"mostread.day", 24 * time.Hour}, {"mostread.week", 7 * 24 * time.Hour}}

// mostReadSize is how many articles each list shows.
const mostReadSize = 5

// mostReadAge is how long a page shows the same Most read lists: views
// change all the time, and a page is not rendered again for each.
const mostReadAge = 5 * time.Minute

type mostReadList struct {
	Title    string
	Articles []article.Article
}

// mostRead builds the lists for a page.
func (s *Server) mostRead(ctx context.Context, v *view) ([]mostReadList, error) {
	var out []mostReadList
	for _, p := range mostReadPeriods {
		list, err := s.mostReadSince(ctx, p.d)
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			out = append(out, mostReadList{Title: v.T(p.key), Articles: list})
		}
	}
	return out, nil
}

// earliest is the sooner of two expiry times, zero meaning never.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}
