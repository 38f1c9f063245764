package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/article"
)

// liveHub tells readers with an article open that its discussion changed,
// over Server-Sent Events. It hears the same change keys the page cache
// does, from this process and, through the change log, from others.
type liveHub struct {
	mu     sync.Mutex
	subs   map[int64]map[chan struct{}]bool // article id → listeners
	total  int
	byAddr map[string]int
	done   chan struct{} // closed at shutdown: streams end so the server can stop
	once   sync.Once
}

// Bounds on open streams: each is a held connection.
const (
	maxLiveStreams       = 2000
	maxLiveStreamsPerIP  = 4
	liveHeartbeat        = 25 * time.Second
	liveStreamMaxSeconds = 30 * 60 // a reader's stream is renewed by the browser after this
)

func newLiveHub() *liveHub {
	return &liveHub{subs: map[int64]map[chan struct{}]bool{}, byAddr: map[string]int{}, done: make(chan struct{})}
}

func (h *liveHub) subscribe(articleID int64, addr string) (chan struct{}, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.total >= maxLiveStreams || h.byAddr[addr] >= maxLiveStreamsPerIP {
		return nil, false
	}
	ch := make(chan struct{}, 1)
	if h.subs[articleID] == nil {
		h.subs[articleID] = map[chan struct{}]bool{}
	}
	h.subs[articleID][ch] = true
	h.total++
	h.byAddr[addr]++
	return ch, true
}

func (h *liveHub) unsubscribe(articleID int64, addr string, ch chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[articleID], ch)
	if len(h.subs[articleID]) == 0 {
		delete(h.subs, articleID)
	}
	h.total--
	if h.byAddr[addr]--; h.byAddr[addr] <= 0 {
		delete(h.byAddr, addr)
	}
}

// notify wakes the listeners of every article whose comments key is in keys.
func (h *liveHub) notify(keys []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range keys {
		idText, ok := strings.CutPrefix(k, "comments:")
		if !ok {
			continue
		}
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			continue
		}
		for ch := range h.subs[id] {
			select {
			case ch <- struct{}{}:
			default: // already signalled; one wake-up is enough
			}
		}
	}
}

// GET /{section}/{slug}/comments/live: a stream that sends "changed" when
// the article's public discussion changes. The page's script then fetches
// the new comments; without script nothing asks for it.
func (s *Server) liveComments(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := s.store.ArticleBySlug(ctx, r.PathValue("slug"))
	if err == nil && (!a.Visible() || a.Section.Slug != r.PathValue("section")) {
		err = article.ErrNotFound
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	addr := limitKey(s.ips.ClientIP(r))
	ch, ok := s.live.subscribe(a.ID, addr)
	if !ok {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many live streams", http.StatusTooManyRequests)
		return
	}
	defer s.live.unsubscribe(a.ID, addr, ch)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	end := time.Now().Add(liveStreamMaxSeconds * time.Second)
	rc.SetWriteDeadline(end.Add(time.Minute))
	fmt.Fprintf(w, "retry: 10000\n\n")
	rc.Flush()
	beat := time.NewTicker(liveHeartbeat)
	defer beat.Stop()
	for time.Now().Before(end) {
		select {
		case <-ctx.Done():
			return
		case <-s.live.done:
			return
		case <-ch:
			fmt.Fprintf(w, "event: changed\ndata: %d\n\n", a.ID)
		case <-beat.C:
			fmt.Fprintf(w, ": keep-alive\n\n")
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// Shutdown ends every live stream, so a graceful shutdown does not wait for
// readers who keep a page open. Register it with http.Server.RegisterOnShutdown.
func (s *Server) Shutdown() { s.live.once.Do(func() { close(s.live.done) }) }
