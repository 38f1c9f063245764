package e2e

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/internal/account"
)

// laptopWidth and laptopHeight are the most common laptop screen.
const laptopWidth, laptopHeight = 1366, 768

// TestAdminBarFitsALaptop signs an admin in, who sees every newsroom link,
// on a 1366×768 screen. The admin bar must sit on one line, and the mail
// page's notice that no SMTP server is configured must look like a warning,
// not like the green of a success.
func TestAdminBarFitsALaptop(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	admin := createNewsroomUser(t, ctx, db, "admin@courier.example", "Ada Admin", account.Admin)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(laptopWidth, laptopHeight)); err != nil {
		t.Fatalf("emulate a %d×%d screen: %v", laptopWidth, laptopHeight, err)
	}
	signIn(t, bctx, ts.URL, admin)

	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+"/admin/mail"))
	if err != nil {
		t.Fatalf("open the mail page: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/admin/mail")

	type bar struct {
		Links   int       `json:"links"`
		Centres []float64 `json:"centres"`
		Height  float64   `json:"height"`
		Item    float64   `json:"item"`
	}
	// The bar's brand, each item of its navigation and the user's corner:
	// on one line, their middles are level and the bar is one item high.
	got := evaluate[bar](t, bctx, `(() => {
  const bar = document.querySelector("header.admin-bar");
  const nav = bar.querySelector("nav");
  const items = [bar.querySelector(".admin-brand"), ...nav.children, bar.querySelector(".admin-user")];
  const rects = items.map(el => el.getBoundingClientRect());
  return {
    links: nav.querySelectorAll("a[href]").length,
    centres: rects.map(r => r.top + r.height / 2),
    height: bar.getBoundingClientRect().height,
    item: Math.max(...rects.map(r => r.height)),
  };
})()`)
	t.Logf("admin bar: %d links; %.0f px high, its tallest item %.0f px; item middles at %v", got.Links, got.Height, got.Item, got.Centres)
	if got.Links < 15 {
		t.Errorf("an admin reaches %d newsroom links from the bar, want every one of the 15", got.Links)
	}
	lo, hi := got.Centres[0], got.Centres[0]
	for _, c := range got.Centres {
		lo, hi = min(lo, c), max(hi, c)
	}
	if hi-lo > 4 || got.Height > 2*got.Item {
		t.Errorf("at %d px the admin bar wraps: its items' middles span %.0f px and it is %.0f px high for items %.0f px high",
			laptopWidth, hi-lo, got.Height, got.Item)
	}

	// A folded group opens on a click and its links work.
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`header.admin-bar details:last-of-type summary`))); err != nil {
		t.Fatalf("open the Administration group: %v", err)
	}
	if a := inspectOne(t, bctx, `header.admin-bar a[href="/admin/audit"]`); !a.Visible {
		t.Errorf("the opened group does not show the Audit log link: %+v", a.box())
	}
	screenshot(t, bctx, filepath.Join(t.ArtifactDir(), "admin-bar-open-1366.png"))
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`header.admin-bar a[href="/admin/mail"]`)))
	if err != nil {
		t.Fatalf("click Mail in the group: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/admin/mail")

	// The notice that mail is not sent is a warning.
	type notice struct {
		Found            bool   `json:"found"`
		Class            string `json:"class"`
		Background, Good string
	}
	n := evaluate[notice](t, bctx, `(() => {
  const p = [...document.querySelectorAll(".admin-main p")].find(p => p.textContent.includes("No SMTP server is configured"));
  const ok = document.createElement("p");
  ok.className = "notice";
  document.body.appendChild(ok);
  const good = getComputedStyle(ok).backgroundColor;
  ok.remove();
  return p ? {found: true, class: p.className, Background: getComputedStyle(p).backgroundColor, Good: good} : {found: false};
})()`)
	if !n.Found {
		t.Fatalf("the mail page of a site without SMTP does not say so")
	}
	if n.Background == n.Good || n.Class == "notice" {
		t.Errorf("the no-SMTP notice has class %q and background %s, the look of a success (%s); want a warning", n.Class, n.Background, n.Good)
	}
	screenshot(t, bctx, filepath.Join(t.ArtifactDir(), "admin-mail-1366.png"))
	problems.report(t, "the mail page")
}
