package storetest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/mail"
	"broadsheet/internal/mail/mailtest"
	"broadsheet/internal/subscription"
)

// mailFlow is the real mail worker over the store under test, delivering
// to a real SMTP server in the test, on a clock the test moves.
type mailFlow struct {
	t      *testing.T
	s      Store
	f      *fixture
	clock  time.Time
	worker *mail.Worker
	smtp   *mailtest.Server
}

func newMailFlow(t *testing.T, s Store) *mailFlow {
	t.Helper()
	m := &mailFlow{t: t, s: s, f: newFixture(t, s), smtp: mailtest.Start(t)}
	m.clock = m.f.clock.Add(24 * time.Hour)
	s.SetClock(func() time.Time { return m.clock })
	links := subscription.Links{Key: []byte("a signing key of at least thirty-two bytes"), Now: func() time.Time { return m.clock }}
	letters, err := mail.NewLetters(s, "https://news.example.org", links)
	must(t, err)
	m.worker = &mail.Worker{Outbox: s, Letters: letters, From: "The Courier <news@courier.example>",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return m.clock }}
	m.connect()
	return m
}

// connect lets the worker send; disconnect stops it sending.
func (m *mailFlow) connect() {
	sender, err := mail.ParseSMTP(m.smtp.URL())
	must(m.t, err)
	m.worker.SMTP = sender
}

func (m *mailFlow) disconnect() { m.worker.SMTP = nil }

func (m *mailFlow) publish(headline string) *article.Article {
	m.t.Helper()
	a := m.f.article(0)
	a.Headline, a.PublishedAt = headline, m.clock
	must(m.t, m.s.CreateArticle(context.Background(), a))
	return a
}

// run steps the worker until it has nothing due.
func (m *mailFlow) run() {
	m.t.Helper()
	for range 20 {
		busy, err := m.worker.Step(context.Background())
		must(m.t, err)
		if !busy {
			return
		}
	}
}

func (m *mailFlow) counts() map[mail.Status]int {
	m.t.Helper()
	c, err := m.s.OutboxCounts(context.Background())
	must(m.t, err)
	return c
}

// testMailArrivesOnce: whatever the SMTP server does — refuse for now,
// refuse at the final dot after the message was recorded as sent, hang
// up — each message arrives exactly once when it accepts again.
func testMailArrivesOnce(t *testing.T, s Store) {
	m := newMailFlow(t, s)
	readers := []string{"ana@example.org", "bo@example.net", "cy@example.com"}
	for _, r := range readers {
		subscribe(t, s, r, site, subscription.Immediate)
	}
	m.run()
	m.smtp.Wait(t, 3, 5*time.Second) // the confirmations
	a := m.publish("Harbour wall gives way")
	for _, fault := range []struct {
		stage string
		fault mailtest.Fault
	}{
		{"rcpt", mailtest.Fault{Code: 451}},
		{"data", mailtest.Fault{Code: 554}},
		{"mail", mailtest.Fault{Drop: true}},
		{"data", mailtest.Fault{Drop: true}},
	} {
		m.smtp.Fail(fault.stage, fault.fault)
		m.run()
		m.smtp.Heal()
		if n := len(m.smtp.Messages()); n != 3 {
			t.Fatalf("after a fault at %s (%+v): %d messages arrived, want still 3", fault.stage, fault.fault, n)
		}
		if c := m.counts(); c[mail.Queued] != 3 || c[mail.Sent] != 3 {
			t.Fatalf("after a fault at %s (%+v): outbox %v, want 3 queued and 3 sent", fault.stage, fault.fault, c)
		}
		m.clock = m.clock.Add(6 * time.Hour) // past any backoff
	}
	m.run()
	m.smtp.Wait(t, 6, 5*time.Second)
	for range 3 {
		m.clock = m.clock.Add(6 * time.Hour)
		m.run()
	}
	for _, r := range readers {
		n := 0
		for _, got := range m.smtp.To(r) {
			if got.Header.Get("Subject") == a.Headline {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s received the article %d times, want once", r, n)
		}
	}
	if c := m.counts(); c[mail.Sent] != 6 || c[mail.Queued] != 0 {
		t.Errorf("outbox %v, want 6 sent", c)
	}
}

// testMailOnlyToWhoWantsIt: a reader who left gets nothing more; an
// article withdrawn between its fan-out and its sending is cancelled,
// not sent.
func testMailOnlyToWhoWantsIt(t *testing.T, s Store) {
	ctx := context.Background()
	m := newMailFlow(t, s)
	for _, r := range []string{"ana@example.org", "BO@example.net"} {
		subscribe(t, s, r, site, subscription.Immediate)
	}
	m.run()
	m.smtp.Wait(t, 2, 5*time.Second)
	bo, err := s.SubscriberByEmail(ctx, "bo@EXAMPLE.net")
	must(t, err)
	must(t, s.Unsubscribe(ctx, bo.ID, 0))
	m.publish("Ferry timetable")
	m.run()
	m.smtp.Wait(t, 3, 5*time.Second)
	if n := len(m.smtp.To("BO@example.net")); n != 1 {
		t.Errorf("bo, unsubscribed, received %d mails, want only the confirmation", n)
	}
	m.disconnect()
	b := m.publish("Withdrawn story")
	m.run()
	b.Status = article.Unpublished
	must(t, s.UpdateArticle(ctx, b))
	m.connect()
	m.run()
	if n := len(m.smtp.Messages()); n != 3 {
		t.Errorf("%d messages, want 3: the withdrawn article was sent", n)
	}
	if c := m.counts(); c[mail.Cancelled] != 1 {
		t.Errorf("outbox %v, want the withdrawn article's mail cancelled", c)
	}
}
