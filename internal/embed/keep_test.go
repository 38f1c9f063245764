package embed_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/embed"
)

// A save whose provider does not answer keeps the record without
// metadata; saves soon after leave it; one a day later asks again.
func TestKeepRetriesLater(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	clock := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	const video = "https://youtu.be/jNQXAC9IVRw"
	body := "The first video.\n\n" + video + "\n\nAnd a link to [the zoo](https://youtu.be/aaaaaaaaaaa)."
	k := &embed.Keeper{Store: db, Log: quiet(), Now: now,
		Resolver: embed.NewResolver(embed.Options{AllowPrivate: true, ProviderEndpoints: map[string]string{"youtube": closedAddress(t)}, Now: now, Log: quiet()})}
	if n := k.Keep(ctx, body); n != 1 {
		t.Fatalf("Keep stored %d records, want 1", n)
	}
	rec, err := db.Embed(ctx, video)
	if err != nil || rec.Complete || rec.Title != "" || rec.Frame != "https://www.youtube-nocookie.com/embed/jNQXAC9IVRw" || !rec.FetchedAt.Equal(clock) {
		t.Fatalf("kept %+v, %v; want the frame without metadata", rec, err)
	}

	p := newProvider(t, "", func(*provider) map[string]any {
		return map[string]any{"title": "Me at the zoo", "author_name": "jawed"}
	})
	k.Resolver = embed.NewResolver(embed.Options{AllowPrivate: true, ProviderEndpoints: map[string]string{"youtube": p.URL + "/oembed"}, Now: now, Log: quiet()})
	clock = clock.Add(time.Hour)
	if n := k.Keep(ctx, body); n != 0 || p.hits.Load() != 0 {
		t.Errorf("an hour later: stored %d, asked %d times; want nothing", n, p.hits.Load())
	}
	clock = clock.Add(24 * time.Hour)
	if n := k.Keep(ctx, body); n != 1 || p.hits.Load() != 1 {
		t.Errorf("a day later: stored %d, asked %d times; want it asked again", n, p.hits.Load())
	}
	if rec, err = db.Embed(ctx, video); err != nil || !rec.Complete || rec.Title != "Me at the zoo" {
		t.Errorf("kept %+v, %v; want the title", rec, err)
	}
	clock = clock.Add(30 * 24 * time.Hour)
	if n := k.Keep(ctx, body); n != 0 || p.hits.Load() != 1 {
		t.Errorf("a complete record: stored %d, asked %d times; want it left alone", n, p.hits.Load())
	}
}

// However many providers stall, a save waits no longer than its budget,
// and every embed is kept.
func TestKeepBudget(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	stall := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stall:
		}
	}))
	defer srv.Close()
	defer close(stall)
	var body []string
	for i := range 10 {
		body = append(body, fmt.Sprintf("https://vimeo.com/%d", 1000+i))
	}
	k := &embed.Keeper{Store: db, Log: quiet(), Budget: 400 * time.Millisecond, Parallel: 2,
		Resolver: embed.NewResolver(embed.Options{AllowPrivate: true, ProviderEndpoints: map[string]string{"vimeo": srv.URL}, Log: quiet()})}
	start := time.Now()
	n := k.Keep(ctx, strings.Join(body, "\n\n"))
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Keep took %v; its budget is 400ms", took)
	}
	if n != 10 {
		t.Errorf("Keep stored %d records, want 10", n)
	}
	got, err := db.EmbedsByURL(ctx, body)
	if err != nil || len(got) != 10 {
		t.Errorf("EmbedsByURL: %d records, %v", len(got), err)
	}
}
