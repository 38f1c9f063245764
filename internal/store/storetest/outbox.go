package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/mail"
)

// Outbox is the durable outbox and what fills it: messages queued,
// leased, sent, retried and cancelled; fan-outs that turn one event into
// a message per subscriber; the digest and the moderation notice.
type Outbox interface {
	Enqueue(ctx context.Context, msgs ...mail.Message) error
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]mail.Message, error)
	MarkSent(ctx context.Context, id int64, at time.Time, then func()) error
	Requeue(ctx context.Context, id int64, attempts int, next time.Time, lastErr string, dead bool) error
	Cancel(ctx context.Context, id int64, why string) error
	Retry(ctx context.Context, id int64, now time.Time) (int, error)
	OutboxCounts(ctx context.Context) (map[mail.Status]int, error)
	OutboxList(ctx context.Context, status mail.Status, beforeID int64, limit int) ([]mail.Message, error)
	OutboxMessage(ctx context.Context, id int64) (*mail.Message, error)
	ExpandFanouts(ctx context.Context, now time.Time, batch int) (bool, error)
	QueueDigest(ctx context.Context, day int64, at time.Time) error
	QueueModerationNotice(ctx context.Context, now time.Time, every time.Duration) (int, error)
}

// claimedOnce runs claim from six workers at once until it claims
// nothing, and checks that they claimed want distinct ids of what
// (plural), each once. It returns the ids.
func claimedOnce(t *testing.T, what string, want int, claim func() ([]int64, error)) map[int64]int {
	t.Helper()
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for {
				got, err := claim()
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, id := range got {
					seen[id]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != want {
		t.Errorf("claimed %d distinct %s, want %d", len(seen), what, want)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s: id %d claimed %d times", what, id, n)
		}
	}
	return seen
}

// letter is a message of no particular meaning to to, due at due.
func letter(to string, due time.Time) mail.Message {
	return mail.Message{Key: mail.Key(to, mail.Article, "1"), To: to, Kind: mail.Article, ObjectID: 1, Data: "1 1", NextAt: due}
}

// outbox is every message, by recipient.
func outbox(t *testing.T, s Store) map[string]mail.Message {
	t.Helper()
	out := map[string]mail.Message{}
	for _, st := range []mail.Status{mail.Queued, mail.Sent, mail.Failed, mail.Cancelled} {
		list, err := s.OutboxList(context.Background(), st, 0, 1000)
		must(t, err)
		for _, m := range list {
			out[m.To] = m
		}
	}
	return out
}

func recipients(ms []mail.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.To)
	}
	return out
}

// testOutboxQueue: a message is queued once per key, however often it is
// queued again, sent or not; the newsroom's list, counts and message view
// read it back as it was queued.
func testOutboxQueue(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	counts, err := s.OutboxCounts(ctx)
	must(t, err)
	list, err := s.OutboxList(ctx, mail.Queued, 0, 10)
	must(t, err)
	if len(counts) != 0 || len(list) != 0 {
		t.Errorf("empty outbox: counts %v, list %v; want none", counts, list)
	}
	msgs := []mail.Message{
		{Key: mail.KeyID("ana@example.org", mail.Article, 7), To: "ana@example.org", Kind: mail.Article, ObjectID: 7, Data: "3 1"},
		{Key: mail.KeyID("bo@example.org", mail.Article, 7), To: "bo@example.org", Kind: mail.Article, ObjectID: 7, Data: "4 2"},
		{Key: mail.KeyID("ana@example.org", mail.Reply, 9), To: "ana@example.org", Kind: mail.Reply, ObjectID: 9, Data: "8", NextAt: now.Add(time.Hour)},
	}
	must(t, s.Enqueue(ctx, append(msgs, msgs[0])...)) // one key twice in a call
	must(t, s.Enqueue(ctx, msgs[1]))                  // and one again later
	must(t, s.Enqueue(ctx))
	counts, err = s.OutboxCounts(ctx)
	must(t, err)
	if !maps.Equal(counts, map[mail.Status]int{mail.Queued: 3}) {
		t.Errorf("OutboxCounts = %v, want 3 queued", counts)
	}
	list, err = s.OutboxList(ctx, mail.Queued, 0, 10)
	must(t, err)
	if len(list) != 3 || list[0].Key != msgs[2].Key || list[1].Key != msgs[1].Key || list[2].Key != msgs[0].Key {
		t.Fatalf("OutboxList = %+v, want the three messages newest first", list)
	}
	for i, want := range []mail.Message{msgs[2], msgs[1], msgs[0]} {
		got := list[i]
		if want.NextAt.IsZero() {
			want.NextAt = now // due at once
		}
		want.ID, want.Status, want.CreatedAt = got.ID, mail.Queued, now
		if got != want {
			t.Errorf("message %d = %+v, want %+v", i, got, want)
		}
	}
	for _, tt := range []struct {
		name     string
		status   mail.Status
		beforeID int64
		limit    int
		want     []int64
	}{
		{"first page", mail.Queued, 0, 2, []int64{list[0].ID, list[1].ID}},
		{"after it", mail.Queued, list[1].ID, 2, []int64{list[2].ID}},
		{"past the oldest", mail.Queued, list[2].ID, 2, nil},
		{"another status", mail.Sent, 0, 10, nil},
	} {
		page, err := s.OutboxList(ctx, tt.status, tt.beforeID, tt.limit)
		must(t, err)
		var ids []int64
		for _, m := range page {
			ids = append(ids, m.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%s: OutboxList(%s, %d, %d) = %v, want %v", tt.name, tt.status, tt.beforeID, tt.limit, ids, tt.want)
		}
	}
	got, err := s.OutboxMessage(ctx, list[1].ID)
	must(t, err)
	if *got != list[1] {
		t.Errorf("OutboxMessage = %+v, want %+v", *got, list[1])
	}
	if _, err := s.OutboxMessage(ctx, list[0].ID+1000); !errors.Is(err, mail.ErrNotFound) {
		t.Errorf("missing message: err = %v, want mail.ErrNotFound", err)
	}
	// Sent, a key is still taken: the same mail is never queued again.
	must(t, s.MarkSent(ctx, list[2].ID, now, nil))
	must(t, s.Enqueue(ctx, msgs[0]))
	counts, err = s.OutboxCounts(ctx)
	must(t, err)
	if !maps.Equal(counts, map[mail.Status]int{mail.Queued: 2, mail.Sent: 1}) {
		t.Errorf("after sending one and queuing it again: counts %v, want 2 queued and 1 sent", counts)
	}
}

// testClaimLeases: a claim takes due messages, the longest due first, at
// most limit, and leases them: no claim takes them again until the lease
// ends; a lease is not a status.
func testClaimLeases(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	// Queued so that ids run against due times.
	must(t, s.Enqueue(ctx, letter("a@example.org", now.Add(-time.Minute)), letter("b@example.org", now.Add(-2*time.Minute)),
		letter("c@example.org", now.Add(time.Hour)), letter("d@example.org", now.Add(-time.Minute))))
	for _, tt := range []struct {
		name  string
		at    time.Duration // after now
		limit int
		want  []string
	}{
		{"due, longest due first, then as queued", 0, 10, []string{"b@example.org", "a@example.org", "d@example.org"}},
		{"leased for a minute", 30 * time.Second, 10, nil},
		{"the lease ended: at most limit, longest due first", 61 * time.Second, 1, []string{"b@example.org"}},
		{"the rest", 62 * time.Second, 10, []string{"a@example.org", "d@example.org"}},
		{"all leased", 63 * time.Second, 10, nil},
		{"every lease ended, and the later one is due", time.Hour, 10, []string{"b@example.org", "a@example.org", "d@example.org", "c@example.org"}},
	} {
		got, err := s.Claim(ctx, now.Add(tt.at), time.Minute, tt.limit)
		must(t, err)
		if !slices.Equal(recipients(got), tt.want) {
			t.Errorf("%s: Claim(now+%s, 1m, %d) = %v, want %v", tt.name, tt.at, tt.limit, recipients(got), tt.want)
		}
		for _, m := range got {
			if m.Status != mail.Queued || m.Kind != mail.Article || m.Data != "1 1" || m.ID == 0 {
				t.Errorf("%s: claimed %+v, want the queued message whole", tt.name, m)
			}
		}
	}
	counts, err := s.OutboxCounts(ctx)
	must(t, err)
	if !maps.Equal(counts, map[mail.Status]int{mail.Queued: 4}) {
		t.Errorf("OutboxCounts with every message leased = %v, want 4 queued", counts)
	}
}

// testOutboxOutcomes: what becomes of a claimed message — sent, tried
// again later, dead, cancelled — and the newsroom's retry of the dead
// and the cancelled.
func testOutboxOutcomes(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	var all []mail.Message
	for _, to := range []string{"a@example.org", "b@example.org", "c@example.org", "d@example.org", "e@example.org", "f@example.org"} {
		all = append(all, letter(to, now.Add(-time.Minute)))
	}
	must(t, s.Enqueue(ctx, all...))
	claimed, err := s.Claim(ctx, now, time.Hour, 10)
	must(t, err)
	if len(claimed) != 6 {
		t.Fatalf("claimed %d, want 6", len(claimed))
	}
	a, b, c, d, e := claimed[0], claimed[1], claimed[2], claimed[3], claimed[4]

	// Sent: durable, and visible to readers, when then runs, which is
	// once and before MarkSent returns.
	calls := 0
	var seen mail.Status
	must(t, s.MarkSent(ctx, a.ID, now.Add(time.Minute), func() {
		calls++
		if m, err := s.OutboxMessage(ctx, a.ID); err == nil {
			seen = m.Status
		}
	}))
	if calls != 1 || seen != mail.Sent {
		t.Errorf("MarkSent called then %d times, seeing %q; want once, seeing sent", calls, seen)
	}
	// Refused at the final dot: the sent record is undone, the message
	// waits for its next attempt.
	must(t, s.MarkSent(ctx, b.ID, now.Add(time.Minute), nil))
	must(t, s.Requeue(ctx, b.ID, 1, now.Add(10*time.Minute), "554 5.0.0 refused", false))
	// Refused before: it waits too.
	must(t, s.Requeue(ctx, e.ID, 1, now.Add(10*time.Minute), "451 4.3.0 try later", false))
	// Dead after its last attempt, its error cut short.
	must(t, s.Requeue(ctx, c.ID, 8, now.Add(10*time.Minute), strings.Repeat("x", 2000), true))
	// Cancelled while queued; a sent message stays sent.
	must(t, s.Cancel(ctx, d.ID, "article withdrawn"))
	must(t, s.Cancel(ctx, a.ID, "too late"))
	must(t, s.Cancel(ctx, a.ID+1000, "no such message"))

	box := outbox(t, s)
	for _, tt := range []struct {
		to        string
		status    mail.Status
		attempts  int
		next      time.Time
		lastError string
		sentAt    time.Time
	}{
		{"a@example.org", mail.Sent, 0, now.Add(-time.Minute), "", now.Add(time.Minute)},
		{"b@example.org", mail.Queued, 1, now.Add(10 * time.Minute), "554 5.0.0 refused", time.Time{}},
		{"c@example.org", mail.Failed, 8, now.Add(10 * time.Minute), strings.Repeat("x", 1000), time.Time{}},
		{"d@example.org", mail.Cancelled, 0, now.Add(-time.Minute), "article withdrawn", time.Time{}},
		{"e@example.org", mail.Queued, 1, now.Add(10 * time.Minute), "451 4.3.0 try later", time.Time{}},
		{"f@example.org", mail.Queued, 0, now.Add(-time.Minute), "", time.Time{}},
	} {
		m := box[tt.to]
		if m.Status != tt.status || m.Attempts != tt.attempts || !m.NextAt.Equal(tt.next) || m.LastError != tt.lastError || !m.SentAt.Equal(tt.sentAt) {
			t.Errorf("%s: %s, %d attempts, next %v, error %.20q, sent %v; want %s, %d, %v, %.20q, %v",
				tt.to, m.Status, m.Attempts, m.NextAt, m.LastError, m.SentAt, tt.status, tt.attempts, tt.next, tt.lastError, tt.sentAt)
		}
	}
	// Requeued messages are no longer leased: they go at their next
	// attempt, while the message still leased waits for its lease.
	for _, tt := range []struct {
		at   time.Duration
		want []string
	}{
		{9 * time.Minute, nil},
		{10 * time.Minute, []string{"b@example.org", "e@example.org"}},
	} {
		got, err := s.Claim(ctx, now.Add(tt.at), time.Hour, 10)
		must(t, err)
		if !slices.Equal(recipients(got), tt.want) {
			t.Errorf("Claim(now+%s) = %v, want %v", tt.at, recipients(got), tt.want)
		}
	}

	for _, tt := range []struct {
		name string
		id   int64
		want int
	}{
		{"a sent message", a.ID, 0},
		{"a missing message", a.ID + 1000, 0},
		{"a queued message", b.ID, 0},
		{"every failed message", 0, 1},
		{"every failed message, none left", 0, 0},
		{"a cancelled message", d.ID, 1},
	} {
		n, err := s.Retry(ctx, tt.id, now.Add(20*time.Minute))
		must(t, err)
		if n != tt.want {
			t.Errorf("Retry(%s) = %d, want %d", tt.name, n, tt.want)
		}
	}
	box = outbox(t, s)
	for _, to := range []string{"c@example.org", "d@example.org"} {
		if m := box[to]; m.Status != mail.Queued || m.Attempts != 0 || !m.NextAt.Equal(now.Add(20*time.Minute)) {
			t.Errorf("%s after Retry: %s, %d attempts, next %v; want queued afresh at now+20m", to, m.Status, m.Attempts, m.NextAt)
		}
	}
	got, err := s.Claim(ctx, now.Add(20*time.Minute), time.Hour, 10)
	must(t, err)
	if !slices.Equal(recipients(got), []string{"c@example.org", "d@example.org"}) {
		t.Errorf("Claim after Retry = %v, want the retried two", recipients(got))
	}
	counts, err := s.OutboxCounts(ctx)
	must(t, err)
	if !maps.Equal(counts, map[mail.Status]int{mail.Queued: 5, mail.Sent: 1}) {
		t.Errorf("OutboxCounts = %v, want 5 queued and 1 sent", counts)
	}
}

// testClaimConcurrent: workers claiming at once never get the same
// message; messages marked sent at once are each recorded, and each
// sender is told before its MarkSent returns.
func testClaimConcurrent(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var msgs []mail.Message
	for i := range 60 {
		msgs = append(msgs, letter(fmt.Sprintf("r%02d@example.org", i), now))
	}
	must(t, s.Enqueue(ctx, msgs...))
	seen := claimedOnce(t, "messages", 60, func() ([]int64, error) {
		got, err := s.Claim(ctx, now, time.Minute, 7)
		var ids []int64
		for _, m := range got {
			ids = append(ids, m.ID)
		}
		return ids, err
	})
	var wg sync.WaitGroup
	for id := range seen {
		wg.Go(func() {
			told := false
			if err := s.MarkSent(ctx, id, now, func() { told = true }); err != nil {
				t.Error(err)
			}
			if !told {
				t.Errorf("MarkSent(%d) returned before telling its sender", id)
			}
		})
	}
	wg.Wait()
	counts, err := s.OutboxCounts(ctx)
	must(t, err)
	if !maps.Equal(counts, map[mail.Status]int{mail.Sent: 60}) {
		t.Errorf("OutboxCounts = %v, want 60 sent", counts)
	}
}
