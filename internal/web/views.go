package web

import (
	"bytes"
	"context"
	"errors"
	"hash/maphash"
	"net/http"
	"sync"
	"sync/atomic"
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

// robotWords are what the User-Agent of a program that is not a person
// reading holds, in lower case.
var robotWords = [][]byte{
	[]byte("bot"), []byte("crawl"), []byte("spider"), []byte("slurp"), []byte("archiver"), []byte("fetcher"), []byte("scraper"),
	[]byte("curl"), []byte("wget"), []byte("python"), []byte("go-http-client"), []byte("java/"), []byte("libwww"), []byte("httpclient"),
	[]byte("headless"), []byte("lighthouse"), []byte("pingdom"), []byte("monitor"), []byte("uptime"), []byte("preview"),
	[]byte("facebookexternalhit"), []byte("whatsapp"), []byte("telegram"), []byte("discord"), []byte("slack"), []byte("embedly"),
	[]byte("feed"), []byte("rss"),
}

// robotAgent reports whether ua names a program rather than a person's
// browser. It runs on every cache hit, so it neither allocates nor uses a
// regular expression: one with this many alternatives took about 40 µs on
// a browser's User-Agent, more than serving the page.
func robotAgent[T ~string | ~[]byte](ua T) bool {
	var buf [512]byte
	lower := buf[:0]
	if len(ua) > len(buf) {
		lower = make([]byte, 0, len(ua))
	}
	for i := 0; i < len(ua); i++ {
		c := ua[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower = append(lower, c)
	}
	for _, w := range robotWords {
		if bytes.Contains(lower, w) {
			return true
		}
	}
	return false
}

// isReader reports whether a request looks like a person reading.
func isReader(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	return reading(r.Header.Get("Sec-Purpose"), r.Header.Get("Purpose"), r.Header.Get("X-Moz"), r.UserAgent())
}

// reading reports whether a GET with these fields looks like a person
// reading: not a prefetch or prerender, which may never be seen, and not
// a robot.
func reading[T ~string | ~[]byte](secPurpose, purpose, xMoz, userAgent T) bool {
	if len(secPurpose) > 0 || len(purpose) > 0 || len(xMoz) > 0 {
		return false
	}
	return len(userAgent) >= 10 && !agents.robot([]byte(userAgent)) // a copy only from net/http's string
}

// agentMemo remembers robotAgent's verdicts on the User-Agents seen
// lately. A site's readers send a few dozen distinct strings between
// them, so a hit usually costs a hash (about 20 ns) instead of the scan
// (about 700 ns on a browser's). Each slot holds a string's 64-bit hash,
// seeded at random so that no one can aim a collision, with its lowest
// bit replaced by the verdict; 0 is empty.
type agentMemo struct {
	seed  maphash.Seed
	slots [256]atomic.Uint64
}

var agents = agentMemo{seed: maphash.MakeSeed()}

func (m *agentMemo) robot(ua []byte) bool {
	h := maphash.Bytes(m.seed, ua) &^ 1
	slot := &m.slots[h>>56]
	if v := slot.Load(); v != 0 && v&^1 == h {
		return v&1 == 1
	}
	robot := robotAgent(ua)
	if robot {
		h |= 1
	}
	slot.Store(h)
	return robot
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
