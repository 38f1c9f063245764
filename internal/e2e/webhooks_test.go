package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/account"
)

// TestWebhooksWithoutJavaScript: an admin, in a browser that runs no
// script, registers a webhook endpoint by ticking its events, reads its
// secret on the page that answers (and nowhere after), and sends a test
// event that the endpoint's delivery log then lists. Screenshots of both
// pages go to the test's artifacts.
func TestWebhooksWithoutJavaScript(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	admin := createNewsroomUser(t, ctx, db, "admin@courier.example", "Ada Admin", account.Admin)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	signIn(t, bctx, ts.URL, admin)
	if _, err := chromedp.Call(bctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("turn JavaScript off: %v", err)
	}
	shot := func(name string) {
		t.Helper()
		if buf, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)); err != nil {
			t.Errorf("take a screenshot: %v", err)
		} else if err := os.WriteFile(filepath.Join(t.ArtifactDir(), name), buf, 0o644); err != nil {
			t.Errorf("save the screenshot: %v", err)
		}
	}

	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+"/admin/webhooks"))
	if err != nil {
		t.Fatalf("open the webhooks page: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/admin/webhooks")
	if err := chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(`#url`), "https://hooks.example.org/broadsheet"),
		chromedp.SendKeys(chromedp.CSS(`#description`), "CDN purge"),
		chromedp.Click(chromedp.CSS(`input[name=events][value="article.updated"]`)),
		chromedp.Click(chromedp.CSS(`input[name=events][value="article.corrected"]`)),
	); err != nil {
		t.Fatalf("fill in the form: %v", err)
	}
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`form[action="/admin/webhooks"] button[type=submit]`)))
	if err != nil {
		t.Fatalf("add the endpoint: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusCreated, "/admin/webhooks")
	secret, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS(`#secret`)))
	if err != nil {
		t.Fatalf("read the secret: %v", err)
	}
	list, err := db.WebhookEndpoints(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("endpoints %v, %v", list, err)
	}
	e := list[0]
	if secret != e.Secret || strings.Join(e.Events, " ") != "article.updated article.corrected" || !e.Enabled || e.Description != "CDN purge" {
		t.Errorf("the page shows secret %q; stored %+v", secret, e)
	}
	shot("webhook-created.png")

	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`form[action$="/test"] button`)))
	if err != nil {
		t.Fatalf("send a test event: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/admin/webhooks/1")
	page := pageText(t, bctx)
	for _, want := range []string{"A test event is on its way", "webhook.test", "msg_", "Waiting", "Send again"} {
		if !strings.Contains(page, want) {
			t.Errorf("the endpoint's page lacks %q: %.400q", want, page)
		}
	}
	if strings.Contains(page, e.Secret) {
		t.Error("the endpoint's page shows the secret again")
	}
	shot("webhook-deliveries.png")
	problems.report(t, "the webhooks pages")
}
