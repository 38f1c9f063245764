package webhook

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"broadsheet/internal/outbound"
)

// Queue is what delivering needs from storage.
type Queue interface {
	// ClaimWebhooks leases up to limit deliveries due at now to enabled
	// endpoints, the longest due first, until now+lease: no other worker
	// takes them meanwhile, and one that dies holding them leaves them
	// to others once the lease ends.
	ClaimWebhooks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Job, error)
	// RecordWebhookAttempt logs an attempt of job's delivery and, while
	// job's lease still holds it (no "send again" or other worker took it
	// since), leaves the delivery as o says, turning the endpoint off when
	// o.Disable says why.
	RecordWebhookAttempt(ctx context.Context, job Job, a Attempt, o Outcome) error
	// RefreshWebhookRoutes reads again which events some enabled endpoint
	// wants, for the writes that record events: an endpoint changed by
	// another instance is heard of at the next refresh.
	RefreshWebhookRoutes(ctx context.Context) error
	// PruneWebhooks deletes the messages created before before whose
	// deliveries are all delivered or failed, with their deliveries and
	// attempts, and returns how many.
	PruneWebhooks(ctx context.Context, before time.Time) (int, error)
}

// Job is a claimed delivery with what sending it needs.
type Job struct {
	Delivery Delivery
	// Lease is the claim: the delivery's lease as the claim set it.
	Lease    int64
	Endpoint Endpoint
	Message  Message
}

// Defaults of a Worker.
const (
	// DefaultTimeout bounds one attempt, from connecting to the last byte
	// read: the lower end of the specification's 15–30 seconds, since an
	// endpoint should answer at once and do its work afterwards.
	DefaultTimeout = 15 * time.Second
	DefaultConns   = 8
	// DefaultRetention is how long messages whose deliveries are all
	// done are kept, with their log, for the newsroom to show.
	DefaultRetention = 30 * 24 * time.Hour
	// ResponseExcerpt is how much of an answer's body the log keeps;
	// maxResponse how much is read at all.
	ResponseExcerpt = 500
	maxResponse     = 16 << 10
	DefaultBatch    = 100
	// lease is how long a claimed delivery is its worker's alone: longer
	// than any attempt may take (leaseMargin), so that a live worker never
	// loses one it is sending.
	lease       = 2 * time.Minute
	pruneEvery  = time.Hour
	userAgent   = "Broadsheet-Webhooks/1"
	contentType = "application/json"
)

// Worker delivers queued messages: it claims due deliveries, signs and
// POSTs each to its endpoint, and records the attempt and what it leaves
// the delivery as (Judge). Several workers — one per instance — may share
// a database: a delivery is claimed by one at a time.
type Worker struct {
	Queue Queue
	// Client sends the requests (NewClient); nil for one that refuses
	// internal addresses.
	Client *http.Client
	Log    *slog.Logger
	Now    func() time.Time
	// Timeout bounds one attempt (zero: DefaultTimeout).
	Timeout time.Duration
	// Conns is how many deliveries are sent at once (zero: DefaultConns).
	Conns int
	// Random is a number in [0, 1) for the jitter of retries.
	Random func() float64
	// Retention is how long finished messages are kept (zero:
	// DefaultRetention).
	Retention time.Duration
	// Batch is how many deliveries one round claims (zero: DefaultBatch).
	Batch int

	initOnce  sync.Once
	wake      chan struct{}
	lastPrune time.Time
}

// NewClient is the client deliveries go out through: connections to
// internal addresses refused unless o.AllowPrivate (checked when
// connecting, whatever the name resolved to), and redirects never
// followed — a 3xx answer is a failed attempt, as the specification
// advises, so no redirect can lead a delivery anywhere.
func NewClient(o outbound.Options) *http.Client {
	if o.ResponseHeaderTimeout <= 0 {
		o.ResponseHeaderTimeout = DefaultTimeout
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 5 * time.Second
	}
	if o.TLSHandshakeTimeout <= 0 {
		o.TLSHandshakeTimeout = 5 * time.Second
	}
	return &http.Client{Transport: outbound.Transport(o), CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

func (w *Worker) init() {
	w.initOnce.Do(func() {
		w.wake = make(chan struct{}, 1)
		if w.Client == nil {
			w.Client = NewClient(outbound.Options{})
		}
		if w.Log == nil {
			w.Log = slog.Default()
		}
		if w.Now == nil {
			w.Now = time.Now
		}
		if w.Random == nil {
			w.Random = rand.Float64
		}
		w.Timeout, w.Conns = cmp.Or(w.Timeout, DefaultTimeout), cmp.Or(w.Conns, DefaultConns)
		w.Retention, w.Batch = cmp.Or(w.Retention, DefaultRetention), cmp.Or(w.Batch, DefaultBatch)
	})
}

// Wake asks a running worker to look for due deliveries now rather than
// at its next tick.
func (w *Worker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends, every interval and whenever woken.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	w.init()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		busy, err := w.Step(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("webhooks", "err", err)
		}
		if now := w.Now(); now.Sub(w.lastPrune) >= pruneEvery {
			w.lastPrune = now
			if n, err := w.Queue.PruneWebhooks(ctx, now.Add(-w.Retention)); err != nil && ctx.Err() == nil {
				w.Log.Error("webhooks: prune", "err", err)
			} else if n > 0 {
				w.Log.Info("webhooks: pruned old messages", "messages", n)
			}
		}
		if busy && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// Step refreshes the routes of events, then claims and sends one batch
// of due deliveries, and reports whether more may be waiting.
func (w *Worker) Step(ctx context.Context) (busy bool, err error) {
	w.init()
	if err := w.Queue.RefreshWebhookRoutes(ctx); err != nil {
		return false, err
	}
	claimed := w.Now()
	jobs, err := w.Queue.ClaimWebhooks(ctx, claimed, lease, w.Batch)
	if err != nil || len(jobs) == 0 {
		return false, err
	}
	// No attempt starts that could outlast the lease.
	stop := claimed.Add(lease - w.Timeout - 5*time.Second)
	// One receiver cannot hold up the others: the batch is sent taking
	// each endpoint in turn, at most perEndpoint attempts to one endpoint
	// at a time, and an endpoint that gave no answer (a timeout, a refused
	// connection) is not tried again in this batch. Its other deliveries
	// keep their claim until the lease ends and go out in a later round,
	// no attempt counted.
	type gate struct {
		slots  chan struct{}
		silent atomic.Bool
	}
	gates := map[int64]*gate{}
	for _, j := range jobs {
		if gates[j.Endpoint.ID] == nil {
			gates[j.Endpoint.ID] = &gate{slots: make(chan struct{}, perEndpoint)}
		}
	}
	next := make(chan Job)
	var wg sync.WaitGroup
	for range min(w.Conns, len(jobs)) {
		wg.Go(func() {
			for j := range next {
				g := gates[j.Endpoint.ID]
				if ctx.Err() != nil || !w.Now().Before(stop) || g.silent.Load() {
					continue
				}
				g.slots <- struct{}{}
				if !g.silent.Load() && !w.deliver(ctx, j) {
					g.silent.Store(true)
				}
				<-g.slots
			}
		})
	}
	for _, j := range inTurn(jobs) {
		next <- j
	}
	close(next)
	wg.Wait()
	return len(jobs) == w.Batch, ctx.Err()
}

// perEndpoint is how many attempts go to one endpoint at once.
const perEndpoint = 2

// inTurn orders jobs taking each endpoint in turn, each endpoint's in
// the order claimed.
func inTurn(jobs []Job) []Job {
	var order []int64
	byEndpoint := map[int64][]Job{}
	for _, j := range jobs {
		id := j.Endpoint.ID
		if byEndpoint[id] == nil {
			order = append(order, id)
		}
		byEndpoint[id] = append(byEndpoint[id], j)
	}
	out := make([]Job, 0, len(jobs))
	for len(out) < len(jobs) {
		for _, id := range order {
			if q := byEndpoint[id]; len(q) > 0 {
				out = append(out, q[0])
				byEndpoint[id] = q[1:]
			}
		}
	}
	return out
}

// deliver makes one attempt of j and records it, and reports whether the
// endpoint answered at all.
func (w *Worker) deliver(ctx context.Context, j Job) (answered bool) {
	now := w.Now()
	a, retryAfter := w.attempt(ctx, j, now)
	if a.Status == 0 && ctx.Err() != nil {
		// Cut short by the site stopping, not by the endpoint: no failure
		// to count. The claim's lease ends and the delivery goes out again.
		return true
	}
	a.DeliveryID = j.Delivery.ID
	o := Judge(a, j.Delivery.Attempts+1, retryAfter, now, w.Random())
	// Recorded whole even if the site is stopping meanwhile.
	if err := w.Queue.RecordWebhookAttempt(context.WithoutCancel(ctx), j, a, o); err != nil {
		w.Log.Error("webhooks: record attempt", "delivery", j.Delivery.ID, "message", j.Message.ID, "err", err)
		return a.Status != 0
	}
	switch {
	case o.Disable != "":
		w.Log.Warn("webhooks: endpoint disabled", "endpoint", j.Endpoint.ID, "url", redact(j.Endpoint.URL), "why", o.Disable)
	case o.Status == Failed:
		w.Log.Warn("webhooks: delivery failed for good", "delivery", j.Delivery.ID, "message", j.Message.ID,
			"endpoint", j.Endpoint.ID, "status", a.Status, "err", a.Error)
	}
	return a.Status != 0
}

// attempt POSTs j's message, signed now, and says what came of it, and
// how long the answer asked to wait before another attempt.
func (w *Worker) attempt(ctx context.Context, j Job, now time.Time) (Attempt, time.Duration) {
	a := Attempt{At: now}
	ts := now.Unix()
	sig, err := SignatureHeader(j.Endpoint.Secrets(now), j.Message.ID, ts, j.Message.Payload)
	if err != nil {
		a.Error = "cannot sign: " + err.Error()
		return a, 0
	}
	ctx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.Endpoint.URL, bytes.NewReader(j.Message.Payload))
	if err != nil {
		a.Error = "not an address a request can be sent to"
		return a, 0
	}
	h := req.Header
	h.Set("Content-Type", contentType)
	h.Set("User-Agent", userAgent)
	h.Set("webhook-id", j.Message.ID)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", sig)
	start := time.Now()
	resp, err := w.Client.Do(req)
	if err != nil {
		a.Duration = time.Since(start)
		a.Error = w.describe(err)
		return a, 0
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	resp.Body.Close()
	a.Duration = time.Since(start)
	a.Status, a.Response = resp.StatusCode, Excerpt(body)
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		a.Error = "redirects are not followed"
		if loc := resp.Header.Get("Location"); loc != "" {
			a.Error += ": it led to " + Excerpt([]byte(redact(loc)))
		}
	}
	return a, RetryAfter(resp.Header.Get("Retry-After"), now)
}

// describe says why a request got no answer, without the address (the
// log names the endpoint) and in words an admin reads.
func (w *Worker) describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, outbound.ErrRefused):
		var oe *net.OpError
		if errors.As(err, &oe) {
			err = oe.Err // without "dial tcp" and the port
		}
		return err.Error() + " (--webhooks-allow-private allows it)"
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer within %s", w.Timeout)
	}
	return err.Error()
}

// Excerpt is the opening of an answer's body as the log keeps it: at most
// ResponseExcerpt bytes of valid UTF-8, control characters but line
// breaks and tabs shown as spaces.
func Excerpt(b []byte) string {
	if len(b) > ResponseExcerpt {
		b = b[:ResponseExcerpt] // a character cut in two becomes one U+FFFD
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// redact is an address without its user information, query and fragment,
// fit for a log.
func redact(addr string) string {
	u, err := url.Parse(addr)
	if err != nil {
		return "(an address that does not parse)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
