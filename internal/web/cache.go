package web

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"

	"broadsheet/internal/article"
	"broadsheet/internal/metrics"
)

// pageCache keeps rendered public pages, with their gzip form ready, until
// a write touches one of the keys the page was built from. It is bounded by
// total bytes, dropping the least recently used page first.
type pageCache struct {
	mu       sync.Mutex
	entries  map[string]*list.Element // URL → element holding *cached
	byKey    map[string]map[string]bool
	lru      *list.List
	size     int
	maxBytes int
	gen      uint64 // bumped by every invalidation

	// flights are the renders under way, by URL, that readers asking for
	// the same page meanwhile wait for (join).
	flights map[string]*flight

	hits, misses atomic.Uint64
	waits        atomic.Uint64 // misses that joined a render under way
	repacking    atomic.Bool   // a popular page is being compressed harder
	repackAfter  int           // hits before that; 0 never (tests that compare bytes)
}

// cached is one rendered page.
type cached struct {
	url          string
	status       int
	body, gz     []byte
	etag         string
	lastModified time.Time
	keys         []string
	contentType  []string
	expires      time.Time // zero: until a write invalidates it
	viewOf       int64     // the article whose reading the page counts
	csp          []string  // the page's own Content-Security-Policy; nil: the site's
	// Cache-Tag and Surrogate-Key values: what the page shows, for a CDN's
	// purge by tag (cdntags.go).
	cacheTag, surrogateKey []string
	served                 int  // hits, counted under the cache's lock
	packed                 bool // gz is at the best compression
	// Header values formatted once, not per request.
	etagHeader, lastModifiedHeader, bodyLen, gzLen []string
	// heads are the status line and header fields of each form of the
	// answer, for the fast path (renderHeads); series the metrics its
	// answers count in, by HEAD and by 304 (observeIn).
	heads  [forms][]byte
	series [2][2]metrics.Series
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{entries: map[string]*list.Element{}, byKey: map[string]map[string]bool{}, lru: list.New(), maxBytes: maxBytes,
		flights: map[string]*flight{}, repackAfter: repackAfter}
}

// A page is compressed twice. Rendered, it is compressed fast, at level 3
// of klauspost/compress, because a reader is waiting for it: a quarter of
// the time of level 7 for about 4% more bytes (an article with fifty
// comments: 16.3 KB in 0.14 ms against 15.6 KB in 0.55 ms). Once the
// cache has served it repackAfter times, it is compressed again in the
// background at level 9 (15.4 KB), which only pages that many readers
// fetch are worth. The pools keep writers between pages: a compressor is
// about a megabyte, which allocating and clearing for each page cost more
// than compressing it.
var (
	pageGzip = sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(nil, 3)
		return zw
	}}
	bestGzip = sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(nil, gzip.BestCompression)
		return zw
	}}
)

const repackAfter = 8

// compress returns body gzipped by a writer from pool.
func compress(pool *sync.Pool, body []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(body)/3 + 512)
	zw := pool.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(body)
	zw.Close()
	zw.Reset(nil)
	pool.Put(zw)
	return buf.Bytes()
}

// newCached compresses and fingerprints a rendered page.
func newCached(url string, status int, body []byte, keys []string, now time.Time) *cached {
	gz := compress(&pageGzip, body)
	sum := sha256.Sum256(body)
	lm := now.UTC().Truncate(time.Second)
	etag := `W/"` + hex.EncodeToString(sum[:12]) + `"`
	return &cached{
		url: url, status: status, body: body, gz: gz,
		// Weak, because the same validator covers the plain and the gzip bytes.
		etag:               etag,
		contentType:        hdrHTML,
		etagHeader:         []string{etag},
		lastModified:       lm,
		keys:               keys,
		lastModifiedHeader: []string{lm.Format(http.TimeFormat)},
		bodyLen:            []string{strconv.Itoa(len(body))},
		gzLen:              []string{strconv.Itoa(len(gz))},
	}
}

func (c *cached) cost() int {
	n := len(c.body) + len(c.gz) + len(c.url) + 256
	for _, h := range c.heads {
		n += len(h)
	}
	return n
}

// generation returns a token to pass to put: a page rendered from data read
// after this call is stored only if nothing was invalidated meanwhile, so a
// write racing a render cannot leave a stale page behind.
func (pc *pageCache) generation() uint64 {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.gen
}

// flight is one render of a page. A popular story dropped by a write
// (a comment, a correction) is asked for many times while it is rendered
// again; those readers wait for the one render instead of each making
// their own, which on a busy site held every connection behind dozens of
// renders of the same page.
type flight struct {
	gen  uint64        // the cache's generation when the render began
	done chan struct{} // closed when it ends
	c    *cached       // the page, set before done is closed; nil when it cannot be shared
}

// join returns the render of url under way, or begins one that the caller
// leads: leader says which. A render begun before the last invalidation is
// not joined but replaced, since it may show what a write has changed
// since; its leader's gen, passed to put, keeps it out of the cache too.
func (pc *pageCache) join(url string) (f *flight, leader bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if f := pc.flights[url]; f != nil && f.gen == pc.gen {
		pc.waits.Add(1)
		return f, false
	}
	f = &flight{gen: pc.gen, done: make(chan struct{})}
	pc.flights[url] = f
	return f, true
}

// land ends the leader's flight f with the page it rendered, nil when
// there is none to share (an error, a redirect): then each reader who
// waited renders the page for themselves.
func (pc *pageCache) land(url string, f *flight, c *cached) {
	pc.mu.Lock()
	if pc.flights[url] == f {
		delete(pc.flights, url)
	}
	pc.mu.Unlock()
	f.c = c
	close(f.done)
}

func (pc *pageCache) get(url string, now time.Time) *cached {
	return lookup(pc, url, now, true)
}

// hit is get for the fast path, which looks a page up by the request's
// bytes and leaves a miss to be counted by net/http, which renders it.
func (pc *pageCache) hit(url []byte, now time.Time) *cached {
	return lookup(pc, url, now, false)
}

func lookup[K ~string | ~[]byte](pc *pageCache, url K, now time.Time, countMiss bool) *cached {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	el, ok := pc.entries[string(url)]
	if ok {
		if exp := el.Value.(*cached).expires; !exp.IsZero() && !now.Before(exp) {
			pc.removeLocked(el)
			ok = false
		}
	}
	if !ok {
		if countMiss {
			pc.misses.Add(1)
		}
		return nil
	}
	pc.hits.Add(1)
	pc.lru.MoveToFront(el)
	c := el.Value.(*cached)
	if c.served++; pc.repackAfter > 0 && c.served >= pc.repackAfter && !c.packed && pc.repacking.CompareAndSwap(false, true) {
		go pc.repack(c)
	}
	return c
}

// repack compresses a popular page at the best level and puts it in place
// of c, unless c has been dropped or replaced meanwhile. Entries are never
// changed, only replaced: a reader may be sending c's bytes. One page is
// repacked at a time; another waits for its next hit.
func (pc *pageCache) repack(c *cached) {
	defer pc.repacking.Store(false)
	gz := compress(&bestGzip, c.body)
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if el, ok := pc.entries[c.url]; ok && el.Value == c {
		nc := *c // under the lock, which guards served
		nc.gz, nc.gzLen, nc.packed = gz, []string{strconv.Itoa(len(gz))}, true
		nc.renderHeads()
		el.Value = &nc
		pc.size += nc.cost() - c.cost()
	}
}

func (pc *pageCache) put(c *cached, gen uint64) {
	if c.cost() > pc.maxBytes/8 {
		return // one huge page must not empty the cache
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if gen != pc.gen {
		return
	}
	if el, ok := pc.entries[c.url]; ok {
		pc.removeLocked(el)
	}
	pc.entries[c.url] = pc.lru.PushFront(c)
	pc.size += c.cost()
	for _, k := range c.keys {
		set := pc.byKey[k]
		if set == nil {
			set = map[string]bool{}
			pc.byKey[k] = set
		}
		set[c.url] = true
	}
	for pc.size > pc.maxBytes {
		pc.removeLocked(pc.lru.Back())
	}
}

func (pc *pageCache) removeLocked(el *list.Element) {
	c := el.Value.(*cached)
	pc.lru.Remove(el)
	delete(pc.entries, c.url)
	pc.size -= c.cost()
	for _, k := range c.keys {
		if set := pc.byKey[k]; set != nil {
			delete(set, c.url)
			if len(set) == 0 {
				delete(pc.byKey, k)
			}
		}
	}
}

// invalidate drops every page built from any of keys.
func (pc *pageCache) invalidate(keys []string) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.gen++
	for _, k := range keys {
		if k == article.KeySite {
			pc.entries = map[string]*list.Element{}
			pc.byKey = map[string]map[string]bool{}
			pc.lru.Init()
			pc.size = 0
			return
		}
		for url := range pc.byKey[k] {
			if el, ok := pc.entries[url]; ok {
				pc.removeLocked(el)
			}
		}
	}
}

func (pc *pageCache) stats() (entries, bytes int) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return len(pc.entries), pc.size
}
