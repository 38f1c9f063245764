package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The anti-bot check speaks the page's language: on the Persian edition's
// article the widget asks in Persian, right to left, and on the English
// one in English. It is fetched when the reader starts a comment.
func TestAntiBotCheckSpeaksThePagesLanguage(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	_, ts := startSite(t, ctx, dir)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	for _, tt := range []struct{ path, label, dir string }{
		{"/fa/فرهنگ/persian-poetry-night-central-library", "من ربات نیستم", "rtl"},
		{"/city/council-votes-eastgate-tram-depot-homes", "I'm not a robot", "ltr"},
	} {
		resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+tt.path))
		if err != nil {
			t.Fatalf("open %s: %v", tt.path, err)
		}
		expectPage(t, bctx, resp, 200, tt.path)
		if evaluate[bool](t, bctx, `!!customElements.get("altcha-widget")`) {
			t.Errorf("%s: the widget was fetched before the reader started a form", tt.path)
		}
		if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS("#comment-body"))); err != nil {
			t.Fatalf("%s: click into the comment: %v", tt.path, err)
		}
		const label = `(document.querySelector("#comment-form altcha-widget label") || {}).textContent || ""`
		// The widget draws itself once its module loads: wait for it.
		got := ""
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if got = evaluate[string](t, bctx, label); got == tt.label {
				break
			}
		}
		if got != tt.label {
			t.Errorf("%s: the check's label is %q, want %q", tt.path, got, tt.label)
		}
		// The widget marks its own direction from its language.
		widgetDir := evaluate[string](t, bctx, `document.querySelector("#comment-form altcha-widget .altcha").dir || "ltr"`)
		if widgetDir != tt.dir {
			t.Errorf("%s: the check reads %s, want %s", tt.path, widgetDir, tt.dir)
		}
		problems.report(t, tt.path)
	}
}
