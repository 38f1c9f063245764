package web

import (
	"context"
	"fmt"
	"runtime"
	"testing"
)

// The site card costs a tenth of a second of drawing. Requests that pass
// the page cache — a fresh query string, a commenter's cookie — get the
// card already drawn; a new title draws a new one.
func TestSiteCardDrawnOnlyWhenItChanges(t *testing.T) {
	s := newSite(t)
	first := s.get("/card.png")
	if first.status != 200 {
		t.Fatalf("card = %d", first.status)
	}
	const cardBytes = 1200 * 630 * 4 // the image drawn on, before encoding
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range 5 {
		r := s.get(fmt.Sprintf("/card.png?v=%d", i), "Cookie", commenterCookie+"=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
		if r.status != 200 || r.body != first.body {
			t.Fatalf("card with a query string = %d, same image %v", r.status, r.body == first.body)
		}
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > cardBytes {
		t.Errorf("five requests past the page cache allocated %d bytes: the card was drawn again", got)
	}

	ctx := context.Background()
	site, err := s.db.Site(ctx)
	must(t, err)
	site.Title = "A Different Title"
	must(t, s.db.SetSite(ctx, site))
	if r := s.get("/card.png?v=new"); r.status != 200 || r.body == first.body {
		t.Errorf("card after the title changed = %d, same image %v", r.status, r.body == first.body)
	}
}
