package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/store/sqlite"
)

// liveFixture is a published live blog, its coverage open, with a dozen
// updates long enough that its page scrolls.
func liveFixture(t *testing.T, ctx context.Context, db *sqlite.DB) (*article.Article, []liveblog.Update) {
	t.Helper()
	city, err := db.SectionBySlug(ctx, "city")
	if err != nil {
		t.Fatalf("read the demo's City section: %v", err)
	}
	a := &article.Article{Slug: "gale-live", Headline: "The gale, as it happens", Standfirst: "Winds and rain through the night.",
		Body: "The gale reaches the coast tonight. This page follows it.", Section: *city, Status: article.Published, Language: "en",
		PublishedAt: time.Now().Add(-2 * time.Hour), LiveBlog: true}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatalf("create the live blog: %v", err)
	}
	if err := db.SetCoverage(ctx, a.ID, a.PublishedAt, time.Time{}); err != nil {
		t.Fatalf("open its coverage: %v", err)
	}
	var ups []liveblog.Update
	for i := 1; i <= 12; i++ {
		u := liveblog.Update{ArticleID: a.ID, Headline: fmt.Sprintf("Hour %d", i),
			Body: strings.Repeat(fmt.Sprintf("The wind at hour %d is strong along the quay, and the harbour master keeps the boats in. ", i), 4)}
		if err := db.PostLiveUpdate(ctx, &u); err != nil {
			t.Fatalf("post update %d: %v", i, err)
		}
		ups = append(ups, u)
	}
	return a, ups
}

// TestLiveBlogJourney: a journalist posts to a live blog from the
// newsroom while a reader has it open in another tab. The reader's page
// offers the new updates, politely and without moving, and shows them at
// the top when the reader asks; an edit and a deletion apply in place,
// the reader's place kept. axe-core finds nothing serious on the page.
func TestLiveBlogJourney(t *testing.T) {
	requireChromium(t)
	axe := readAxe(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	editor := createNewsroomUser(t, ctx, db, "live@courier.example", "Lena Live", account.Editor)
	blog, ups := liveFixture(t, ctx, db)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	signIn(t, bctx, ts.URL, editor)

	// The reader, in a tab of their own.
	rctx, cancelReader := chromedp.NewContext(bctx)
	t.Cleanup(cancelReader)
	resp, err := chromedp.Run(rctx, chromedp.NavigateResponse(ts.URL+blog.Path()))
	if err != nil {
		t.Fatalf("open the live blog: %v", err)
	}
	expectPage(t, rctx, resp, http.StatusOK, blog.Path())
	await(t, rctx, `document.querySelectorAll(".live-stream .live-update").length === 12`)
	// The reader reads the fourth update down.
	evaluate[any](t, rctx, `document.getElementById("`+updateID(ups[8].ID)+`").scrollIntoView(); null`)
	before := readerView(t, rctx)

	desk := ts.URL + "/admin/articles/" + strconv.FormatInt(blog.ID, 10) + "/live"
	ferry := post(t, bctx, desk, "Ferry suspended", "The evening ferry is suspended until morning.", true)
	await(t, rctx, `(document.querySelector(".live-new button") || {}).textContent === "Show 1 new update"`)
	if after := readerView(t, rctx); after != before {
		t.Errorf("the page moved when it offered the new update: %+v, then %+v", before, after)
	}
	if n := evaluate[int](t, rctx, `document.querySelectorAll(".live-stream .live-update").length`); n != 12 {
		t.Errorf("the new update was shown before the reader asked: %d updates", n)
	}
	if live := evaluate[string](t, rctx, `document.querySelector(".live-new").getAttribute("aria-live")`); live != "polite" {
		t.Errorf("the offer is announced %q, want politely", live)
	}
	power := post(t, bctx, desk, "", "Power is back on in Eastgate.", false)
	await(t, rctx, `document.querySelector(".live-new button").textContent === "Show 2 new updates"`)
	screenshot(t, rctx, filepath.Join(t.ArtifactDir(), "live-offer.png"))

	// The reader asks: both at the top, newest first, the focus on the first.
	if err := chromedp.Do(rctx, chromedp.Click(chromedp.CSS(".live-new button"))); err != nil {
		t.Fatalf("press the new-updates button: %v", err)
	}
	await(t, rctx, `document.querySelectorAll(".live-stream .live-update").length === 14 && !document.querySelector(".live-new button")`)
	order := evaluate[[]string](t, rctx, `[...document.querySelectorAll(".live-stream .live-update")].slice(0, 3).map(e => e.id)`)
	if want := []string{updateID(power), updateID(ferry), updateID(ups[11].ID)}; strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("the stream begins %v, want %v", order, want)
	}
	if f := evaluate[string](t, rctx, `document.activeElement.id`); f != updateID(power) {
		t.Errorf("after the button the focus is on %q, want the newest update", f)
	}
	if text := evaluate[string](t, rctx, `document.getElementById("`+updateID(ferry)+`").textContent`); !strings.Contains(text, "Ferry suspended") ||
		!strings.Contains(text, "Key event") || !strings.Contains(text, "The evening ferry is suspended until morning.") {
		t.Errorf("the shown update reads %q", normalizeSpace(text))
	}

	// An edit applies in place, offering nothing.
	edit(t, bctx, desk, ferry, "The evening ferry is suspended until Thursday.")
	await(t, rctx, `document.getElementById("`+updateID(ferry)+`").textContent.includes("until Thursday")`)
	if evaluate[bool](t, rctx, `!!document.querySelector(".live-new > *")`) {
		t.Error("an edit was offered as a new update")
	}

	// A deletion above the reader applies in place, and what they read
	// stays where it was.
	deleteAbove(t, bctx, rctx, desk, ups[5].ID, ups[10].ID, "with scroll anchoring")

	// So in a browser without scroll anchoring, where the page keeps the
	// reader's place itself.
	nctx, cancelNoAnchor := chromedp.NewContext(bctx)
	t.Cleanup(cancelNoAnchor)
	if _, err := chromedp.Call(nctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `CSS.supports = () => false;
document.addEventListener("DOMContentLoaded", () => { for (const e of [document.documentElement, document.body]) e.style.overflowAnchor = "none"; });`}); err != nil {
		t.Fatalf("take scroll anchoring away: %v", err)
	}
	if _, err := chromedp.Run(nctx, chromedp.NavigateResponse(ts.URL+blog.Path())); err != nil {
		t.Fatalf("open the live blog: %v", err)
	}
	await(t, nctx, `document.querySelectorAll(".live-stream .live-update").length === 13`)
	deleteAbove(t, bctx, nctx, desk, ups[2].ID, ups[9].ID, "without scroll anchoring")

	for _, v := range runAxe(t, rctx, axe, blog.Path()) {
		if v.ID == "target-size" || v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("the live blog: %s", v)
		}
	}
	screenshot(t, rctx, filepath.Join(t.ArtifactDir(), "live-reader.png"))
	problems.report(t, "the live blog and its composer")
}

func updateID(id int64) string { return "update-" + strconv.FormatInt(id, 10) }

// await waits until the JavaScript expression js is true in the page.
func await(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("waiting for %s: %v; the page says %.400q", js, err, pageText(t, ctx))
	}
}

// shownUpdate is the update at the top of the reader's window and where.
type shownUpdate struct {
	ID  string  `json:"id"`
	Top float64 `json:"top"`
	Y   float64 `json:"y"`
}

func readerView(t *testing.T, ctx context.Context) shownUpdate {
	t.Helper()
	return evaluate[shownUpdate](t, ctx, `(() => {
  const el = [...document.querySelectorAll(".live-update")].find(e => e.getBoundingClientRect().bottom > 0);
  return {id: el ? el.id : "", top: el ? el.getBoundingClientRect().top : 0, y: window.scrollY};
})()`)
}

// deleteAbove deletes update gone from the composer at desk while the
// reader (rctx) reads update at, further down, and checks that what they
// read did not move.
func deleteAbove(t *testing.T, ctx, rctx context.Context, desk string, at, gone int64, how string) {
	t.Helper()
	evaluate[any](t, rctx, `document.getElementById("`+updateID(at)+`").scrollIntoView(); null`)
	before := readerView(t, rctx)
	remove(t, ctx, desk, gone)
	await(t, rctx, `!document.getElementById("`+updateID(gone)+`")`)
	if after := readerView(t, rctx); after.ID != before.ID || math.Abs(after.Top-before.Top) > 2 {
		t.Errorf("%s the deletion moved what the reader reads: %+v, then %+v", how, before, after)
	}
}

// post posts an update from the composer at desk, as a journalist does,
// and returns its id.
func post(t *testing.T, ctx context.Context, desk, headline, body string, keyEvent bool) int64 {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(desk))
	if err != nil {
		t.Fatalf("open the composer: %v", err)
	}
	expectPage(t, ctx, resp, http.StatusOK, "")
	actions := []chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(chromedp.CSS("#live-headline"), headline),
		chromedp.SendKeys(chromedp.CSS("#live-body"), body),
	}
	if headline == "" {
		actions = actions[1:]
	}
	if keyEvent {
		actions = append(actions, chromedp.Click(chromedp.CSS(`#composer input[name=key_event]`)))
	}
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("type the update: %v", err)
	}
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)))
	if err != nil {
		t.Fatalf("press Post: %v", err)
	}
	expectPage(t, ctx, resp, http.StatusOK, "")
	if n := inspectOne(t, ctx, selNotice); !strings.HasPrefix(n.Text, "Posted") {
		t.Fatalf("after posting the notice reads %q", n.Text)
	}
	id := evaluate[string](t, ctx, `document.querySelector(".live-list > li").id`)
	n, err := strconv.ParseInt(strings.TrimPrefix(id, "update-"), 10, 64)
	if err != nil {
		t.Fatalf("the composer's list begins with %q", id)
	}
	return n
}

// edit replaces update id's text from the composer at desk.
func edit(t *testing.T, ctx context.Context, desk string, id int64, body string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(desk)); err != nil {
		t.Fatalf("open the composer: %v", err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#`+updateID(id)+` .live-actions a:first-child`)))
	if err != nil {
		t.Fatalf("press Edit: %v", err)
	}
	expectPage(t, ctx, resp, http.StatusOK, "")
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#live-body"), body)); err != nil {
		t.Fatalf("type the edit: %v", err)
	}
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)))
	if err != nil {
		t.Fatalf("press Save: %v", err)
	}
	expectPage(t, ctx, resp, http.StatusOK, "")
}

// remove deletes update id from the composer at desk, answering its
// question.
func remove(t *testing.T, ctx context.Context, desk string, id int64) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(desk)); err != nil {
		t.Fatalf("open the composer: %v", err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#`+updateID(id)+` .live-actions a[href$="/delete"]`)))
	if err != nil {
		t.Fatalf("press Delete: %v", err)
	}
	expectPage(t, ctx, resp, http.StatusOK, "")
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`.live-delete button[type=submit]`)))
	if err != nil {
		t.Fatalf("confirm the deletion: %v", err)
	}
	expectPage(t, ctx, resp, http.StatusOK, "")
}
