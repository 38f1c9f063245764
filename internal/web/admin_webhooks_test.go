package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/webhook"
)

func webhookValues(u string, events ...string) url.Values {
	return url.Values{"url": {u}, "description": {"CDN purge"}, "events": events, "enabled": {"yes"}}
}

var secretInPage = regexp.MustCompile(`value="(whsec_[^"]+)"`)

// shownSecret is the secret a page shows, "" for none.
func shownSecret(page string) string {
	m := secretInPage.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// Only admins manage webhooks: every page and action refuses the other
// roles and sends strangers to sign in.
func TestWebhooksPageRoles(t *testing.T) {
	ns := newNewsroom(t)
	e := &webhook.Endpoint{URL: "https://hooks.example.org/in", Events: []string{webhook.ArticlePublished}, Enabled: true, Secret: webhook.NewSecret()}
	must(t, ns.db.CreateWebhookEndpoint(context.Background(), e))
	m := webhook.Message{ID: webhook.NewMessageID(ns.clock), Type: webhook.Test, Payload: []byte(`{}`), CreatedAt: ns.clock}
	must(t, ns.db.QueueWebhook(context.Background(), e.ID, m))
	one := fmt.Sprintf("/admin/webhooks/%d", e.ID)
	d, err := ns.db.WebhookDeliveries(context.Background(), e.ID, 0, 1)
	must(t, err)
	for _, tt := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/admin/webhooks", nil},
		{"POST", "/admin/webhooks", webhookValues("https://hooks.example.org/x", webhook.ArticlePublished)},
		{"GET", one, nil},
		{"POST", one, webhookValues("https://hooks.example.org/changed", webhook.CommentCreated)},
		{"POST", one + "/rotate", url.Values{}},
		{"POST", one + "/test", url.Values{}},
		{"POST", fmt.Sprintf("%s/deliveries/%d/resend", one, d[0].ID), url.Values{}},
		{"POST", one + "/delete", url.Values{"confirm": {"yes"}}},
	} {
		for _, role := range []account.Role{account.Contributor, account.Author, account.Editor} {
			if rec := ns.do(tt.method, tt.path, role, tt.form); rec.Code != http.StatusForbidden {
				t.Errorf("%s %s as %s = %d, want 403", tt.method, tt.path, role, rec.Code)
			}
		}
		if rec := ns.do(tt.method, tt.path, "", tt.form); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/login") {
			t.Errorf("%s %s signed out = %d, want the sign-in page", tt.method, tt.path, rec.Code)
		}
	}
	got, err := ns.db.WebhookEndpoint(context.Background(), e.ID)
	must(t, err)
	if got.URL != e.URL || got.Secret != e.Secret {
		t.Errorf("refused requests changed the endpoint: %+v", got)
	}
	if log, _ := ns.db.AuditLog(context.Background(), 0, 10); len(log) != 0 {
		t.Errorf("refused requests wrote %d audit entries", len(log))
	}
	for _, path := range []string{"/admin/webhooks/999999", one + "/deliveries/999999/resend"} {
		method := "GET"
		if strings.HasSuffix(path, "resend") {
			method = "POST"
		}
		if rec := ns.do(method, path, account.Admin, url.Values{}); rec.Code != http.StatusNotFound {
			t.Errorf("%s %s = %d, want 404", method, path, rec.Code)
		}
	}
	if body := ns.do("GET", "/admin/articles", account.Admin, nil).Body.String(); !strings.Contains(body, `href="/admin/webhooks"`) {
		t.Error("the admin's menu has no link to the webhooks")
	}
	if body := ns.do("GET", "/admin/articles", account.Editor, nil).Body.String(); strings.Contains(body, `href="/admin/webhooks"`) {
		t.Error("the editor's menu links to the webhooks")
	}
}

// An admin registers an endpoint with the form alone (no script): its
// secret is shown once, in the answer; it is changed, tested, its
// delivery sent again, its secret rotated, and it is deleted — each step
// in the audit log, none of them naming the secret.
func TestWebhooksPageWorkflow(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()

	// A refused form says why beside each field and keeps what was typed.
	rec := ns.do("POST", "/admin/webhooks", account.Admin, url.Values{"url": {"ftp://hooks.example.org/<in>"}, "description": {"CDN purge"}})
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="url-error"`) || !strings.Contains(body, `id="events-error"`) ||
		!strings.Contains(body, html.EscapeString("ftp://hooks.example.org/<in>")) || !strings.Contains(body, `value="CDN purge"`) {
		t.Fatalf("a refused form = %d:\n%s", rec.Code, body)
	}

	rec = ns.do("POST", "/admin/webhooks", account.Admin, webhookValues("https://hooks.example.org/in", webhook.ArticleUpdated, webhook.ArticlePublished))
	body = rec.Body.String()
	secret := shownSecret(body)
	if rec.Code != http.StatusCreated || secret == "" {
		t.Fatalf("registering = %d, no secret shown:\n%s", rec.Code, body)
	}
	list, err := ns.db.WebhookEndpoints(ctx)
	must(t, err)
	if len(list) != 1 || list[0].Secret != secret || list[0].URL != "https://hooks.example.org/in" || list[0].Description != "CDN purge" ||
		strings.Join(list[0].Events, " ") != "article.published article.updated" || !list[0].Enabled {
		t.Fatalf("stored %+v", list)
	}
	e := list[0]
	one := fmt.Sprintf("/admin/webhooks/%d", e.ID)
	for _, page := range []string{"/admin/webhooks", one} {
		rec := ns.do("GET", page, account.Admin, nil)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), e.Secret) || !strings.Contains(rec.Body.String(), "https://hooks.example.org/in") {
			t.Errorf("GET %s = %d, shows the secret again or not the endpoint", page, rec.Code)
		}
	}

	rec = ns.do("POST", one, account.Admin, url.Values{"url": {"http://hooks.example.org/changed"}, "events": {webhook.CommentApproved}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != one+"?notice=saved" {
		t.Fatalf("saving = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	changed, err := ns.db.WebhookEndpoint(ctx, e.ID)
	must(t, err)
	if changed.URL != "http://hooks.example.org/changed" || changed.Enabled || strings.Join(changed.Events, " ") != webhook.CommentApproved || changed.Secret != e.Secret {
		t.Errorf("changed to %+v", changed)
	}
	// Disabled, it is sent nothing, a test included; the page says why.
	rec = ns.do("POST", one+"/test", account.Admin, url.Values{})
	if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "enable it, then send") || !strings.Contains(body, "is not https") {
		t.Errorf("a test to a disabled endpoint = %d", rec.Code)
	}
	if rec := ns.do("POST", one, account.Admin, webhookValues("https://hooks.example.org/in", webhook.CommentApproved)); rec.Code != http.StatusSeeOther {
		t.Fatalf("enabling = %d", rec.Code)
	}
	rec = ns.do("POST", one+"/test", account.Admin, url.Values{})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != one+"?notice=test_sent" {
		t.Fatalf("a test = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	d, err := ns.db.WebhookDeliveries(ctx, e.ID, 0, 10)
	must(t, err)
	if len(d) != 1 || d[0].Type != webhook.Test {
		t.Fatalf("deliveries %+v", d)
	}
	page := ns.do("GET", one+"?notice=test_sent", account.Admin, nil).Body.String()
	for _, want := range []string{d[0].MessageID, "webhook.test", "A test event is on its way", fmt.Sprintf(`action="%s/deliveries/%d/resend"`, one, d[0].ID)} {
		if !strings.Contains(page, want) {
			t.Errorf("the endpoint's page lacks %q", want)
		}
	}
	rec = ns.do("POST", fmt.Sprintf("%s/deliveries/%d/resend", one, d[0].ID), account.Admin, url.Values{})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != one+"?notice=retried" {
		t.Errorf("send again = %d %q", rec.Code, rec.Header().Get("Location"))
	}

	rec = ns.do("POST", one+"/rotate", account.Admin, url.Values{})
	secret = shownSecret(rec.Body.String())
	rotated, err := ns.db.WebhookEndpoint(ctx, e.ID)
	must(t, err)
	if rec.Code != http.StatusOK || secret != rotated.Secret || rotated.OldSecret != e.Secret || !strings.Contains(rec.Body.String(), "signs beside it until") {
		t.Errorf("rotating = %d; stored %+v", rec.Code, rotated)
	}

	if rec := ns.do("POST", one+"/delete", account.Admin, url.Values{}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Tick the box") {
		t.Errorf("an unconfirmed delete = %d", rec.Code)
	}
	if rec := ns.do("POST", one+"/delete", account.Admin, url.Values{"confirm": {"yes"}}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/webhooks?notice=deleted" {
		t.Errorf("delete = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if _, err := ns.db.WebhookEndpoint(ctx, e.ID); err == nil {
		t.Error("the endpoint is still there")
	}
	log, err := ns.db.AuditLog(ctx, 0, 20)
	must(t, err)
	var actions []string
	for _, entry := range log {
		actions = append(actions, entry.Action)
		if strings.Contains(entry.Detail, "whsec_") || entry.UserID != ns.users[account.Admin].ID {
			t.Errorf("audit entry %+v", entry)
		}
	}
	if got := strings.Join(actions, " "); got != "webhook.delete webhook.rotate webhook.resend webhook.test webhook.update webhook.update webhook.create" {
		t.Errorf("audit log: %s", got)
	}
}

// The webhooks pages speak every language of the newsroom.
func TestWebhooksPagesInEveryLanguage(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	e := &webhook.Endpoint{URL: "https://hooks.example.org/in", Events: webhook.Types, Enabled: false, Secret: webhook.NewSecret()}
	must(t, ns.db.CreateWebhookEndpoint(ctx, e))
	must(t, ns.db.QueueWebhook(ctx, e.ID, webhook.Message{ID: webhook.NewMessageID(ns.clock), Type: webhook.Test, Payload: []byte(`{}`), CreatedAt: ns.clock}))
	for _, lang := range []string{"en", "fa", "ar", "ru"} {
		site, err := ns.db.Site(ctx)
		must(t, err)
		site.Language = lang
		must(t, ns.db.SetSite(ctx, site))
		for _, page := range []string{"/admin/webhooks", fmt.Sprintf("/admin/webhooks/%d", e.ID)} {
			rec := ns.do("GET", page, account.Admin, nil)
			if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "[admin.") || !strings.Contains(rec.Body.String(), `lang="`+lang+`"`) {
				t.Errorf("%s in %s = %d, or a message shows its key", page, lang, rec.Code)
			}
		}
	}
}
