package mail_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	bmail "broadsheet/internal/mail"
	"broadsheet/internal/mail/mailtest"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/subscription"
)

type fixture struct {
	t      *testing.T
	db     *sqlite.DB
	clock  time.Time
	worker *bmail.Worker
	smtp   *mailtest.Server
	links  subscription.Links
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{t: t, db: db, clock: time.Now().UTC().Truncate(time.Second), smtp: mailtest.Start(t)}
	db.SetClock(func() time.Time { return f.clock })
	f.links = subscription.Links{Key: []byte("a signing key of at least thirty-two bytes"), Now: func() time.Time { return f.clock }}
	letters, err := bmail.NewLetters(db, "https://news.example.org", f.links)
	if err != nil {
		t.Fatal(err)
	}
	sender, err := bmail.ParseSMTP(f.smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	f.worker = &bmail.Worker{Outbox: db, Letters: letters, SMTP: sender, From: "The Courier <news@courier.example>",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return f.clock }}
	return f
}

// subscribe makes a confirmed site subscriber.
func (f *fixture) subscribe(email string) {
	f.t.Helper()
	ctx := context.Background()
	out, err := f.db.Subscribe(ctx, subscription.Request{Email: email, Scope: subscription.Scope{Kind: subscription.Site}, Frequency: subscription.Immediate,
		Nonce: "nonce-" + email, Label: "every new article"})
	if err != nil || out != subscription.Confirming {
		f.t.Fatalf("Subscribe(%s) = %v, %v", email, out, err)
	}
	s, err := f.db.SubscriberByEmail(ctx, email)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.db.Confirm(ctx, s.Subs[0].ID, "nonce-"+email); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) publish(headline string) *article.Article {
	f.t.Helper()
	ctx := context.Background()
	sec := article.Section{Slug: "city", Name: "City"}
	if err := f.db.CreateSection(ctx, &sec); err != nil {
		got, err2 := f.db.SectionBySlug(ctx, "city")
		if err2 != nil {
			f.t.Fatal(err)
		}
		sec = *got
	}
	a := &article.Article{Slug: strings.ToLower(strings.ReplaceAll(headline, " ", "-")), Headline: headline, Standfirst: "What happened, in a sentence.",
		Section: sec, Status: article.Published, Language: "en", PublishedAt: f.clock}
	if err := f.db.CreateArticle(ctx, a); err != nil {
		f.t.Fatal(err)
	}
	return a
}

// run steps the worker until it has nothing due.
func (f *fixture) run() {
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

func (f *fixture) status() map[bmail.Status]int {
	f.t.Helper()
	counts, err := f.db.OutboxCounts(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return counts
}

// Whatever the server does — refuse for now, refuse for good, hang up —
// each message ends up delivered exactly once when it accepts again.
func TestEveryMessageArrivesOnceThroughRefusals(t *testing.T) {
	f := newFixture(t)
	readers := []string{"ana@example.org", "bo@example.net", "cy@example.com"}
	for _, r := range readers {
		f.subscribe(r)
	}
	f.run() // the confirmation mails
	f.smtp.Wait(t, 3, 5*time.Second)

	a := f.publish("Harbour wall gives way")
	for _, fault := range []struct {
		stage string
		fault mailtest.Fault
	}{
		{"rcpt", mailtest.Fault{Code: 451}},
		{"data", mailtest.Fault{Code: 554}}, // refused at the final dot, after the message was recorded as sent
		{"mail", mailtest.Fault{Drop: true}},
		{"data", mailtest.Fault{Drop: true}},
	} {
		f.smtp.Fail(fault.stage, fault.fault)
		f.run()
		f.smtp.Heal()
		if n := len(f.smtp.Messages()); n != 3 {
			t.Fatalf("after a %s fault at %s: %d messages arrived, want still 3", describe(fault.fault), fault.stage, n)
		}
		if c := f.status(); c[bmail.Queued] != 3 || c[bmail.Sent] != 3 {
			t.Fatalf("after a %s fault at %s: outbox %v, want 3 queued and 3 sent", describe(fault.fault), fault.stage, c)
		}
		f.clock = f.clock.Add(6 * time.Hour) // past any backoff
	}
	f.run()
	got := f.smtp.Wait(t, 6, 5*time.Second)
	for range 3 {
		f.clock = f.clock.Add(6 * time.Hour)
		f.run()
	}
	if len(f.smtp.Messages()) != 6 {
		t.Errorf("%d messages in all, want 6: three confirmations and one article each", len(f.smtp.Messages()))
	}
	for _, r := range readers {
		var articles []mailtest.Received
		for _, m := range f.smtp.To(r) {
			if m.Header.Get("Subject") == a.Headline {
				articles = append(articles, m)
			}
		}
		if len(articles) != 1 {
			t.Errorf("%s received the article %d times, want once", r, len(articles))
		}
	}
	if c := f.status(); c[bmail.Sent] != 6 || c[bmail.Queued] != 0 {
		t.Errorf("outbox %v, want 6 sent", c)
	}
	checkArticleMail(t, got[len(got)-1], a)
}

func describe(f mailtest.Fault) string {
	if f.Drop {
		return "dropped connection"
	}
	return fmt.Sprint(f.Code)
}

// checkArticleMail checks the headers and both parts of an article mail.
func checkArticleMail(t *testing.T, m mailtest.Received, a *article.Article) {
	t.Helper()
	if _, err := m.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if id := m.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@courier.example>") {
		t.Errorf("Message-ID = %q", id)
	}
	if from, err := mail.ParseAddress(m.Header.Get("From")); err != nil || from.Address != "news@courier.example" {
		t.Errorf("From = %q", m.Header.Get("From"))
	}
	if got := m.Header.Get("List-Id"); !strings.Contains(got, "<broadsheet.news.example.org>") {
		t.Errorf("List-Id = %q", got)
	}
	unsub := m.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(unsub, "<https://news.example.org/unsubscribe?t=") || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe = %q, List-Unsubscribe-Post = %q", unsub, m.Header.Get("List-Unsubscribe-Post"))
	}
	url := "https://news.example.org/city/" + a.Slug
	if !strings.Contains(m.Text, a.Headline) || !strings.Contains(m.Text, url) || !strings.Contains(m.Text, "/subscriptions?t=") {
		t.Errorf("text part lacks the headline or a link:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, "<h1") || !strings.Contains(m.HTML, `href="`+url+`"`) {
		t.Errorf("HTML part lacks the headline or the link:\n%s", m.HTML)
	}
}

// A withdrawn article is not mailed; an erased or unsubscribed reader
// gets nothing more.
func TestFanoutOnlyToWhoStillWantsIt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, r := range []string{"ana@example.org", "bo@example.net"} {
		f.subscribe(r)
	}
	f.run()
	f.smtp.Wait(t, 2, 5*time.Second)
	bo, err := f.db.SubscriberByEmail(ctx, "bo@example.net")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.Unsubscribe(ctx, bo.ID, 0); err != nil {
		t.Fatal(err)
	}
	a := f.publish("Ferry timetable")
	f.run()
	f.smtp.Wait(t, 3, 5*time.Second)
	if n := len(f.smtp.To("bo@example.net")); n != 1 {
		t.Errorf("bo, unsubscribed, received %d mails, want only the confirmation", n)
	}
	// Withdrawn between the fan-out and the send: cancelled, not sent.
	f.worker.SMTP = nil
	b := f.publish("Withdrawn story")
	f.run()
	b.Status = article.Unpublished
	if err := f.db.UpdateArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	sender, _ := bmail.ParseSMTP(f.smtp.URL())
	f.worker.SMTP = sender
	f.run()
	if n := len(f.smtp.Messages()); n != 3 {
		t.Errorf("%d messages, want 3: the withdrawn article was sent", n)
	}
	if c := f.status(); c[bmail.Cancelled] != 1 {
		t.Errorf("outbox %v, want the withdrawn article's mail cancelled", c)
	}
	_ = a
}
