package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/outbound"
	"broadsheet/internal/store/postgres"
	"broadsheet/internal/store/postgres/pgtest"
	"broadsheet/internal/webhook"
)

// Two instances on one PostgreSQL database, each with its worker, deliver
// every message exactly once, taking turns at the queue; deliveries a
// worker claimed and never finished (it died) are delivered by the other
// once the claim's lease ends. Events written on the instance that did not
// register the endpoint reach it too.
func TestTwoWorkersOnOnePostgresDeliverEachOnce(t *testing.T) {
	url := pgtest.Database(t)
	ctx := context.Background()
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, url)
		must(t, err)
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	var mu sync.Mutex
	got, by := map[string]int{}, map[string]int{}
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond) // long enough for the workers to overlap
		mu.Lock()
		got[r.Header.Get("webhook-id")]++
		by[r.Header.Get("X-Instance")]++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	e := &webhook.Endpoint{URL: rc.URL, Events: webhook.Types, Enabled: true, Secret: webhook.NewSecret()}
	must(t, a.CreateWebhookEndpoint(ctx, e))
	const queued = 60
	for i := range queued {
		m, err := webhook.Site{}.TestMessage(e.ID, time.Now())
		must(t, err)
		m.Payload = fmt.Appendf(nil, `{"type":"webhook.test","timestamp":"","data":{"n":%d}}`, i)
		must(t, a.QueueWebhook(ctx, e.ID, m))
	}
	// B hears of A's endpoint at its worker's first refresh.
	must(t, b.RefreshWebhookRoutes(ctx))
	sec := &article.Section{Slug: "city", Name: "City"}
	must(t, b.CreateSection(ctx, sec))
	const published = 10
	for i := range published {
		must(t, b.CreateArticle(ctx, &article.Article{Slug: fmt.Sprintf("story-%d", i), Headline: fmt.Sprintf("Story %d", i), Body: "Text.",
			Section: *sec, Status: article.Published, Language: "en", PublishedAt: time.Now()}))
	}
	// A worker of A claims five and dies before sending them.
	_, err := a.ClaimWebhooks(ctx, time.Now(), time.Second, 5)
	must(t, err)

	workers := func() (context.CancelFunc, *sync.WaitGroup) {
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for name, db := range map[string]*postgres.DB{"a": a, "b": b} {
			client := webhook.NewClient(outbound.Options{AllowPrivate: true})
			client.Transport = naming{name, client.Transport}
			w := &webhook.Worker{Queue: db, Client: client, Batch: 4, Conns: 2, Log: quiet()}
			wg.Go(func() { w.Run(ctx, 20*time.Millisecond) })
		}
		return cancel, &wg
	}
	cancel, wg := workers()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == queued+published {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d of %d messages", n, queued+published)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The receiver counts a message before its answer reaches the worker,
	// which then records the attempt: wait for the records too.
	for {
		list, err := a.WebhookDeliveries(ctx, e.ID, 0, 1000)
		must(t, err)
		done := 0
		for _, d := range list {
			if d.Status == webhook.Delivered {
				done++
			}
		}
		if done == queued+published {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries recorded as delivered", done, queued+published)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for id, n := range got {
		if n != 1 {
			t.Errorf("message %s delivered %d times", id, n)
		}
	}
	list, err := a.WebhookDeliveries(ctx, e.ID, 0, 1000)
	must(t, err)
	for _, d := range list {
		if d.Status != webhook.Delivered || len(d.Log) != 1 {
			t.Errorf("delivery %d: %s after %d attempts", d.ID, d.Status, len(d.Log))
		}
	}
	if len(list) != queued+published {
		t.Errorf("%d deliveries, want %d", len(list), queued+published)
	}
	if by["a"] == 0 || by["b"] == 0 {
		t.Errorf("delivered by instance: %v; want both to have taken turns", by)
	}
}

// naming marks each request with the instance that sent it.
type naming struct {
	name string
	next http.RoundTripper
}

func (n naming) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Instance", n.name)
	return n.next.RoundTrip(r)
}
