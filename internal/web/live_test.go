package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/liveblog"
)

// sseEvent is one event of a stream.
type sseEvent struct {
	id, name string
	data     liveMessage
	raw      string
}

// sseStream reads events from a stream the test opened.
type sseStream struct {
	t      *testing.T
	resp   *http.Response
	events chan sseEvent
}

func openStream(t *testing.T, ctx context.Context, url string, headers ...string) *sseStream {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	st := &sseStream{t: t, resp: resp, events: make(chan sseEvent, 100)}
	if resp.StatusCode != 200 {
		return st
	}
	go func() {
		defer close(st.events)
		lines := bufio.NewScanner(resp.Body)
		lines.Buffer(make([]byte, 0, 64<<10), 1<<20)
		var e sseEvent
		for lines.Scan() {
			line := lines.Text()
			switch {
			case line == "":
				if e.name != "" {
					st.events <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				e.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				e.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				e.raw = line[6:]
				json.Unmarshal([]byte(e.raw), &e.data)
			}
		}
	}()
	return st
}

// next is the stream's next event, failing after a few seconds.
func (st *sseStream) next() sseEvent {
	st.t.Helper()
	select {
	case e, ok := <-st.events:
		if !ok {
			st.t.Fatal("the stream ended")
		}
		return e
	case <-time.After(5 * time.Second):
		st.t.Fatal("no event within 5 seconds")
	}
	return sseEvent{}
}

// A live blog's stream sends each post, edit and deletion once it is
// committed, as the page renders the update, numbered by its change; a
// browser that reconnects with the last number it heard is sent what it
// missed; a stream opened on an older page is sent what that page lacks.
func TestLiveBlogStream(t *testing.T) {
	ls := newLiveSite(t)
	ts := httptest.NewServer(ls.srv)
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	first := ls.post(1, liveblog.Update{Body: "Winds rise."})
	second := ls.post(2, liveblog.Update{Body: "Rain begins."})
	stream := ts.URL + "/city/storm-live/updates/live"

	// From a page that showed the first update only.
	st := openStream(t, ctx, stream+"?since=1")
	if st.resp.StatusCode != 200 || st.resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream = %d %s", st.resp.StatusCode, st.resp.Header.Get("Content-Type"))
	}
	if e := st.next(); e.name != "update" || e.id != "2" || e.data.ID != second.ID || !strings.Contains(e.data.HTML, "Rain begins.") {
		t.Errorf("first event = %+v, want the second update, which the page lacked", e)
	}
	third := ls.post(3, liveblog.Update{Headline: "Bridge shut", Body: "The bridge is **shut**.", KeyEvent: true, Authors: []article.Author{ls.authors["ada-lovelace"]}})
	e := st.next()
	if e.id != "3" || e.data.ID != third.ID || !e.data.Key || e.data.T != third.CreatedAt.Unix() ||
		!strings.HasPrefix(e.data.HTML, `<article class="live-update live-key" id="update-`+strconv.FormatInt(third.ID, 10)+`"`) ||
		!strings.Contains(e.data.HTML, "<h3>Bridge shut</h3>") || !strings.Contains(e.data.HTML, "<strong>shut</strong>") ||
		!strings.Contains(e.data.HTML, `rel="author"><bdi>Ada Lovelace</bdi>`) {
		t.Errorf("the posted update's event = %+v", e)
	}
	// Its HTML is the page's, byte for byte.
	if page := ls.get("/city/storm-live").body; !strings.Contains(page, e.data.HTML) {
		t.Errorf("the event's HTML is not the page's:\n%s", e.data.HTML)
	}
	third.Body = "The bridge is shut both ways."
	must(t, ls.db.EditLiveUpdate(context.Background(), &third))
	if e := st.next(); e.id != "4" || e.data.ID != third.ID || !strings.Contains(e.data.HTML, "shut both ways") {
		t.Errorf("the edit's event = %+v", e)
	}
	must(t, ls.db.DeleteLiveUpdate(context.Background(), ls.blog.ID, first.ID, 0))
	if e := st.next(); e.id != "5" || e.data.ID != first.ID || !e.data.Deleted || e.data.HTML != "" {
		t.Errorf("the deletion's event = %+v", e)
	}

	// Reconnected after number 3: the edit and the deletion.
	again := openStream(t, ctx, stream+"?since=0", "Last-Event-ID", "3")
	for _, want := range []string{"4", "5"} {
		if e := again.next(); e.id != want {
			t.Errorf("resumed after 3: event %s, want %s", e.id, want)
		}
	}
	for _, path := range []string{"/city/nothing/updates/live", "/sport/storm-live/updates/live"} {
		if resp, _ := http.Get(ts.URL + path); resp.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
	plain := ls.publish("city", "plain", "Plain")
	if resp, _ := http.Get(ts.URL + "/city/" + plain.Slug + "/updates/live"); resp.StatusCode != 404 {
		t.Errorf("the stream of an article that is no live blog = %d, want 404", resp.StatusCode)
	}
}

// However many readers have a live blog open, each instance reads and
// renders a change once, and every stream is sent it.
func TestLiveBlogStreamReadsOnce(t *testing.T) {
	ls := newLiveSite(t)
	ls.srv.live.maxPerAddr = 100
	var reads atomic.Int32
	read := ls.srv.live.read
	ls.srv.live.read = func(ctx context.Context, id, seq int64, limit int) (*article.Article, []liveEvent, error) {
		reads.Add(1)
		return read(ctx, id, seq, limit)
	}
	ts := httptest.NewServer(ls.srv)
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const readers = 30
	var streams []*sseStream
	for range readers {
		streams = append(streams, openStream(t, ctx, ts.URL+"/city/storm-live/updates/live"))
	}
	// The first stream's topic reads once as it opens.
	deadline := time.Now().Add(5 * time.Second)
	for ls.srv.live.streams() < readers || reads.Load() < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d streams open, %d reads", ls.srv.live.streams(), reads.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	before := reads.Load()
	u := ls.post(1, liveblog.Update{Body: "Everyone hears this."})
	var wg sync.WaitGroup
	for _, st := range streams {
		wg.Go(func() {
			if e := st.next(); e.data.ID != u.ID {
				t.Errorf("a reader heard %+v", e)
			}
		})
	}
	wg.Wait()
	if n := reads.Load() - before; n != 1 {
		t.Errorf("%d readers' streams were sent one post after %d reads of the store, want 1", readers, n)
	}
}

// The streams one address may hold, and all streams, are bounded by the
// server's options; a live blog's reader refused one is answered at once
// and asked to come back in a minute (TestLiveStreamRefused).
func TestLiveStreamBounds(t *testing.T) {
	ls := newLiveSite(t)
	ls.srv.live.maxPerAddr, ls.srv.live.maxTotal = 2, 3
	ts := httptest.NewServer(ls.srv)
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := range 3 {
		if st := openStream(t, ctx, ts.URL+"/city/storm-live/updates/live"); st.resp.StatusCode != 200 {
			t.Errorf("stream %d from one address = %d, want 200", i+1, st.resp.StatusCode)
		}
	}
	if n := ls.srv.live.streams(); n != 2 {
		t.Errorf("%d streams held from one address, want 2", n)
	}
	comments := openStream(t, ctx, ts.URL+"/city/storm-live/comments/live")
	if comments.resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a discussion's stream beyond the bound = %d, want 429", comments.resp.StatusCode)
	}
	if h := newLiveHub(0, 0); h.maxTotal != DefaultLiveStreams || h.maxPerAddr != DefaultLiveStreamsPerIP {
		t.Errorf("default bounds %d, %d", h.maxTotal, h.maxPerAddr)
	}
	if h := newLiveHub(10_000, 8); h.maxTotal != 10_000 || h.maxPerAddr != 8 {
		t.Errorf("bounds from the options %d, %d", h.maxTotal, h.maxPerAddr)
	}
}

// A stream that fell behind more than the hub keeps, and further than the
// store can fill in one read, is told to reload.
func TestLiveStreamTooFarBehind(t *testing.T) {
	ls := newLiveSite(t)
	for i := range maxLiveEvents + 2 {
		ls.post(i, liveblog.Update{Body: "Update " + strconv.Itoa(i) + "."})
	}
	ts := httptest.NewServer(ls.srv)
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st := openStream(t, ctx, ts.URL+"/city/storm-live/updates/live?since=0")
	if e := st.next(); e.name != "reload" {
		t.Errorf("a stream %d changes behind got %q, want reload", maxLiveEvents+2, e.name)
	}
	near := openStream(t, ctx, ts.URL+"/city/storm-live/updates/live?since=190")
	if e := near.next(); e.name != "update" || e.id != "191" {
		t.Errorf("a stream 12 changes behind got %+v, want them from 191", e)
	}
}

// A post made by another instance reaches this one's readers through the
// change log, as every instance on one database hears every other.
func TestLiveBlogStreamHearsOtherInstances(t *testing.T) {
	ls := newLiveSite(t)
	other := newServer(t, ls.db, Options{BaseURL: "https://news.example.org", Logger: ls.srv.log})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	must(t, other.Follow(ctx, ls.db, 20*time.Millisecond))
	ts := httptest.NewServer(other)
	defer ts.Close()
	st := openStream(t, ctx, ts.URL+"/city/storm-live/updates/live")
	u := ls.post(1, liveblog.Update{Body: "Heard on the other instance."})
	if e := st.next(); e.data.ID != u.ID || !strings.Contains(e.data.HTML, "Heard on the other instance.") {
		t.Errorf("the other instance's stream sent %+v", e)
	}
}
