package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/mail"
	"broadsheet/internal/subscription"
)

// Subscriptions is readers' subscriptions, as they manage them and as the
// newsroom does.
type Subscriptions interface {
	Subscribe(ctx context.Context, r subscription.Request) (subscription.Outcome, error)
	Confirm(ctx context.Context, id int64, nonce string) (*subscription.Subscription, error)
	Subscriber(ctx context.Context, id int64) (*subscription.Subscriber, error)
	SubscriberByEmail(ctx context.Context, email string) (*subscription.Subscriber, error)
	SetFrequency(ctx context.Context, subscriberID, id int64, f subscription.Frequency) error
	Unsubscribe(ctx context.Context, subscriberID, id int64) error
	SubscriberStats(ctx context.Context) (subscription.Stats, error)
	Subscribers(ctx context.Context, q subscription.Query) ([]subscription.Subscriber, error)
	ImportSubscribers(ctx context.Context, rows []subscription.Import) (int, error)
	EraseSubscriber(ctx context.Context, email string) (bool, error)
}

// subscribe makes email a confirmed subscriber to scope and returns the
// subscription.
func subscribe(t *testing.T, s Store, email string, scope subscription.Scope, freq subscription.Frequency) subscription.Subscription {
	t.Helper()
	ctx := context.Background()
	nonce := "nonce-" + email
	out, err := s.Subscribe(ctx, subscription.Request{Email: email, Scope: scope, Frequency: freq, Nonce: nonce, Label: "news"})
	must(t, err)
	sub := subscriptionOf(t, s, email, scope)
	if out == subscription.Confirming {
		c, err := s.Confirm(ctx, sub.ID, nonce)
		must(t, err)
		sub = *c
	}
	return sub
}

// subscriptionOf is email's subscription to scope.
func subscriptionOf(t *testing.T, s Store, email string, scope subscription.Scope) subscription.Subscription {
	t.Helper()
	sr, err := s.SubscriberByEmail(context.Background(), email)
	must(t, err)
	for _, sub := range sr.Subs {
		if sub.Scope == scope {
			return sub
		}
	}
	t.Fatalf("%s has no subscription to %s: %+v", email, scope, sr.Subs)
	return subscription.Subscription{}
}

// mailTo is every message to addr, in any case, oldest first.
func mailTo(t *testing.T, s Store, addr string) []mail.Message {
	t.Helper()
	var out []mail.Message
	for _, st := range []mail.Status{mail.Queued, mail.Sent, mail.Failed, mail.Cancelled} {
		list, err := s.OutboxList(context.Background(), st, 0, 1000)
		must(t, err)
		for _, m := range list {
			if strings.EqualFold(m.To, addr) {
				out = append(out, m)
			}
		}
	}
	slices.SortFunc(out, func(a, b mail.Message) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

var site = subscription.Scope{Kind: subscription.Site}

// testSubscribeAndConfirm: double opt-in. A new address is asked to
// confirm, a second request replaces the link, the right link confirms
// once and for all; a confirmed address is added at once with a notice;
// the same request again changes nothing but the frequency.
func testSubscribeAndConfirm(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	req := subscription.Request{Email: "Ana@example.org", Scope: site, Frequency: subscription.Immediate, Nonce: "first", Consent: "form", Label: "everything"}
	if out, err := s.Subscribe(ctx, req); err != nil || out != subscription.Confirming {
		t.Fatalf("Subscribe(new address) = %v, %v; want Confirming", out, err)
	}
	ana, err := s.SubscriberByEmail(ctx, "ana@EXAMPLE.org")
	must(t, err)
	if ana.Email != "Ana@example.org" || ana.Consent != "form" || !ana.CreatedAt.Equal(now) || ana.Confirmed() || len(ana.Subs) != 1 {
		t.Fatalf("new subscriber = %+v, want Ana@example.org as typed, unconfirmed, one subscription", ana)
	}
	sub := ana.Subs[0]
	if want := (subscription.Subscription{ID: sub.ID, SubscriberID: ana.ID, Scope: site, Frequency: subscription.Immediate, Status: subscription.Pending,
		Nonce: "first", CreatedAt: now}); sub != want {
		t.Errorf("new subscription = %+v, want %+v", sub, want)
	}
	expires := now.Add(subscription.ConfirmLifetime).Unix()
	if ms := mailTo(t, s, "ana@example.org"); len(ms) != 1 || ms[0].Kind != mail.Confirm || ms[0].ObjectID != sub.ID ||
		ms[0].Data != fmt.Sprintf("first %d everything", expires) || ms[0].Key != mail.Key("Ana@example.org", mail.Confirm, fmt.Sprintf("%d.first", sub.ID)) {
		t.Errorf("mail after subscribing = %+v, want one confirmation with the nonce, expiry and label", ms)
	}

	// Asked again before confirming: a fresh link; the first stops working.
	req.Nonce, req.Frequency = "second", subscription.Daily
	if out, err := s.Subscribe(ctx, req); err != nil || out != subscription.Confirming {
		t.Errorf("Subscribe(again, unconfirmed) = %v, %v; want Confirming", out, err)
	}
	if got := subscriptionOf(t, s, "ana@example.org", site); got.ID != sub.ID || got.Nonce != "second" || got.Frequency != subscription.Daily {
		t.Errorf("after asking again: %+v, want the same subscription with the new nonce and frequency", got)
	}
	if n := len(mailTo(t, s, "ana@example.org")); n != 2 {
		t.Errorf("%d mails after asking twice, want 2 confirmations", n)
	}
	for _, tt := range []struct {
		name  string
		id    int64
		nonce string
	}{
		{"the replaced link", sub.ID, "first"},
		{"no nonce", sub.ID, ""},
		{"a missing subscription", sub.ID + 1000, "second"},
	} {
		if _, err := s.Confirm(ctx, tt.id, tt.nonce); !errors.Is(err, subscription.ErrBadLink) {
			t.Errorf("Confirm(%s) err = %v, want ErrBadLink", tt.name, err)
		}
	}
	got, err := s.Confirm(ctx, sub.ID, "second")
	must(t, err)
	if got.ID != sub.ID || got.Status != subscription.Active || got.Nonce != "" || got.SubscriberID != ana.ID {
		t.Errorf("Confirm = %+v, want the subscription active, its nonce spent", got)
	}
	if _, err := s.Confirm(ctx, sub.ID, "second"); err != nil {
		t.Errorf("a second click on the link: err = %v, want none", err)
	}
	ana, err = s.SubscriberByEmail(ctx, "ana@example.org")
	must(t, err)
	if !ana.ConfirmedAt.Equal(now) || ana.Subs[0].Status != subscription.Active {
		t.Errorf("after confirming: confirmed at %v, %s; want %v, active", ana.ConfirmedAt, ana.Subs[0].Status, now)
	}

	// The same request again: unchanged, but for the frequency; no mail.
	req.Nonce, req.Frequency = "third", subscription.Immediate
	if out, err := s.Subscribe(ctx, req); err != nil || out != subscription.Unchanged {
		t.Errorf("Subscribe(active again) = %v, %v; want Unchanged", out, err)
	}
	if got := subscriptionOf(t, s, "ana@example.org", site); got.Frequency != subscription.Immediate || got.Status != subscription.Active {
		t.Errorf("after the same request with another frequency: %+v", got)
	}
	if n := len(mailTo(t, s, "ana@example.org")); n != 2 {
		t.Errorf("%d mails after an unchanged request, want still 2", n)
	}

	// A confirmed address is not asked again: added at once, with notice.
	city := subscription.Scope{Kind: subscription.Section, ID: f.sections[0].ID}
	if out, err := s.Subscribe(ctx, subscription.Request{Email: "ana@example.org", Scope: city, Frequency: subscription.Immediate, Nonce: "fourth", Label: "City"}); err != nil || out != subscription.Added {
		t.Errorf("Subscribe(confirmed address, new scope) = %v, %v; want Added", out, err)
	}
	citySub := subscriptionOf(t, s, "ana@example.org", city)
	ms := mailTo(t, s, "ana@example.org")
	if last := ms[len(ms)-1]; citySub.Status != subscription.Active || last.Kind != mail.Subscribed || last.ObjectID != citySub.ID ||
		last.Data != fmt.Sprintf("%d %d City", citySub.ID, ana.ID) || last.To != "Ana@example.org" {
		t.Errorf("added subscription %+v with mail %+v, want it active and a notice naming it", citySub, last)
	}
	ana, err = s.SubscriberByEmail(ctx, "ana@example.org")
	must(t, err)
	if len(ana.Subs) != 2 || ana.Subs[0].Scope != site || ana.Subs[1].Scope != city {
		t.Errorf("subscriptions = %+v, want the site's, then the section's", ana.Subs)
	}
	byID, err := s.Subscriber(ctx, ana.ID)
	must(t, err)
	if !reflect.DeepEqual(byID, ana) {
		t.Errorf("Subscriber(%d) = %+v, want %+v as by address", ana.ID, byID, ana)
	}
	if _, err := s.Subscriber(ctx, ana.ID+1000); !errors.Is(err, subscription.ErrNotFound) {
		t.Errorf("Subscriber(missing) err = %v, want ErrNotFound", err)
	}
	if _, err := s.SubscriberByEmail(ctx, "nobody@example.org"); !errors.Is(err, subscription.ErrNotFound) {
		t.Errorf("SubscriberByEmail(missing) err = %v, want ErrNotFound", err)
	}

	// What the store cannot keep is refused whole: no subscriber is left.
	for _, bad := range []subscription.Request{
		{Email: "bad@example.org", Scope: site, Frequency: "hourly", Nonce: "n"},
		{Email: "bad@example.org", Scope: subscription.Scope{Kind: "tag", ID: 1}, Frequency: subscription.Immediate, Nonce: "n"},
	} {
		if _, err := s.Subscribe(ctx, bad); err == nil {
			t.Errorf("Subscribe(%+v) accepted", bad)
		}
	}
	if _, err := s.SubscriberByEmail(ctx, "bad@example.org"); !errors.Is(err, subscription.ErrNotFound) {
		t.Errorf("after refused requests: err = %v, want no subscriber", err)
	}
}

// testSubscriptionChanges: a subscriber changes a frequency or leaves one
// subscription or all; mail those subscriptions queued and not yet sent
// is cancelled with them, and nothing else is.
func testSubscriptionChanges(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	city := subscription.Scope{Kind: subscription.Section, ID: f.sections[0].ID}
	discussion := subscription.Scope{Kind: subscription.Article, ID: a.ID}
	anaSite := subscribe(t, s, "ana@example.org", site, subscription.Immediate)
	anaCity := subscribe(t, s, "ana@example.org", city, subscription.Immediate)
	anaTalk := subscribe(t, s, "ana@example.org", discussion, subscription.Immediate)
	boSite := subscribe(t, s, "bo@example.org", site, subscription.Immediate)
	ana := anaSite.SubscriberID

	for _, tt := range []struct {
		name             string
		subscriber, id   int64
		freq             subscription.Frequency
		notFound, failed bool
	}{
		{"the site's, to daily", ana, anaSite.ID, subscription.Daily, false, false},
		{"a frequency unknown", ana, anaCity.ID, "hourly", false, true},
		{"a discussion, which has none", ana, anaTalk.ID, subscription.Daily, true, true},
		{"another's subscription", boSite.SubscriberID, anaCity.ID, subscription.Daily, true, true},
		{"a missing subscription", ana, anaTalk.ID + 1000, subscription.Daily, true, true},
	} {
		err := s.SetFrequency(ctx, tt.subscriber, tt.id, tt.freq)
		if (err != nil) != tt.failed || errors.Is(err, subscription.ErrNotFound) != tt.notFound {
			t.Errorf("SetFrequency(%s) err = %v, want failed %v, not found %v", tt.name, err, tt.failed, tt.notFound)
		}
	}
	sr, err := s.Subscriber(ctx, ana)
	must(t, err)
	var freqs []subscription.Frequency
	for _, sub := range sr.Subs {
		freqs = append(freqs, sub.Frequency)
	}
	if !slices.Equal(freqs, []subscription.Frequency{subscription.Daily, subscription.Immediate, subscription.Immediate}) {
		t.Errorf("frequencies = %v, want only the site's daily", freqs)
	}

	// Mail as the fan-outs queue it: the cause's subscriptions come first.
	now := s.Now()
	queue := func(to string, kind mail.Kind, object int64, data string) {
		t.Helper()
		must(t, s.Enqueue(ctx, mail.Message{Key: mail.KeyID(to, kind, object), To: to, Kind: kind, ObjectID: object, Data: data}))
	}
	queue("ana@example.org", mail.Article, 1, fmt.Sprintf("%d %d", anaCity.ID, ana))
	queue("ana@example.org", mail.Article, 2, fmt.Sprintf("%d %d", anaCity.ID, ana))
	queue("ana@example.org", mail.Digest, 20260601, fmt.Sprintf("%d %d site:0", anaSite.ID, ana))
	queue("ana@example.org", mail.Comment, 5, fmt.Sprintf("%d %d", anaTalk.ID, ana))
	queue("ana@example.org", mail.Reply, 6, "4")
	queue("bo@example.org", mail.Article, 1, fmt.Sprintf("%d %d", boSite.ID, boSite.SubscriberID))
	for _, m := range mailTo(t, s, "ana@example.org") {
		if m.Kind == mail.Article && m.ObjectID == 2 {
			must(t, s.MarkSent(ctx, m.ID, now, nil))
		}
	}
	status := func(to string) []string {
		var out []string
		for _, m := range mailTo(t, s, to) {
			out = append(out, fmt.Sprintf("%s:%d %s", m.Kind, m.ObjectID, m.Status))
		}
		return out
	}

	must(t, s.Unsubscribe(ctx, ana, anaCity.ID))
	// The section's notice and article go; the rest stays.
	want := []string{fmt.Sprintf("confirm:%d queued", anaSite.ID), fmt.Sprintf("subscribed:%d cancelled", anaCity.ID), fmt.Sprintf("subscribed:%d queued", anaTalk.ID),
		"article:1 cancelled", "article:2 sent", "digest:20260601 queued", "comment:5 queued", "reply:6 queued"}
	if got := status("ana@example.org"); !slices.Equal(got, want) {
		t.Errorf("after leaving the section: mail %v, want %v", got, want)
	}
	for _, tt := range []struct {
		name           string
		subscriber, id int64
	}{
		{"what is gone already", ana, anaCity.ID},
		{"another's subscription", boSite.SubscriberID, anaSite.ID},
		{"a missing subscriber", ana + 1000, 0},
	} {
		if err := s.Unsubscribe(ctx, tt.subscriber, tt.id); err != nil {
			t.Errorf("Unsubscribe(%s) err = %v, want none", tt.name, err)
		}
	}
	sr, err = s.Subscriber(ctx, ana)
	must(t, err)
	if len(sr.Subs) != 2 || sr.Subs[0].ID != anaSite.ID || sr.Subs[1].ID != anaTalk.ID {
		t.Errorf("subscriptions after leaving one = %+v, want the site's and the discussion's", sr.Subs)
	}

	// Leaving everything: the subscriber stays, with nothing; reply
	// notifications, which are no subscription's, stay queued.
	must(t, s.Unsubscribe(ctx, ana, 0))
	want = []string{fmt.Sprintf("confirm:%d cancelled", anaSite.ID), fmt.Sprintf("subscribed:%d cancelled", anaCity.ID), fmt.Sprintf("subscribed:%d cancelled", anaTalk.ID),
		"article:1 cancelled", "article:2 sent", "digest:20260601 cancelled", "comment:5 cancelled", "reply:6 queued"}
	if got := status("ana@example.org"); !slices.Equal(got, want) {
		t.Errorf("after leaving everything: mail %v, want %v", got, want)
	}
	for _, m := range mailTo(t, s, "ana@example.org") {
		if m.Status == mail.Cancelled && m.LastError != "unsubscribed" {
			t.Errorf("cancelled %s:%d says %q, want unsubscribed", m.Kind, m.ObjectID, m.LastError)
		}
	}
	sr, err = s.Subscriber(ctx, ana)
	must(t, err)
	if len(sr.Subs) != 0 {
		t.Errorf("subscriptions after leaving everything = %+v, want none", sr.Subs)
	}
	if got := status("bo@example.org"); !slices.Equal(got, []string{fmt.Sprintf("confirm:%d queued", boSite.ID), "article:1 queued"}) {
		t.Errorf("bo's mail = %v, want untouched", got)
	}
	if got := subscriptionOf(t, s, "bo@example.org", site); got.ID != boSite.ID {
		t.Errorf("bo's subscription = %+v, want untouched", got)
	}

	// An address that never confirmed leaves too: its confirmation is
	// cancelled.
	_, err = s.Subscribe(ctx, subscription.Request{Email: "cy@example.org", Scope: site, Frequency: subscription.Immediate, Nonce: "n"})
	must(t, err)
	cy := subscriptionOf(t, s, "cy@example.org", site)
	must(t, s.Unsubscribe(ctx, cy.SubscriberID, 0))
	if got := status("cy@example.org"); !slices.Equal(got, []string{fmt.Sprintf("confirm:%d cancelled", cy.ID)}) {
		t.Errorf("cy's mail = %v, want the confirmation cancelled", got)
	}
}

// testConcurrentSubscribe: the same subscription requested several times
// at once (a double click) is one subscription, and no request fails.
func testConcurrentSubscribe(t *testing.T, s Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, err := s.Subscribe(ctx, subscription.Request{Email: "Ana@example.org", Scope: site, Frequency: subscription.Immediate, Nonce: fmt.Sprint("nonce-", i)})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	sr, err := s.SubscriberByEmail(ctx, "ana@example.org")
	if err != nil || len(sr.Subs) != 1 {
		t.Fatalf("SubscriberByEmail = %+v, %v; want one subscription", sr, err)
	}
}

// testSubscriberAdmin: the newsroom's subscriber pages — an import,
// all or nothing; counts; a list searched by part of the address; and
// erasure of an address with everything sent or queued to it.
func testSubscriberAdmin(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	city := subscription.Scope{Kind: subscription.Section, ID: f.sections[0].ID}
	subscribe(t, s, "ana@example.org", site, subscription.Immediate)
	_, err := s.Subscribe(ctx, subscription.Request{Email: "pending@example.org", Scope: site, Frequency: subscription.Immediate, Nonce: "n"})
	must(t, err)

	added, err := s.ImportSubscribers(ctx, []subscription.Import{
		{Email: "imp@example.org", Scope: site, Consent: "import"},
		{Email: "ANA@example.org", Scope: site, Consent: "import"}, // subscribed already: skipped
		{Email: "imp@example.org", Scope: city, Consent: "import"},
		{Email: "a_b@example.org", Scope: city, Consent: "import"},
		{Email: "axb@example.org", Scope: city, Consent: "import"},
	})
	if err != nil || added != 4 {
		t.Errorf("ImportSubscribers = %d, %v; want 4", added, err)
	}
	imp, err := s.SubscriberByEmail(ctx, "imp@example.org")
	must(t, err)
	if !imp.ConfirmedAt.Equal(now) || imp.Consent != "import" || len(imp.Subs) != 2 ||
		imp.Subs[0].Status != subscription.Active || imp.Subs[1].Status != subscription.Active || imp.Subs[1].Frequency != subscription.Immediate {
		t.Errorf("imported subscriber = %+v, want confirmed, with two active subscriptions", imp)
	}
	// A row the store cannot keep fails the whole import.
	if n, err := s.ImportSubscribers(ctx, []subscription.Import{
		{Email: "new@example.org", Scope: site, Consent: "import"},
		{Email: "new@example.org", Scope: subscription.Scope{Kind: "tag", ID: 1}, Consent: "import"},
	}); err == nil || n != 0 {
		t.Errorf("import with a bad row = %d, %v; want 0 and an error", n, err)
	}
	if _, err := s.SubscriberByEmail(ctx, "new@example.org"); !errors.Is(err, subscription.ErrNotFound) {
		t.Errorf("after a failed import: err = %v, want its good rows not kept", err)
	}

	st, err := s.SubscriberStats(ctx)
	must(t, err)
	if st.Subscribers != 5 || st.Confirmed != 4 || !maps.Equal(st.ByScope, map[subscription.Scope]int{site: 2, city: 3}) {
		t.Errorf("SubscriberStats = %+v, want 5 subscribers, 4 confirmed, site 2 and city 3 active", st)
	}
	pending, err := s.SubscriberByEmail(ctx, "pending@example.org")
	must(t, err)
	for _, tt := range []struct {
		name string
		q    subscription.Query
		want []string
	}{
		{"all", subscription.Query{}, []string{"ana", "pending", "imp", "a_b", "axb"}},
		{"part of the address, any case", subscription.Query{Search: "IMP"}, []string{"imp"}},
		{"an underscore is itself", subscription.Query{Search: "a_b"}, []string{"a_b"}},
		{"a percent sign is itself", subscription.Query{Search: "%"}, nil},
		{"after a subscriber", subscription.Query{AfterID: pending.ID}, []string{"imp", "a_b", "axb"}},
		{"at most limit", subscription.Query{Limit: 2}, []string{"ana", "pending"}},
	} {
		list, err := s.Subscribers(ctx, tt.q)
		must(t, err)
		var got []string
		for _, sr := range list {
			got = append(got, strings.TrimSuffix(sr.Email, "@example.org"))
			if want := map[string]int{"imp": 2}[strings.TrimSuffix(sr.Email, "@example.org")]; want != 0 && len(sr.Subs) != want {
				t.Errorf("%s: %s has %d subscriptions listed, want %d", tt.name, sr.Email, len(sr.Subs), want)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Subscribers(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}

	// Erasing an address takes its subscriptions and every mail to it;
	// an address with only mail (a commenter told of replies) too.
	must(t, s.Enqueue(ctx, mail.Message{Key: mail.KeyID("commenter@example.org", mail.Reply, 1), To: "commenter@example.org", Kind: mail.Reply, ObjectID: 1, Data: "1"}))
	for _, tt := range []struct {
		email string
		found bool
	}{
		{"Ana@Example.org", true},
		{"ana@example.org", false},
		{"commenter@example.org", true},
		{"nobody@example.org", false},
	} {
		found, err := s.EraseSubscriber(ctx, tt.email)
		if err != nil || found != tt.found {
			t.Errorf("EraseSubscriber(%s) = %v, %v; want %v", tt.email, found, err, tt.found)
		}
	}
	for _, addr := range []string{"ana@example.org", "commenter@example.org"} {
		if ms := mailTo(t, s, addr); len(ms) != 0 {
			t.Errorf("mail to %s after erasing it: %+v", addr, ms)
		}
	}
	if _, err := s.SubscriberByEmail(ctx, "ana@example.org"); !errors.Is(err, subscription.ErrNotFound) {
		t.Errorf("erased subscriber: err = %v, want ErrNotFound", err)
	}
	if st, _ := s.SubscriberStats(ctx); st.Subscribers != 4 || st.ByScope[site] != 1 {
		t.Errorf("SubscriberStats after erasing = %+v, want 4 subscribers, 1 on the site", st)
	}
}
