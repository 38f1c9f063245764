package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeBundle is axe-core's browser build, installed for the tests by
// scripts/update-axe.sh. It is never served to readers.
var axeBundle = filepath.Join("testdata", "axe.min.js")

// axeViolation is one failed axe-core rule on a page, with the elements
// that fail it.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axeRunJS runs every rule axe-core enables by default, plus target-size
// (WCAG 2.2's 24-pixel minimum for what a finger taps), and reports the
// violations.
const axeRunJS = `(async () => {
  const r = await axe.run(document, {
    resultTypes: ["violations"],
    rules: {"target-size": {enabled: true}},
  });
  return r.violations.map(v => ({
    id: v.id, impact: v.impact || "", help: v.help,
    targets: v.nodes.slice(0, 10).map(n => n.target.join(" ") + (n.failureSummary ? " (" + n.failureSummary.replace(/\s+/g, " ").slice(0, 160) + ")" : "")),
  }));
})()`

// TestAccessibility runs axe-core in Chromium on the pages readers land on
// most, the front page, an article, a section and a live blog, at the width of a phone
// and of a desktop window. No tap target may be smaller than WCAG 2.2
// allows, and no page may have a serious or critical violation.
func TestAccessibility(t *testing.T) {
	requireChromium(t)
	axe := readAxe(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	t.Cleanup(cancel)
	_, ts := startSite(t, ctx, dir)
	bctx, _, _ := startNewsroomBrowser(t, ctx, dir)

	pages := []string{"/", "/city/council-votes-eastgate-tram-depot-homes", "/city", "/city/storm-hesper-clean-up-live"}
	for _, size := range axeSizes {
		emulateSize(t, bctx, size)
		for _, path := range pages {
			if _, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+path)); err != nil {
				t.Fatalf("open %s: %v", path, err)
			}
			found := runAxe(t, bctx, axe, path)
			for _, v := range found {
				if v.ID == "target-size" || v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s at %s width: %s", path, size.name, v)
				} else {
					t.Logf("%s at %s width: %s (%s, %s): %d elements", path, size.name, v.ID, v.Impact, v.Help, len(v.Targets))
				}
			}
			if len(found) == 0 {
				t.Logf("%s at %s width: no violations", path, size.name)
			}
		}
	}
}

// screenSize is a window the accessibility tests run axe-core in.
type screenSize struct {
	name          string
	width, height int64
	mobile        bool
}

// axeSizes are the widths of a phone and of a desktop window.
var axeSizes = []screenSize{
	{"phone", phoneWidth, phoneHeight, true},
	{"desktop", desktopWidth, desktopHeight, false},
}

// emulateSize makes the browser's window the size given.
func emulateSize(t *testing.T, ctx context.Context, size screenSize) {
	t.Helper()
	emulate := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
	if size.mobile {
		emulate = append(emulate, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.width, size.height, emulate...)); err != nil {
		t.Fatalf("emulate a %d×%d window: %v", size.width, size.height, err)
	}
}

// readAxe reads axe-core's browser build.
func readAxe(t *testing.T) []byte {
	t.Helper()
	axe, err := os.ReadFile(axeBundle)
	if err != nil {
		t.Fatalf("axe-core is missing (run scripts/update-axe.sh): %v", err)
	}
	return axe
}

// runAxe loads axe-core into the page the browser shows, page for the
// messages, and returns what it finds.
func runAxe(t *testing.T, ctx context.Context, axe []byte, page string) []axeViolation {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(axe))); err != nil {
		t.Fatalf("load axe-core into %s: %v", page, err)
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRunJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core on %s: %v", page, err)
	}
	return found
}

func (v axeViolation) String() string {
	return fmt.Sprintf("%s (%s, %s):\n  %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n  "))
}
