package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/challenge"
)

// The reading site's JSON doors are the API's: the challenge, comments
// and subscriptions answer here, through the domain's services, never
// cached and for no other origin.
func TestSiteDoors(t *testing.T) {
	f := newFixture(t)
	a := f.create(account.Editor, story("Tram depot", `"status":"published"`))
	draft := f.create(account.Editor, story("Not yet"))
	comments := fmt.Sprintf("/api/v1/articles/%d/comments", a.ID)

	w := f.serve(req{method: "GET", path: "/api/v1/challenge", addr: "198.51.100.1"})
	var ch challenge.Challenge
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &ch) != nil || ch.Signature == "" {
		t.Fatalf("GET /api/v1/challenge = %d %s", w.Code, w.Body)
	}
	if w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("challenge headers: %v", w.Header())
	}

	for _, tt := range []struct {
		name, path, body string
		status           int
		code, message    string
		fields           []string
	}{
		{"no article", "/api/v1/articles/999/comments", `{"name":"Ana","body":"Hello"}`, 404, "not_found", "There is no such article.", nil},
		{"a draft", fmt.Sprintf("/api/v1/articles/%d/comments", draft.ID), `{"name":"Ana","body":"Hello"}`, 404, "not_found", "There is no such article.", nil},
		{"missing fields", comments, `{}`, 422, "invalid", "Please enter your name.; Please enter your comment.", []string{"name", "body"}},
		{"forged check", comments, `{"name":"Ana","body":"Hello","altcha":"eyJ4IjoxfQ=="}`, 422, "check_failed", "The anti-bot check could not be confirmed. Please post again; your text is kept below.", nil},
		{"no email", "/api/v1/subscriptions", `{"scope":"site"}`, 422, "invalid", "Please enter your email address.", []string{"email"}},
		{"unknown field", "/api/v1/subscriptions", `{"email":"a@example.org","admin":true}`, 400, "bad_request", `unknown field "admin"`, []string{"admin"}},
	} {
		e := wantError(t, tt.name, f.serve(req{method: "POST", path: tt.path, body: tt.body, addr: "198.51.100.2"}), tt.status, tt.code)
		if e.Error.Message != tt.message || len(e.Error.Fields) != len(tt.fields) {
			t.Errorf("%s: %+v, want %q and fields %v", tt.name, e.Error, tt.message, tt.fields)
		}
		for _, field := range tt.fields {
			if e.Error.Fields[field] == "" {
				t.Errorf("%s: fields %v lack %q", tt.name, e.Error.Fields, field)
			}
		}
	}

	w = f.serve(req{method: "POST", path: comments, body: `{"name":"Ana","body":"A fair point about the depot."}`, addr: "198.51.100.3"})
	var made struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		URL    string `json:"url"`
		Token  string `json:"commenter_token"`
	}
	if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &made) != nil || made.Status != "pending" || made.Token == "" ||
		made.URL != fmt.Sprintf("%s/city/tram-depot#c-%d", baseURL, made.ID) || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("comment without the check = %d %s, want 201 pending", w.Code, w.Body)
	}
	w = f.serve(req{method: "POST", path: "/api/v1/subscriptions", body: `{"email":"reader@example.org","scope":"section:city"}`, addr: "198.51.100.4"})
	if w.Code != http.StatusAccepted || !strings.Contains(w.Body.String(), `"status":"check_inbox"`) {
		t.Errorf("subscription = %d %s, want 202 check_inbox", w.Code, w.Body)
	}

	// A body over a door's cap is told in the site's words for it.
	big := `{"name":"Ana","body":"` + strings.Repeat("x", maxFormBytes) + `"}`
	e := wantError(t, "comment too large", f.serve(req{method: "POST", path: comments, body: big, addr: "198.51.100.5"}), http.StatusRequestEntityTooLarge, "too_large")
	if !strings.HasPrefix(e.Error.Message, "The comment is too long to be received.") {
		t.Errorf("comment too large: %q", e.Error.Message)
	}
}
