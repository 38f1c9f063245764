package postgres

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/mail"
	"broadsheet/internal/mail/mailtest"
	"broadsheet/internal/subscription"
	"broadsheet/internal/web"
)

// What the web server and the mail worker need beyond the conformance
// suite, checked at compile time.
var (
	_ web.Store          = (*DB)(nil)
	_ mail.Outbox        = (*DB)(nil)
	_ mail.Admin         = (*DB)(nil)
	_ subscription.Store = (*DB)(nil)
	_ subscription.Admin = (*DB)(nil)
	_ mail.Source        = (*DB)(nil)
)

// The suite has no mail: these tests run the real worker against a real
// SMTP server in the test, as internal/mail's do on SQLite.
type mailFixture struct {
	t      *testing.T
	db     *DB
	clock  time.Time
	worker *mail.Worker
	smtp   *mailtest.Server
	sec    article.Section
}

func newMailFixture(t *testing.T) *mailFixture {
	t.Helper()
	db := openTemp(t)
	f := &mailFixture{t: t, db: db, clock: time.Now().UTC().Truncate(time.Second), smtp: mailtest.Start(t)}
	db.SetClock(func() time.Time { return f.clock })
	links := subscription.Links{Key: []byte("a signing key of at least thirty-two bytes"), Now: func() time.Time { return f.clock }}
	letters, err := mail.NewLetters(db, "https://news.example.org", links)
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mail.ParseSMTP(f.smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	f.worker = &mail.Worker{Outbox: db, Letters: letters, SMTP: sender, From: "The Courier <news@courier.example>",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return f.clock }}
	f.sec = article.Section{Slug: "city", Name: "City"}
	if err := db.CreateSection(context.Background(), &f.sec); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *mailFixture) subscribe(email string, scope subscription.Scope, freq subscription.Frequency) {
	f.t.Helper()
	ctx := context.Background()
	out, err := f.db.Subscribe(ctx, subscription.Request{Email: email, Scope: scope, Frequency: freq, Nonce: "nonce-" + email, Label: "news"})
	if err != nil {
		f.t.Fatalf("Subscribe(%s) = %v, %v", email, out, err)
	}
	if out != subscription.Confirming {
		return
	}
	s, err := f.db.SubscriberByEmail(ctx, email)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.db.Confirm(ctx, s.Subs[len(s.Subs)-1].ID, "nonce-"+email); err != nil {
		f.t.Fatal(err)
	}
}

func (f *mailFixture) publish(headline string) *article.Article {
	f.t.Helper()
	a := &article.Article{Slug: strings.ToLower(strings.ReplaceAll(headline, " ", "-")), Headline: headline, Standfirst: "What happened, in a sentence.",
		Body: "The " + strings.ToLower(headline) + " was reported.", Section: f.sec, Status: article.Published, Language: "en", PublishedAt: f.clock}
	if err := f.db.CreateArticle(context.Background(), a); err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *mailFixture) run() {
	f.t.Helper()
	for range 20 {
		busy, err := f.worker.Step(context.Background())
		if err != nil {
			f.t.Fatal(err)
		}
		if !busy {
			return
		}
	}
}

func (f *mailFixture) status() map[mail.Status]int {
	f.t.Helper()
	counts, err := f.db.OutboxCounts(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return counts
}

var site = subscription.Scope{Kind: subscription.Site}

// Whatever the server does, each message arrives exactly once.
func TestMailArrivesOnceThroughRefusals(t *testing.T) {
	f := newMailFixture(t)
	readers := []string{"ana@example.org", "bo@example.net", "cy@example.com"}
	for _, r := range readers {
		f.subscribe(r, site, subscription.Immediate)
	}
	f.run()
	f.smtp.Wait(t, 3, 5*time.Second)
	a := f.publish("Harbour wall gives way")
	for _, fault := range []struct {
		stage string
		fault mailtest.Fault
	}{
		{"rcpt", mailtest.Fault{Code: 451}},
		{"data", mailtest.Fault{Code: 554}},
		{"mail", mailtest.Fault{Drop: true}},
	} {
		f.smtp.Fail(fault.stage, fault.fault)
		f.run()
		f.smtp.Heal()
		if c := f.status(); c[mail.Queued] != 3 || c[mail.Sent] != 3 {
			t.Fatalf("after a fault at %s: outbox %v, want 3 queued and 3 sent", fault.stage, c)
		}
		f.clock = f.clock.Add(6 * time.Hour)
	}
	f.run()
	f.smtp.Wait(t, 6, 5*time.Second)
	for _, r := range readers {
		n := 0
		for _, m := range f.smtp.To(r) {
			if m.Header.Get("Subject") == a.Headline {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s received the article %d times, want once", r, n)
		}
	}
	if c := f.status(); c[mail.Sent] != 6 || c[mail.Queued] != 0 {
		t.Errorf("outbox %v, want 6 sent", c)
	}
}

// Unsubscribed readers get nothing more; a withdrawn article is cancelled.
func TestMailOnlyToWhoStillWantsIt(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	for _, r := range []string{"ana@example.org", "BO@example.net"} {
		f.subscribe(r, site, subscription.Immediate)
	}
	f.run()
	f.smtp.Wait(t, 2, 5*time.Second)
	bo, err := f.db.SubscriberByEmail(ctx, "bo@EXAMPLE.net") // addresses ignore case
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.Unsubscribe(ctx, bo.ID, 0); err != nil {
		t.Fatal(err)
	}
	f.publish("Ferry timetable")
	f.run()
	f.smtp.Wait(t, 3, 5*time.Second)
	if n := len(f.smtp.To("BO@example.net")); n != 1 {
		t.Errorf("bo, unsubscribed, received %d mails, want only the confirmation", n)
	}
	f.worker.SMTP = nil
	b := f.publish("Withdrawn story")
	f.run()
	b.Status = article.Unpublished
	if err := f.db.UpdateArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	f.worker.SMTP, _ = mail.ParseSMTP(f.smtp.URL())
	f.run()
	if n := len(f.smtp.Messages()); n != 3 {
		t.Errorf("%d messages, want 3", n)
	}
	if c := f.status(); c[mail.Cancelled] != 1 {
		t.Errorf("outbox %v, want the withdrawn article's mail cancelled", c)
	}
}

// A public reply mails the parent's author and the discussion's followers,
// never the reply's own author.
func TestCommentFanout(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	a := f.publish("Bridge closes")
	f.subscribe("follower@example.org", subscription.Scope{Kind: subscription.Article, ID: a.ID}, subscription.Immediate)
	f.subscribe("replier@example.org", subscription.Scope{Kind: subscription.Article, ID: a.ID}, subscription.Immediate)
	parent := &comment.Comment{ArticleID: a.ID, Name: "Ana", Email: "ana@example.org", Body: "First.", Status: comment.Approved, Notify: true, Key: "k1"}
	if err := f.db.CreateComment(ctx, parent); err != nil {
		t.Fatal(err)
	}
	reply := &comment.Comment{ArticleID: a.ID, ParentID: parent.ID, Name: "Re", Email: "Replier@example.org", Body: "Second.", Status: comment.Pending, Key: "k2"}
	if err := f.db.CreateComment(ctx, reply); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetCommentStatus(ctx, []int64{reply.ID}, comment.Approved); err != nil {
		t.Fatal(err)
	}
	for more := true; more; {
		var err error
		if more, err = f.db.ExpandFanouts(ctx, f.clock, 1); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := f.db.OutboxList(ctx, mail.Queued, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	// Who was mailed about the reply.
	got := map[string][]mail.Kind{}
	for _, m := range msgs {
		if m.ObjectID == reply.ID {
			got[strings.ToLower(m.To)] = append(got[strings.ToLower(m.To)], m.Kind)
		}
	}
	if !slices.Contains(got["ana@example.org"], mail.Reply) {
		t.Errorf("parent's author got %v, want a reply notification", got["ana@example.org"])
	}
	if !slices.Contains(got["follower@example.org"], mail.Comment) {
		t.Errorf("follower got %v, want the comment", got["follower@example.org"])
	}
	if slices.Contains(got["replier@example.org"], mail.Comment) {
		t.Errorf("the reply's own author was mailed it: %v", got["replier@example.org"])
	}
	if err := f.db.StopReplies(ctx, parent.ID); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.db.CommentByID(ctx, parent.ID); c.Notify {
		t.Error("StopReplies left notify on")
	}
}

// Daily subscribers get one digest naming their scopes; editors get one
// moderation notice for the comments held since the last.
func TestDigestAndModerationNotice(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	f.subscribe("daily@example.org", site, subscription.Daily)
	f.subscribe("daily@example.org", subscription.Scope{Kind: subscription.Section, ID: f.sec.ID}, subscription.Daily)
	f.subscribe("now@example.org", site, subscription.Immediate)
	for range 2 {
		if err := f.db.QueueDigest(ctx, 20260301, f.clock); err != nil {
			t.Fatal(err)
		}
	}
	for more := true; more; {
		var err error
		if more, err = f.db.ExpandFanouts(ctx, f.clock, 10); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := f.db.OutboxList(ctx, mail.Queued, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var digests []mail.Message
	for _, m := range msgs {
		if m.Kind == mail.Digest {
			digests = append(digests, m)
		}
	}
	if len(digests) != 1 || digests[0].To != "daily@example.org" || !strings.Contains(digests[0].Data, "site:0") ||
		!strings.Contains(digests[0].Data, "section:") || strings.Count(strings.Fields(digests[0].Data)[0], ",") != 1 {
		t.Errorf("digests = %+v, want one to daily@ naming two subscriptions and both scopes", digests)
	}

	a := f.publish("Quay reopens")
	for _, u := range []account.User{
		{Email: "ed@example.org", Name: "Ed", Role: account.Editor},
		{Email: "off@example.org", Name: "Off", Role: account.Editor, Disabled: true},
	} {
		if err := f.db.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"h1", "h2"} {
		c := &comment.Comment{ArticleID: a.ID, Name: "X", Body: "held " + key, Status: comment.Pending, Key: key}
		if err := f.db.CreateComment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	n, err := f.db.QueueModerationNotice(ctx, f.clock, time.Hour)
	if err != nil || n != 2 {
		t.Fatalf("QueueModerationNotice = %d, %v; want 2", n, err)
	}
	if n, err := f.db.QueueModerationNotice(ctx, f.clock.Add(2*time.Hour), time.Hour); err != nil || n != 0 {
		t.Errorf("again with nothing new = %d, %v; want 0", n, err)
	}
	msgs, _ = f.db.OutboxList(ctx, mail.Queued, 0, 100)
	var notices []string
	for _, m := range msgs {
		if m.Kind == mail.Moderation {
			notices = append(notices, m.To)
		}
	}
	if len(notices) != 1 || notices[0] != "ed@example.org" {
		t.Errorf("moderation notices to %v, want the enabled editor only", notices)
	}
}

// Two instances claiming at once never get the same message; MarkSent
// calls then before it returns; Requeue, Cancel and Retry move messages.
func TestClaimAndOutboxAdmin(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	var msgs []mail.Message
	for i := range 60 {
		msgs = append(msgs, mail.Message{Key: mail.KeyID("r@example.org", mail.Article, int64(i)), To: "r@example.org", Kind: mail.Article, ObjectID: int64(i)})
	}
	if err := db.Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(ctx, msgs[0]); err != nil { // a key already queued is skipped
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for {
				got, err := db.Claim(ctx, now, time.Minute, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 60 {
		t.Errorf("claimed %d distinct messages, want 60", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %d claimed %d times", id, n)
		}
	}
	list, err := db.OutboxList(ctx, mail.Queued, 0, 100)
	if err != nil || len(list) != 60 {
		t.Fatalf("OutboxList = %d, %v", len(list), err)
	}
	first, second, third := list[0].ID, list[1].ID, list[2].ID
	called := false
	if err := db.MarkSent(ctx, first, now, func() { called = true }); err != nil || !called {
		t.Errorf("MarkSent = %v, then called %v", err, called)
	}
	if err := db.Requeue(ctx, second, 9, now, strings.Repeat("x", 2000), true); err != nil {
		t.Fatal(err)
	}
	if err := db.Cancel(ctx, third, "gone"); err != nil {
		t.Fatal(err)
	}
	m, err := db.OutboxMessage(ctx, second)
	if err != nil || m.Status != mail.Failed || len(m.LastError) != 1000 || m.Attempts != 9 {
		t.Errorf("requeued message = %+v, %v", m, err)
	}
	if _, err := db.OutboxMessage(ctx, 999999); err == nil {
		t.Error("missing message: no error")
	}
	if n, err := db.Retry(ctx, 0, now); err != nil || n != 1 {
		t.Errorf("Retry(all failed) = %d, %v; want 1", n, err)
	}
	if n, err := db.Retry(ctx, third, now); err != nil || n != 1 {
		t.Errorf("Retry(cancelled) = %d, %v; want 1", n, err)
	}
	c, _ := db.OutboxCounts(ctx)
	if c[mail.Sent] != 1 || c[mail.Queued] != 59 {
		t.Errorf("counts = %v", c)
	}
}

// The subscribers admin: stats, a case-blind search, import, erase.
func TestSubscriberAdmin(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	f.subscribe("ana@example.org", site, subscription.Immediate)
	if _, err := f.db.Subscribe(ctx, subscription.Request{Email: "pending@example.org", Scope: site, Frequency: subscription.Immediate, Nonce: "n"}); err != nil {
		t.Fatal(err)
	}
	added, err := f.db.ImportSubscribers(ctx, []subscription.Import{
		{Email: "imp@example.org", Scope: site, Consent: "import"},
		{Email: "ANA@example.org", Scope: site},
		{Email: "imp@example.org", Scope: subscription.Scope{Kind: subscription.Section, ID: f.sec.ID}},
	})
	if err != nil || added != 2 {
		t.Errorf("ImportSubscribers = %d, %v; want 2", added, err)
	}
	st, err := f.db.SubscriberStats(ctx)
	if err != nil || st.Subscribers != 3 || st.Confirmed != 2 || st.ByScope[site] != 2 {
		t.Errorf("SubscriberStats = %+v, %v", st, err)
	}
	list, err := f.db.Subscribers(ctx, subscription.Query{Search: "IMP"})
	if err != nil || len(list) != 1 || len(list[0].Subs) != 2 {
		t.Errorf("Subscribers(IMP) = %+v, %v", list, err)
	}
	s, _ := f.db.SubscriberByEmail(ctx, "imp@example.org")
	if err := f.db.SetFrequency(ctx, s.ID, s.Subs[0].ID, subscription.Daily); err != nil {
		t.Error(err)
	}
	if err := f.db.Unsubscribe(ctx, s.ID, s.Subs[0].ID); err != nil {
		t.Error(err)
	}
	if found, err := f.db.EraseSubscriber(ctx, "Ana@Example.org"); err != nil || !found {
		t.Errorf("EraseSubscriber = %v, %v", found, err)
	}
	if _, err := f.db.SubscriberByEmail(ctx, "ana@example.org"); err == nil {
		t.Error("erased subscriber still found")
	}
}
