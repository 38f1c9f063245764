package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/comment"
)

// formsArticle is the demo article whose forms these tests fill in.
const formsArticle = "/city/council-votes-eastgate-tram-depot-homes"

// activeIDJS is the id of the element that has the focus.
const activeIDJS = `document.activeElement ? document.activeElement.id : ""`

// formsReadyJS is true once forms.js has run. It checks the fields, fetches
// the anti-bot widget when the reader starts a form, and has the widget
// solve its check when the form is sent, waiting for it if need be.
const formsReadyJS = `!!window.broadsheetForms`

// TestCommentFieldsInAnyOrder sends an empty comment, so that the page
// names what is missing and puts the focus in the comment field; then the
// reader fills in their name first, the comment second, and posts. Leaving
// a field must never pull the focus back to another.
func TestCommentFieldsInAnyOrder(t *testing.T) {
	ctx, db, bctx, problems := openCommentForm(t)
	if err := chromedp.Do(bctx,
		chromedp.Poll[chromedp.Void](formsReadyJS, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Click(chromedp.CSS(`#comment-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#comment-name-error`)),
	); err != nil {
		t.Fatalf("post an empty comment and wait for the messages: %v", err)
	}
	if id := evaluate[string](t, bctx, activeIDJS); id != "comment-body" {
		t.Errorf("after an empty post the focus is on %q, want the first field missing, comment-body", id)
	}

	// The name first, as a reader does it: click the field and type.
	name := "Rosa Fenwick"
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#comment-name`))); err != nil {
		t.Fatalf("click Name: %v", err)
	}
	if id := evaluate[string](t, bctx, activeIDJS); id != "comment-name" {
		t.Fatalf("clicking Name leaves the focus on %q: leaving the comment field pulled it back", id)
	}
	if err := chromedp.Do(bctx, chromedp.KeyEvent(name)); err != nil {
		t.Fatalf("type the name: %v", err)
	}
	// Then the comment: leaving Name, now answered, takes its message away.
	text := "I filled in my name first, and the page let me."
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#comment-body`))); err != nil {
		t.Fatalf("click Comment: %v", err)
	}
	if id := evaluate[string](t, bctx, activeIDJS); id != "comment-body" {
		t.Fatalf("clicking Comment leaves the focus on %q", id)
	}
	if n := evaluate[int](t, bctx, `document.querySelectorAll("#comment-name-error").length`); n != 0 {
		t.Errorf("the name is filled in and left, yet its message is still there")
	}
	if err := chromedp.Do(bctx, chromedp.KeyEvent(text)); err != nil {
		t.Fatalf("type the comment: %v", err)
	}
	got := evaluate[map[string]string](t, bctx,
		`({name: document.getElementById("comment-name").value, body: document.getElementById("comment-body").value})`)
	if got["name"] != name || got["body"] != text {
		t.Fatalf("the form holds name %q and comment %q, want %q and %q: the typing went to the wrong field", got["name"], got["body"], name, text)
	}

	if held := postHeld(t, ctx, bctx, db); held.Name != name || held.Body != text {
		t.Fatalf("stored %+v; want the comment by %s", held, name)
	}
	problems.report(t, "article with a comment posted in any order")
}

// TestRefusedCommentWithoutJavaScript posts a comment without a name from
// a browser that runs no script. The page that comes back must show the
// summary of what went wrong, not the top of the article 4,000 pixels
// above it, with the focus on it, and hold every word the reader wrote.
func TestRefusedCommentWithoutJavaScript(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	_, ts := startSite(t, ctx, dir)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	if _, err := chromedp.Call(bctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("turn JavaScript off: %v", err)
	}

	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+formsArticle))
	if err != nil {
		t.Fatalf("open the article: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, formsArticle)
	text := "Written without JavaScript, and not one word of it may be lost.\n\nA second paragraph, too."
	if err := chromedp.Do(bctx, chromedp.SetValue(chromedp.CSS(`#comment-body`), text)); err != nil {
		t.Fatalf("type the comment: %v", err)
	}
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`#comment-form button[type=submit]`)))
	if err != nil {
		t.Fatalf("click Post: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusUnprocessableEntity, formsArticle+"/comments")

	type landing struct {
		ScrollY    float64 `json:"scrollY"`
		Height     float64 `json:"height"`
		SummaryTop float64 `json:"summaryTop"`
		SummaryEnd float64 `json:"summaryEnd"`
		Summary    string  `json:"summary"`
		Active     string  `json:"active"`
		Body       string  `json:"body"`
	}
	var got landing
	// Fragment scrolling and autofocus happen as the page settles.
	for deadline := time.Now().Add(5 * time.Second); ; {
		got = evaluate[landing](t, bctx, `(() => {
  const s = document.getElementById("comment-problems");
  const r = s ? s.getBoundingClientRect() : {top: -1, bottom: -1};
  return {scrollY: window.scrollY, height: window.innerHeight, summaryTop: r.top, summaryEnd: r.bottom,
    summary: s ? s.innerText : "", active: document.activeElement ? document.activeElement.id : "",
    body: document.getElementById("comment-body").value};
})()`)
		if got.Active == "comment-problems" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("refused page: scrolled to y=%.0f; the summary at %.0f–%.0f of a %.0f px window", got.ScrollY, got.SummaryTop, got.SummaryEnd, got.Height)
	if got.SummaryTop < 0 || got.SummaryEnd > got.Height {
		t.Errorf("the summary of the problems is at %.0f–%.0f px, outside the %.0f px window (scrolled to y=%.0f): the reader does not see it",
			got.SummaryTop, got.SummaryEnd, got.Height, got.ScrollY)
	}
	if got.Active != "comment-problems" {
		t.Errorf("the focus is on %q, want the summary of the problems (comment-problems)", got.Active)
	}
	if !strings.Contains(got.Summary, comment.MsgNameMissing) {
		t.Errorf("the summary reads %q, want it to name the missing name (%q)", got.Summary, comment.MsgNameMissing)
	}
	if got.Body != text {
		t.Errorf("the comment field holds %q, want every word the reader wrote, %q", got.Body, text)
	}
	// No settling: without scripts the page runs no animation frames.
	if buf, err := chromedp.Run(bctx, chromedp.CaptureScreenshot()); err != nil {
		t.Errorf("take a screenshot: %v", err)
	} else if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "comment-refused-no-js.png"), buf, 0o644); err != nil {
		t.Errorf("save the screenshot: %v", err)
	}
	reportExpecting(t, problems, "refused comment without JavaScript", "HTTP 422")
}

// TestSubscribeEmptyAddress sends the Subscribe box without an address.
// It must say so as the comment form does, in a styled message beside the
// field with the words of the server's catalog, and send nothing.
func TestSubscribeEmptyAddress(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	_, ts := startSite(t, ctx, dir)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	posts := watchPosts(t, bctx, "/subscribe")

	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+formsArticle))
	if err != nil {
		t.Fatalf("open the article: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, formsArticle)
	const errSel = "#subscribe-email-article-error"
	if err := chromedp.Do(bctx,
		chromedp.Poll[chromedp.Void](formsReadyJS, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Click(chromedp.CSS(selSubSubmit)),
	); err != nil {
		t.Fatalf("click Subscribe: %v", err)
	}
	wctx, wcancel := context.WithTimeout(bctx, 5*time.Second)
	defer wcancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(errSel))); err != nil {
		t.Fatalf("no styled message beside the empty address (%s): %v", errSel, err)
	}
	const missing = "Please enter your email address."
	msg := inspectOne(t, bctx, errSel)
	email := inspectOne(t, bctx, selSubEmail)
	if msg.Text != missing || msg.Attrs["class"] != "field-error" {
		t.Errorf("the message reads %q (class %q), want %q as a field-error", msg.Text, msg.Attrs["class"], missing)
	}
	if email.Attrs["aria-invalid"] != "true" || !strings.Contains(email.Attrs["aria-describedby"], strings.TrimPrefix(errSel, "#")) {
		t.Errorf("the address field has aria-invalid=%q aria-describedby=%q, want it marked and described by its message",
			email.Attrs["aria-invalid"], email.Attrs["aria-describedby"])
	}
	if id := evaluate[string](t, bctx, activeIDJS); id != email.Attrs["id"] {
		t.Errorf("after the empty send the focus is on %q, want the address field", id)
	}
	if buf, err := chromedp.Run(bctx, chromedp.Screenshot(chromedp.CSS(selSubForm))); err == nil {
		_ = os.WriteFile(filepath.Join(t.ArtifactDir(), "subscribe-empty.png"), buf, 0o644)
	}

	// A malformed address is named too; a good one takes the message away.
	if err := chromedp.Do(bctx, chromedp.SendKeys(chromedp.CSS(selSubEmail), "rosa@"), chromedp.Click(chromedp.CSS(selSubSubmit))); err != nil {
		t.Fatalf("send a malformed address: %v", err)
	}
	if m := inspectOne(t, bctx, errSel); m.Text != "Please enter a valid email address, like name@example.org." {
		t.Errorf("for rosa@ the message reads %q, want the catalog's invalid-address message", m.Text)
	}
	if err := chromedp.Do(bctx, chromedp.SendKeys(chromedp.CSS(selSubEmail), "example.org"), chromedp.Click(chromedp.CSS("#subscribe-heading-article"))); err != nil {
		t.Fatalf("complete the address and leave the field: %v", err)
	}
	if m := inspectOne(t, bctx, errSel); m.Found {
		t.Errorf("the address is complete and left, yet the message %q is still there", m.Text)
	}
	if posts.sent() {
		t.Errorf("a Subscribe box with no valid address was sent")
	}
	problems.report(t, "Subscribe box with an empty address")
}
