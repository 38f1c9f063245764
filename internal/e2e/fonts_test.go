package e2e

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/article"
	"broadsheet/internal/store/sqlite"
)

const (
	// An English article of the demo paper, with no Persian or Arabic on
	// its page once the site has no Persian edition, and an article of the
	// demo's Persian edition written in Persian.
	englishArticle = "/city/council-tax-rise-budget-gap"
	persianArticle = "/fa/فرهنگ/persian-poetry-night-central-library"
	// Russian search results that list only the demo's Russian article,
	// whose headline has « and ».
	russianSearch = "/search?q=%D0%BB%D0%B0%D0%B4%D1%8C%D1%8F" // ладья

	selPersianParagraph = "article.story .story-body p"
)

// loadState is what loadStateJS reports once the page and its fonts have
// loaded: its text, the Arabic-script text in it, the Vazirmatn faces and
// their status, what document.fonts.check says, and what it fetched.
type loadState struct {
	Text      string `json:"text"`
	Arabic    string `json:"arabic"`
	Faces     []face `json:"faces"`
	Check     bool   `json:"check"`
	Resources []struct {
		Name     string  `json:"name"`
		Status   int     `json:"status"`
		Transfer float64 `json:"transfer"`
		Body     float64 `json:"body"`
	} `json:"resources"`
	Document float64 `json:"document"`
}

type face struct {
	Weight string `json:"weight"`
	Status string `json:"status"`
}

const loadStateJS = `(async () => {
  await document.fonts.ready;
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    text: document.body.innerText,
    arabic: (document.body.innerText.match(/[\u0600-\u06FF]+/g) || []).slice(0, 3).join(' '),
    faces: [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'Vazirmatn')
      .map(f => ({weight: f.weight, status: f.status})),
    check: document.fonts.check('16px Vazirmatn', 'سلام'),
    resources: performance.getEntriesByType('resource').map(r => ({name: r.name,
      status: r.responseStatus, transfer: r.transferSize, body: r.encodedBodySize})),
    document: nav.transferSize,
  };
})()`

// TestPersianFont checks, in Chromium with an empty cache, that a page in
// Persian fetches Vazirmatn and draws its text with it, and that a page
// with no Persian or Arabic on it fetches no font at all. It logs what
// each page transferred (docs/performance.md quotes it) and saves a
// screenshot of the Persian article.
func TestPersianFont(t *testing.T) {
	base, bctx, problems, db := startFontTest(t)
	// The type the server sent each font with; Resource Timing does not
	// tell a font's.
	var mu sync.Mutex
	types := map[string]string{}
	if err := chromedp.Listen(bctx, func(ev any) {
		if ev, ok := ev.(*network.EventResponseReceived); ok && ev.Response != nil {
			mu.Lock()
			types[ev.Response.URL] = ev.Response.MimeType
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("listen to the browser's responses: %v", err)
	}

	// Pages with no Persian or Arabic: an English article, and Russian
	// search results, whose « and » are not in the font's range. The
	// masthead of a site with a Persian edition names it, فارسی, on every
	// page: these are the pages of the demo without its editions.
	site, err := db.Site(bctx)
	if err != nil {
		t.Fatalf("read the site: %v", err)
	}
	setEditions(t, db, site, nil)
	for _, p := range []struct{ name, path, shows string }{
		{"English article", englishArticle, ""},
		{"Russian search results", russianSearch, "«"},
	} {
		st := loadPage(t, bctx, base+p.path)
		if st.Arabic != "" {
			t.Fatalf("%s shows Arabic-script text (%q), so it cannot show that a page without it fetches no font", p.path, st.Arabic)
		}
		if !strings.Contains(st.Text, p.shows) {
			t.Fatalf("%s does not show %q", p.path, p.shows)
		}
		for _, r := range st.Resources {
			if isFont(r.Name) {
				t.Errorf("the %s fetched a font: %s (%d bytes)", p.name, r.Name, int(r.Transfer))
			}
		}
		for _, f := range st.Faces {
			if f.Status != "unloaded" {
				t.Errorf("on the %s Vazirmatn %s is %s, want unloaded", p.name, f.Weight, f.Status)
			}
		}
		logTransfer(t, p.name, st)
		problems.report(t, p.name)
	}

	setEditions(t, db, site, site.Editions)
	// With the editions back the English article names فارسی twice, in
	// the masthead's editions and in its translations, set in the system's
	// font: still no font fetched for one word.
	withNames := loadPage(t, bctx, base+"/city/council-votes-eastgate-tram-depot-homes")
	if !strings.Contains(withNames.Text, "فارسی") {
		t.Fatalf("the English article of the site with editions does not name فارسی")
	}
	for _, r := range withNames.Resources {
		if isFont(r.Name) {
			t.Errorf("the English article naming the Persian edition fetched a font: %s (%d bytes)", r.Name, int(r.Transfer))
		}
	}
	fa := loadPage(t, bctx, base+persianArticle)
	loaded := map[string]bool{}
	for _, f := range fa.Faces {
		loaded[f.Weight] = f.Status == "loaded"
	}
	// One face, the regular: the browser draws bold from it.
	if len(fa.Faces) != 1 || !loaded["400"] {
		t.Errorf("on the Persian article the Vazirmatn faces are %+v, want the one of weight 400, loaded", fa.Faces)
	}
	if !fa.Check {
		t.Errorf("document.fonts.check('16px Vazirmatn', 'سلام') is false on the Persian article")
	}
	fetched := map[string]bool{}
	for _, r := range fa.Resources {
		if !isFont(r.Name) {
			continue
		}
		fetched[fileName(r.Name)] = true
		mu.Lock()
		typ := types[r.Name]
		mu.Unlock()
		if r.Status != 200 || typ != "font/woff2" || r.Body <= 0 {
			t.Errorf("%s: status %d, type %q, %d bytes; want 200, font/woff2 and a body", r.Name, r.Status, typ, int(r.Body))
		}
	}
	if !fetched["vazirmatn-regular.woff2"] || len(fetched) != 1 {
		t.Errorf("the Persian article fetched the fonts %v, want vazirmatn-regular.woff2 alone", fetched)
	}
	// What the reader sees: the glyphs of the headline (bold, drawn from
	// the regular face) and of the body come from the web font, not from
	// a system font.
	for _, sel := range []string{selHeadline, selPersianParagraph} {
		if n := glyphsIn(t, bctx, sel, "Vazirmatn"); n == 0 {
			t.Errorf("%s draws no glyph in Vazirmatn", sel)
		}
	}
	logTransfer(t, "Persian article", fa)
	screenshot(t, bctx, filepath.Join(t.ArtifactDir(), "persian-article.png"))
	problems.report(t, "Persian article")
}

// slowLoadJS reports, once the fonts are in, when the page first painted
// text and when its web fonts had arrived, in ms since navigation.
const slowLoadJS = `(async () => {
  const fcp = await new Promise(resolve => {
    new PerformanceObserver((list, obs) => {
      const e = list.getEntries().find(e => e.name === 'first-contentful-paint');
      if (e) { obs.disconnect(); resolve(e.startTime); }
    }).observe({type: 'paint', buffered: true});
    setTimeout(() => resolve(-1), 10000);
  });
  await document.fonts.ready;
  const fonts = performance.getEntriesByType('resource').filter(r => /\.woff2(\?|$)/.test(r.name));
  return {fcp, fonts: fonts.length, fontsIn: Math.max(0, ...fonts.map(r => r.responseEnd))};
})()`

// TestPersianTextBeforeFont loads a page of the Persian edition, with an empty
// cache each time, over the network Lighthouse calls slow 4G (150 ms round
// trips, 1.6 Mbit/s): the reader must see text before the font arrives,
// in a fallback face (font-display: swap), rather than wait for it. It
// logs the medians that docs/performance.md quotes.
func TestPersianTextBeforeFont(t *testing.T) {
	base, bctx, problems, _ := startFontTest(t)
	slow4G := []*network.Conditions{{Latency: 150, DownloadThroughput: 1.6e6 / 8, UploadThroughput: 750e3 / 8}}
	if _, err := chromedp.Call(bctx, network.EmulateNetworkConditionsByRule,
		network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: slow4G}); err != nil {
		t.Fatalf("slow the network down: %v", err)
	}
	var fcps, arrivals []float64
	for range 3 {
		openFresh(t, bctx, base+persianArticle)
		got, err := chromedp.Run(bctx, chromedp.Evaluate[struct {
			FCP     float64 `json:"fcp"`
			Fonts   int     `json:"fonts"`
			FontsIn float64 `json:"fontsIn"`
		}](slowLoadJS, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("read the timings of %s: %v", persianArticle, err)
		}
		if got.Fonts != 1 || got.FCP <= 0 {
			t.Fatalf("the page fetched %d fonts and first painted at %.0f ms; want the font and a paint", got.Fonts, got.FCP)
		}
		if got.FCP >= got.FontsIn {
			t.Errorf("text first painted at %.0f ms, after the fonts arrived at %.0f ms: the page waited for them", got.FCP, got.FontsIn)
		}
		fcps, arrivals = append(fcps, got.FCP), append(arrivals, got.FontsIn)
	}
	t.Logf("slow 4G, empty cache, median of %d: text first painted at %.0f ms, fonts in at %.0f ms", len(fcps), median(fcps), median(arrivals))
	problems.report(t, "Persian article on a Persian site")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// startFontTest serves the demo paper and starts Chromium; it returns
// the site's address, the browser and the site's database.
func startFontTest(t *testing.T) (string, context.Context, *pageProblems, *sqlite.DB) {
	t.Helper()
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), journeyTimeout)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	return ts.URL, bctx, problems, db
}

// setEditions gives site the editions eds; the site's pages are made
// again when they are next asked for.
func setEditions(t *testing.T, db *sqlite.DB, site article.Site, eds []article.Edition) {
	t.Helper()
	site.Editions = eds
	if err := db.SetSite(context.Background(), site); err != nil {
		t.Fatalf("set the site's editions to %v: %v", eds, err)
	}
}

// openFresh opens url as a first visit does, with nothing in the cache.
func openFresh(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		t.Fatalf("clear the browser's cache: %v", err)
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	if resp.Status != 200 {
		t.Fatalf("%s: HTTP status %d, want 200", url, resp.Status)
	}
}

// loadPage opens url with an empty cache and reports on it once it and
// its fonts have loaded.
func loadPage(t *testing.T, ctx context.Context, url string) loadState {
	t.Helper()
	openFresh(t, ctx, url)
	st, err := chromedp.Run(ctx, chromedp.Evaluate[loadState](loadStateJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the fonts and resources of %s: %v", url, err)
	}
	return st
}

// glyphsIn counts the glyphs of the first element matching sel that the
// browser drew with the downloaded font family.
func glyphsIn(t *testing.T, ctx context.Context, sel, family string) float64 {
	t.Helper()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(sel), chromedp.AtLeast(1)))
	if err != nil {
		t.Fatalf("find %s: %v", sel, err)
	}
	if _, err := chromedp.Call(ctx, css.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable the CSS domain: %v", err)
	}
	used, err := chromedp.Call(ctx, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: nodes[0].NodeID})
	if err != nil {
		t.Fatalf("the fonts of %s: %v", sel, err)
	}
	var n float64
	for _, f := range used.Fonts {
		t.Logf("%s: %d glyphs in %s (web font: %v)", sel, int(f.GlyphCount), f.FamilyName, f.IsCustomFont)
		if f.FamilyName == family && f.IsCustomFont {
			n += f.GlyphCount
		}
	}
	return n
}

// logTransfer logs the bytes a page moved, by kind, as Resource Timing
// counts them: body and headers, after compression.
func logTransfer(t *testing.T, page string, st loadState) {
	t.Helper()
	kinds := map[string]float64{"document": st.Document}
	total := st.Document
	for _, r := range st.Resources {
		kind := "other"
		switch name := fileName(r.Name); {
		case isFont(r.Name):
			kind = "fonts"
			t.Logf("%s: %s, %d bytes (%d of them the file)", page, name, int(r.Transfer), int(r.Body))
		case strings.HasSuffix(name, ".css"):
			kind = "stylesheet"
		case strings.HasSuffix(name, ".js"):
			kind = "scripts"
		case strings.Contains(r.Name, "/media/"):
			kind = "images"
		}
		kinds[kind] += r.Transfer
		total += r.Transfer
	}
	t.Logf("%s: %d bytes in all: document %d, stylesheet %d, scripts %d, images %d, fonts %d, other %d", page, int(total),
		int(kinds["document"]), int(kinds["stylesheet"]), int(kinds["scripts"]), int(kinds["images"]), int(kinds["fonts"]), int(kinds["other"]))
}

// isFont reports whether a resource's URL is a web font's.
func isFont(url string) bool {
	return strings.HasSuffix(fileName(url), ".woff2") || strings.HasSuffix(fileName(url), ".woff")
}

// fileName is the last path segment of url, without its query.
func fileName(url string) string {
	url, _, _ = strings.Cut(url, "?")
	return url[strings.LastIndex(url, "/")+1:]
}
