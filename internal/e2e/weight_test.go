package e2e

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/comment"
)

// pageBudget is the most an article page may move on a reader's first
// visit, images aside: 35 KiB, 35×1024 bytes, as Chromium's
// Network.loadingFinished encodedDataLength counts them, that is the
// bytes read from the connection for each response: its headers and its
// body as sent, compressed. The document, the stylesheet, the scripts
// and the fonts all count.
const pageBudget = 35 * 1024

// longArticle is the longest English article of the demo paper.
const longArticle = "/science/why-storm-surge-higher-than-forecast"

// TestArticlePageWeight loads article pages in Chromium with an empty
// cache, as a first visit does, and adds up what every response that is
// not an image moved: the long English article with a discussion, its
// comment form and its Subscribe box, and the Persian edition's lead
// story with its discussion, the one that fetches the Persian font. Each
// must stay within pageBudget. It logs each page's resources, and what
// starting a comment then fetches (the anti-bot widget), which the budget
// leaves out: the reader asked for it.
func TestArticlePageWeight(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), journeyTimeout)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	discussion(t, ctx, db, "why-storm-surge-higher-than-forecast",
		comment.Comment{Name: "Rosa Fenwick", Body: "The tide gauge series at Old Quay is a gift: a century of readings, and the trend is plain in them. The defences were built for the sea of 1953."},
		comment.Comment{ParentID: replyToFirst, Name: "Tom Aske", Body: "Plain, yes, but the surge forecast was still **30 cm** short. The river was the part nobody modelled."},
		comment.Comment{Name: "Ingrid Holm", Body: "Would the university publish the gauge data? Readers could check the trend for themselves."},
		comment.Comment{Name: "Declan Rourke", Body: "We live behind the Saltings wall. Nobody told us the design level was set before the bay was dredged."},
		comment.Comment{Name: "Анна Ковалёва", Body: "Сколько стоит поднять стену на полметра?"})
	persianDiscussion(t, ctx, db)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	w := newWeighing()
	if err := chromedp.Listen(bctx, w.listen); err != nil {
		t.Fatalf("listen to the browser's network: %v", err)
	}

	for _, p := range []struct{ name, path string }{
		{"long English article with comments", longArticle},
		{"Persian article with comments", persianLead},
	} {
		w.reset()
		openFresh(t, bctx, ts.URL+p.path)
		for _, sel := range []string{"#comment-form textarea[name=body]", "form.subscribe-form"} {
			if !inspectOne(t, bctx, sel).Found {
				t.Fatalf("%s has no %s: the page is not the one to weigh", p.path, sel)
			}
		}
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatalf("wait for the fonts of %s: %v", p.path, err)
		}
		w.settle(t, ctx)
		total := w.report(t, p.name)
		if total > pageBudget {
			t.Errorf("%s (%s) moved %d bytes before images on a first visit, more than the %d (35 KiB) allowed", p.name, p.path, total, pageBudget)
		} else {
			t.Logf("%s: %d bytes, within the %d (35 KiB) allowed", p.name, total, pageBudget)
		}
		problems.report(t, p.name)

		// The reader starts a comment: only now does the page fetch
		// the anti-bot widget, and focus stays where the reader put it.
		w.reset()
		if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS("#comment-body"))); err != nil {
			t.Fatalf("click into the comment field: %v", err)
		}
		if err := chromedp.Do(bctx, chromedp.Poll[chromedp.Void](`!!customElements.get("altcha-widget") && !!document.querySelector("#comment-form altcha-widget input[type=checkbox]")`,
			chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("%s: the anti-bot widget did not draw itself once the reader started a comment: %v", p.path, err)
		}
		if id := evaluate[string](t, bctx, `document.activeElement.id`); id != "comment-body" {
			t.Errorf("%s: loading the widget moved focus to %q; it must stay in the comment field", p.path, id)
		}
		w.settle(t, ctx)
		w.report(t, p.name+", starting a comment")
		problems.report(t, p.name+", starting a comment")
	}
}

// weighing records the responses of a tab: what each is and how many
// bytes it moved. Its listen method runs in the tab's event loop.
type weighing struct {
	mu    sync.Mutex
	res   map[network.RequestID]*weighed
	order []network.RequestID
	last  time.Time // the last network event
}

// weighed is one response.
type weighed struct {
	url      string
	kind     network.ResourceType
	mime     string
	bytes    int64 // encodedDataLength: headers and body, as sent
	finished bool
	failed   string
}

func newWeighing() *weighing { return &weighing{res: map[network.RequestID]*weighed{}} }

func (w *weighing) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.res, w.order, w.last = map[network.RequestID]*weighed{}, nil, time.Now()
}

func (w *weighing) get(id network.RequestID) *weighed {
	r := w.res[id]
	if r == nil {
		r = &weighed{}
		w.res[id] = r
		w.order = append(w.order, id)
	}
	return r
}

func (w *weighing) listen(ev any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		r := w.get(ev.RequestID)
		r.kind = ev.Type
		if ev.Request != nil {
			r.url = ev.Request.URL
		}
	case *network.EventResponseReceived:
		r := w.get(ev.RequestID)
		r.kind = ev.Type
		if ev.Response != nil {
			r.mime = ev.Response.MimeType
		}
	case *network.EventDataReceived:
		// An event stream never finishes: what it has moved so far.
		w.get(ev.RequestID).bytes += ev.EncodedDataLength
	case *network.EventLoadingFinished:
		r := w.get(ev.RequestID)
		r.bytes, r.finished = int64(ev.EncodedDataLength), true
	case *network.EventLoadingFailed:
		r := w.get(ev.RequestID)
		r.finished, r.failed = true, ev.ErrorText
	default:
		return
	}
	w.last = time.Now()
}

// settle waits until every request but the tab's event streams has
// finished and the network has been quiet for a second.
func (w *weighing) settle(t *testing.T, ctx context.Context) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		w.mu.Lock()
		open := 0
		for _, r := range w.res {
			if !r.finished && r.kind != network.ResourceTypeEventSource {
				open++
			}
		}
		quiet := time.Since(w.last)
		w.mu.Unlock()
		if open == 0 && quiet > time.Second {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("the page still has %d requests open after 20 s", open)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// isImage reports whether r is an image, which the budget leaves out.
func (r *weighed) isImage() bool {
	return r.kind == network.ResourceTypeImage || strings.HasPrefix(r.mime, "image/")
}

// report logs every response since the last reset, largest first, and
// returns the bytes of those that are not images.
func (w *weighing) report(t *testing.T, page string) int64 {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	var all []*weighed
	for _, id := range w.order {
		all = append(all, w.res[id])
	}
	slices.SortStableFunc(all, func(a, b *weighed) int { return cmp.Compare(b.bytes, a.bytes) })
	var total, images int64
	for _, r := range all {
		name := r.url
		if u, err := url.Parse(r.url); err == nil {
			name, _ = url.PathUnescape(u.EscapedPath())
		}
		note := ""
		switch {
		case r.failed != "":
			note = " (failed: " + r.failed + ")"
		case !r.finished:
			note = " (still open: so far)"
		}
		if r.isImage() {
			images += r.bytes
			t.Logf("%s:   image %-10s %7d B  %s%s, not counted", page, r.kind, r.bytes, name, note)
			continue
		}
		total += r.bytes
		t.Logf("%s: %-18s %7d B  %s%s", page, r.kind, r.bytes, name, note)
	}
	t.Logf("%s: %d B in all before images (%d responses), images %d B", page, total, len(all), images)
	return total
}
