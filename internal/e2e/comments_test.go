package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/internal/comment"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/web"
)

// TestCommentJourney posts a comment as a reader in a real browser: the
// page names the missing fields before anything is sent, then the built-in
// anti-bot widget solves its check when the reader posts, the server
// verifies it, and the reader sees their comment awaiting moderation.
func TestCommentJourney(t *testing.T) {
	ctx, db, bctx, problems := openCommentForm(t)
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
	if err := chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(`#comment-body`), text),
		chromedp.SendKeys(chromedp.CSS(`#comment-name`), "Rosa Fenwick"),
	); err != nil {
		t.Fatalf("type the comment: %v", err)
	}
	held := postHeld(t, ctx, bctx, db)
	shown := pageText(t, bctx)
	if !strings.Contains(shown, text) || !strings.Contains(shown, "Awaiting moderation") {
		t.Errorf("the reader does not see their held comment")
	}
	// Held because the commenter is new, not because the check was missing:
	// the widget's solution was verified.
	if held.HeldReason != "first comment from this commenter" {
		t.Errorf("held because %q, want the first-comment rule (a verified check)", held.HeldReason)
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
	if _, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+formsArticle)); err != nil {
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
	held := postHeld(t, ctx, bctx, db)
	if held.Body != text {
		t.Errorf("stored %q, want every word: %q", held.Body, text)
	}
	if held.HeldReason != "first comment from this commenter" {
		t.Errorf("held because %q, want the first-comment rule (a verified, renewed check)", held.HeldReason)
	}
}

// TestCommentSentBeforeItsWidgetArrives posts a comment whose fields were
// filled by a script, without an event, so that the click on Post is the
// first the page hears of the reader: the anti-bot widget is asked for
// then, and the form is sent before it has arrived, as on a slow
// connection. The page waits for it, has it solve the check, and only
// then sends: the server verifies the solution.
func TestCommentSentBeforeItsWidgetArrives(t *testing.T) {
	ctx, db, bctx, problems := openCommentForm(t)
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
	held := postHeld(t, ctx, bctx, db)
	if held.Body != text {
		t.Errorf("stored %q, want %q", held.Body, text)
	}
	if held.HeldReason != "first comment from this commenter" {
		t.Errorf("held because %q, want the first-comment rule (a verified check)", held.HeldReason)
	}
	problems.report(t, "article with a comment sent before its widget arrived")
}

// openCommentForm serves the demo paper, starts Chromium and opens
// formsArticle in it. It returns the test's context, the site's
// database, the browser and what it saw go wrong.
func openCommentForm(t *testing.T) (context.Context, *sqlite.DB, context.Context, *pageProblems) {
	t.Helper()
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+formsArticle))
	if err != nil {
		t.Fatalf("open the article: %v", err)
	}
	expectPage(t, bctx, resp, 200, formsArticle)
	return ctx, db, bctx, problems
}

// postHeld clicks Post, waits for the comment to come back awaiting
// moderation, and returns the one comment the site holds.
func postHeld(t *testing.T, ctx, bctx context.Context, db *sqlite.DB) comment.Queued {
	t.Helper()
	sctx, scancel := context.WithTimeout(bctx, 45*time.Second) // the proof of work runs in here
	defer scancel()
	if err := chromedp.Do(sctx,
		chromedp.Click(chromedp.CSS(`#comment-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`li.comment.held`)),
	); err != nil {
		t.Fatalf("post the comment: %v; the page says %.300q", err, pageText(t, bctx))
	}
	q, err := db.ModerationQueue(ctx, comment.Pending, 0, 5)
	if err != nil || len(q) != 1 {
		t.Fatalf("pending comments = %+v, %v; want the one", q, err)
	}
	return q[0]
}
