package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/account"
	"broadsheet/internal/embed"
	"broadsheet/internal/web"
)

// deskVideo is the YouTube address the story embeds; a provider on
// loopback answers for YouTube.
const deskVideo = "https://www.youtube.com/watch?v=Hesper0Surg"

// TestWritingDesk writes a story in the rich view as a reporter would:
// formatting, a pasted picture with its alt text, caption and credit, a
// gallery from the library and a YouTube address; it checks that the
// views hand the same Markdown back and forth, publishes, and reads the
// story as a reader: the figure, the gallery and the video's placeholder
// are there, and the browser asks no other site for anything until the
// reader presses the placeholder's button.
func TestWritingDesk(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 170*time.Second)
	t.Cleanup(cancel)
	artifacts := t.ArtifactDir()

	// YouTube's oEmbed endpoint, on loopback: asked once, when the story
	// is saved, for the title and the thumbnail.
	var asked atomic.Int32
	var provider *httptest.Server
	provider = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oembed":
			asked.Add(1)
			if r.URL.Query().Get("url") != deskVideo {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"type": "video", "version": "1.0", "provider_name": "YouTube",
				"title": "Storm Hesper: the surge at Old Quay", "author_name": "Courier Video", "width": 560, "height": 315,
				"thumbnail_url": provider.URL + "/thumb.jpg", "thumbnail_width": 640, "thumbnail_height": 360,
				"html": `<iframe src="https://www.youtube.com/embed/Hesper0Surg" width="560" height="315"></iframe>`})
		case "/thumb.jpg":
			img := image.NewRGBA(image.Rect(0, 0, 640, 360))
			for y := range 360 {
				for x := range 640 {
					img.Set(x, y, color.RGBA{uint8(40 + y/3), uint8(90 + x/8), 140, 255})
				}
			}
			w.Header().Set("Content-Type", "image/jpeg")
			jpeg.Encode(w, img, nil)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(provider.Close)
	db, ts := startSiteOn(t, ctx, dir, web.Options{}, 0,
		&embed.Options{AllowPrivate: true, ProviderEndpoints: map[string]string{"youtube": provider.URL + "/oembed"}})
	editor := createNewsroomUser(t, ctx, db, "editor@courier.example", "Eda Editor", account.Editor)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	if err := chromedp.Listen(bctx, consoleLog{problems}.listen); err != nil {
		t.Fatalf("listen to the console: %v", err)
	}
	// Every request the browser makes, from here on.
	var mu sync.Mutex
	var requested []string
	if err := chromedp.Listen(bctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("listen to the network: %v", err)
	}
	requests := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), requested...)
	}
	signIn(t, bctx, ts.URL, editor)

	s := &richSession{t: t, base: ts.URL, ctx: bctx, problems: problems}
	s.open("/admin/articles/new")
	s.do("fill in the headline, standfirst, section and byline",
		chromedp.SendKeys(chromedp.CSS(selEdHeadline), "Why the sea came over the wall"),
		chromedp.SendKeys(chromedp.CSS(selEdStandfirst), "The surge at Old Quay, in pictures and on film."),
		chromedp.SetValue(chromedp.CSS(selEdSection), edSection),
		chromedp.SetValue(chromedp.CSS(selEdByline1), edByline))

	// Formatting, from the toolbar and the keyboard.
	s.click(selRichText)
	s.button("h2")
	s.keys("How the night unfolded")
	s.press("Enter")
	s.keys("The sea came over the wall at ")
	s.keys("b", chromedp.ModifierCtrl)
	s.keys("9.40pm")
	s.keys("b", chromedp.ModifierCtrl)
	s.keys(", an hour before high tide.")
	s.settle()

	// A picture pasted after the paragraph: alt text, caption, credit.
	s.focusEnd("The sea came over")
	s.press("Enter")
	s.await(fmt.Sprintf(pasteImageJS, false))
	s.do("wait for the image dialog", chromedp.WaitVisible(chromedp.CSS(selRichDialog+" #rich-image-alt")))
	s.setField("rich-image-alt", "Waves breaking over the Saltings sea wall")
	s.setField("rich-image-caption", "The surge at high tide.")
	s.setField("rich-image-credit", "Photo: Ines Dalgaard")
	s.click(selRichDialog + " button[type=submit]")
	s.do("wait for the upload", chromedp.WaitNotPresent(chromedp.CSS(selRichDialog)))
	s.settle()

	// A gallery of two of the library's pictures (past the Persian
	// edition's, the newest).
	s.button("library")
	s.do("wait for the library", chromedp.WaitVisible(chromedp.CSS(selRichDialog+" .picker-item")))
	s.click(selRichDialog + " #rich-picker-gallery")
	s.click(selRichDialog + " li:nth-child(9) .picker-item")
	s.click(selRichDialog + " li:nth-child(10) .picker-item")
	s.click(selRichDialog + " button[type=submit]")
	s.do("wait for the picker to close", chromedp.WaitNotPresent(chromedp.CSS(selRichDialog)))
	s.settle()

	// The video's address, pasted alone on a line of its own.
	s.focusEnd("The sea came over")
	s.press("Enter")
	evaluate[bool](t, bctx, fmt.Sprintf(`(() => { const dt = new DataTransfer(); dt.setData("text/plain", %q);
  document.querySelector(%q).dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); return true; })()`,
		deskVideo, selRichText))
	s.settle()
	if e := inspectOne(t, bctx, selRichText+" .embed-card"); !e.Visible {
		t.Errorf("the pasted address is not shown as an embed card")
	}
	checkWritingAids := evaluate[string](t, bctx, `document.querySelector("#body-stats .words").textContent`)
	screenshot(t, bctx, filepath.Join(artifacts, "writing-desk-rich.png"))

	written := s.markdown()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^## How the night unfolded$`),
		regexp.MustCompile(`(?m)^The sea came over the wall at \*\*9\.40pm\*\*, an hour before high tide\.$`),
		regexp.MustCompile(`(?m)^!\[Waves breaking over the Saltings sea wall\]\(/media/\d+/\d+\.jpg "Photo: Ines Dalgaard"\)\nThe surge at high tide\.$`),
		regexp.MustCompile(`(?m)^!\[[^\]]+\]\(/media/\d+/\d+\.jpg[^)]*\)\n!\[[^\]]+\]\(/media/\d+/\d+\.jpg[^)]*\)$`),
		regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(deskVideo) + `$`),
	} {
		if !want.MatchString(written) {
			t.Errorf("the story's Markdown lacks %s:\n%s", want, written)
		}
	}
	if !strings.Contains(checkWritingAids, "word") {
		t.Errorf("the word count reads %q", checkWritingAids)
	}

	// Rich to Markdown and back: the same bytes each way.
	s.click(selModeMarkdown)
	if got := s.textarea(); got != written {
		t.Errorf("the Markdown view shows\n%q\nwant what the rich view wrote\n%q", got, written)
	}
	screenshot(t, bctx, filepath.Join(artifacts, "writing-desk-markdown.png"))
	s.click(selModeRich)
	s.settle()
	if got := s.markdown(); got != written {
		t.Errorf("back in the rich view the body is\n%q\nwant\n%q", got, written)
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("the editor asked the provider %d times; only the server asks, when the story is saved", n)
	}

	resp, err := chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(selEdPublish)))
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	id := editedArticleID(t, expectPage(t, bctx, resp, http.StatusOK, ""), "published")
	if n := asked.Load(); n != 1 {
		t.Errorf("saving the story asked the provider %d times, want once", n)
	}
	a, err := db.ArticleByID(ctx, id)
	if err != nil {
		t.Fatalf("read the story: %v", err)
	}
	if a.Body != written {
		t.Errorf("the stored body is\n%q\nwant what the editor showed\n%q", a.Body, written)
	}
	problems.report(t, "the writing desk")

	// The reader's page: nothing from any other site until asked.
	before := len(requests())
	resp, err = chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+a.Path()))
	if err != nil {
		t.Fatalf("open the story: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, a.Path())
	const button = `figure.embed .embed-consent button`
	s.do("wait for the placeholder", chromedp.WaitVisible(chromedp.CSS(button)))
	page := evaluate[map[string]any](t, bctx, `(() => {
		const fig = document.querySelector(".story-body figure.figure");
		const gallery = document.querySelector(".story-body figure.gallery");
		const embed = document.querySelector(".story-body figure.embed");
		const thumb = embed && embed.querySelector("a img");
		return {
			figure: fig ? fig.querySelector("img").alt + " | " + fig.querySelector("figcaption").textContent : "",
			srcset: fig ? fig.querySelector("img").getAttribute("srcset") || "" : "",
			gallery: gallery ? gallery.querySelectorAll("li img").length : 0,
			embed: embed ? embed.dataset.embedFrame + " | " + embed.querySelector(":scope > a").textContent.trim() : "",
			thumbnail: thumb ? thumb.getAttribute("src") : "",
			frames: document.querySelectorAll("iframe").length,
		};
	})()`)
	if got := page["figure"]; got != "Waves breaking over the Saltings sea wall | The surge at high tide. Photo: Ines Dalgaard" {
		t.Errorf("the figure reads %q, want its alt text, caption and credit", got)
	}
	if got, _ := page["srcset"].(string); !strings.Contains(got, " 480w") {
		t.Errorf("the figure's srcset is %q, want the library's widths", got)
	}
	if got := page["gallery"]; got != float64(2) {
		t.Errorf("the gallery shows %v pictures, want 2", got)
	}
	if got := page["embed"]; got != "https://www.youtube-nocookie.com/embed/Hesper0Surg | Storm Hesper: the surge at Old Quay" {
		t.Errorf("the embed placeholder is %q, want YouTube's privacy frame and the title the provider gave", got)
	}
	if got, _ := page["thumbnail"].(string); !strings.HasPrefix(got, "/media/") {
		t.Errorf("the placeholder's thumbnail is %q, want a copy in the site's media library", got)
	}
	if page["frames"] != float64(0) {
		t.Errorf("the page holds %v frames before the reader asks", page["frames"])
	}
	s.do("let the page settle", chromedp.Sleep(500*time.Millisecond))
	screenshot(t, bctx, filepath.Join(artifacts, "writing-desk-story.png"))
	for _, u := range requests()[before:] {
		if !strings.HasPrefix(u, ts.URL+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("before the reader asked, the page requested %s", u)
		}
	}
	problems.report(t, a.Path())

	// The reader asks: the provider's frame, and only then a request to it.
	before = len(requests())
	s.click(button)
	s.do("wait for the frame", chromedp.WaitReady(chromedp.CSS("figure.embed iframe")))
	var toProvider bool
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !toProvider; time.Sleep(50 * time.Millisecond) {
		for _, u := range requests()[before:] {
			toProvider = toProvider || strings.HasPrefix(u, "https://www.youtube-nocookie.com/embed/Hesper0Surg")
		}
	}
	if !toProvider {
		t.Errorf("after the click the browser did not ask for the video's frame; it asked for %q", requests()[before:])
	}
	// The frame's host resolves to nothing here; its failure is expected.
	problems.mu.Lock()
	problems.problems = nil
	problems.mu.Unlock()
}
