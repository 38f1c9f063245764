package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"testing"
	"time"
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
