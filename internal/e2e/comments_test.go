package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/internal/comment"
	"broadsheet/internal/web"
)

// TestCommentJourney posts a comment as a reader in a real browser: the
// page names the missing fields before anything is sent, then the built-in
// anti-bot widget solves its check when the reader posts, the server
// verifies it, and the reader sees their comment awaiting moderation.
func TestCommentJourney(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	const path = "/city/council-votes-eastgate-tram-depot-homes"

	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+path))
	if err != nil {
		t.Fatalf("open the article: %v", err)
	}
	expectPage(t, bctx, resp, 200, path)
	if err := chromedp.Do(bctx, chromedp.WaitReady(chromedp.CSS("altcha-widget"))); err != nil {
		t.Fatalf("the anti-bot widget is not on the page: %v", err)
	}

	// Nothing typed: the page says what is missing, without sending.
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#comment-form button[type=submit]`))); err != nil {
		t.Fatalf("click Post: %v", err)
	}
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(`#comment-body-error`))); err != nil {
		t.Fatalf("no inline message for the comment: %v", err)
	}
	bodyMsg := evaluate[string](t, bctx, `document.getElementById("comment-body-error").textContent`)
	nameMsg := evaluate[string](t, bctx, `document.getElementById("comment-name-error").textContent`)
	if bodyMsg != comment.MsgBodyMissing || nameMsg != comment.MsgNameMissing {
		t.Errorf("inline messages %q and %q, want %q and %q", bodyMsg, nameMsg, comment.MsgBodyMissing, comment.MsgNameMissing)
	}
	if n, _ := db.ModerationQueue(ctx, comment.Pending, 0, 10); len(n) != 0 {
		t.Fatalf("an empty form reached the server")
	}

	// Filled in: the widget solves on submit and the server verifies.
	text := "The second platform at Eastgate Halt matters more than the parking."
	err = chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(`#comment-body`), text),
		chromedp.SendKeys(chromedp.CSS(`#comment-name`), "Rosa Fenwick"),
	)
	if err != nil {
		t.Fatalf("type the comment: %v", err)
	}
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#comment-form button[type=submit]`))); err != nil {
		t.Fatalf("click Post: %v", err)
	}
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(`li.comment.held`))); err != nil {
		t.Fatalf("the comment did not come back awaiting moderation: %v; the page says %.300q", err, pageText(t, bctx))
	}
	shown := pageText(t, bctx)
	if !strings.Contains(shown, text) || !strings.Contains(shown, "Awaiting moderation") {
		t.Errorf("the reader does not see their held comment")
	}
	q, err := db.ModerationQueue(ctx, comment.Pending, 0, 10)
	if err != nil || len(q) != 1 {
		t.Fatalf("pending comments = %d, %v; want 1", len(q), err)
	}
	// Held because the commenter is new, not because the check was missing:
	// the widget's solution was verified.
	if q[0].HeldReason != "first comment from this commenter" {
		t.Errorf("held because %q, want the first-comment rule (a verified check)", q[0].HeldReason)
	}
	screenshot(t, bctx, t.ArtifactDir()+"/comment-held.png")
	problems.report(t, "article page with a comment")
}

// TestExpiredCheckCostsNothing lets the anti-bot check expire between
// solving and posting, as when a reader starts a comment, solves the check
// and goes to lunch. The server hands the comment back with a fresh check;
// the page solves it and posts again by itself. The reader retypes nothing.
func TestExpiredCheckCostsNothing(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	const expiry = 4 * time.Second
	db, ts := startSiteWith(t, ctx, dir, web.Options{}, expiry)
	bctx, _, _ := startNewsroomBrowser(t, ctx, dir)
	const path = "/city/council-votes-eastgate-tram-depot-homes"
	if _, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+path)); err != nil {
		t.Fatalf("open the article: %v", err)
	}
	text := "Written before lunch, posted after it: every word should arrive."
	err := chromedp.Do(bctx,
		chromedp.WaitReady(chromedp.CSS("altcha-widget")),
		chromedp.SendKeys(chromedp.CSS(`#comment-body`), text),
		chromedp.SendKeys(chromedp.CSS(`#comment-name`), "Lunch Reader"),
		// Solve now, post later.
		chromedp.Click(chromedp.CSS(`altcha-widget input[type=checkbox]`)),
	)
	if err != nil {
		t.Fatalf("fill and solve: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for evaluate[string](t, bctx, `(document.querySelector('input[name="altcha"]') || {}).value || ""`) == "" {
		if time.Now().After(deadline) {
			t.Fatal("the widget never solved its check")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(expiry + time.Second) // lunch
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#comment-form button[type=submit]`))); err != nil {
		t.Fatalf("click Post: %v", err)
	}
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(`li.comment.held`))); err != nil {
		t.Fatalf("the comment did not arrive after the check expired: %v; the page says %.300q", err, pageText(t, bctx))
	}
	q, err := db.ModerationQueue(ctx, comment.Pending, 0, 5)
	if err != nil || len(q) != 1 || q[0].Body != text {
		t.Fatalf("stored = %+v, %v; want the one comment, every word", q, err)
	}
	if q[0].HeldReason != "first comment from this commenter" {
		t.Errorf("held because %q, want the first-comment rule (a verified, renewed check)", q[0].HeldReason)
	}
}

// TestCommentSentBeforeItsWidgetArrives posts a comment whose fields were
// filled by a script, without an event, so that the click on Post is the
// first the page hears of the reader: the anti-bot widget is asked for
// then, and the form is sent before it has arrived, as on a slow
// connection. The page waits for it, has it solve the check, and only
// then sends: the server verifies the solution.
func TestCommentSentBeforeItsWidgetArrives(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	const path = "/city/council-votes-eastgate-tram-depot-homes"
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+path))
	if err != nil {
		t.Fatalf("open the article: %v", err)
	}
	expectPage(t, bctx, resp, 200, path)
	text := "Filled in by the browser, posted at once."
	if err := chromedp.Do(bctx,
		chromedp.Poll[chromedp.Void](formsReadyJS, chromedp.WithPollingTimeout(20*time.Second)),
	); err != nil {
		t.Fatalf("wait for the page's script: %v", err)
	}
	evaluate[bool](t, bctx, `document.getElementById("comment-body").value = `+jsString(text)+`;
		document.getElementById("comment-name").value = "Filled Fast"; true`)
	if evaluate[bool](t, bctx, `!!customElements.get("altcha-widget")`) {
		t.Fatal("the widget was fetched before the reader touched the form")
	}
	time.Sleep(comment.DefaultMinFill) // not so fast that the form's age holds it
	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`#comment-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`li.comment.held`)),
	); err != nil {
		t.Fatalf("the comment did not come back awaiting moderation: %v; the page says %.300q", err, pageText(t, bctx))
	}
	q, err := db.ModerationQueue(ctx, comment.Pending, 0, 5)
	if err != nil || len(q) != 1 || q[0].Body != text {
		t.Fatalf("stored = %+v, %v; want the one comment", q, err)
	}
	if q[0].HeldReason != "first comment from this commenter" {
		t.Errorf("held because %q, want the first-comment rule (a verified check)", q[0].HeldReason)
	}
	problems.report(t, "article with a comment sent before its widget arrived")
}
