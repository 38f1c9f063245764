package api

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/webhook"
)

// webhookResp is the part of an endpoint the tests look at.
type webhookResp struct {
	ID             int64      `json:"id"`
	URL            string     `json:"url"`
	Description    string     `json:"description"`
	Events         []string   `json:"events"`
	Enabled        bool       `json:"enabled"`
	Secret         *string    `json:"secret"`
	OldSecretUntil *time.Time `json:"old_secret_until"`
	Queued, Failed int
	LastAttempt    *struct {
		ResponseCode int    `json:"response_code"`
		Error        string `json:"error"`
	} `json:"last_attempt"`
}

type deliveryResp struct {
	ID        int64  `json:"id"`
	MessageID string `json:"message_id"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	Attempts  []struct {
		ResponseCode int    `json:"response_code"`
		Error        string `json:"error"`
		DurationMS   int64  `json:"duration_ms"`
		Response     string `json:"response"`
	} `json:"attempts"`
}

// Endpoints are an admin's, registered, changed, rotated and deleted
// through the newsroom's rules and audit entries; the secret is in the
// answers that made it and nowhere else.
func TestWebhookEndpoints(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const body = `{"url":"https://hooks.example.org/in","description":"CDN purge","events":["article.updated","article.published","article.updated"]}`
	wantError(t, "an editor", f.as(account.Editor, "POST", "/api/v1/admin/webhooks", body), http.StatusForbidden, "forbidden")
	wantError(t, "an editor lists", f.as(account.Editor, "GET", "/api/v1/admin/webhooks", ""), http.StatusForbidden, "forbidden")

	w := f.as(account.Admin, "POST", "/api/v1/admin/webhooks", body)
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	e := decodeAs[webhookResp](t, w)
	if e.Secret == nil || !strings.HasPrefix(*e.Secret, "whsec_") || !e.Enabled || e.URL != "https://hooks.example.org/in" ||
		strings.Join(e.Events, " ") != "article.published article.updated" || e.Description != "CDN purge" {
		t.Fatalf("created %s", w.Body)
	}
	path := fmt.Sprintf("/api/v1/admin/webhooks/%d", e.ID)
	if got := w.Header().Get("Location"); got != path {
		t.Errorf("Location = %q, want %q", got, path)
	}
	secret := *e.Secret
	for _, p := range []string{"/api/v1/admin/webhooks", path} {
		w := f.as(account.Admin, "GET", p, "")
		if w.Code != http.StatusOK || strings.Contains(w.Body.String(), secret) || strings.Contains(w.Body.String(), `"secret"`) {
			t.Errorf("GET %s shows the secret, or fails: %d %s", p, w.Code, w.Body)
		}
	}

	for _, tt := range []struct {
		name, body string
		fields     []string
	}{
		{"an internal address", `{"url":"http://127.0.0.1:9000/","events":["article.published"]}`, []string{"url"}},
		{"no address, no events", `{"url":"","events":[]}`, []string{"url", "events"}},
		{"an unknown event", `{"url":"https://hooks.example.org/x","events":["article.deleted"]}`, []string{"events"}},
	} {
		e := wantError(t, tt.name, f.as(account.Admin, "POST", "/api/v1/admin/webhooks", tt.body), http.StatusUnprocessableEntity, "invalid")
		for _, field := range tt.fields {
			if e.Error.Fields[field] == "" {
				t.Errorf("%s: fields %v, want one naming %s", tt.name, e.Error.Fields, field)
			}
		}
	}

	w = f.as(account.Admin, "PATCH", path, `{"events":["comment.created"],"enabled":false}`)
	changed := decodeAs[webhookResp](t, w)
	if w.Code != http.StatusOK || changed.Enabled || strings.Join(changed.Events, " ") != "comment.created" ||
		changed.URL != e.URL || changed.Description != "CDN purge" || changed.Secret != nil {
		t.Errorf("PATCH: %d %s", w.Code, w.Body)
	}
	wantError(t, "PATCH an internal address", f.as(account.Admin, "PATCH", path, `{"url":"http://localhost/"}`), http.StatusUnprocessableEntity, "invalid")
	wantError(t, "a test to a disabled endpoint", f.as(account.Admin, "POST", path+"/test", ""), http.StatusUnprocessableEntity, "invalid")

	w = f.as(account.Admin, "POST", path+"/rotate", "")
	rotated := decodeAs[webhookResp](t, w)
	if w.Code != http.StatusOK || rotated.Secret == nil || *rotated.Secret == secret || !strings.HasPrefix(*rotated.Secret, "whsec_") ||
		rotated.OldSecretUntil == nil || !rotated.OldSecretUntil.Equal(f.clock().Add(webhook.RotationOverlap)) {
		t.Errorf("rotate: %d %s", w.Code, w.Body)
	}
	stored, err := f.db.WebhookEndpoint(ctx, e.ID)
	must(t, err)
	if stored.Secret != *rotated.Secret || stored.OldSecret != secret {
		t.Errorf("stored secrets: %q after %q, want the rotated one after the first", stored.Secret, stored.OldSecret)
	}

	if w := f.as(account.Admin, "DELETE", path, ""); w.Code != http.StatusNoContent {
		t.Errorf("DELETE: %d %s", w.Code, w.Body)
	}
	wantError(t, "deleted", f.as(account.Admin, "GET", path, ""), http.StatusNotFound, "not_found")
	wantError(t, "no such endpoint", f.as(account.Admin, "PATCH", "/api/v1/admin/webhooks/x", `{}`), http.StatusNotFound, "not_found")
	for _, p := range []string{path + "/rotate", path + "/test"} {
		wantError(t, "POST "+p+" of a deleted endpoint", f.as(account.Admin, "POST", p, ""), http.StatusNotFound, "not_found")
	}
	wantError(t, "deleted again", f.as(account.Admin, "DELETE", path, ""), http.StatusNotFound, "not_found")

	actions := f.auditActions() // and no secret in it
	for _, a := range []string{"webhook.create", "webhook.update", "webhook.rotate", "webhook.delete"} {
		if actions[a] != 1 {
			t.Errorf("audit log %v, want one %s", actions, a)
		}
	}
}

// A test event is queued and answered; the worker's attempt at it is
// listed with the delivery, status, response code, error and duration;
// resending queues it again, the same message.
func TestWebhookDeliveries(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := decodeAs[webhookResp](t, f.as(account.Admin, "POST", "/api/v1/admin/webhooks",
		`{"url":"https://hooks.example.org/in","events":["article.published"]}`))
	path := fmt.Sprintf("/api/v1/admin/webhooks/%d", e.ID)
	var ids []string
	for range 3 {
		w := f.as(account.Admin, "POST", path+"/test", "")
		m := decodeAs[struct {
			ID      string         `json:"id"`
			Type    string         `json:"type"`
			Payload map[string]any `json:"payload"`
		}](t, w)
		if w.Code != http.StatusAccepted || m.Type != webhook.Test || !strings.HasPrefix(m.ID, "msg_") || m.Payload["type"] != webhook.Test {
			t.Fatalf("test: %d %s", w.Code, w.Body)
		}
		ids = append(ids, m.ID)
		f.advance(time.Second)
	}

	// The receiver is busy: the worker's attempt, over real HTTP, fails.
	receiver := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("busy, try later"))
	}))
	defer receiver.Close()
	// hooks.example.org is the receiver, whose certificate names
	// example.com.
	toReceiver := receiver.Client().Transport.(*http.Transport).Clone()
	toReceiver.TLSClientConfig.ServerName = "example.com"
	toReceiver.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, receiver.Listener.Addr().String())
	}
	worker := &webhook.Worker{Queue: f.db, Client: &http.Client{Transport: toReceiver}, Now: f.clock}
	if _, err := worker.Step(ctx); err != nil {
		t.Fatal(err)
	}

	w := f.as(account.Admin, "GET", path+"/deliveries?limit=2", "")
	page := decodeAs[struct {
		Deliveries []deliveryResp `json:"deliveries"`
		Next       *string        `json:"next"`
	}](t, w)
	if w.Code != http.StatusOK || len(page.Deliveries) != 2 || page.Next == nil || page.Deliveries[0].MessageID != ids[2] {
		t.Fatalf("first page: %d %s", w.Code, w.Body)
	}
	d := page.Deliveries[0]
	if d.Status != string(webhook.Queued) || len(d.Attempts) != 1 || d.Attempts[0].ResponseCode != http.StatusServiceUnavailable ||
		d.Attempts[0].Error != "" || d.Attempts[0].Response != "busy, try later" || d.Attempts[0].DurationMS < 0 {
		t.Errorf("delivery after a failed attempt: %+v", d)
	}
	w = f.as(account.Admin, "GET", path+"/deliveries?limit=2&before="+*page.Next, "")
	rest := decodeAs[struct {
		Deliveries []deliveryResp `json:"deliveries"`
		Next       *string        `json:"next"`
	}](t, w)
	if len(rest.Deliveries) != 1 || rest.Next != nil || rest.Deliveries[0].MessageID != ids[0] {
		t.Errorf("second page: %s", w.Body)
	}
	listed := decodeAs[struct{ Endpoints []webhookResp }](t, f.as(account.Admin, "GET", "/api/v1/admin/webhooks", ""))
	if len(listed.Endpoints) != 1 || listed.Endpoints[0].Queued != 3 || listed.Endpoints[0].LastAttempt == nil ||
		listed.Endpoints[0].LastAttempt.ResponseCode != http.StatusServiceUnavailable {
		t.Errorf("the endpoint fares: %+v", listed.Endpoints)
	}

	w = f.as(account.Admin, "POST", fmt.Sprintf("%s/deliveries/%d/resend", path, d.ID), "")
	again := decodeAs[deliveryResp](t, w)
	if w.Code != http.StatusAccepted || again.ID != d.ID || again.MessageID != d.MessageID || again.Status != string(webhook.Queued) {
		t.Errorf("resend: %d %s", w.Code, w.Body)
	}
	wantError(t, "resend a delivery of no endpoint's", f.as(account.Admin, "POST", path+"/deliveries/999/resend", ""), http.StatusNotFound, "not_found")
	wantError(t, "deliveries of no endpoint", f.as(account.Admin, "GET", "/api/v1/admin/webhooks/999/deliveries", ""), http.StatusNotFound, "not_found")
	wantError(t, "an editor resends", f.as(account.Editor, "POST", fmt.Sprintf("%s/deliveries/%d/resend", path, d.ID), ""), http.StatusForbidden, "forbidden")

	actions := f.auditActions()
	if actions["webhook.test"] != 3 || actions["webhook.resend"] != 1 {
		t.Errorf("audit log %v, want three tests and a resend", actions)
	}
}
