package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/article"
	"broadsheet/internal/mail"
	"broadsheet/internal/mail/mailtest"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/subscription"
	"broadsheet/internal/web"
)

const (
	// subscribeTimeout bounds the whole subscription journey.
	subscribeTimeout = 120 * time.Second

	// mailTimeout bounds the wait for one mail to reach the SMTP server.
	mailTimeout = 15 * time.Second

	// subscribeArticle is the demo article the reader subscribes from;
	// subscribeSection is its section, the scope the reader chooses.
	subscribeArticle = "/city/council-votes-eastgate-tram-depot-homes"
	subscribeSection = "city"
	subscribeEmail   = "rosa.fenwick@example.org"
	subscribeFrom    = "The Merrow Courier <news@courier.example>"

	// The selectors of the Subscribe box at the foot of the article.
	selSubForm   = "form.subscribe-form"
	selSubScope  = `form.subscribe-form input[name=scope][value="section:` + subscribeSection + `"]`
	selSubEmail  = "form.subscribe-form input[name=email]"
	selSubFreq   = "form.subscribe-form select[name=frequency]"
	selSubWidget = "form.subscribe-form altcha-widget"
	selSubSubmit = "form.subscribe-form button[type=submit]"
	selSubH1     = ".subscription-page h1"
	selConfirm   = `.subscription-page form[action="/subscribe/confirm"] button[type=submit]`
)

// TestSubscriptionJourneyInBrowser follows a reader's subscription from
// end to end, with a real browser and a real SMTP server. The reader
// subscribes to a section from the Subscribe box of an article, the
// anti-bot widget solving its check as the form is sent; the confirmation
// mail arrives and its link confirms in the browser; a new article in the
// section arrives by mail with one-click unsubscribe headers; a POST to
// that header, as a mail provider sends it, ends the subscription; the
// manage page says so, and the next article sends nothing. Screenshots go
// to the artifact directory of the test.
//
// It needs Chromium at /usr/bin/chromium. Without it the test skips, unless
// the variable CI is set: CI must run it, so there it fails.
func TestSubscriptionJourneyInBrowser(t *testing.T) {
	requireChromium(t)
	start := time.Now()
	step := func(name string) {
		t.Helper()
		t.Logf("[%6v] %s", time.Since(start).Round(time.Millisecond), name)
	}
	dir := t.TempDir() // first, so that its removal is the last cleanup
	artifacts := t.ArtifactDir()
	ctx, cancel := context.WithTimeout(context.Background(), subscribeTimeout)
	t.Cleanup(cancel)

	site := startMailSite(t, ctx, dir)
	db, ts, smtp := site.db, site.ts, site.smtp
	sec, err := db.SectionBySlug(ctx, subscribeSection)
	if err != nil {
		t.Fatalf("read the section %s: %v", subscribeSection, err)
	}
	step("site with a mail worker at " + ts.URL + ", SMTP at " + smtp.URL())

	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	posts := watchPosts(t, bctx, "/subscribe")
	step("Chromium started")

	// --- 1. The reader subscribes from the foot of an article. ---
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+subscribeArticle))
	if err != nil {
		t.Fatalf("open the article: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, subscribeArticle)
	if err := chromedp.Do(bctx,
		chromedp.WaitVisible(chromedp.CSS(selSubForm)),
		// forms.js fetches the widget once the reader starts the form,
		// and has it solve the check when the form is sent.
		chromedp.Poll[chromedp.Void](formsReadyJS, chromedp.WithPollingTimeout(20*time.Second)),
	); err != nil {
		t.Fatalf("the Subscribe box or its script is not ready: %v", err)
	}
	scopes := evaluate[[]string](t, bctx, `[...document.querySelectorAll("form.subscribe-form input[name=scope]")].map(i => i.value)`)
	if !strings.Contains(strings.Join(scopes, " "), "section:"+subscribeSection) {
		t.Fatalf("the Subscribe box offers %q, want section:%s among them", scopes, subscribeSection)
	}
	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(selSubScope)),
		chromedp.SendKeys(chromedp.CSS(selSubEmail), subscribeEmail),
		chromedp.SetValue(chromedp.CSS(selSubFreq), string(subscription.Immediate)),
	); err != nil {
		t.Fatalf("fill in the Subscribe box: %v", err)
	}
	form := evaluate[map[string]string](t, bctx,
		`Object.fromEntries([...new FormData(document.querySelector("form.subscribe-form"))].map(([k, v]) => [k, String(v)]))`)
	if form["scope"] != "section:"+subscribeSection || form["email"] != subscribeEmail || form["frequency"] != "immediate" || form["altcha"] != "" {
		t.Fatalf("the Subscribe box would send %q; want the section, the address, immediate, and no check solved yet", form)
	}
	screenshot(t, bctx, filepath.Join(artifacts, "subscribe-form.png"))
	problems.report(t, "article with the Subscribe box")

	// As the reader fills it in, the form must be ready to send:
	// forms.js solves the check on the submit event, and a browser
	// fires none for a form with an invalid control.
	if invalid := evaluate[[]string](t, bctx, fmt.Sprintf(invalidControlsJS, jsString(selSubForm))); len(invalid) > 0 {
		sendBlocked(t, bctx, posts, invalid)
	}
	sctx, scancel := context.WithTimeout(bctx, 45*time.Second) // the proof of work runs in here
	resp, err = chromedp.RunResponse(sctx, chromedp.Click(chromedp.CSS(selSubSubmit)))
	scancel()
	if err != nil {
		t.Fatalf("click Subscribe: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/subscribe/sent")
	if h := inspectOne(t, bctx, selSubH1); !h.Visible || h.Text != "Check your inbox" {
		t.Errorf("after subscribing the heading reads %q (visible=%v), want Check your inbox", h.Text, h.Visible)
	}
	sent := posts.get(t, bctx)
	if sent.Get("email") != subscribeEmail || sent.Get("scope") != "section:"+subscribeSection || sent.Get("frequency") != "immediate" {
		t.Errorf("the browser posted %q, want the address, the section and immediate", sent)
	}
	payload := sent.Get("altcha")
	if payload == "" {
		t.Fatalf("the browser posted no anti-bot solution: the widget did not solve on submit (posted %q)", sent)
	}
	// The server spent the solution: a replay of it is refused.
	replay := plainPost(t, ctx, ts.URL+"/subscribe", url.Values{"email": {"replay@example.org"}, "scope": {"site"}, "altcha": {payload}})
	if replay.status != http.StatusUnprocessableEntity || !strings.Contains(replay.body, "anti-bot check could not be confirmed") {
		t.Errorf("a replay of the widget's solution = HTTP %d, want 422: the server did not verify and spend it", replay.status)
	}
	screenshot(t, bctx, filepath.Join(artifacts, "subscribe-sent.png"))
	problems.report(t, "subscription sent")
	step("subscribed from the article; the widget's solution was verified")

	// --- 2. The confirmation mail. ---
	got := smtp.Wait(t, 1, mailTimeout)
	confirmMail := got[0]
	if confirmMail.To != subscribeEmail || !strings.HasPrefix(confirmMail.Header.Get("Subject"), "Confirm your subscription") {
		t.Fatalf("the first mail goes to %s with the subject %q, want the confirmation to %s",
			confirmMail.To, confirmMail.Header.Get("Subject"), subscribeEmail)
	}
	if want := "new articles in " + sec.Name; !strings.Contains(confirmMail.Text, want) {
		t.Errorf("the confirmation does not say what was asked for (%q):\n%s", want, confirmMail.Text)
	}
	links := siteLinks(ts.URL)
	confirmLink := ""
	for _, l := range links.FindAllString(confirmMail.Text, -1) {
		if strings.HasPrefix(l, ts.URL+"/subscribe/confirm?") {
			confirmLink = l
		}
	}
	if confirmLink == "" {
		t.Fatalf("the confirmation mail has no link to %s/subscribe/confirm:\n%s", ts.URL, confirmMail.Text)
	}
	if !strings.Contains(confirmMail.HTML, `href="`+strings.ReplaceAll(confirmLink, "&", "&amp;")+`"`) {
		t.Errorf("the HTML part does not link %s", confirmLink)
	}
	step("confirmation mail arrived")

	// --- 3. The reader confirms in the browser. ---
	resp, err = chromedp.Run(bctx, chromedp.NavigateResponse(confirmLink))
	if err != nil {
		t.Fatalf("open the confirmation link: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/subscribe/confirm")
	if b := inspectOne(t, bctx, selConfirm); !b.Visible || b.Text != "Confirm my subscription" {
		t.Fatalf("the confirmation page has no visible Confirm my subscription button: %q %+v", b.Text, b.box())
	}
	if s := subscriberStatus(t, ctx, db); s != subscription.Pending {
		t.Errorf("opening the link (GET) left the subscription %q, want it still pending: only the button confirms", s)
	}
	screenshot(t, bctx, filepath.Join(artifacts, "subscribe-confirm.png"))
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(selConfirm)))
	if err != nil {
		t.Fatalf("click Confirm my subscription: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/subscribe/confirm")
	if h := inspectOne(t, bctx, selSubH1); !h.Visible || h.Text != "You are subscribed" {
		t.Fatalf("after confirming the heading reads %q (visible=%v), want You are subscribed", h.Text, h.Visible)
	}
	if !strings.Contains(pageText(t, bctx), "Mail will go to "+subscribeEmail) {
		t.Errorf("the confirmed page does not name the address: %.300q", pageText(t, bctx))
	}
	if s := subscriberStatus(t, ctx, db); s != subscription.Active {
		t.Errorf("after confirming the subscription is %q, want active", s)
	}
	screenshot(t, bctx, filepath.Join(artifacts, "subscribe-confirmed.png"))
	problems.report(t, "confirmation")
	step("subscription confirmed in the browser")

	// --- 4. The newsroom publishes; the article comes by mail. ---
	first := publishForMail(t, ctx, site, sec, "Eastgate tram depot gets its first trams")
	articleURL := ts.URL + "/" + sec.Slug + "/" + first.Slug
	got = smtp.Wait(t, 2, mailTimeout)
	news := got[1]
	if news.To != subscribeEmail || news.Header.Get("Subject") != first.Headline {
		t.Fatalf("the second mail goes to %s with the subject %q, want the article %q to %s",
			news.To, news.Header.Get("Subject"), first.Headline, subscribeEmail)
	}
	if !slices.Contains(links.FindAllString(news.Text, -1), articleURL) {
		t.Errorf("the article mail does not link %s:\n%s", articleURL, news.Text)
	}
	if !strings.Contains(news.HTML, `href="`+articleURL+`"`) {
		t.Errorf("the HTML part of the article mail does not link %s", articleURL)
	}
	unsubHeader := news.Header.Get("List-Unsubscribe")
	unsubURL, ok := strings.CutPrefix(unsubHeader, "<")
	unsubURL, ok2 := strings.CutSuffix(unsubURL, ">")
	if !ok || !ok2 || !strings.HasPrefix(unsubURL, ts.URL+"/unsubscribe?") {
		t.Fatalf("List-Unsubscribe is %q, want <%s/unsubscribe?…>", unsubHeader, ts.URL)
	}
	if p := news.Header.Get("List-Unsubscribe-Post"); p != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post is %q, want List-Unsubscribe=One-Click", p)
	}
	manageLink := ""
	for _, l := range links.FindAllString(news.Text, -1) {
		if strings.HasPrefix(l, ts.URL+"/subscriptions?") {
			manageLink = l
		}
	}
	if manageLink == "" {
		t.Fatalf("the article mail has no manage link:\n%s", news.Text)
	}
	// The reader follows the link of the mail.
	resp, err = chromedp.Run(bctx, chromedp.NavigateResponse(articleURL))
	if err != nil {
		t.Fatalf("open the article from the mail: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/"+sec.Slug+"/"+first.Slug)
	if h := inspectOne(t, bctx, selHeadline); normalizeSpace(h.Text) != first.Headline {
		t.Errorf("the link of the mail shows the headline %q, want %q", h.Text, first.Headline)
	}
	problems.report(t, "article from the mail")
	step("article mail arrived; its link works")

	// --- 5. One click, as a mail provider sends it (RFC 8058). ---
	one := plainPost(t, ctx, unsubURL, url.Values{"List-Unsubscribe": {"One-Click"}})
	if one.status != http.StatusOK || !strings.Contains(one.body, "You are unsubscribed") {
		t.Fatalf("the one-click unsubscribe = HTTP %d, want 200 saying You are unsubscribed: %.300q", one.status, one.body)
	}
	resp, err = chromedp.Run(bctx, chromedp.NavigateResponse(manageLink))
	if err != nil {
		t.Fatalf("open the manage link: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/subscriptions")
	if e := inspectOne(t, bctx, ".subscription-page p.empty"); !e.Visible || e.Text != "This address receives nothing from us." {
		t.Errorf("after the one-click unsubscribe the manage page says %q (visible=%v), want This address receives nothing from us.; the page says %.300q",
			e.Text, e.Visible, pageText(t, bctx))
	}
	screenshot(t, bctx, filepath.Join(artifacts, "subscribe-manage-empty.png"))
	problems.report(t, "manage page after unsubscribing")
	step("unsubscribed with one click; the manage page agrees")

	second := publishForMail(t, ctx, site, sec, "Eastgate depot opening date set")
	// Run the fan-out here, so that the wait below is not a guess at
	// whether the worker got to it: it queues nothing for a reader who left.
	for more := true; more; {
		if more, err = db.ExpandFanouts(ctx, time.Now(), 100); err != nil {
			t.Fatalf("expand the fan-out of %q: %v", second.Headline, err)
		}
	}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && len(smtp.Messages()) == 2; {
		time.Sleep(100 * time.Millisecond)
	}
	if msgs := smtp.Messages(); len(msgs) != 2 {
		last := msgs[len(msgs)-1]
		t.Errorf("after the one-click unsubscribe %d more mails arrived, the last %q to %s",
			len(msgs)-2, last.Header.Get("Subject"), last.To)
	}
	counts, err := db.OutboxCounts(ctx)
	if err != nil {
		t.Fatalf("count the outbox: %v", err)
	}
	if counts[mail.Sent] != 2 || counts[mail.Queued] != 0 || counts[mail.Failed] != 0 {
		t.Errorf("the outbox holds %v, want 2 sent and nothing else", counts)
	}
	step("the next article sent nothing")
	t.Logf("journey done in %v", time.Since(start).Round(time.Millisecond))
}

// invalidControlsJS lists the controls of a form that stop a browser from
// sending it through its submit button, with the browser's message for
// each: none when the form or the button opts out of validation.
const invalidControlsJS = `((sel) => {
  const form = document.querySelector(sel);
  if (form.noValidate || form.querySelector("button[type=submit]")?.formNoValidate) return [];
  return [...form.elements].filter(el => el.willValidate && !el.checkValidity())
    .map(el => el.outerHTML.slice(0, 100) + ": " + el.validationMessage);
})(%s)`

// sendBlocked handles a Subscribe box that the browser will not send
// because of the invalid controls: it shows that a click on Subscribe sends
// nothing, which fails the test, and then does what the browser tells the
// reader to do, ticking the widget's box so that it solves its check, so
// that the rest of the journey is still tested.
func sendBlocked(t *testing.T, ctx context.Context, posts *postWatch, invalid []string) {
	t.Helper()
	before, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("read the location: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(selSubSubmit)), chromedp.Sleep(2*time.Second)); err != nil {
		t.Fatalf("click Subscribe: %v", err)
	}
	after, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("read the location: %v", err)
	}
	if after != before || posts.sent() {
		t.Fatalf("the form has invalid controls (%s), yet clicking Subscribe sent it and the browser is at %s", strings.Join(invalid, "; "), after)
	}
	t.Errorf("clicking Subscribe sends nothing and solves no check: the browser will not submit the form while it has "+
		"an invalid control, so it fires no submit event and forms.js never runs; the reader must first tick the "+
		"anti-bot box. Invalid: %s", strings.Join(invalid, "; "))
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(selSubWidget+" input[type=checkbox]")),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector(%s)?.value > ""`, jsString(selSubForm+` input[name="altcha"]`)),
			chromedp.WithPollingTimeout(30*time.Second)),
	); err != nil {
		t.Fatalf("tick the anti-bot box and wait for its solution: %v", err)
	}
	t.Logf("went on by ticking the anti-bot box first, as the browser asks")
}

// mailSite is the demo site with a mail worker that delivers to an SMTP
// server in the test.
type mailSite struct {
	db     *sqlite.DB
	ts     *httptest.Server
	smtp   *mailtest.Server
	worker *mail.Worker
}

// startMailSite is startSite with the outbox delivered, as cmd/broadsheet
// wires it: the worker wakes when a request queues mail and otherwise
// looks every 200 ms. Its links use the test server's address. The fan-outs
// of the demo content are expanded (to nobody) before it starts, so the
// only mail is the journey's.
func startMailSite(t *testing.T, ctx context.Context, dir string) *mailSite {
	t.Helper()
	smtp := mailtest.Start(t)
	// The worker needs the store, which startSiteWith opens: the server
	// gets a wake-up that finds the worker once it exists.
	var running atomic.Pointer[mail.Worker]
	db, ts := startSiteWith(t, ctx, dir, web.Options{
		MailSending: true,
		MailQueued: func() {
			if w := running.Load(); w != nil {
				w.Wake()
			}
		},
	}, 0)
	key, err := db.SigningKey(ctx)
	if err != nil {
		t.Fatalf("read the signing key: %v", err)
	}
	letters, err := mail.NewLetters(db, ts.URL, subscription.Links{Key: key, Now: time.Now})
	if err != nil {
		t.Fatalf("load the mail templates: %v", err)
	}
	sender, err := mail.ParseSMTP(smtp.URL())
	if err != nil {
		t.Fatalf("parse the SMTP URL %s: %v", smtp.URL(), err)
	}
	w := &mail.Worker{Outbox: db, Letters: letters, SMTP: sender, From: subscribeFrom,
		Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))}
	for busy := true; busy; {
		if busy, err = w.Step(ctx); err != nil {
			t.Fatalf("expand the demo content's fan-outs: %v", err)
		}
	}
	if n := len(smtp.Messages()); n != 0 {
		t.Fatalf("the demo content sent %d mails, want none", n)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(wctx, 200*time.Millisecond)
	}()
	t.Cleanup(func() {
		stop()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("the mail worker did not stop within 10s")
		}
	})
	running.Store(w)
	return &mailSite{db: db, ts: ts, smtp: smtp, worker: w}
}

// publishForMail publishes a new article in sec through the store, as the
// newsroom does, and wakes the worker as the newsroom's publish does.
func publishForMail(t *testing.T, ctx context.Context, site *mailSite, sec *article.Section, headline string) *article.Article {
	t.Helper()
	a := &article.Article{
		Slug:       article.Slugify(headline),
		Headline:   headline,
		Standfirst: "The council has set out what happens next at the Eastgate depot.",
		Body:       "The first trams will run in from the depot on a trial timetable.\n\nThe council will publish the full timetable next month.",
		Section:    *sec,
		Status:     article.Published,
		Language:   "en",
		// A second ago: the article is public when the worker looks.
		PublishedAt: time.Now().Add(-time.Second),
	}
	if err := site.db.CreateArticle(ctx, a); err != nil {
		t.Fatalf("publish %q: %v", headline, err)
	}
	site.worker.Wake()
	return a
}

// subscriberStatus is the status of the one subscription of the reader.
func subscriberStatus(t *testing.T, ctx context.Context, db *sqlite.DB) subscription.Status {
	t.Helper()
	s, err := db.SubscriberByEmail(ctx, subscribeEmail)
	if err != nil {
		t.Fatalf("read the subscriber %s: %v", subscribeEmail, err)
	}
	if len(s.Subs) != 1 || s.Subs[0].Scope.Kind != subscription.Section {
		t.Fatalf("the subscriber %s has the subscriptions %+v, want one to a section", subscribeEmail, s.Subs)
	}
	return s.Subs[0].Status
}

// siteLinks matches the links to base in the text of a mail.
func siteLinks(base string) *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(base) + `/[^\s"<>]*`)
}

// plainPost posts a form to address as a client without a browser does,
// such as a mail provider's one-click unsubscribe. It follows no redirect.
func plainPost(t *testing.T, ctx context.Context, address string, form url.Values) plainResponse {
	t.Helper()
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, address, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("build the POST to %s: %v", address, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", address, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the answer to POST %s: %v", address, err)
	}
	return plainResponse{status: resp.StatusCode, body: string(body)}
}

// postWatch records the body of the last form the tab posted to a path.
type postWatch struct {
	path string
	mu   sync.Mutex
	id   network.RequestID
	body []byte
}

// watchPosts starts recording the forms the tab of ctx posts to path.
func watchPosts(t *testing.T, ctx context.Context, path string) *postWatch {
	t.Helper()
	w := &postWatch{path: path}
	err := chromedp.Listen(ctx, func(ev any) {
		e, ok := ev.(*network.EventRequestWillBeSent)
		if !ok || e.Request == nil || e.Request.Method != http.MethodPost {
			return
		}
		if u, err := url.Parse(e.Request.URL); err != nil || u.Path != w.path {
			return
		}
		var body []byte
		for _, p := range e.Request.PostDataEntries {
			body = append(body, p.Bytes...)
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.id, w.body = e.RequestID, body
	})
	if err != nil {
		t.Fatalf("watch the forms posted to %s: %v", path, err)
	}
	return w
}

// sent reports whether the tab has posted a form to the path.
func (w *postWatch) sent() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.id != ""
}

// get returns the last form posted, asking the browser for its body when
// the event did not carry it.
func (w *postWatch) get(t *testing.T, ctx context.Context) url.Values {
	t.Helper()
	w.mu.Lock()
	id, body := w.id, w.body
	w.mu.Unlock()
	if id == "" {
		t.Fatalf("the browser posted nothing to %s", w.path)
	}
	if len(body) == 0 {
		res, err := chromedp.Call(ctx, network.GetRequestPostData, network.GetRequestPostDataParams{RequestID: id})
		if err != nil {
			t.Fatalf("read the form posted to %s: %v", w.path, err)
		}
		body = res.PostData
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatalf("the form posted to %s is not URL-encoded: %v: %q", w.path, err, body)
	}
	return v
}
