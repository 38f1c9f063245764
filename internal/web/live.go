package web

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/liveblog"
)

// liveHub tells readers with an article open what changed on it, over
// Server-Sent Events: that its discussion changed (the page then asks for
// the comments), and on a live blog each update posted, edited or
// deleted, sent whole, and its coverage opening and closing. A live
// blog's page opens one stream, which carries its discussion's changes
// too. It hears the change keys the page cache does, from this process
// and, through the change log, from others. Every stream counts against
// one bound in all and one per client address; a live blog's reader
// refused a stream is served what it lacks at once and asked to come back
// in a minute, which its browser does by itself, so that updates never
// stop, only slow.
//
// A live blog's updates are read and rendered once per instance, however
// many readers it has: the hub keeps, per live blog with streams open, the
// events since a change number, each the bytes of one event, and every
// stream writes the same bytes (liveTopic). A change publishes them anew
// (liveLog), so that the thousands of streams it wakes read them at once,
// none waiting for the hub's lock.
type liveHub struct {
	mu       sync.Mutex
	comments map[int64]map[chan struct{}]bool // article id → listeners
	blogs    map[int64]*liveTopic             // live blogs with streams open
	total    int
	byAddr   map[string]int
	// maxTotal and maxPerAddr bound the open streams (Options).
	maxTotal, maxPerAddr int
	done                 chan struct{} // closed at shutdown: streams end so the server can stop
	once                 sync.Once
	// read returns the live blog id as it is now and the events of its
	// updates changed after the change number seq, at most limit: the
	// store read and the rendering, once for every stream.
	read func(ctx context.Context, id, seq int64, limit int) (*article.Article, []liveEvent, error)
	// cover renders the "coverage" event of the live blog a as it is
	// now, once for every stream.
	cover func(ctx context.Context, a *article.Article) ([]byte, error)
}

// DefaultLiveStreams and DefaultLiveStreamsPerIP bound the open streams,
// each a held connection, unless Options set others. One instance holds
// 10,000 in about 350 MB and reaches them all within a quarter of a
// second on two cores (docs/performance.md). The bound per address leaves
// room for a household, an office or a carrier's NAT behind one IPv4
// address (IPv6 is counted by /64): a live blog's page holds one stream,
// an article's page one.
const (
	DefaultLiveStreams      = 10000
	DefaultLiveStreamsPerIP = 16
)

const (
	liveHeartbeat        = 25 * time.Second
	liveStreamMaxSeconds = 30 * 60 // a reader's stream is renewed by the browser after this
	// maxLiveEvents is how many events of a live blog the hub keeps: a
	// stream that fell further behind is resumed from the store, or told
	// to reload.
	maxLiveEvents = 200
	// liveRetryRefused is when a reader refused a stream asks again,
	// liveRetrySpread how much later at most, so that readers refused
	// together do not come back together.
	liveRetryRefused = 60 * time.Second
	liveRetrySpread  = 30 * time.Second
)

func newLiveHub(maxTotal, maxPerAddr int) *liveHub {
	if maxTotal <= 0 {
		maxTotal = DefaultLiveStreams
	}
	if maxPerAddr <= 0 {
		maxPerAddr = DefaultLiveStreamsPerIP
	}
	return &liveHub{comments: map[int64]map[chan struct{}]bool{}, blogs: map[int64]*liveTopic{}, byAddr: map[string]int{},
		maxTotal: maxTotal, maxPerAddr: maxPerAddr, done: make(chan struct{})}
}

// admit counts a stream from addr, if the bounds allow one more. The
// caller holds h.mu.
func (h *liveHub) admit(addr string) bool {
	if h.total >= h.maxTotal || h.byAddr[addr] >= h.maxPerAddr {
		return false
	}
	h.total++
	h.byAddr[addr]++
	return true
}

// release uncounts a stream from addr. The caller holds h.mu.
func (h *liveHub) release(addr string) {
	h.total--
	if h.byAddr[addr]--; h.byAddr[addr] <= 0 {
		delete(h.byAddr, addr)
	}
}

// LiveStreams is how many readers' event streams are open.
func (s *Server) LiveStreams() int { return s.live.streams() }

// streams is how many streams are open.
func (h *liveHub) streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total
}

func (h *liveHub) subscribe(articleID int64, addr string) (chan struct{}, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.admit(addr) {
		return nil, false
	}
	ch := make(chan struct{}, 1)
	if h.comments[articleID] == nil {
		h.comments[articleID] = map[chan struct{}]bool{}
	}
	h.comments[articleID][ch] = true
	return ch, true
}

func (h *liveHub) unsubscribe(articleID int64, addr string, ch chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.comments[articleID], ch)
	if len(h.comments[articleID]) == 0 {
		delete(h.comments, articleID)
	}
	h.release(addr)
}

// notify wakes the listeners of every discussion whose comments key is in
// keys, and has every live blog a key names read its changes.
func (h *liveHub) notify(keys []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range keys {
		if id, _, ok := liveblog.ParseKey(k); ok {
			if t := h.blogs[id]; t != nil {
				h.refresh(t)
			}
			continue
		}
		idText, ok := strings.CutPrefix(k, "comments:")
		if !ok {
			continue
		}
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			continue
		}
		for ch := range h.comments[id] {
			wake(ch)
		}
		if t := h.blogs[id]; t != nil {
			l := *t.log.Load()
			l.discussion++
			t.log.Store(&l)
			t.wakeAll()
		}
	}
}

// wake signals ch without waiting: one signal pending is enough.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// liveTopic is a live blog with streams open on this instance.
type liveTopic struct {
	id   int64
	art  *article.Article // as last read: what its events are rendered for
	subs map[*liveSub]struct{}
	// log is what its streams read, replaced (the hub's lock held) by
	// every change.
	log atomic.Pointer[liveLog]
	// changed is the event that tells of a change to its discussion.
	changed []byte
	// reading says a read of the store is under way, again that a change
	// was heard meanwhile and the store must be read once more.
	reading, again bool
	// filling, while a stream reads what happened before base, is closed
	// when it is done.
	filling chan struct{}
}

// liveLog is what a live blog's streams read, never changed once
// published.
type liveLog struct {
	events []liveEvent // in the order of their change numbers
	// base is the change number events begin after: they hold the latest
	// state of every update changed after it. seq is the newest heard.
	base, seq int64
	// discussion counts the changes heard to the live blog's comments.
	discussion int64
	// coverage is the coverage as last read (coverageOf), cover the
	// event that says so; nil until the first read.
	coverage string
	cover    []byte
}

// after is what l holds that came after the change number seq, in order.
func (l *liveLog) after(seq int64) []liveEvent {
	i, _ := slices.BinarySearchFunc(l.events, seq+1, func(e liveEvent, seq int64) int { return cmp.Compare(e.seq, seq) })
	return l.events[i:]
}

func (t *liveTopic) wakeAll() {
	for sub := range t.subs {
		wake(sub.wake)
	}
}

// liveEvent is one change to an update, as the bytes of its event.
type liveEvent struct {
	seq   int64
	frame []byte
}

// liveSub is one reader's stream: what it has been sent, and how it is
// woken. It holds nothing of the events but their number. Once it has
// joined, only the stream's own goroutine reads and writes what it has
// been sent.
type liveSub struct {
	wake chan struct{}
	last int64
	// discussion and coverage are what it has been told of them.
	discussion int64
	coverage   string
	// counted says it holds one of the bounded streams; one refused is
	// answered once and closed.
	counted bool
}

// join opens a stream on the live blog a from addr, whose page has heard
// its changes up to since and shows its coverage as coverage. The stream
// is counted when the bounds allow one more; otherwise it is answered at
// once, from the same topic, and closed.
func (h *liveHub) join(a *article.Article, addr string, since int64, coverage string) (*liveTopic, *liveSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	counted := h.admit(addr)
	t := h.blogs[a.ID]
	if t == nil {
		t = &liveTopic{id: a.ID, art: a, subs: map[*liveSub]struct{}{}, changed: fmt.Appendf(nil, "event: changed\ndata: %d\n\n", a.ID)}
		t.log.Store(&liveLog{base: a.LiveSeq, seq: a.LiveSeq})
		h.blogs[a.ID] = t
		// A change made between a's read and now was announced to no
		// topic: read once, for every stream to come.
		h.refresh(t)
	}
	sub := &liveSub{wake: make(chan struct{}, 1), last: since, discussion: t.log.Load().discussion, coverage: coverage, counted: counted}
	t.subs[sub] = struct{}{}
	return t, sub
}

// leave closes a stream; the last one closes its topic.
func (h *liveHub) leave(t *liveTopic, sub *liveSub, addr string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(t.subs, sub)
	if len(t.subs) == 0 && h.blogs[t.id] == t {
		delete(h.blogs, t.id)
	}
	if sub.counted {
		h.release(addr)
	}
}

// refresh has t read the store for its changes since the newest it has,
// unless a read is under way, which then reads again. The caller holds
// h.mu.
func (h *liveHub) refresh(t *liveTopic) {
	if t.reading {
		t.again = true
		return
	}
	t.reading = true
	go h.readChanges(t)
}

// readChanges reads and renders t's changes once, adds them to its
// events, and wakes its streams.
func (h *liveHub) readChanges(t *liveTopic) {
	for {
		l := t.log.Load()
		after, told := l.seq, l.coverage
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		a, events, err := h.read(ctx, t.id, after, maxLiveEvents)
		var cover []byte
		if err == nil && h.cover != nil && coverageOf(a) != told {
			// One that does not render is tried again at the next read;
			// the updates go out meanwhile.
			cover, _ = h.cover(ctx, a)
		}
		cancel()
		h.mu.Lock()
		if err == nil {
			t.art = a
			if cover != nil {
				l := *t.log.Load()
				l.coverage, l.cover = coverageOf(a), cover
				t.log.Store(&l)
				t.wakeAll()
			}
			h.append(t, events)
			// A full read may have left more behind it.
			t.again = t.again || len(events) == maxLiveEvents
		}
		if !t.again || h.blogs[t.id] != t {
			t.reading, t.again = false, false
			h.mu.Unlock()
			return
		}
		t.again = false
		h.mu.Unlock()
	}
}

// append publishes t's events with those of events newer than its own,
// at most maxLiveEvents, and wakes t's streams. The caller holds h.mu.
func (h *liveHub) append(t *liveTopic, events []liveEvent) {
	old := t.log.Load()
	l := *old
	// Clipped, the old events are copied as new ones join them: streams
	// may be reading them.
	l.events = slices.Clip(l.events)
	for _, e := range events {
		if e.seq > l.seq {
			l.events = append(l.events, e)
			l.seq = e.seq
		}
	}
	if l.seq == old.seq {
		return
	}
	if over := len(l.events) - maxLiveEvents; over > 0 {
		l.base = l.events[over-1].seq
		l.events = slices.Clip(l.events[over:])
	}
	t.log.Store(&l)
	t.wakeAll()
}

// pending returns the events sub has not been sent, the bytes shared with
// every other stream, and counts them as sent; stale says sub fell behind
// what t holds, and was sent none of its updates. Only sub's stream calls
// it, and it takes no lock.
func (h *liveHub) pending(t *liveTopic, sub *liveSub) (frames [][]byte, stale bool) {
	l := t.log.Load()
	if l.cover != nil && sub.coverage != l.coverage {
		frames = append(frames, l.cover)
		sub.coverage = l.coverage
	}
	if sub.discussion != l.discussion {
		frames = append(frames, t.changed)
		sub.discussion = l.discussion
	}
	if sub.last < l.base {
		return frames, true
	}
	for _, e := range l.after(sub.last) {
		frames = append(frames, e.frame)
	}
	sub.last = max(sub.last, l.seq)
	return frames, false
}

// fill gives t the changes after since that came before its events, read
// once however many streams resume from behind them; false when they are
// more than it keeps, and the reader must load the page again. The read
// reaches back as far as t keeps, whatever since: every stream resuming
// within that is then served from memory, and one asking from further
// back is told to reload without a read, however often it asks.
func (h *liveHub) fill(ctx context.Context, t *liveTopic, since int64) bool {
	for {
		h.mu.Lock()
		l := t.log.Load()
		if since >= l.base {
			h.mu.Unlock()
			return true
		}
		from := max(l.seq-maxLiveEvents, 0)
		if since < from {
			h.mu.Unlock()
			return false
		}
		if wait := t.filling; wait != nil {
			h.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return false
			}
		}
		done := make(chan struct{})
		t.filling = done
		base := l.base
		h.mu.Unlock()
		_, events, err := h.read(ctx, t.id, from, maxLiveEvents)
		h.mu.Lock()
		t.filling = nil
		close(done)
		// A read cut short by its limit covers all that came before base
		// only if it reached past it.
		cur := *t.log.Load()
		covers := err == nil && cur.base == base && (len(events) < maxLiveEvents || events[len(events)-1].seq >= base)
		if covers {
			var before []liveEvent
			for _, e := range events {
				if e.seq <= base {
					before = append(before, e)
				}
			}
			cur.events, cur.base = append(before, cur.events...), from
			t.log.Store(&cur)
		}
		h.mu.Unlock()
		return covers
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
		tooManyStreams(w)
		return
	}
	defer s.live.unsubscribe(a.ID, addr, ch)
	s.stream(w, r, ch, func(w http.ResponseWriter) {
		fmt.Fprintf(w, "event: changed\ndata: %d\n\n", a.ID)
	})
}

// GET /{section}/{slug}/updates/live: a live blog's stream. Each post,
// edit or deletion of one of its updates is an "update" event whose id is
// its change number and whose data is JSON: the update's id, number,
// time, whether it is pinned or a key event, its HTML as the page shows
// it and the origins of the frames its embeds load (or "deleted": true).
// The first request names the number its page shows (?since=) and its
// coverage (?coverage=, coverageOf); a browser that reconnects sends the
// last number it heard (Last-Event-ID) and is sent what it missed. A
// "coverage" event says the coverage opened or closed, a "changed" event
// that the discussion changed (as the comments' stream does).
//
// A reader the bounds refuse a stream is sent what it lacks and the
// stream ends, asking the browser to reconnect in a minute: it resumes
// from what it heard, a stream once one is free, an answer like this one
// until then.
func (s *Server) liveUpdates(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := s.store.BareArticleBySlug(ctx, r.PathValue("slug"))
	if err == nil && (!a.Visible() || !a.LiveBlog || a.Section.Slug != r.PathValue("section") || a.Section.Edition != editionOf(ctx)) {
		err = article.ErrNotFound
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	since := a.LiveSeq
	for _, heard := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("since")} {
		if n, err := strconv.ParseInt(heard, 10, 64); err == nil && n >= 0 && heard != "" {
			since = n
			break
		}
	}
	// A page that does not say its coverage is taken to show it as it is.
	coverage := r.URL.Query().Get("coverage")
	if coverage == "" {
		coverage = coverageOf(a)
	}
	addr := limitKey(s.ips.ClientIP(r))
	t, sub := s.live.join(a, addr, since, coverage)
	defer s.live.leave(t, sub, addr)
	send := func(w http.ResponseWriter) {
		frames, stale := s.live.pending(t, sub)
		if stale && s.live.fill(ctx, t, sub.last) {
			var more [][]byte
			more, stale = s.live.pending(t, sub)
			frames = append(frames, more...)
		}
		if stale {
			// More changed than the hub keeps: the reader loads the
			// page again, and its stream goes on from now.
			fmt.Fprint(w, "event: reload\ndata: {}\n\n")
			sub.last = t.log.Load().seq
		}
		for _, f := range frames {
			w.Write(f)
		}
	}
	if !sub.counted {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		retry := liveRetryRefused + rand.N(liveRetrySpread)
		fmt.Fprintf(w, "retry: %d\n\n", retry.Milliseconds())
		if now := coverageOf(a); coverage != now && s.live.cover != nil {
			// The topic may be as new as this answer, its coverage not
			// read yet: the page is told from what was read here.
			if f, err := s.live.cover(ctx, a); err == nil {
				w.Write(f)
				sub.coverage = now
			}
		}
		send(w)
		return
	}
	wake(sub.wake) // send what the page has not shown at once
	s.stream(w, r, sub.wake, send)
}

func tooManyStreams(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "60")
	http.Error(w, "too many live streams", http.StatusTooManyRequests)
}

// stream holds an event stream open until the reader leaves, the server
// stops or the stream's time is up, calling send each time ch is woken,
// and a comment every liveHeartbeat so that proxies keep it open. It runs
// in the request's goroutine: a stream costs no other.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, ch chan struct{}, send func(w http.ResponseWriter)) {
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
		case <-r.Context().Done():
			return
		case <-s.live.done:
			return
		case <-ch:
			send(w)
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
