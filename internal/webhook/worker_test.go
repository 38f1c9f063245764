package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/errs"
	"broadsheet/internal/outbound"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/webhook"
)

// verifyFromSpec checks a delivery as the Standard Webhooks specification
// tells a receiver to, written here apart from the package's own signing:
// the HMAC-SHA256, keyed by the base64-decoded secret after "whsec_", of
// "webhook-id.webhook-timestamp.body", against each "v1," signature of
// the space-separated webhook-signature header.
func verifyFromSpec(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Fields(h.Get("webhook-signature")) {
		version, sig, _ := strings.Cut(s, ",")
		got, err := base64.StdEncoding.DecodeString(sig)
		if version == "v1" && err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no signature matches")
}

// received is one request a receiver got.
type received struct {
	Header http.Header
	Body   []byte
}

// receiver is a real HTTP endpoint on loopback that keeps what it gets and
// answers as answer says (204 when nil).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(w http.ResponseWriter, r *http.Request)
}

func newReceiver(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{Header: r.Header.Clone(), Body: body})
		answer := rc.answer
		rc.mu.Unlock()
		if answer == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		answer(w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func (rc *receiver) answerWith(answer func(w http.ResponseWriter, r *http.Request)) {
	rc.mu.Lock()
	rc.answer = answer
	rc.mu.Unlock()
}

// fixture is a site's webhooks on a real SQLite database, with a clock the
// test moves.
type fixture struct {
	t      *testing.T
	db     *sqlite.DB
	svc    *webhook.Service
	worker *webhook.Worker
	admin  *account.User
	mu     sync.Mutex
	clock  time.Time
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newFixture opens a site; allowPrivate is --webhooks-allow-private.
func newFixture(t *testing.T, allowPrivate bool) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{t: t, db: db, clock: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	db.SetClock(f.now)
	site := webhook.Site{BaseURL: "https://news.example.org"}
	db.SetWebhookSite(site)
	f.svc = webhook.NewService(db, webhook.Config{Site: site, AllowPrivate: allowPrivate, Now: f.now, Log: quiet()})
	f.worker = &webhook.Worker{Queue: db, Client: webhook.NewClient(outbound.Options{AllowPrivate: allowPrivate}), Now: f.now,
		Random: func() float64 { return 0.5 }, Timeout: 3 * time.Second, Log: quiet()}
	f.admin = &account.User{Email: "admin@courier.example", Name: "Ada Admin", Role: account.Admin, PasswordHash: "x"}
	if err := db.CreateUser(ctx, f.admin); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.clock = f.clock.Add(d)
	f.mu.Unlock()
}

// step lets the worker send everything due now.
func (f *fixture) step() {
	f.t.Helper()
	for {
		busy, err := f.worker.Step(context.Background())
		if err != nil {
			f.t.Fatal(err)
		}
		if !busy {
			return
		}
	}
}

// endpoint registers an endpoint at url wanting every event.
func (f *fixture) endpoint(url string) *webhook.Endpoint {
	f.t.Helper()
	e, err := f.svc.Create(context.Background(), f.admin, webhook.Input{URL: url, Events: webhook.Types, Enabled: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

// deliveries are endpoint id's deliveries, newest first, with their log.
func (f *fixture) deliveries(id int64) []webhook.Delivery {
	f.t.Helper()
	list, err := f.svc.Deliveries(context.Background(), f.admin, id, 0, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func (f *fixture) sendTest(id int64) webhook.Message {
	f.t.Helper()
	m, err := f.svc.SendTest(context.Background(), f.admin, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// A delivery is a POST of the message's JSON with the three headers of the
// specification, whose signature a receiver written from the
// specification verifies.
func TestDeliveryIsSignedAsTheSpecificationSays(t *testing.T) {
	f := newFixture(t, true)
	rc := newReceiver(t, nil)
	e := f.endpoint(rc.URL + "/hooks")
	if !strings.HasPrefix(e.Secret, "whsec_") {
		t.Fatalf("secret %q", e.Secret)
	}
	m := f.sendTest(e.ID)
	f.step()
	got := rc.requests()
	if len(got) != 1 {
		t.Fatalf("the receiver got %d requests, want 1", len(got))
	}
	h, body := got[0].Header, got[0].Body
	if h.Get("webhook-id") != m.ID || !strings.HasPrefix(m.ID, "msg_") || h.Get("webhook-timestamp") != strconv.FormatInt(f.now().Unix(), 10) ||
		h.Get("Content-Type") != "application/json" || string(body) != string(m.Payload) {
		t.Errorf("headers %v, body %s; want id %s", h, body, m.ID)
	}
	if err := verifyFromSpec(e.Secret, h, body); err != nil {
		t.Errorf("the signature %q does not verify: %v", h.Get("webhook-signature"), err)
	}
	if err := verifyFromSpec(webhook.NewSecret(), h, body); err == nil {
		t.Error("another secret verifies it too")
	}
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-2] ^= 1
	if err := verifyFromSpec(e.Secret, h, tampered); err == nil {
		t.Error("a changed body verifies")
	}
	var env struct {
		Type, Timestamp string
		Data            webhook.TestData
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Type != "webhook.test" || env.Timestamp != "2026-06-01T12:00:00Z" ||
		env.Data.EndpointID != e.ID || env.Data.Site != "https://news.example.org/" {
		t.Errorf("body %s: %+v, %v", body, env, err)
	}
	d := f.deliveries(e.ID)
	if len(d) != 1 || d[0].Status != webhook.Delivered || d[0].Attempts != 1 || len(d[0].Log) != 1 || d[0].Log[0].Status != 204 {
		t.Errorf("delivery %+v", d)
	}
}

// A failing endpoint gets the same message, with the same webhook-id, at
// each step of the schedule, each attempt with its own timestamp and
// signature; after the last it is a dead letter, and "send again" sends
// the same message once more.
func TestRetriesKeepTheIDUntilDeadLetter(t *testing.T) {
	f := newFixture(t, true)
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "down for maintenance")
	})
	e := f.endpoint(rc.URL)
	m := f.sendTest(e.ID)
	var times []time.Time
	for i := range webhook.MaxAttempts {
		f.step()
		times = append(times, f.now())
		if i < len(webhook.Schedule) {
			// A moment before the next step nothing is sent.
			f.advance(webhook.Schedule[i] - time.Second)
			f.step()
			if n := len(rc.requests()); n != i+1 {
				t.Fatalf("before the wait after attempt %d ended: %d requests", i+1, n)
			}
			f.advance(time.Second)
		}
	}
	got := rc.requests()
	if len(got) != webhook.MaxAttempts {
		t.Fatalf("%d requests, want %d", len(got), webhook.MaxAttempts)
	}
	sigs := map[string]bool{}
	for i, r := range got {
		if r.Header.Get("webhook-id") != m.ID || r.Header.Get("webhook-timestamp") != strconv.FormatInt(times[i].Unix(), 10) {
			t.Errorf("attempt %d: id %s at %s, want %s at %d", i+1, r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), m.ID, times[i].Unix())
		}
		if err := verifyFromSpec(e.Secret, r.Header, r.Body); err != nil || string(r.Body) != string(m.Payload) {
			t.Errorf("attempt %d: %v", i+1, err)
		}
		sigs[r.Header.Get("webhook-signature")] = true
	}
	if len(sigs) != len(got) {
		t.Errorf("%d distinct signatures for %d attempts at distinct times", len(sigs), len(got))
	}
	if span := times[len(times)-1].Sub(times[0]); span != 27*time.Hour+35*time.Minute+5*time.Second {
		t.Errorf("the attempts span %s", span)
	}
	d := f.deliveries(e.ID)
	if d[0].Status != webhook.Failed || d[0].Attempts != webhook.MaxAttempts || len(d[0].Log) != webhook.MaxAttempts ||
		d[0].Log[0].Status != 503 || d[0].Log[0].Response != "down for maintenance" {
		t.Fatalf("after the last attempt: %+v", d[0])
	}
	f.advance(48 * time.Hour)
	f.step()
	if n := len(rc.requests()); n != webhook.MaxAttempts {
		t.Fatalf("a dead letter was sent again by itself: %d requests", n)
	}

	// The receiver is mended; "send again" sends the same message.
	rc.answerWith(nil)
	if err := f.svc.Resend(context.Background(), f.admin, e.ID, d[0].ID); err != nil {
		t.Fatal(err)
	}
	f.step()
	got = rc.requests()
	if len(got) != webhook.MaxAttempts+1 || got[len(got)-1].Header.Get("webhook-id") != m.ID || string(got[len(got)-1].Body) != string(m.Payload) {
		t.Fatalf("sent again: %d requests, the last %v", len(got), got[len(got)-1].Header)
	}
	if d := f.deliveries(e.ID); d[0].Status != webhook.Delivered || len(d[0].Log) != webhook.MaxAttempts+1 {
		t.Errorf("after sending again: %+v", d[0])
	}
}

// 410 Gone says the receiver wants nothing more: the endpoint is turned
// off, and nothing is sent to it until an admin turns it on.
func TestGoneDisablesTheEndpoint(t *testing.T) {
	f := newFixture(t, true)
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	e := f.endpoint(rc.URL)
	f.sendTest(e.ID)
	f.step()
	got, err := f.svc.Endpoint(context.Background(), f.admin, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Enabled || !strings.Contains(got.DisabledReason, "410 Gone") {
		t.Errorf("after a 410: enabled %v, reason %q", got.Enabled, got.DisabledReason)
	}
	if d := f.deliveries(e.ID); d[0].Status != webhook.Failed {
		t.Errorf("the delivery: %+v", d[0])
	}
	if _, err := f.svc.SendTest(context.Background(), f.admin, e.ID); errs.KindOf(err) != errs.Invalid {
		t.Errorf("a test to a disabled endpoint: %v, want it refused", err)
	}
}

// Redirects are never followed: a 3xx is a failed attempt, and the
// address it names is not asked, wherever it is.
func TestRedirectsAreNotFollowed(t *testing.T) {
	f := newFixture(t, true)
	target := newReceiver(t, nil)
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusTemporaryRedirect)
	})
	e := f.endpoint(rc.URL)
	f.sendTest(e.ID)
	f.step()
	if n := len(target.requests()); n != 0 {
		t.Errorf("the redirect's target got %d requests", n)
	}
	d := f.deliveries(e.ID)
	if len(d[0].Log) != 1 || d[0].Log[0].Status != 307 || !strings.Contains(d[0].Log[0].Error, "redirects are not followed") ||
		!strings.Contains(d[0].Log[0].Error, target.URL+"/elsewhere") || d[0].Status != webhook.Queued {
		t.Errorf("after a redirect: %+v", d[0])
	}

	// Without --webhooks-allow-private, an endpoint the site may reach
	// (127.0.0.2, allowed by name here as a public address would be) that
	// redirects inside leads nowhere either.
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skip(err)
	}
	_, port, _ := net.SplitHostPort(target.Listener.Addr().String())
	redirector := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := "http://localhost:" + port + "/elsewhere"
		if r.URL.Path == "/metadata" {
			to = "http://169.254.169.254/latest/meta-data/"
		}
		http.Redirect(w, r, to, http.StatusFound)
	}))
	redirector.Listener.Close()
	redirector.Listener = ln
	redirector.Start()
	defer redirector.Close()
	f = newFixture(t, false)
	f.worker.Client = webhook.NewClient(outbound.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}})
	for _, path := range []string{"/loopback", "/metadata"} {
		e := &webhook.Endpoint{URL: redirector.URL + path, Events: []string{webhook.ArticlePublished}, Enabled: true, Secret: webhook.NewSecret()}
		must(t, f.db.CreateWebhookEndpoint(context.Background(), e))
		f.sendTest(e.ID)
		f.step()
		if d := f.deliveries(e.ID); len(d[0].Log) != 1 || d[0].Log[0].Status != http.StatusFound || !strings.Contains(d[0].Log[0].Error, "redirects are not followed") {
			t.Errorf("a redirect from %s: %+v", path, d[0].Log)
		}
	}
	if n := len(target.requests()); n != 0 {
		t.Errorf("the server inside got %d requests", n)
	}
}

// Without --webhooks-allow-private, nothing inside a network is reached:
// the form refuses such an address, and the connection is refused when it
// is made, whatever the address — a name resolving to loopback, an IPv6
// or IPv4-mapped spelling, a private network, the clouds' metadata
// service.
func TestInternalAddressesAreRefused(t *testing.T) {
	f := newFixture(t, false)
	rc := newReceiver(t, nil)
	_, port, _ := net.SplitHostPort(rc.Listener.Addr().String())
	for _, url := range []string{rc.URL, "http://localhost:" + port + "/", "http://[::1]:" + port + "/", "http://10.1.2.3/", "http://169.254.169.254/latest"} {
		_, err := f.svc.Create(context.Background(), f.admin, webhook.Input{URL: url, Events: []string{webhook.ArticlePublished}, Enabled: true})
		var inv *errs.InvalidError
		if !errors.As(err, &inv) || !inv.Has("url") || !strings.Contains(err.Error(), "--webhooks-allow-private") {
			t.Errorf("registering %s: %v, want it refused", url, err)
		}
	}
	// Stored by another way (a name that resolves inside, say), each is
	// refused when the worker connects.
	urls := []string{rc.URL, "http://localhost:" + port + "/", "http://[::1]:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/",
		"http://10.1.2.3:" + port + "/", "http://169.254.169.254/latest/meta-data/"}
	var ids []int64
	for _, url := range urls {
		e := &webhook.Endpoint{URL: url, Events: []string{webhook.ArticlePublished}, Enabled: true, Secret: webhook.NewSecret()}
		if err := f.db.CreateWebhookEndpoint(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		f.sendTest(e.ID)
		ids = append(ids, e.ID)
	}
	f.step()
	if n := len(rc.requests()); n != 0 {
		t.Errorf("the receiver on loopback got %d requests", n)
	}
	for i, id := range ids {
		d := f.deliveries(id)
		if len(d[0].Log) != 1 || !strings.Contains(d[0].Log[0].Error, "refused to connect to an internal address") || d[0].Log[0].Status != 0 {
			t.Errorf("%s: %+v, want the connection refused", urls[i], d[0].Log)
		}
	}
}

// After a rotation both secrets sign for a day, so a receiver can change
// over; then the new one alone.
func TestRotatedSecretSignsBesideTheNewOne(t *testing.T) {
	f := newFixture(t, true)
	rc := newReceiver(t, nil)
	old := f.endpoint(rc.URL)
	e, err := f.svc.Rotate(context.Background(), f.admin, old.ID)
	if err != nil || e.Secret == old.Secret || e.OldSecret != old.Secret {
		t.Fatalf("rotate: %+v, %v", e, err)
	}
	f.sendTest(e.ID)
	f.step()
	f.advance(webhook.RotationOverlap)
	f.sendTest(e.ID)
	f.step()
	got := rc.requests()
	if len(got) != 2 {
		t.Fatalf("%d requests", len(got))
	}
	if n := len(strings.Fields(got[0].Header.Get("webhook-signature"))); n != 2 {
		t.Errorf("during the overlap %d signatures, want 2", n)
	}
	for _, secret := range []string{old.Secret, e.Secret} {
		if err := verifyFromSpec(secret, got[0].Header, got[0].Body); err != nil {
			t.Errorf("during the overlap: %v", err)
		}
	}
	if err := verifyFromSpec(e.Secret, got[1].Header, got[1].Body); err != nil {
		t.Errorf("after the overlap, the new secret: %v", err)
	}
	if err := verifyFromSpec(old.Secret, got[1].Header, got[1].Body); err == nil {
		t.Error("after the overlap the old secret still signs")
	}
}

// An answer's body is read to a small cap and kept shorter still; an
// endpoint that does not answer in time fails the attempt.
func TestAnswersAreCappedAndTimed(t *testing.T) {
	f := newFixture(t, true)
	f.worker.Timeout = 300 * time.Millisecond
	big := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for range 1024 {
			w.Write([]byte(strings.Repeat("x", 1023) + "\n"))
		}
	})
	slow := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	eb, es := f.endpoint(big.URL), f.endpoint(slow.URL)
	f.sendTest(eb.ID)
	f.sendTest(es.ID)
	start := time.Now()
	f.step()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the step took %s", took)
	}
	if d := f.deliveries(eb.ID); d[0].Status != webhook.Delivered || len(d[0].Log[0].Response) > webhook.ResponseExcerpt {
		t.Errorf("a long answer: %s, %d bytes kept", d[0].Status, len(d[0].Log[0].Response))
	}
	if d := f.deliveries(es.ID); d[0].Status != webhook.Queued || d[0].Log[0].Error != "no answer within 300ms" {
		t.Errorf("no answer: %+v", d[0].Log)
	}
}

// What an admin types is checked, every problem at once; only admins
// manage webhooks; every change is in the audit log, never the secret.
func TestServiceChecksAndAudits(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	for _, tt := range []struct {
		in     webhook.Input
		fields []string
	}{
		{webhook.Input{URL: "ftp://hooks.example.org/", Events: []string{webhook.ArticlePublished}}, []string{"url"}},
		{webhook.Input{URL: "https://user:pw@hooks.example.org/", Events: []string{webhook.ArticlePublished}}, []string{"url"}},
		{webhook.Input{URL: "hooks.example.org/in", Events: []string{webhook.ArticlePublished}}, []string{"url"}},
		{webhook.Input{URL: "https://hooks.example.org/" + strings.Repeat("a", webhook.MaxURL)}, []string{"url", "events"}},
		{webhook.Input{URL: "https://hooks.example.org/", Events: []string{"article.deleted"}}, []string{"events"}},
		{webhook.Input{URL: "https://hooks.example.org/", Events: []string{webhook.Test}}, []string{"events"}},
		{webhook.Input{URL: "https://hooks.example.org/", Description: strings.Repeat("d", webhook.MaxDescription+1),
			Events: []string{webhook.ArticlePublished}}, []string{"description"}},
	} {
		_, err := f.svc.Create(ctx, f.admin, tt.in)
		var inv *errs.InvalidError
		if !errors.As(err, &inv) {
			t.Errorf("%+v: %v, want invalid", tt.in, err)
			continue
		}
		for _, field := range tt.fields {
			if !inv.Has(field) {
				t.Errorf("%+v: %v, want a problem with %s", tt.in, err, field)
			}
		}
	}
	editor := &account.User{ID: f.admin.ID, Role: account.Editor}
	if _, err := f.svc.Create(ctx, editor, webhook.Input{URL: "https://hooks.example.org/", Events: webhook.Types}); !errors.Is(err, errs.Forbidden) {
		t.Errorf("an editor registering an endpoint: %v", err)
	}
	if _, err := f.svc.Endpoints(ctx, editor); !errors.Is(err, errs.Forbidden) {
		t.Errorf("an editor listing endpoints: %v", err)
	}
	e, err := f.svc.Create(ctx, f.admin, webhook.Input{URL: " https://hooks.example.org/in?token=receiver-secret ", Description: "CDN purge",
		Events: []string{webhook.ArticleUpdated, webhook.ArticlePublished, webhook.ArticleUpdated}, Enabled: true})
	if err != nil || e.URL != "https://hooks.example.org/in?token=receiver-secret" || strings.Join(e.Events, " ") != "article.published article.updated" {
		t.Fatalf("created %+v, %v", e, err)
	}
	if _, err := f.svc.Update(ctx, f.admin, e.ID, webhook.Input{URL: e.URL, Events: []string{webhook.CommentCreated}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Rotate(ctx, f.admin, e.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Delete(ctx, f.admin, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Endpoint(ctx, f.admin, e.ID); !errors.Is(err, errs.NotFound) {
		t.Errorf("a deleted endpoint: %v", err)
	}
	log, err := f.db.AuditLog(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, entry := range log {
		actions = append(actions, entry.Action)
		if strings.Contains(entry.Detail, "whsec_") || strings.Contains(entry.Detail, "receiver-secret") || entry.ObjectID != e.ID || entry.UserID != f.admin.ID {
			t.Errorf("audit entry %+v", entry)
		}
	}
	if got := strings.Join(actions, " "); got != "webhook.delete webhook.rotate webhook.update webhook.create" {
		t.Errorf("audit log: %s", got)
	}
}

// An attempt cut short because the site stops is not the endpoint's
// failure: nothing is counted, and the delivery waits for the next run.
func TestStoppingCountsNoFailure(t *testing.T) {
	f := newFixture(t, true)
	arrived := make(chan struct{})
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	e := f.endpoint(rc.URL)
	f.sendTest(e.ID)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := f.worker.Step(ctx)
		done <- err
	}()
	<-arrived
	stop()
	<-done
	d := f.deliveries(e.ID)
	if d[0].Status != webhook.Queued || d[0].Attempts != 0 || len(d[0].Log) != 0 {
		t.Errorf("after stopping mid-attempt: %+v", d[0])
	}
}

// A receiver that does not answer holds up nobody else: in a round the
// others' deliveries all go out, the silent one gets no more than its
// share of attempts, and what it was not sent waits, no attempt counted.
func TestSilentEndpointHoldsUpNobody(t *testing.T) {
	f := newFixture(t, true)
	f.worker.Timeout, f.worker.Conns = 300*time.Millisecond, 4
	var inFlight, most atomic.Int32
	silent := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-r.Context().Done()
	})
	fast := newReceiver(t, nil)
	es, ef := f.endpoint(silent.URL), f.endpoint(fast.URL)
	for range 12 {
		f.sendTest(es.ID)
	}
	for range 12 {
		f.sendTest(ef.ID)
	}
	start := time.Now()
	if _, err := f.worker.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the round took %s: the silent receiver held it up", took)
	}
	if got := len(fast.requests()); got != 12 {
		t.Errorf("the answering receiver got %d deliveries in the round, want 12", got)
	}
	tried := 0
	for _, d := range f.deliveries(es.ID) {
		tried += d.Attempts
		if d.Status != webhook.Queued {
			t.Errorf("delivery %d to the silent receiver is %s, want queued", d.ID, d.Status)
		}
	}
	if tried == 0 || tried > 2 || most.Load() > 2 {
		t.Errorf("the silent receiver: %d attempts counted, %d at once; want 1 or 2, at most 2 at once", tried, most.Load())
	}
}
