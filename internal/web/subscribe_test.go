package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/comment"
	"broadsheet/internal/mail"
	"broadsheet/internal/mail/mailtest"
	"broadsheet/internal/subscription"
)

// mailSite is a newsroom site with a mail worker sending to a real SMTP
// server in the test.
type mailSite struct {
	*newsroomSite
	smtp   *mailtest.Server
	worker *mail.Worker
}

func newMailSite(t *testing.T) *mailSite {
	t.Helper()
	ns := newNewsroom(t)
	ms := &mailSite{newsroomSite: ns, smtp: mailtest.Start(t)}
	letters, err := mail.NewLetters(ns.db, "https://news.example.org", ns.srv.links)
	must(t, err)
	sender, err := mail.ParseSMTP(ms.smtp.URL())
	must(t, err)
	ms.worker = &mail.Worker{Outbox: ns.db, Letters: letters, SMTP: sender, From: "The Courier <news@news.example.org>",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return ns.clock }}
	return ms
}

// deliver runs the worker until nothing is due.
func (ms *mailSite) deliver(t *testing.T) {
	t.Helper()
	for range 10 {
		busy, err := ms.worker.Step(context.Background())
		must(t, err)
		if !busy {
			return
		}
	}
}

var linkPattern = regexp.MustCompile(`https://news\.example\.org/[^\s"<>]*`)

// local turns a link in a mail into a request path for the test server.
func local(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	must(t, err)
	return u.RequestURI()
}

func postForm(ns *newsroomSite, path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "203.0.113.150:1"
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	return rec
}

// The whole of a reader's subscription: subscribe on an article page,
// confirm from the mail, receive a new article once, leave with one click.
// Every link in every mail works.
func TestSubscriptionJourney(t *testing.T) {
	ms := newMailSite(t)
	_, path := publishedArticle(t, ms.newsroomSite, "Harbour wall repairs")
	_, page := getWith(ms.newsroomSite, path)
	for _, want := range []string{`action="/subscribe"`, `value="site"`, `value="section:city"`, `name="email"`, "<altcha-widget"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the article page's Subscribe control lacks %s", want)
		}
	}

	// A bad address comes back with a message and what was typed.
	rec := postForm(ms.newsroomSite, "/subscribe", url.Values{"email": {"reader at example"}, "scope": {"section:city"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Please enter a valid email address") ||
		!strings.Contains(rec.Body.String(), `value="reader at example"`) || !strings.Contains(rec.Body.String(), `value="section:city" checked`) {
		t.Errorf("bad address = %d; want 422 with the message, the address and the choice kept", rec.Code)
	}
	// A good one: "check your inbox", the same for anyone.
	rec = postForm(ms.newsroomSite, "/subscribe", url.Values{"email": {"Reader@Example.org"}, "scope": {"site"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/subscribe/sent" {
		t.Fatalf("subscribe = %d %s", rec.Code, rec.Header().Get("Location"))
	}
	ms.deliver(t)
	got := ms.smtp.Wait(t, 1, 5*time.Second)
	confirm := got[0]
	if confirm.To != "Reader@example.org" || !strings.Contains(confirm.Header.Get("Subject"), "Confirm") {
		t.Fatalf("first mail to %s: %q, want the confirmation", confirm.To, confirm.Header.Get("Subject"))
	}
	link := linkPattern.FindString(confirm.Text)
	if !strings.Contains(link, "/subscribe/confirm?t=") || !strings.Contains(confirm.HTML, `href="`+strings.ReplaceAll(link, "&", "&amp;")+`"`) {
		t.Fatalf("confirmation link %q missing from a part", link)
	}
	// Opening the link shows a button: a mail scanner confirms nothing.
	code, body := getWith(ms.newsroomSite, local(t, link))
	if code != 200 || !strings.Contains(body, "Confirm my subscription") {
		t.Fatalf("confirmation page = %d", code)
	}
	token := url.Values{"t": {mustQuery(t, link, "t")}}
	for range 2 { // a second click is welcome, not an error
		if rec := postForm(ms.newsroomSite, "/subscribe/confirm", token); rec.Code != 200 || !strings.Contains(rec.Body.String(), "You are subscribed") ||
			rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("confirm = %d", rec.Code)
		}
	}
	// A forged token is refused.
	if rec := postForm(ms.newsroomSite, "/subscribe/confirm", url.Values{"t": {"1.x.99999999999.forged"}}); rec.Code != http.StatusGone {
		t.Errorf("forged confirmation = %d, want 410", rec.Code)
	}

	// Confirmed once, never asked again: the section is added at once,
	// with a notice carrying a way out.
	if rec := postForm(ms.newsroomSite, "/subscribe", url.Values{"email": {"reader@example.org"}, "scope": {"section:city"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("second subscription = %d: %.300s", rec.Code, rec.Body.String())
	}
	ms.deliver(t)
	got = ms.smtp.Wait(t, 2, 5*time.Second)
	if s := got[1].Header.Get("Subject"); !strings.Contains(s, "You are now subscribed") {
		t.Errorf("second mail %q, want the notice, not another confirmation", s)
	}

	// Publishing fans out: one mail although two subscriptions match.
	_, articlePath := publishedArticle(t, ms.newsroomSite, "Ferry timetable changes")
	ms.deliver(t)
	got = ms.smtp.Wait(t, 3, 5*time.Second)
	news := got[2]
	if news.Header.Get("Subject") != "Ferry timetable changes" {
		t.Fatalf("third mail %q, want the article", news.Header.Get("Subject"))
	}
	for _, link := range linkPattern.FindAllString(news.Text, -1) {
		if code, _ := getWith(ms.newsroomSite, local(t, link)); code != 200 {
			t.Errorf("link %s in the mail = %d", link, code)
		}
	}
	if !strings.Contains(news.Text, "https://news.example.org"+articlePath) {
		t.Errorf("the mail does not link the article %s", articlePath)
	}
	unsub := strings.Trim(news.Header.Get("List-Unsubscribe"), "<>")
	if code, body := getWith(ms.newsroomSite, local(t, unsub)); code != 200 || !strings.Contains(body, "Stop receiving") {
		t.Errorf("GET of the unsubscribe link = %d; want a question, not an unsubscription", code)
	}
	// One click, as a mail provider sends it (RFC 8058), twice.
	for range 2 {
		req := httptest.NewRequest("POST", local(t, unsub), strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		ms.srv.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "You are unsubscribed") {
			t.Fatalf("one-click unsubscribe = %d", rec.Code)
		}
	}
	publishedArticle(t, ms.newsroomSite, "Lighthouse keepers return")
	ms.deliver(t)
	if n := len(ms.smtp.Messages()); n != 3 {
		t.Errorf("%d mails after unsubscribing, want still 3", n)
	}
	// The manage page says so, and still works.
	manage := linkPattern.FindString(news.Text[strings.Index(news.Text, "/subscriptions?")-30:])
	if code, body := getWith(ms.newsroomSite, local(t, manage)); code != 200 || !strings.Contains(body, "receives nothing from us") {
		t.Errorf("manage page after one-click = %d", code)
	}
}

func mustQuery(t *testing.T, link, key string) string {
	t.Helper()
	u, err := url.Parse(link)
	must(t, err)
	return u.Query().Get(key)
}

// The answer never tells whether an address is known, and a flood from
// one address or at one domain is stopped.
func TestSubscribeNoEnumerationAndLimits(t *testing.T) {
	ms := newMailSite(t)
	first := postForm(ms.newsroomSite, "/subscribe", url.Values{"email": {"known@example.org"}, "scope": {"site"}})
	again := postForm(ms.newsroomSite, "/subscribe", url.Values{"email": {"known@example.org"}, "scope": {"site"}})
	if first.Code != again.Code || first.Header().Get("Location") != again.Header().Get("Location") || first.Body.String() != again.Body.String() {
		t.Error("a known address gets a different answer from a new one")
	}
	var last *httptest.ResponseRecorder
	for i := range 5 {
		last = postForm(ms.newsroomSite, "/subscribe", url.Values{"email": {"victim" + string(rune('a'+i)) + "@example.org"}, "scope": {"site"}})
	}
	if last.Code != http.StatusTooManyRequests || last.Header().Get("Retry-After") == "" {
		t.Errorf("requests without the check from one address = %d, want 429 with Retry-After", last.Code)
	}
}

// A reader following a discussion hears of each new public comment, a
// commenter who asked hears of replies, nobody hears of their own words,
// and one click stops reply notifications.
func TestDiscussionAndReplyMail(t *testing.T) {
	ms := newMailSite(t)
	ctx := context.Background()
	id, path := publishedArticle(t, ms.newsroomSite, "Bridge tolls to rise")
	// A follower of the discussion, confirmed.
	postForm(ms.newsroomSite, "/subscribe", url.Values{"email": {"follower@example.org"}, "scope": {"article:" + strconv.FormatInt(id, 10)}})
	ms.deliver(t)
	confirm := ms.smtp.Wait(t, 1, 5*time.Second)[0]
	postForm(ms.newsroomSite, "/subscribe/confirm", url.Values{"t": {mustQuery(t, linkPattern.FindString(confirm.Text), "t")}})

	// Ana comments and asks for replies; a moderator approves.
	ms.clock = ms.clock.Add(time.Minute)
	postComment(ms.newsroomSite, path+"/comments", url.Values{"name": {"Ana"}, "email": {"ana@example.org"}, "notify": {"1"},
		"body": {"Tolls again? The ferry is cheaper."}}, "203.0.113.170:1")
	ana := mustPending(t, ms.newsroomSite)[0]
	must(t, ms.db.SetCommentStatus(ctx, []int64{ana.ID}, comment.Approved))
	ms.deliver(t)
	got := ms.smtp.Wait(t, 2, 5*time.Second)
	if got[1].To != "follower@example.org" || !strings.Contains(got[1].Text, "The ferry is cheaper.") || !strings.Contains(got[1].Text, "#c-"+strconv.FormatInt(ana.ID, 10)) {
		t.Fatalf("second mail to %s: %q, want Ana's comment to the follower", got[1].To, got[1].Header.Get("Subject"))
	}
	// The follower replies to Ana; approved, it reaches Ana (who asked) but
	// not the follower (their own words).
	postComment(ms.newsroomSite, path+"/comments", url.Values{"name": {"Fol"}, "email": {"follower@example.org"}, "parent": {strconv.FormatInt(ana.ID, 10)},
		"body": {"Only in summer."}}, "203.0.113.171:1")
	reply := mustPending(t, ms.newsroomSite)[0]
	must(t, ms.db.SetCommentStatus(ctx, []int64{reply.ID}, comment.Approved))
	ms.deliver(t)
	ms.smtp.Wait(t, 3, 5*time.Second)
	if len(ms.smtp.To("follower@example.org")) != 2 {
		t.Errorf("the follower got %d mails, want 2 (no mail about their own reply)", len(ms.smtp.To("follower@example.org")))
	}
	toAna := ms.smtp.To("ana@example.org")
	if len(toAna) != 1 || !strings.Contains(toAna[0].Header.Get("Subject"), "replied to your comment") || !strings.Contains(toAna[0].Text, "Only in summer.") {
		t.Fatalf("Ana got %d mails, want the reply notification", len(toAna))
	}
	// Approving again sends nothing twice.
	must(t, ms.db.SetCommentStatus(ctx, []int64{reply.ID}, comment.Pending))
	must(t, ms.db.SetCommentStatus(ctx, []int64{reply.ID}, comment.Approved))
	ms.deliver(t)
	if n := len(ms.smtp.Messages()); n != 3 {
		t.Errorf("%d mails after approving again, want still 3", n)
	}
	// One click stops Ana's reply notifications.
	stop := strings.Trim(toAna[0].Header.Get("List-Unsubscribe"), "<>")
	req := httptest.NewRequest("POST", local(t, stop), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	ms.srv.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("stop replies = %d", rec.Code)
	}
	if c, _ := ms.db.CommentByID(ctx, ana.ID); c.Notify {
		t.Error("Ana's comment still asks for replies")
	}
}

// A daily subscriber gets one digest a day at the site's hour, listing
// what was published in their scopes in the 24 hours before, and can
// switch back to one mail per article from the manage page.
func TestDailyDigest(t *testing.T) {
	ms := newMailSite(t)
	ctx := context.Background()
	postForm(ms.newsroomSite, "/subscribe", url.Values{"email": {"daily@example.org"}, "scope": {"section:city"}, "frequency": {"daily"}})
	ms.deliver(t)
	confirm := ms.smtp.Wait(t, 1, 5*time.Second)[0]
	postForm(ms.newsroomSite, "/subscribe/confirm", url.Values{"t": {mustQuery(t, linkPattern.FindString(confirm.Text), "t")}})

	// ns.clock is 09:00 UTC; digests go out at 11:00 UTC.
	site, err := ms.db.Site(ctx)
	must(t, err)
	site.DigestHour = 11
	must(t, ms.db.SetSite(ctx, site))
	publishedArticle(t, ms.newsroomSite, "Harbour wall repairs")
	ms.clock = ms.clock.Add(time.Hour)
	publishedArticle(t, ms.newsroomSite, "Ferry timetable changes")
	ms.deliver(t)
	if n := len(ms.smtp.Messages()); n != 1 {
		t.Fatalf("%d mails before the digest, want only the confirmation: a daily subscriber gets no mail per article", n)
	}
	if _, due := subscription.DigestDue(ms.clock, site.Location(), site.DigestHour); due {
		t.Fatal("the digest is due at 10:00")
	}
	ms.clock = time.Date(2026, 6, 1, 11, 30, 0, 0, time.UTC)
	day, due := subscription.DigestDue(ms.clock, site.Location(), site.DigestHour)
	if !due {
		t.Fatal("the digest is not due at 11:30")
	}
	for range 2 { // asked twice, sent once
		must(t, ms.db.QueueDigest(ctx, day, ms.clock))
		ms.deliver(t)
	}
	got := ms.smtp.Wait(t, 2, 5*time.Second)
	digest := got[1]
	if len(got) != 2 || !strings.Contains(digest.Header.Get("Subject"), "2 new articles today") ||
		!strings.Contains(digest.Text, "Harbour wall repairs") || !strings.Contains(digest.Text, "Ferry timetable changes") ||
		digest.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("%d mails; digest %q:\n%s", len(got), digest.Header.Get("Subject"), digest.Text)
	}
	// Back to one mail per article, from the manage page.
	manage := local(t, linkPattern.FindString(digest.Text[strings.Index(digest.Text, "/subscriptions?")-30:]))
	sub, err := ms.db.SubscriberByEmail(ctx, "daily@example.org")
	must(t, err)
	rec := postForm(ms.newsroomSite, "/subscriptions", url.Values{"t": {mustQuery(t, "https://x"+manage, "t")}, "s": {strconv.FormatInt(sub.Subs[0].ID, 10)},
		"action": {"frequency"}, "frequency": {"immediate"}})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `value="immediate" selected`) {
		t.Fatalf("change frequency = %d", rec.Code)
	}
	publishedArticle(t, ms.newsroomSite, "Lighthouse keepers return")
	ms.deliver(t)
	if got := ms.smtp.Wait(t, 3, 5*time.Second); got[2].Header.Get("Subject") != "Lighthouse keepers return" {
		t.Errorf("after switching, third mail %q, want the article", got[2].Header.Get("Subject"))
	}
}

// The JSON door has the same checks as the form and the same answer for
// every address.
func TestSubscribeAPI(t *testing.T) {
	ns := newNewsroom(t)
	for _, tt := range []struct {
		name, body string
		want       int
		code       string
	}{
		{"no email", `{"scope":"site"}`, 422, `"code":"invalid"`},
		{"bad scope", `{"email":"a@example.org","scope":"section:nowhere"}`, 422, `"code":"invalid"`},
		{"bad frequency", `{"email":"a@example.org","scope":"site","frequency":"hourly"}`, 422, `"code":"invalid"`},
		{"forged check", `{"email":"a@example.org","scope":"site","altcha":"eyJ4IjoxfQ=="}`, 422, "check_failed"},
		{"unknown field", `{"email":"a@example.org","scope":"site","admin":true}`, 400, "unknown field"},
		{"good", `{"email":"a@example.org","scope":"section:city","frequency":"daily"}`, 202, "check_inbox"},
		{"known address", `{"email":"a@example.org","scope":"section:city","frequency":"daily"}`, 202, "check_inbox"},
	} {
		rec := postJSON(ns, "/api/v1/subscriptions", tt.body, "203.0.113.200:1")
		if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.code) {
			t.Errorf("%s = %d %s, want %d with %s", tt.name, rec.Code, rec.Body.String(), tt.want, tt.code)
		}
	}
}
