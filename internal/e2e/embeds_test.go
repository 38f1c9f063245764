package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/internal/article"
	"broadsheet/internal/embed"
	"broadsheet/internal/store"
)

// An embed loads nothing from its provider until the reader presses its
// button: then its frame takes the placeholder's place, sandboxed, at the
// provider's proportions, with the focus; and the page lets in frames
// from that origin and no other.
func TestEmbedLoadsOnlyWhenAsked(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	imgs, err := db.Images(ctx, 1)
	if err != nil || len(imgs) == 0 {
		t.Fatalf("the demo's images: %v, %d", err, len(imgs))
	}
	// The frame's host does not resolve: loaded, it fails, and the test
	// sees only what the page asked for.
	if err := db.SaveEmbed(ctx, &embed.Record{URL: "https://video.example/watch/1", ProviderKey: "oembed", Provider: "Example Video",
		Title: "The harbour at dawn", Frame: "https://frames.invalid/embed/1", Width: 4, Height: 3, ThumbnailID: imgs[0].ID,
		Complete: true, FetchedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	city, err := db.SectionBySlug(ctx, "city")
	if err != nil {
		t.Fatal(err)
	}
	authors, err := db.Authors(ctx)
	if err != nil || len(authors) == 0 {
		t.Fatalf("the demo's authors: %v", err)
	}
	a := &article.Article{Slug: "harbour-video", Headline: "The harbour on film", Section: *city, Authors: authors[:1], Status: article.Published,
		Language: "en", PublishedAt: time.Now().Add(-time.Minute), Body: "Before.\n\nhttps://video.example/watch/1\n\n" +
			fmt.Sprintf("![%s](/media/%d/%d.jpg \"Courier staff\")\n![%[1]s again](/media/%[2]d/%[3]d.jpg)\nTwice the same view.\n\n", imgs[0].Alt, imgs[0].ID, imgs[0].Variants[0]) +
			"[The budget](/media/4/budget.pdf)\n\nAfter."}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	// Stored before the store knew the embed: rendered again on the page.
	if err := db.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
		_, err := tx.ExecContext(ctx, `UPDATE articles SET html_of = 0 WHERE id = ?`, a.ID)
		return []string{article.KeyArticle(a.ID)}, err
	}); err != nil {
		t.Fatal(err)
	}

	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+a.Path()))
	if err != nil {
		t.Fatalf("open the article: %v", err)
	}
	expectPage(t, bctx, resp, 200, a.Path())
	if got, _ := resp.Headers["Content-Security-Policy"].(string); !strings.HasSuffix(got, "; frame-src https://frames.invalid") {
		t.Errorf("the page's policy is %q, want it to end with frame-src https://frames.invalid", got)
	}
	const button = `figure.embed .embed-consent button`
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(button))); err != nil {
		t.Fatalf("the placeholder has no button: %v", err)
	}
	if got, want := evaluate[string](t, bctx, `document.querySelector(`+jsString(button)+`).textContent`), "Load content from Example Video"; got != want {
		t.Errorf("the button says %q, want %q", got, want)
	}
	if got, want := evaluate[string](t, bctx, `document.querySelector("figure.embed .embed-consent p").textContent`), "Example Video may set cookies once it is loaded."; got != want {
		t.Errorf("the notice says %q, want %q", got, want)
	}
	before := evaluate[map[string]any](t, bctx, `(() => {
		const fig = document.querySelector("figure.embed");
		const img = fig.querySelector("a img");
		return {frames: document.querySelectorAll("iframe").length, link: fig.querySelector(":scope > a").href,
			thumbnail: img ? img.complete && img.naturalWidth > 0 : false, focus: document.activeElement.tagName,
			asked: performance.getEntriesByType("resource").filter(e => !e.name.startsWith(location.origin)).map(e => e.name)};
	})()`)
	if before["frames"] != float64(0) || before["link"] != "https://video.example/watch/1" || before["thumbnail"] != true || before["focus"] != "BODY" ||
		fmt.Sprint(before["asked"]) != "[]" {
		t.Errorf("before the click the page = %v, want no frame, a link to the video with its picture, the focus where it was, nothing asked of another site", before)
	}
	problems.report(t, a.Path())
	emulateSize(t, bctx, axeSizes[0])
	for _, v := range runAxe(t, bctx, readAxe(t), a.Path()) {
		if v.ID == "target-size" || v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s at phone width: %s", a.Path(), v)
		}
	}

	evaluate[any](t, bctx, `window.refused = [];
		document.addEventListener("securitypolicyviolation", e => window.refused.push(e.violatedDirective + " " + e.blockedURI)); null`)
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(button)), chromedp.WaitReady(chromedp.CSS("figure.embed iframe"))); err != nil {
		t.Fatalf("press the button: %v", err)
	}
	after := evaluate[map[string]any](t, bctx, `(() => {
		const f = document.querySelector("figure.embed iframe");
		return {src: f.src, sandbox: f.getAttribute("sandbox"), allow: f.getAttribute("allow"), referrer: f.getAttribute("referrerpolicy"),
			title: f.title, focused: document.activeElement === f, ratio: getComputedStyle(f).aspectRatio,
			left: document.querySelectorAll("figure.embed > a, figure.embed .embed-consent").length,
			caption: document.querySelector("figure.embed figcaption").textContent};
	})()`)
	want := map[string]any{"src": "https://frames.invalid/embed/1", "sandbox": "allow-scripts allow-same-origin allow-popups allow-presentation",
		"allow": "fullscreen; encrypted-media; picture-in-picture", "referrer": "strict-origin-when-cross-origin", "title": "The harbour at dawn",
		"focused": true, "ratio": "4 / 3", "left": float64(0), "caption": "Example Video"}
	if fmt.Sprint(after) != fmt.Sprint(want) {
		t.Errorf("after the click the frame =\n%v\nwant\n%v", after, want)
	}
	// The policy lets in that frame's origin and refuses any other.
	evaluate[any](t, bctx, `const other = document.createElement("iframe");
		other.src = "https://elsewhere.invalid/"; document.body.append(other); null`)
	var refused []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && len(refused) == 0; time.Sleep(50 * time.Millisecond) {
		refused = evaluate[[]string](t, bctx, `window.refused`)
	}
	if fmt.Sprint(refused) != "[frame-src https://elsewhere.invalid]" {
		t.Errorf("the page's policy refused %q, want only the frame from elsewhere", refused)
	}
}
