package subscription_test

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/errs"
	"broadsheet/internal/i18n"
	"broadsheet/internal/mail"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/subscription"
)

func newService(t *testing.T, wake func()) (*subscription.Service, *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "subs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SetSite(ctx, article.Site{Title: "The Test Gazette", Language: "en", TimeZone: "UTC"}))
	sec := article.Section{Slug: "city", Name: "City"}
	must(db.CreateSection(ctx, &sec))
	key, err := db.SigningKey(ctx)
	must(err)
	issuer, err := challenge.New(challenge.Config{Key: key}, db)
	must(err)
	return subscription.NewService(db, subscription.Config{Antibot: challenge.Policy{Builtin: issuer}, Consent: "test", Wake: wake}), db
}

func signup(email, scope, client string) subscription.Signup {
	addr := netip.MustParseAddr(client)
	return subscription.Signup{Email: email, Scope: scope, Client: addr, ClientKey: addr.String()}
}

// What is wrong with a request names its field, in the site's words.
func TestRequestRefusals(t *testing.T) {
	svc, _ := newService(t, nil)
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		in    subscription.Signup
		field string
		words string
	}{
		{"no email", signup("", "site", "203.0.113.1"), "email", "Please enter your email address."},
		{"not an email", signup("reader at example", "site", "203.0.113.1"), "email", "Please enter a valid email address, like name@example.org."},
		{"no such section", signup("a@example.org", "section:weather", "203.0.113.1"), "scope", "Please choose what to receive."},
		{"no such article", signup("a@example.org", "article:999", "203.0.113.1"), "scope", "Please choose what to receive."},
		{"bad frequency", subscription.Signup{Email: "a@example.org", Scope: "site", Frequency: "hourly", ClientKey: "x"}, "frequency", "Please choose how often to receive mail."},
	} {
		e := errs.From(svc.Request(ctx, tt.in))
		if want := []errs.Problem{{Field: tt.field, Message: tt.words}}; e.Kind != errs.Invalid || e.Message != tt.words || !reflect.DeepEqual(e.Fields, want) {
			t.Errorf("%s: %+v, want invalid %s: %q", tt.name, e, tt.field, tt.words)
		}
	}
	forged := signup("a@example.org", "site", "203.0.113.1")
	forged.Altcha = "eyJ4IjoxfQ=="
	if e := errs.From(svc.Request(ctx, forged)); e.Code != "check_failed" || e.Kind != errs.Invalid {
		t.Errorf("forged check: %+v", e)
	}
}

// A request queues mail and wakes the sender; a bot's (the honeypot) is
// told the same and does nothing; one client gets three unchecked
// requests an hour, the bot's among them.
func TestRequestQueuesAndLimits(t *testing.T) {
	woken := 0
	svc, db := newService(t, func() { woken++ })
	ctx := context.Background()
	if err := svc.Request(ctx, signup("reader@example.org", "section:city", "203.0.113.5")); err != nil || woken != 1 {
		t.Fatalf("request = %v, woken %d times", err, woken)
	}
	if sub, err := db.SubscriberByEmail(ctx, "reader@example.org"); err != nil || len(sub.Subs) != 1 || sub.Subs[0].Status != subscription.Pending {
		t.Errorf("stored: %+v, %v", sub, err)
	}
	bot := signup("bot@example.org", "site", "203.0.113.5")
	bot.Honeypot = true
	if err := svc.Request(ctx, bot); err != nil || woken != 1 {
		t.Errorf("honeypot = %v, woken %d times; want nil and no mail", err, woken)
	}
	if _, err := db.SubscriberByEmail(ctx, "bot@example.org"); err == nil {
		t.Error("the honeypot's address was stored")
	}
	if err := svc.Request(ctx, signup("third@example.org", "site", "203.0.113.5")); err != nil {
		t.Fatalf("third unchecked request: %v", err)
	}
	err := svc.Request(ctx, signup("fourth@example.org", "site", "203.0.113.5"))
	if e := errs.From(err); !errors.Is(err, errs.TooMany) || e.Retry <= 0 || e.Key != "subscribe.rate_limited" {
		t.Errorf("fourth unchecked request from one client: %v (%+v)", err, e)
	}
}

// A request is queued in the language of what it follows: a section of
// the Persian edition in Persian, the whole site in the site's language.
func TestRequestSpeaksTheEditionsLanguage(t *testing.T) {
	svc, db := newService(t, nil)
	ctx := context.Background()
	site, err := db.Site(ctx)
	if err != nil {
		t.Fatal(err)
	}
	site.Editions = []article.Edition{{Lang: "fa"}}
	if err := db.SetSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSection(ctx, &article.Section{Slug: "jahan", Name: "جهان", Edition: "fa"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ email, scope, data string }{
		{"fa@example.org", "section:jahan", "@fa " + i18n.For("fa").T("subscribe.label_section", "جهان")},
		{"en@example.org", "site", "@en " + i18n.For("en").T("subscribe.label_site", "The Test Gazette")},
	} {
		if err := svc.Request(ctx, signup(tt.email, tt.scope, "203.0.113.9")); err != nil {
			t.Fatalf("request %s: %v", tt.scope, err)
		}
		msgs, err := db.OutboxList(ctx, mail.Queued, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range msgs {
			if m.To == tt.email {
				found = strings.HasSuffix(m.Data, " "+tt.data)
				if !found {
					t.Errorf("%s: queued %q, want it to end %q", tt.scope, m.Data, tt.data)
				}
			}
		}
		if !found {
			t.Errorf("%s: no confirmation queued for %s", tt.scope, tt.email)
		}
	}
}
