package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/article"
)

// A page is compressed fast when rendered, and again at the best level
// once it proves popular: the same bytes, smaller, behind the same
// validators, with the cache's size kept true.
func TestPopularPagesRepacked(t *testing.T) {
	var page bytes.Buffer
	for i := range 400 {
		fmt.Fprintf(&page, "<p class=\"comment depth-%d\">Comment %d on the council's budget, and what it means for the %d libraries.</p>\n", i%4, i, i*7)
	}
	pc := newPageCache(64 << 20)
	c := newCached("/city/story", 200, page.Bytes(), []string{"article:1"}, time.Now())
	c.renderHeads()
	pc.put(c, pc.generation())
	_, before := pc.stats()
	for i := range repackAfter - 1 {
		if got := pc.get(c.url, time.Now()); got != c {
			t.Fatalf("hit %d: got another entry before the page was served %d times", i+1, repackAfter)
		}
	}
	pc.get(c.url, time.Now()) // the hit that asks for repacking
	var got *cached
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if got = pc.get(c.url, time.Now()); got != c {
			break
		}
	}
	if got == c || got == nil || !got.packed {
		t.Fatalf("page not repacked after %d hits", repackAfter+1)
	}
	if len(got.gz) >= len(c.gz) {
		t.Errorf("repacked gzip is %d bytes, fast one %d: want fewer", len(got.gz), len(c.gz))
	}
	zr, err := gzip.NewReader(bytes.NewReader(got.gz))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(plain, page.Bytes()) {
		t.Fatalf("repacked gzip does not hold the page (%v)", err)
	}
	if got.etag != c.etag || got.gzLen[0] != fmt.Sprint(len(got.gz)) || !bytes.Equal(got.body, c.body) {
		t.Errorf("repacked entry: etag %s (was %s), gzLen %s for %d bytes", got.etag, c.etag, got.gzLen[0], len(got.gz))
	}
	if want := fmt.Sprintf("\r\nContent-Length: %d\r\n", len(got.gz)); !bytes.Contains(got.heads[formGzip], []byte(want)) {
		t.Errorf("repacked entry's head for gzip:\n%s\nwant %q", got.heads[formGzip], want)
	}
	if _, after := pc.stats(); after != before-(len(c.gz)-len(got.gz)) {
		t.Errorf("cache size %d after repacking, want %d", after, before-(len(c.gz)-len(got.gz)))
	}

	// A page replaced while it was being repacked stays replaced.
	d := newCached("/city/other", 200, page.Bytes(), nil, time.Now())
	pc.put(d, pc.generation())
	fresh := newCached(d.url, 200, page.Bytes(), nil, time.Now())
	pc.put(fresh, pc.generation())
	pc.repacking.Store(true)
	pc.repack(d)
	if got := pc.get(d.url, time.Now()); got != fresh {
		t.Error("repacking a replaced page put the old one back")
	}
}

// TestMissesShareOneRender: readers who ask for a page while it is being
// rendered wait for that render instead of each making their own; a render
// begun before a write is not joined, and when the render makes no page to
// keep, each reader who waited renders the page for themselves.
func TestMissesShareOneRender(t *testing.T) {
	s := newSite(t)
	var renders atomic.Int32
	hold := make(chan chan struct{}, 4) // each render takes the next gate
	var answer atomic.Value
	answer.Store(http.StatusOK)
	h := s.srv.page(func(r *http.Request) (*response, error) {
		n := renders.Add(1)
		select {
		case gate := <-hold:
			<-gate
		default:
		}
		if answer.Load() != http.StatusOK {
			return nil, article.ErrNotFound
		}
		return &response{raw: fmt.Appendf(nil, "render %d", n), contentType: "text/plain; charset=utf-8", keys: []string{"article:9"}}, nil
	})
	ask := func(out chan<- string) {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest("GET", "/city/story", nil))
		out <- fmt.Sprint(rec.Code, " ", rec.Body.String())
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no %s within 10s", what)
			}
		}
	}

	// Eight readers at once: one render.
	gate := make(chan struct{})
	hold <- gate
	out := make(chan string, 8)
	go ask(out)
	waitFor("render", func() bool { return renders.Load() == 1 })
	waits := s.srv.cache.waits.Load()
	for range 7 {
		go ask(out)
	}
	waitFor("seven readers waiting", func() bool { return s.srv.cache.waits.Load() == waits+7 })
	close(gate)
	for range 8 {
		if got := <-out; got != "200 render 1" {
			t.Errorf("a reader got %q, want the one render's page", got)
		}
	}
	if n := renders.Load(); n != 1 {
		t.Errorf("%d renders for eight readers at once, want 1", n)
	}

	// A write while the page is rendered: the next reader does not wait for
	// that render, which may not show the write, but makes a new one.
	s.srv.cache.invalidate([]string{"article:9"})
	gate = make(chan struct{})
	hold <- gate
	go ask(out)
	waitFor("render", func() bool { return renders.Load() == 2 })
	s.srv.cache.invalidate([]string{"article:9"})
	waits = s.srv.cache.waits.Load()
	ask(out) // renders 3 without waiting for the gate
	if got := <-out; got != "200 render 3" {
		t.Errorf("a reader after a write got %q, want a render of its own", got)
	}
	close(gate)
	if got := <-out; got != "200 render 2" {
		t.Errorf("the reader before the write got %q, want render 2", got)
	}
	if s.srv.cache.waits.Load() != waits {
		t.Error("a reader after a write waited for a render begun before it")
	}

	// A render that makes no page to keep: each waiting reader asks again.
	s.srv.cache.invalidate([]string{"article:9"})
	answer.Store(http.StatusNotFound)
	gate = make(chan struct{})
	hold <- gate
	go ask(out)
	before := renders.Load()
	waitFor("render", func() bool { return renders.Load() == before+1 })
	waits = s.srv.cache.waits.Load()
	for range 3 {
		go ask(out)
	}
	waitFor("three readers waiting", func() bool { return s.srv.cache.waits.Load() == waits+3 })
	close(gate)
	for range 4 {
		if got := <-out; !strings.HasPrefix(got, "404 ") {
			t.Errorf("a reader of a missing page got %.40q, want 404", got)
		}
	}
	if n := renders.Load() - before; n != 4 {
		t.Errorf("%d renders for four readers of a page not kept, want 4", n)
	}
}
