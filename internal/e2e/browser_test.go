package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const (
	// chromiumPath is where Debian's chromium package installs the browser.
	chromiumPath = "/usr/bin/chromium"

	// journeyTimeout bounds the whole test: loading the demo content,
	// starting the browser and every step of the journey.
	journeyTimeout = 90 * time.Second

	desktopWidth, desktopHeight = 1280, 900
	phoneWidth, phoneHeight     = 390, 844

	// minBodyChars is the least visible text an article body must show.
	minBodyChars = 500

	// The selectors of the reading site that the journey relies on.
	selLeadCard      = ".lead-story article.card"
	selLeadLink      = ".lead-story article.card .card-title a"
	selLatestItems   = "section.latest li"
	selSectionBlocks = "section.section-block"
	selStory         = "article.story"
	selHeadline      = "article.story h1"
	selStandfirst    = "article.story p.standfirst"
	selBylineLinks   = "article.story .story-meta .byline a[rel=author]"
	selDatelineTimes = "article.story p.dateline time"
	selReadingTime   = "article.story .reading-time"
	selLeadImage     = "article.story figure.lead-image img"
	selLeadCaption   = "article.story figure.lead-image figcaption"
	selBody          = "article.story .story-body"
	selTagLinks      = "article.story .story-tags a[rel=tag]"
	selMore          = "aside.more"
	selMoreHeading   = "aside.more h2#more-heading"
	selMoreCards     = "aside.more li article.card"
	selMoreTitles    = "aside.more li article.card .card-title a"
	selMoreLinks     = "aside.more a[href]"
)

// TestReaderJourney follows a reader in a real browser: from the front page
// it clicks the lead story, and then checks the article page as the reader
// sees it, on a desktop window and at the width of a phone. It saves
// full-page screenshots in the artifact directory of the test.
//
// It needs Chromium at /usr/bin/chromium. Without it the test skips, unless
// the variable CI is set: CI must run it, so there it fails.
func TestReaderJourney(t *testing.T) {
	requireChromium(t)
	start := time.Now()
	dir := t.TempDir() // first, so that its removal is the last cleanup
	artifacts := t.ArtifactDir()

	ctx, cancel := context.WithTimeout(context.Background(), journeyTimeout)
	defer cancel()

	// The site: the demo newspaper in a fresh database, served on loopback.
	_, ts := startSite(t, ctx, dir)
	t.Logf("demo site up in %v", time.Since(start).Round(time.Millisecond))

	// The browser: Debian's Chromium, headless, with a fresh profile.
	chromeOut := new(lockedBuffer)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(filepath.Join(dir, "chromium-profile")),
		chromedp.WindowSize(desktopWidth, desktopHeight),
		chromedp.CombinedOutput(chromeOut),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc() // waits until the browser process has exited
	problems := newPageProblems()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithListener(problems.listen))
	defer cancelBrowser()
	defer func() {
		// Close the browser gracefully, within a bound of its own.
		cctx, ccancel := context.WithTimeout(bctx, 10*time.Second)
		defer ccancel()
		if err := chromedp.Cancel(cctx); err != nil && ctx.Err() == nil {
			t.Logf("close the browser: %v", err)
		}
		if t.Failed() {
			t.Logf("Chromium output (D-Bus noise left out):\n%s", chromeOut.tail(50, "dbus"))
		}
	}()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	t.Logf("Chromium started after %v", time.Since(start).Round(time.Millisecond))

	// --- The front page. ---
	frontURL := ts.URL + "/"
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(frontURL))
	if err != nil {
		t.Fatalf("open the front page: %v", err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("front page: HTTP status %d, want 200", resp.Status)
	}
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(selLeadCard))); err != nil {
		t.Fatalf("wait for the lead story: %v", err)
	}
	vp := evaluate[viewport](t, bctx, viewportJS)
	t.Logf("desktop viewport: %d×%d CSS px", vp.Width, vp.Height)

	lead := inspectOne(t, bctx, selLeadCard)
	if !lead.Visible {
		t.Fatalf("the lead story %s is not visible: %+v", selLeadCard, lead.box())
	}
	if lead.Top >= float64(vp.Height) {
		t.Errorf("the lead story starts at y=%.0f, below the first screen (%d px high)", lead.Top, vp.Height)
	}
	leadLink := inspectOne(t, bctx, selLeadLink)
	if !leadLink.Visible || leadLink.Text == "" {
		t.Fatalf("the lead headline link %s is not visible or has no text: %+v", selLeadLink, leadLink)
	}
	headline, href := leadLink.Text, leadLink.Href
	if raw := leadLink.Attrs["href"]; !articlePath.MatchString(raw) {
		t.Errorf("lead headline link href %q, want a path /{section}/{slug}", raw)
	}
	t.Logf("lead story: %q -> %s", headline, href)

	if latest := visibleOnly(inspectAll(t, bctx, selLatestItems)); len(latest) == 0 {
		t.Errorf("the front page shows no item in the Latest list (%s)", selLatestItems)
	}
	if blocks := visibleOnly(inspectAll(t, bctx, selSectionBlocks)); len(blocks) == 0 {
		t.Errorf("the front page shows no section block (%s)", selSectionBlocks)
	}
	screenshot(t, bctx, filepath.Join(artifacts, "front-desktop.png"))
	problems.report(t, "front page")

	// --- The click, as a reader does it. ---
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(selLeadLink)))
	if err != nil {
		t.Fatalf("click the lead headline: %v", err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("article page: HTTP status %d, want 200", resp.Status)
	}
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(selHeadline))); err != nil {
		t.Fatalf("wait for the article headline: %v", err)
	}
	loc, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatalf("read the location: %v", err)
	}
	if loc != href {
		t.Fatalf("after the click the browser is at %s, want %s", loc, href)
	}
	t.Logf("article page: %s", loc)

	checkArticle(t, bctx, headline, loc)
	screenshot(t, bctx, filepath.Join(artifacts, "article-desktop.png"))
	problems.report(t, "article page (desktop)")

	// --- The same article at the width of a phone. ---
	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulatePortrait, chromedp.EmulateMobile),
		chromedp.Poll[chromedp.Void](fmt.Sprintf("document.documentElement.clientWidth === %d", phoneWidth),
			chromedp.WithPollingTimeout(10*time.Second)),
	); err != nil {
		t.Fatalf("emulate a %d×%d phone: %v", phoneWidth, phoneHeight, err)
	}
	ov := evaluate[overflow](t, bctx, overflowJS)
	t.Logf("phone: scrollWidth %d, clientWidth %d", ov.ScrollWidth, ov.ClientWidth)
	if ov.ScrollWidth > phoneWidth {
		t.Errorf("at %d px wide the article scrolls sideways: document scrollWidth is %d; elements past the right edge: %s",
			phoneWidth, ov.ScrollWidth, strings.Join(ov.Offenders, "; "))
	}
	for _, sel := range []string{selHeadline, selBody} {
		if e := inspectOne(t, bctx, sel); !e.Visible {
			t.Errorf("at phone width %s is not visible: %+v", sel, e.box())
		}
	}
	screenshot(t, bctx, filepath.Join(artifacts, "article-phone.png"))
	problems.report(t, "article page (phone)")

	t.Logf("journey done in %v", time.Since(start).Round(time.Millisecond))
}

// articlePath is the form of an article link: /{section}/{slug}.
var articlePath = regexp.MustCompile(`^/[^/?#]+/[^/?#]+$`)

// checkArticle checks the article page that the browser shows, as a reader
// sees it. headline is the text of the link that the reader followed, and
// here is the address of the page.
func checkArticle(t *testing.T, ctx context.Context, headline, here string) {
	t.Helper()

	story := inspectOne(t, ctx, selStory)
	if !story.Visible {
		t.Fatalf("the article %s is not visible: %+v", selStory, story.box())
	}
	if story.Attrs["lang"] == "" {
		t.Errorf("the article has no lang attribute")
	}
	if d := story.Attrs["dir"]; d != "ltr" && d != "rtl" {
		t.Errorf("the article has dir=%q, want ltr or rtl", d)
	}

	h1 := inspectOne(t, ctx, selHeadline)
	if !h1.Visible {
		t.Errorf("the headline is not visible: %+v", h1.box())
	}
	if got, want := normalizeSpace(h1.Text), normalizeSpace(headline); got != want {
		t.Errorf("the headline reads %q, but the reader clicked %q", got, want)
	}

	if sf := inspectOne(t, ctx, selStandfirst); sf.Found && (!sf.Visible || sf.Text == "") {
		t.Errorf("the standfirst is there but shows no text: %+v", sf.box())
	}

	bylines := inspectAll(t, ctx, selBylineLinks)
	if len(visibleOnly(bylines)) == 0 {
		t.Errorf("the article shows no byline link (%s)", selBylineLinks)
	}
	for _, b := range bylines {
		switch {
		case !b.Visible:
			t.Errorf("byline link %q (%s) is not visible: %+v", b.Text, b.Attrs["href"], b.box())
		case b.Text == "":
			t.Errorf("byline link %s shows no text", b.Attrs["href"])
		case !strings.HasPrefix(b.Attrs["href"], "/author/"):
			t.Errorf("byline link %q points to %q, want /author/…", b.Text, b.Attrs["href"])
		}
	}

	times := inspectAll(t, ctx, selDatelineTimes)
	if len(times) == 0 {
		t.Errorf("the article has no dateline time (%s)", selDatelineTimes)
	}
	var published time.Time
	for i, tm := range times {
		checkTime(t, tm)
		if at, err := time.Parse(time.RFC3339, tm.Attrs["datetime"]); err == nil {
			if i == 0 {
				published = at
			} else if at.Before(published) {
				t.Errorf("the dateline says updated %s, before it was published %s", at, published)
			}
		}
	}

	if rt := inspectOne(t, ctx, selReadingTime); !rt.Visible || !strings.ContainsAny(rt.Text, "0123456789") {
		t.Errorf("the reading time is not shown with a number: %q %+v", rt.Text, rt.box())
	}

	if img := inspectOne(t, ctx, selLeadImage); img.Found {
		st := evaluate[imageState](t, ctx, fmt.Sprintf(imageStateJS, jsString(selLeadImage)))
		if !st.Complete || st.NaturalWidth <= 0 {
			t.Errorf("the lead image did not load: complete=%v naturalWidth=%d src=%s", st.Complete, st.NaturalWidth, st.Src)
		}
		if !img.Visible {
			t.Errorf("the lead image is not visible: %+v", img.box())
		}
		if img.Attrs["alt"] == "" {
			t.Errorf("the lead image has no alt text")
		}
		if caption := inspectOne(t, ctx, selLeadCaption); caption.Found && (!caption.Visible || caption.Text == "") {
			t.Errorf("the lead image caption is there but shows no text: %+v", caption.box())
		}
		t.Logf("lead image loaded: %s (naturalWidth %d)", st.Src, st.NaturalWidth)
	} else {
		t.Logf("the article has no lead image")
	}

	body := inspectOne(t, ctx, selBody)
	if n := utf8.RuneCountInString(body.Text); !body.Visible || n < minBodyChars {
		t.Errorf("the body shows %d characters of text (visible=%v), want at least %d", n, body.Visible, minBodyChars)
	}

	for _, tag := range inspectAll(t, ctx, selTagLinks) {
		if !tag.Visible || tag.Text == "" || !strings.HasPrefix(tag.Attrs["href"], "/tag/") {
			t.Errorf("tag link %q (%s) is not a visible link to /tag/…: %+v", tag.Text, tag.Attrs["href"], tag.box())
		}
	}

	more := inspectOne(t, ctx, selMore)
	if !more.Visible {
		t.Errorf("the More Articles box %s is not visible: %+v", selMore, more.box())
		return
	}
	// The heading is styled in capitals, so the reader sees MORE ARTICLES.
	if h := inspectOne(t, ctx, selMoreHeading); !h.Visible || !strings.EqualFold(normalizeSpace(h.Text), "More Articles") {
		t.Errorf("the More Articles heading reads %q (visible=%v), want More Articles", h.Text, h.Visible)
	}
	cards := visibleOnly(inspectAll(t, ctx, selMoreCards))
	if len(cards) == 0 {
		t.Errorf("the More Articles box lists no visible card (%s)", selMoreCards)
	}
	for _, title := range inspectAll(t, ctx, selMoreTitles) {
		if !title.Visible || title.Text == "" {
			t.Errorf("a More Articles card title is not visible or empty: %q %+v", title.Text, title.box())
		}
	}
	self := stripFragment(here)
	for _, a := range inspectAll(t, ctx, selMoreLinks) {
		if stripFragment(a.Href) == self {
			t.Errorf("the More Articles box links to the article itself: %q -> %s", a.Text, a.Attrs["href"])
		}
	}
	t.Logf("More Articles lists %d cards", len(cards))
}

// checkTime checks a dateline time element: its datetime attribute is
// RFC 3339, and its visible text is a date, the same day as the attribute.
func checkTime(t *testing.T, tm element) {
	t.Helper()
	attr := tm.Attrs["datetime"]
	at, err := time.Parse(time.RFC3339, attr)
	if err != nil {
		t.Errorf("dateline time has datetime=%q, not RFC 3339: %v", attr, err)
		return
	}
	if !tm.Visible || tm.Text == "" {
		t.Errorf("dateline time %s is not visible: %+v", attr, tm.box())
		return
	}
	shown, ok := parseShownDate(tm.Text)
	if !ok {
		t.Errorf("dateline time %s shows %q, which is not a date", attr, tm.Text)
		return
	}
	if y, m, d := at.Date(); shown.Year() != y || shown.Month() != m || shown.Day() != d {
		t.Errorf("dateline shows %q, but its datetime is %s", tm.Text, attr)
	}
}

// parseShownDate parses a date as a reader sees it, such as
// "29 November 2026, 08:30".
func parseShownDate(s string) (time.Time, bool) {
	s = normalizeSpace(s)
	for _, layout := range []string{
		"2 January 2006, 15:04", "2 January 2006", "January 2, 2006, 15:04", "January 2, 2006",
		"2 Jan 2006, 15:04", "2 Jan 2006", "2006-01-02 15:04", "2006-01-02",
	} {
		if d, err := time.Parse(layout, s); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

// element is what inspectJS reports about an element.
type element struct {
	Found   bool              `json:"found"`
	Visible bool              `json:"visible"`
	Text    string            `json:"text"` // innerText: the text as rendered
	Href    string            `json:"href"` // the resolved href of a link
	Top     float64           `json:"top"`  // from the top of the document
	Left    float64           `json:"left"`
	Width   float64           `json:"width"`
	Height  float64           `json:"height"`
	Attrs   map[string]string `json:"attrs"`
}

// box is the layout of e, for messages.
func (e element) box() string {
	if !e.Found {
		return "not in the page"
	}
	return fmt.Sprintf("at (%.0f,%.0f) size %.0f×%.0f", e.Left, e.Top, e.Width, e.Height)
}

// inspectJS reports on every element that matches a selector. An element is
// visible when it has a box of its own, inside the width of the page, and
// neither display, visibility, content-visibility nor opacity hide it.
const inspectJS = `((sel) => {
  const vw = document.documentElement.clientWidth;
  return [...document.querySelectorAll(sel)].map(el => {
    const r = el.getBoundingClientRect();
    const attrs = {};
    for (const a of el.attributes) attrs[a.name] = a.value;
    return {
      found: true,
      visible: r.width > 0 && r.height > 0 && r.right > 0 && r.left < vw &&
        el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}),
      text: (el.innerText ?? el.textContent ?? '').trim(),
      href: typeof el.href === 'string' ? el.href : '',
      top: r.top + window.scrollY, left: r.left + window.scrollX,
      width: r.width, height: r.height,
      attrs,
    };
  });
})(%s)`

func inspectAll(t *testing.T, ctx context.Context, sel string) []element {
	t.Helper()
	return evaluate[[]element](t, ctx, fmt.Sprintf(inspectJS, jsString(sel)))
}

// inspectOne reports on the first element that matches sel. Found is false
// when there is none.
func inspectOne(t *testing.T, ctx context.Context, sel string) element {
	t.Helper()
	if all := inspectAll(t, ctx, sel); len(all) > 0 {
		return all[0]
	}
	return element{}
}

func visibleOnly(es []element) []element {
	var out []element
	for _, e := range es {
		if e.Visible {
			out = append(out, e)
		}
	}
	return out
}

type viewport struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

const viewportJS = `({width: document.documentElement.clientWidth, height: window.innerHeight})`

type imageState struct {
	Complete      bool   `json:"complete"`
	NaturalWidth  int    `json:"naturalWidth"`
	NaturalHeight int    `json:"naturalHeight"`
	Src           string `json:"src"`
}

const imageStateJS = `((sel) => {
  const img = document.querySelector(sel);
  return {complete: img.complete, naturalWidth: img.naturalWidth,
    naturalHeight: img.naturalHeight, src: img.currentSrc || img.src};
})(%s)`

// overflow reports how wide the document is, and the innermost elements that
// stick out past the right edge of the viewport: the likely culprits.
type overflow struct {
	ScrollWidth int      `json:"scrollWidth"`
	ClientWidth int      `json:"clientWidth"`
	Offenders   []string `json:"offenders"`
}

const overflowJS = `(() => {
  const de = document.documentElement;
  const vw = de.clientWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].map(c => '.' + c).join('');
  const out = [...document.body.querySelectorAll('*')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > vw + 0.5;
  });
  const innermost = out.filter(el => !out.some(o => o !== el && el.contains(o)));
  return {
    scrollWidth: de.scrollWidth, clientWidth: vw,
    offenders: innermost.slice(0, 8).map(el =>
      name(el) + ' in ' + name(el.parentElement) +
      ' (right edge at ' + Math.round(el.getBoundingClientRect().right) + 'px)'),
  };
})()`

// settleJS scrolls through the page so that lazy images load, waits for the
// images and the fonts, scrolls back to the top, and returns the address of
// every shown image that did not load.
const settleJS = `(async () => {
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 30)));
  const step = Math.max(200, window.innerHeight / 2);
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    window.scrollTo(0, y);
    await frame();
  }
  window.scrollTo(0, 0);
  const loaded = Promise.all([...document.images].filter(img => !img.complete).map(img =>
    new Promise(r => { img.addEventListener('load', r, {once: true}); img.addEventListener('error', r, {once: true}); })));
  await Promise.race([loaded, new Promise(r => setTimeout(r, 10000))]);
  await document.fonts.ready;
  await frame();
  return [...document.images]
    .filter(img => img.checkVisibility() && !(img.complete && img.naturalWidth > 0))
    .map(img => img.currentSrc || img.src);
})()`

// screenshot loads every image of the page, checks that none is broken, and
// saves a full-page PNG at path.
func screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	broken, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](settleJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("prepare the page for %s: %v", filepath.Base(path), err)
	}
	for _, src := range broken {
		t.Errorf("a shown image did not load: %s", src)
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("take the screenshot %s: %v", filepath.Base(path), err)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatalf("save the screenshot: %v", err)
	}
	t.Logf("screenshot: %s", path)
}

// evaluate runs a JavaScript expression in the page and decodes its value.
func evaluate[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate in the page: %v\n%s", err, js)
	}
	return v
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func stripFragment(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// pageProblems collects what a reader would notice as broken in the loads of
// the tab: responses with an error status, failed requests and uncaught
// exceptions. Its listen method runs in the event loop of the tab.
type pageProblems struct {
	mu       sync.Mutex
	urls     map[network.RequestID]string
	problems []string
}

func newPageProblems() *pageProblems {
	return &pageProblems{urls: make(map[network.RequestID]string)}
}

func (p *pageProblems) listen(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.Request != nil {
			p.urls[ev.RequestID] = ev.Request.URL
		}
	case *network.EventResponseReceived:
		if ev.Response != nil && ev.Response.Status >= 400 {
			p.problems = append(p.problems, fmt.Sprintf("%s %s: HTTP %d", ev.Type, ev.Response.URL, ev.Response.Status))
		}
	case *network.EventLoadingFailed:
		if !ev.Canceled {
			p.problems = append(p.problems, fmt.Sprintf("%s %s: %s", ev.Type, p.urls[ev.RequestID], ev.ErrorText))
		}
	case *runtime.EventExceptionThrown:
		if d := ev.ExceptionDetails; d != nil {
			p.problems = append(p.problems, "uncaught exception: "+d.Text)
		}
	}
}

// report fails the test for each problem seen since the last report.
func (p *pageProblems) report(t *testing.T, page string) {
	t.Helper()
	p.mu.Lock()
	got := p.problems
	p.problems = nil
	p.mu.Unlock()
	for _, s := range got {
		t.Errorf("%s: %s", page, s)
	}
}

// lockedBuffer is a bytes.Buffer that the output goroutine of the browser
// and the test can share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last n lines of the buffer that do not contain skip.
func (b *lockedBuffer) tail(n int, skip string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var keep []string
	for line := range strings.Lines(b.buf.String()) {
		if !strings.Contains(line, skip) {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep[max(0, len(keep)-n):], "")
}
