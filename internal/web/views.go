package web

import (
	"context"
	"errors"
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

// maxCounted bounds the distinct articles (or redirects) counted between
// two flushes.
const maxCounted = 50_000

// tally counts by id between two flushes: page views by article, hits by
// redirect. merge adds a new count to one already held.
type tally[V any] struct {
	mu    sync.Mutex
	m     map[int64]V
	merge func(held, more V) V
}

func (c *tally[V]) add(id int64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]V{}
	}
	if held, ok := c.m[id]; ok {
		c.m[id] = c.merge(held, v)
	} else if len(c.m) < maxCounted {
		c.m[id] = v
	}
}

// putBack returns counts a flush took but could not store, for the next.
func (c *tally[V]) putBack(counts map[int64]V) {
	for id, v := range counts {
		c.add(id, v)
	}
}

func (c *tally[V]) take() map[int64]V {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.m
	c.m = nil
	return out
}

func sum(a, b int) int { return a + b }

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
		s.views.add(id, 1)
	}
}

// FlushViews adds the page views and the redirects' hits counted since
// the last flush to the database. What it could not store is kept for the
// next flush: a flush cut short (the periodic one, when shutdown ends its
// context) loses nothing that the last one at shutdown can save. AddViews
// and AddRedirectHits store a batch whole or not at all, so nothing is
// counted twice.
func (s *Server) FlushViews(ctx context.Context) error {
	var hitsErr, viewsErr error
	if hits := s.redirectHits.take(); len(hits) > 0 {
		if hitsErr = s.store.AddRedirectHits(ctx, hits); hitsErr != nil {
			s.redirectHits.putBack(hits)
		}
	}
	if counts := s.views.take(); len(counts) > 0 {
		if viewsErr = s.store.AddViews(ctx, counts, s.now()); viewsErr != nil {
			s.views.putBack(counts)
		}
	}
	return errors.Join(hitsErr, viewsErr)
}

// mostReadPeriods are the Most read lists: the last day and the last week.
var mostReadPeriods = []struct {
	key string
	d   time.Duration
}{{"mostread.day", 24 * time.Hour}, {"mostread.week", 7 * 24 * time.Hour}}

// mostReadSize is how many articles each list shows; mostReadKept how
// many a site of several editions keeps in memory, so that each edition
// finds its own among them.
const (
	mostReadSize = 5
	mostReadKept = 40
)

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
		var mine []article.Article
		for _, a := range list {
			if a.Section.Edition == v.Edition.Code() && len(mine) < mostReadSize {
				mine = append(mine, a)
			}
		}
		if len(mine) > 0 {
			out = append(out, mostReadList{Title: v.T(p.key), Articles: mine})
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
