package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/internal/account"
	"broadsheet/internal/clientip"
	"broadsheet/internal/web"
)

// TestSignInWhileTheAccountIsAttacked: strangers have failed at an
// account from many addresses, so the login page asks a new browser for
// the proof of work. The owner's browser solves it by itself and the
// owner signs in with the password alone.
func TestSignInWhileTheAccountIsAttacked(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	// The strangers come through a proxy on loopback, each from an
	// address of their own; the browser connects directly.
	ips, err := clientip.New([]string{"127.0.0.1/32"})
	if err != nil {
		t.Fatal(err)
	}
	db, ts := startSiteWith(t, ctx, dir, web.Options{IPs: ips}, 0)
	owner := createNewsroomUser(t, ctx, db, "owner@courier.example", "Olive Owner", account.Editor)
	for i := range 50 { // five guesses from each of ten addresses
		form := url.Values{"email": {owner.Email}, "password": {"a stranger's guess"}}
		req, _ := http.NewRequest("POST", ts.URL+"/admin/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i/5+1))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	if _, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+"/admin/login")); err != nil {
		t.Fatalf("open the login page: %v", err)
	}
	login := func() {
		t.Helper()
		err := chromedp.Do(bctx,
			chromedp.WaitVisible(chromedp.CSS(selLoginPassword)),
			chromedp.SetValue(chromedp.CSS(selLoginEmail), owner.Email),
			chromedp.SendKeys(chromedp.CSS(selLoginPassword), newsroomPassword),
			chromedp.Click(chromedp.CSS(selLoginSubmit)),
		)
		if err != nil {
			t.Fatalf("sign in: %v", err)
		}
	}
	login()
	wctx, wcancel := context.WithTimeout(bctx, 10*time.Second)
	defer wcancel()
	if err := chromedp.Do(wctx, chromedp.WaitReady(chromedp.CSS("altcha-widget"))); err != nil {
		t.Fatalf("the login page did not offer the check: %v; it says %.300q", err, pageText(t, bctx))
	}
	reportExpecting(t, problems, "the first try", "/admin/login: HTTP 429")
	deadline := time.Now().Add(30 * time.Second)
	for evaluate[string](t, bctx, `(document.querySelector('input[name="altcha"]') || {}).value || ""`) == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the page never solved the check by itself; it says %.300q", pageText(t, bctx))
		}
		time.Sleep(100 * time.Millisecond)
	}
	login()
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(selAdminUser))); err != nil {
		t.Fatalf("the owner could not sign in: %v; the page says %.300q", err, pageText(t, bctx))
	}
	problems.report(t, "signing in with the check solved")
}
