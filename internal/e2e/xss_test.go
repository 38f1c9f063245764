package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/internal/comment"
)

// xssPayloads try to run script from a comment's name or text. Each would
// set window.__xss if it ran.
var xssPayloads = []string{
	`<script>window.__xss=1</script>`,
	`<img src=x onerror="window.__xss=1">`,
	`<svg onload="window.__xss=1">`,
	`[click](javascript:window.__xss=1)`,
	`[click](JaVaScRiPt:window.__xss=1)`,
	`[x](data:text/html,<script>window.__xss=1</script>)`,
	`<a href="jav&#x09;ascript:window.__xss=1">x</a>`,
	"`<script>window.__xss=1</script>`",
	`<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>`,
	`<details open ontoggle="window.__xss=1">`,
	`"><script>window.__xss=1</script>`,
	`<style>@import 'javascript:window.__xss=1';</style>`,
	`![x](javascript:window.__xss=1)`,
	`<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">`,
	`<!--<script>-->window.__xss=1`,
}

// TestCommentXSSCorpus stores hostile comments as approved and renders the
// page in Chromium: no script of theirs may run.
func TestCommentXSSCorpus(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	a, err := db.ArticleBySlug(ctx, "council-votes-eastgate-tram-depot-homes")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range xssPayloads {
		c := &comment.Comment{ArticleID: a.ID, Name: p, Body: p + "\n\n" + p, Status: comment.Approved, Key: fmt.Sprint("xss", i)}
		if err := db.CreateComment(ctx, c); err != nil {
			t.Fatalf("store payload %d: %v", i, err)
		}
	}
	bctx, _, dialogs := startNewsroomBrowser(t, ctx, dir)
	path := "/city/" + a.Slug
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+path))
	if err != nil {
		t.Fatalf("open the article: %v", err)
	}
	expectPage(t, bctx, resp, 200, path)
	time.Sleep(500 * time.Millisecond) // let any onload or ontoggle fire
	if ran := evaluate[bool](t, bctx, `window.__xss === 1`); ran {
		t.Error("a comment's payload ran script")
	}
	if n := evaluate[int](t, bctx, `document.querySelectorAll(".comment-body script, .comment-body img, .comment-body iframe, .comment-body svg, .comment-body style").length`); n != 0 {
		t.Errorf("%d active elements inside comment bodies", n)
	}
	if n := evaluate[int](t, bctx, `[...document.querySelectorAll(".comment-body a")].filter(a => !/^(https?|mailto):/.test(a.protocol)).length`); n != 0 {
		t.Errorf("%d comment links with a dangerous scheme", n)
	}
	if dialogs.count() != 0 {
		t.Errorf("a dialog opened: %v", dialogs.since(0))
	}
	if got := evaluate[int](t, bctx, `document.querySelectorAll("li.comment").length`); got != len(xssPayloads) {
		t.Errorf("%d comments shown, want %d (every payload shown as text)", got, len(xssPayloads))
	}
}
