package e2e

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/embed"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/store/sqlite"
)

// countStreams makes a tab note the address of every EventSource its
// pages open, in window.streams; with failFirst the first goes to an
// address that answers 404, as a stream that fails for good does, and the
// page's waits of a minute or more last five seconds.
func countStreams(t *testing.T, ctx context.Context, failFirst bool) {
	t.Helper()
	js := `(() => {
  const Real = window.EventSource;
  window.streams = [];
  function Counted(url, opts) {
    url = String(url);
    if (` + strconv.FormatBool(failFirst) + ` && window.streams.length === 0) url = url.replace("/updates/live", "/updates/gone");
    window.streams.push(url);
    return new Real(url, opts);
  }
  Object.assign(Counted, { CONNECTING: 0, OPEN: 1, CLOSED: 2 });
  Counted.prototype = Real.prototype;
  window.EventSource = Counted;
  if (` + strconv.FormatBool(failFirst) + `) {
    const later = window.setTimeout;
    window.setTimeout = (f, ms, ...rest) => later(f, ms >= 60000 ? 5000 : ms, ...rest);
  }
})();`
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: js}); err != nil {
		t.Fatalf("count the page's streams: %v", err)
	}
}

// openTab opens path in a new tab of the browser bctx, its streams
// counted.
func openTab(t *testing.T, bctx context.Context, url string, failFirst bool) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(bctx)
	t.Cleanup(cancel)
	countStreams(t, ctx, failFirst)
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	expectPage(t, ctx, resp, 200, "")
	return ctx
}

func postUpdate(t *testing.T, ctx context.Context, db *sqlite.DB, blog *article.Article, body string) liveblog.Update {
	t.Helper()
	u := liveblog.Update{ArticleID: blog.ID, Body: body}
	if err := db.PostLiveUpdate(ctx, &u); err != nil {
		t.Fatalf("post %q: %v", body, err)
	}
	return u
}

func editUpdate(t *testing.T, ctx context.Context, db *sqlite.DB, u liveblog.Update, body string) {
	t.Helper()
	u.Body = body
	if err := db.EditLiveUpdate(ctx, &u); err != nil {
		t.Fatalf("edit update %d: %v", u.ID, err)
	}
}

func deleteUpdate(t *testing.T, ctx context.Context, db *sqlite.DB, blog *article.Article, id int64) {
	t.Helper()
	if err := db.DeleteLiveUpdate(ctx, blog.ID, id, 0); err != nil {
		t.Fatalf("delete update %d: %v", id, err)
	}
}

// liveReader starts the demo site with the live blog of liveFixture, and
// a browser on its front page.
func liveReader(t *testing.T, timeout time.Duration) (ctx context.Context, db *sqlite.DB, base string, blog *article.Article, ups []liveblog.Update, bctx context.Context, problems *pageProblems) {
	t.Helper()
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	blog, ups = liveFixture(t, ctx, db)
	bctx, problems, _ = startNewsroomBrowser(t, ctx, dir)
	if _, err := chromedp.Run(bctx, chromedp.Navigate(ts.URL+"/")); err != nil {
		t.Fatalf("open the browser: %v", err)
	}
	return ctx, db, ts.URL, blog, ups, bctx, problems
}

// TestLiveBlogReader: a reader with a live blog open in two tabs, its
// newest updates in one and a page of older ones in the other. Each page
// holds one stream, which brings the discussion's new comments too. The
// reader's focus stays where they are as updates around it are edited and
// deleted, and follows the one they are on. The page of older updates
// does not take an edit of a newer one for a new update. An update
// arriving with a video the page's policy cannot let in says how to see
// it; the page it links to plays it. The end of the coverage reaches both
// pages, whose streams end; their discussion then has its own.
func TestLiveBlogReader(t *testing.T) {
	ctx, db, base, blog, ups, bctx, problems := liveReader(t, 150*time.Second)
	newest := openTab(t, bctx, base+blog.Path(), false)
	older := openTab(t, bctx, base+blog.Path()+"?from="+strconv.FormatInt(ups[5].ID, 10), false)
	await(t, newest, `document.querySelectorAll(".live-stream .live-update").length === 12`)
	await(t, older, `document.querySelectorAll(".live-stream .live-update").length === 6`)

	// One stream a page, which brings the comments.
	if err := db.CreateComment(ctx, &comment.Comment{ArticleID: blog.ID, Name: "Ana", Body: "Stay safe on the quay, everyone.", Status: comment.Approved, Key: "live-1"}); err != nil {
		t.Fatal(err)
	}
	for _, tab := range []context.Context{newest, older} {
		await(t, tab, `(document.querySelector(".comment-list") || {textContent: ""}).textContent.includes("Stay safe on the quay")`)
		if n := evaluate[[]string](t, tab, `window.streams`); len(n) != 1 {
			t.Errorf("a live blog's page opened streams %v, want one", n)
		}
	}

	// The focus on an edited update's link moves to the same link of its
	// new text; on a deleted one's, to the update after it.
	at := func(id int64) string { return `document.querySelector("#` + updateID(id) + ` .live-time")` }
	evaluate[any](t, newest, at(ups[8].ID)+`.focus(); null`)
	editUpdate(t, ctx, db, ups[8], "The wind at hour 9 was stronger than forecast.")
	await(t, newest, `document.getElementById("`+updateID(ups[8].ID)+`").textContent.includes("stronger than forecast")`)
	if !evaluate[bool](t, newest, `document.activeElement === `+at(ups[8].ID)) {
		t.Errorf("after an edit the focus is on %q, want the edited update's link", evaluate[string](t, newest, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	evaluate[any](t, newest, at(ups[7].ID)+`.focus(); null`)
	deleteUpdate(t, ctx, db, blog, ups[7].ID)
	await(t, newest, `!document.getElementById("`+updateID(ups[7].ID)+`")`)
	if f := evaluate[string](t, newest, `document.activeElement.id`); f != updateID(ups[6].ID) {
		t.Errorf("after a deletion the focus is on %q, want the update after it", f)
	}
	// An edit elsewhere leaves the focus alone.
	evaluate[any](t, newest, `window.kept = `+at(ups[3].ID)+`; window.kept.focus(); null`)
	editUpdate(t, ctx, db, ups[5], "The wind at hour 6 eased for an hour.")
	await(t, newest, `document.getElementById("`+updateID(ups[5].ID)+`").textContent.includes("eased for an hour")`)
	await(t, older, `document.getElementById("`+updateID(ups[5].ID)+`").textContent.includes("eased for an hour")`)
	if !evaluate[bool](t, newest, `document.activeElement === window.kept`) {
		t.Error("an edit of another update moved the focus")
	}

	// A new update: offered on both pages, once; the older page took
	// neither the edit of an update it does not show for a new one.
	ferry := postUpdate(t, ctx, db, blog, "The evening ferry is suspended.")
	await(t, newest, `(document.querySelector(".live-new button") || {}).textContent === "Show 1 new update"`)
	await(t, older, `!!document.querySelector(".live-new a")`)
	if got := evaluate[string](t, older, `document.querySelector(".live-new a").textContent`); got != "Show 1 new update" {
		t.Errorf("the page of older updates offers %q, want the one new update", got)
	}
	// The offer goes while the reader is on it: the focus goes to the
	// newest update.
	evaluate[any](t, newest, `document.querySelector(".live-new button").focus(); null`)
	deleteUpdate(t, ctx, db, blog, ferry.ID)
	await(t, newest, `!document.querySelector(".live-new button")`)
	if f := evaluate[string](t, newest, `document.activeElement.id`); f != updateID(ups[11].ID) {
		t.Errorf("after the offer went the focus is on %q, want the newest update", f)
	}
	await(t, older, `!document.querySelector(".live-new a")`)

	// A video from an origin the page does not let frames in from.
	if err := db.SaveEmbed(ctx, &embed.Record{URL: "https://video.example/watch/7", ProviderKey: "oembed", Provider: "Example Video",
		Title: "The ferry at the quay", Frame: "https://frames.invalid/embed/7", Width: 16, Height: 9, Complete: true, FetchedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	video := postUpdate(t, ctx, db, blog, "The ferry, filmed from the quay:\n\nhttps://video.example/watch/7")
	await(t, newest, `!!document.querySelector(".live-new button")`)
	if err := chromedp.Do(newest, chromedp.Click(chromedp.CSS(".live-new button"))); err != nil {
		t.Fatalf("press the new-updates button: %v", err)
	}
	await(t, newest, `!!document.querySelector("#`+updateID(video.ID)+` figure.embed")`)
	note := `#` + updateID(video.ID) + ` figure.embed .embed-reload a`
	if got := evaluate[string](t, newest, `(document.querySelector(`+jsString(note)+`) || {textContent: "none"}).textContent`); got != "Reload the page to play it here" {
		t.Errorf("the arriving video's note says %q", got)
	}
	if href, want := evaluate[string](t, newest, `(document.querySelector(`+jsString(note)+`) || {}).getAttribute("href")`),
		blog.Path()+"?from="+strconv.FormatInt(video.ID, 10)+"#"+updateID(video.ID); href != want {
		t.Errorf("the note links to %q, want the update's permalink %q", href, want)
	}
	screenshot(t, newest, filepath.Join(t.ArtifactDir(), "live-video-arrived.png"))

	// The coverage ends: both pages say so, and stop their streams; the
	// discussion opens its own.
	if err := db.SetCoverage(ctx, blog.ID, blog.PublishedAt, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tab := range []context.Context{newest, older} {
		await(t, tab, `!document.querySelector(".story-head .live-label") && !!document.querySelector(".story-head .dateline .live-ended")`)
		if got := normalizeSpace(evaluate[string](t, tab, `document.querySelector(".live-ended").textContent`)); len(got) < 15 || got[:14] != "Coverage ended" {
			t.Errorf("the page says %q, want Coverage ended and when", got)
		}
		await(t, tab, `window.streams.length === 2 && window.streams[1].endsWith("/comments/live")`)
	}
	if err := db.CreateComment(ctx, &comment.Comment{ArticleID: blog.ID, Name: "Ben", Body: "Thanks for the coverage.", Status: comment.Approved, Key: "live-2"}); err != nil {
		t.Fatal(err)
	}
	await(t, older, `document.querySelector(".comment-list").textContent.includes("Thanks for the coverage")`)

	// The note's link plays the video.
	resp, err := chromedp.RunResponse(newest, chromedp.Click(chromedp.CSS(note)))
	if err != nil {
		t.Fatalf("follow the note: %v", err)
	}
	expectPage(t, newest, resp, 200, blog.Path())
	await(t, newest, `location.search === "?from=`+strconv.FormatInt(video.ID, 10)+`" && !!document.querySelector("#`+updateID(video.ID)+` .embed-consent button")`)
	problems.report(t, "the live blog's pages")
}

// TestLiveBlogStreamFails: a live blog's stream that fails for good (an
// error page, a proxy that will not pass it) does not leave the page
// silently still: the reader is told, politely, and the page asks again,
// less often each time; once it has a stream again, the notice goes and
// updates arrive. axe-core finds nothing serious on the page meanwhile.
func TestLiveBlogStreamFails(t *testing.T) {
	ctx, db, base, blog, _, bctx, _ := liveReader(t, 90*time.Second)
	axe := readAxe(t)
	tab := openTab(t, bctx, base+blog.Path(), true)
	await(t, tab, `!!document.querySelector(".live-new .live-stopped")`)
	if got := evaluate[string](t, tab, `document.querySelector(".live-stopped").textContent`); got != "Live updates are interrupted: reload the page for the latest" {
		t.Errorf("the notice says %q", got)
	}
	if live := evaluate[string](t, tab, `document.querySelector(".live-stopped").parentElement.getAttribute("aria-live")`); live != "polite" {
		t.Errorf("the notice is announced %q, want politely", live)
	}
	for _, v := range runAxe(t, tab, axe, blog.Path()) {
		if v.ID == "target-size" || v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("the live blog with its notice: %s", v)
		}
	}
	await(t, tab, `window.streams.length === 2 && !document.querySelector(".live-stopped")`)
	postUpdate(t, ctx, db, blog, "Power is back on in Eastgate.")
	await(t, tab, `(document.querySelector(".live-new button") || {}).textContent === "Show 1 new update"`)
}
