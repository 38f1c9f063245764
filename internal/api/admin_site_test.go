package api

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/mail"
	"broadsheet/internal/subscription"
)

// lastAudit is the newest entry of the audit log.
func (f *fixture) lastAudit() article.AuditEntry {
	f.t.Helper()
	entries, err := f.db.AuditLog(context.Background(), 0, 1)
	must(f.t, err)
	if len(entries) == 0 {
		f.t.Fatal("the audit log is empty")
	}
	return entries[0]
}

func wantAudit(t *testing.T, f *fixture, role account.Role, action string) {
	t.Helper()
	if e := f.lastAudit(); e.Action != action || e.UserID != f.users[role].ID {
		t.Errorf("audit log ends with %q by user %d, want %q by the %s (%d)", e.Action, e.UserID, action, role, f.users[role].ID)
	}
}

// leastRole walks every role over one request and checks that exactly
// those from least on are let in; the others get 403 and change nothing.
func leastRole(t *testing.T, f *fixture, least account.Role, method, path, body string) {
	t.Helper()
	for _, role := range account.Roles {
		if role.AtLeast(least) {
			continue
		}
		wantError(t, string(role)+" "+method+" "+path, f.as(role, method, path, body), http.StatusForbidden, "forbidden")
	}
}

func TestNotes(t *testing.T) {
	f := newFixture(t)
	a := f.create(account.Author, story("Ferry timetable", `"status":"published"`))
	draft := f.create(account.Author, story("A draft"))
	path := "/api/v1/admin/articles/" + strconv.FormatInt(a.ID, 10) + "/notes"
	leastRole(t, f, account.Author, "POST", path, `{"kind":"correction","body":"x"}`)
	// The article's author may correct it; another author may not.
	other := &account.User{Email: "other@courier.example", Name: "Other", Role: account.Author, PasswordHash: "x"}
	must(t, f.db.CreateUser(context.Background(), other))
	wantError(t, "another author", f.serve(req{method: "POST", path: path, token: f.token(other), body: `{"kind":"update","body":"x"}`}),
		http.StatusForbidden, "forbidden")

	w := f.as(account.Author, "POST", path, `{"kind":"correction","body":"An earlier version gave the wrong sailing time."}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("add = %d %s", w.Code, w.Body)
	}
	n := decodeAs[noteJSON](t, w)
	if n.ID == 0 || n.Kind != "correction" || n.CreatedAt.IsZero() {
		t.Errorf("note = %+v", n)
	}
	wantAudit(t, f, account.Author, "article.correction")
	f.advance(time.Minute)
	if w := f.as(account.Editor, "POST", path, `{"kind":"update","body":"The company has confirmed the change."}`); w.Code != http.StatusCreated {
		t.Fatalf("an editor's update = %d %s", w.Code, w.Body)
	}
	list := decodeAs[noteList](t, f.as(account.Editor, "GET", path, ""))
	if len(list.Notes) != 2 || list.Notes[0].Kind != "correction" || list.Notes[1].Kind != "update" {
		t.Errorf("notes = %+v, want the correction then the update", list.Notes)
	}
	if got := decodeAs[articleResp](t, f.get("/api/v1/articles/"+strconv.FormatInt(a.ID, 10))); got.ID != a.ID {
		t.Errorf("the article in the Content API: %+v", got)
	}

	for _, tt := range []struct {
		name, path, body string
		fields           []string
	}{
		{"no kind, no text", path, `{"body":" "}`, []string{"kind", "body"}},
		{"a kind it does not know", path, `{"kind":"retraction","body":"x"}`, []string{"kind"}},
		{"too long", path, `{"kind":"update","body":"` + strings.Repeat("x", 5001) + `"}`, []string{"body"}},
		{"a draft", "/api/v1/admin/articles/" + strconv.FormatInt(draft.ID, 10) + "/notes", `{"kind":"update","body":"x"}`, nil},
	} {
		e := wantError(t, tt.name, f.as(account.Editor, "POST", tt.path, tt.body), http.StatusUnprocessableEntity, "invalid")
		for _, field := range tt.fields {
			if e.Error.Fields[field] == "" {
				t.Errorf("%s: fields %v do not name %q", tt.name, e.Error.Fields, field)
			}
		}
	}
	wantError(t, "an unknown article", f.as(account.Editor, "GET", "/api/v1/admin/articles/999/notes", ""), http.StatusNotFound, "not_found")
}

func TestRedirects(t *testing.T) {
	f := newFixture(t)
	leastRole(t, f, account.Admin, "GET", "/api/v1/admin/redirects", "")
	leastRole(t, f, account.Admin, "POST", "/api/v1/admin/redirects", `{"from_path":"/?p=1","to_url":"/city"}`)

	w := f.as(account.Admin, "POST", "/api/v1/admin/redirects", `{"from_path":"/2019/05/ferry-news/","to_url":"/city"}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("create = %d %s", w.Code, w.Body)
	}
	rd := decodeAs[redirectJSON](t, w)
	if rd.FromPath != "/2019/05/ferry-news" || rd.ToURL != "/city" || rd.Status != 301 || rd.CreatedBy != f.users[account.Admin].ID {
		t.Errorf("created %+v: want the key without its slash, to /city, 301, by the admin", rd)
	}
	if got, want := w.Header().Get("Location"), "/api/v1/admin/redirects/"+strconv.FormatInt(rd.ID, 10); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	wantAudit(t, f, account.Admin, "redirect.create")
	e := wantError(t, "the same address again", f.as(account.Admin, "POST", "/api/v1/admin/redirects", `{"from_path":"/2019/05/ferry-news","to_url":"/sport"}`),
		http.StatusConflict, "conflict")
	if e.Error.Fields["from_path"] == "" {
		t.Errorf("conflict fields = %v, want from_path", e.Error.Fields)
	}
	e = wantError(t, "off the site", f.as(account.Admin, "POST", "/api/v1/admin/redirects", `{"from_path":"/old","to_url":"https://elsewhere.example/"}`),
		http.StatusUnprocessableEntity, "invalid")
	if e.Error.Fields["to_url"] == "" {
		t.Errorf("off-site fields = %v, want to_url", e.Error.Fields)
	}
	if w := f.as(account.Admin, "POST", "/api/v1/admin/redirects", `{"from_path":"/old","to_url":"https://elsewhere.example/","off_site":true,"status":308}`); w.Code != http.StatusCreated {
		t.Errorf("off the site, allowed: %d %s", w.Code, w.Body)
	}

	id := strconv.FormatInt(rd.ID, 10)
	w = f.as(account.Admin, "PATCH", "/api/v1/admin/redirects/"+id, `{"status":302}`)
	if got := decodeAs[redirectJSON](t, w); w.Code != http.StatusOK || got.Status != 302 || got.ToURL != "/city" {
		t.Errorf("patch = %d %+v", w.Code, got)
	}
	wantAudit(t, f, account.Admin, "redirect.update")

	// Pages: newest first, next → before.
	for i := range 3 {
		f.as(account.Admin, "POST", "/api/v1/admin/redirects", `{"from_path":"/?p=`+strconv.Itoa(i+10)+`","to_url":"/sport"}`)
	}
	var seen []int64
	for path := "/api/v1/admin/redirects?limit=2"; ; {
		page := decodeAs[redirectList](t, f.as(account.Admin, "GET", path, ""))
		for _, r := range page.Redirects {
			seen = append(seen, r.ID)
		}
		if page.Next == nil {
			break
		}
		path = "/api/v1/admin/redirects?limit=2&before=" + *page.Next
	}
	if len(seen) != 5 || seen[0] < seen[4] {
		t.Errorf("paged through %v, want 5 redirects, newest first", seen)
	}
	if got := decodeAs[redirectList](t, f.as(account.Admin, "GET", "/api/v1/admin/redirects?q=ferry", "")); len(got.Redirects) != 1 {
		t.Errorf("?q=ferry found %d", len(got.Redirects))
	}
	wantError(t, "a bad made", f.as(account.Admin, "GET", "/api/v1/admin/redirects?made=robot", ""), http.StatusBadRequest, "bad_request")

	if w := f.as(account.Admin, "DELETE", "/api/v1/admin/redirects/"+id, ""); w.Code != http.StatusNoContent {
		t.Errorf("delete = %d %s", w.Code, w.Body)
	}
	wantAudit(t, f, account.Admin, "redirect.delete")
	wantError(t, "deleted", f.as(account.Admin, "GET", "/api/v1/admin/redirects/"+id, ""), http.StatusNotFound, "not_found")
}

func TestBanner(t *testing.T) {
	f := newFixture(t)
	leastRole(t, f, account.Editor, "PUT", "/api/v1/admin/banner", `{"text":"x"}`)
	leastRole(t, f, account.Editor, "DELETE", "/api/v1/admin/banner", "")
	if b := decodeAs[bannerJSON](t, f.as(account.Editor, "GET", "/api/v1/admin/banner", "")); b.Text != "" || b.Active || b.Expires != nil {
		t.Errorf("no banner yet: %+v", b)
	}
	expires := f.clock().Add(3 * time.Hour).Format(time.RFC3339)
	w := f.as(account.Editor, "PUT", "/api/v1/admin/banner", `{"text":"Storm warning: the ferry is cancelled","url":"/city","expires":"`+expires+`"}`)
	b := decodeAs[bannerJSON](t, w)
	if w.Code != http.StatusOK || !b.Active || b.URL != "/city" || b.Expires == nil || b.Expires.Format(time.RFC3339) != expires {
		t.Errorf("set = %d %+v", w.Code, b)
	}
	wantAudit(t, f, account.Editor, "banner.set")
	stored, err := f.db.Banner(context.Background())
	if err != nil || stored.Text != "Storm warning: the ferry is cancelled" {
		t.Errorf("stored banner %+v, %v", stored, err)
	}
	past := f.clock().Add(-time.Hour).Format(time.RFC3339)
	for _, tt := range []struct{ name, body, field string }{
		{"expired", `{"text":"x","expires":"` + past + `"}`, "expires"},
		{"no time", `{"text":"x"}`, "expires"},
		{"not a time", `{"text":"x","expires":"tomorrow"}`, "expires"},
		{"no text", `{"url":"/city","expires":"` + expires + `"}`, "text"},
		{"a link elsewhere", `{"text":"x","url":"//evil.example","expires":"` + expires + `"}`, "url"},
	} {
		e := wantError(t, tt.name, f.as(account.Editor, "PUT", "/api/v1/admin/banner", tt.body), http.StatusUnprocessableEntity, "invalid")
		if e.Error.Fields[tt.field] == "" {
			t.Errorf("%s: fields %v, want %s", tt.name, e.Error.Fields, tt.field)
		}
	}
	if stored, _ := f.db.Banner(context.Background()); stored.Text != "Storm warning: the ferry is cancelled" {
		t.Errorf("a refused banner changed the stored one: %+v", stored)
	}
	if w := f.as(account.Editor, "DELETE", "/api/v1/admin/banner", ""); w.Code != http.StatusNoContent {
		t.Errorf("clear = %d", w.Code)
	}
	if b := decodeAs[bannerJSON](t, f.as(account.Editor, "GET", "/api/v1/admin/banner", "")); b.Active || b.Text != "" {
		t.Errorf("after clearing: %+v", b)
	}
}

func TestSettings(t *testing.T) {
	f := newFixture(t)
	leastRole(t, f, account.Admin, "GET", "/api/v1/admin/settings", "")
	leastRole(t, f, account.Admin, "PATCH", "/api/v1/admin/settings", `{"title":"x"}`)
	before := decodeAs[settingsJSON](t, f.as(account.Admin, "GET", "/api/v1/admin/settings", ""))
	w := f.as(account.Admin, "PATCH", "/api/v1/admin/settings", `{"tagline":"News of Port Merrow","comments_close_days":30,"twitter_site":"https://x.com/merrowcourier"}`)
	got := decodeAs[settingsJSON](t, w)
	if w.Code != http.StatusOK || got.Tagline != "News of Port Merrow" || got.CommentsCloseDays != 30 || got.TwitterSite != "@merrowcourier" || got.Title != before.Title {
		t.Errorf("patch = %d %+v", w.Code, got)
	}
	wantAudit(t, f, account.Admin, "settings.update")
	site, err := f.db.Site(context.Background())
	if err != nil || site.Tagline != "News of Port Merrow" {
		t.Errorf("stored %+v, %v", site, err)
	}
	e := wantError(t, "bad values", f.as(account.Admin, "PATCH", "/api/v1/admin/settings", `{"title":"","time_zone":"Mars/Olympus","digest_hour":24,"editions":[{"lang":"xx"}]}`),
		http.StatusUnprocessableEntity, "invalid")
	for _, field := range []string{"title", "time_zone", "digest_hour", "editions"} {
		if e.Error.Fields[field] == "" {
			t.Errorf("fields %v do not name %s", e.Error.Fields, field)
		}
	}
	if site, _ := f.db.Site(context.Background()); site.Title != before.Title {
		t.Errorf("a refused change was saved: %+v", site)
	}
	// The language reaches <html lang>: a BCP 47 tag or nothing.
	for _, lang := range []string{`en\u0001`, `en\" onload=\"x`, "xx", "und", "", "en-"} {
		e := wantError(t, "language "+lang, f.as(account.Admin, "PATCH", "/api/v1/admin/settings", `{"language":"`+lang+`"}`),
			http.StatusUnprocessableEntity, "invalid")
		if e.Error.Fields["language"] == "" {
			t.Errorf("language %q: fields %v, want language named", lang, e.Error.Fields)
		}
	}
	if site, _ := f.db.Site(context.Background()); site.Language != before.Language {
		t.Errorf("a refused language was saved: %q", site.Language)
	}
	if got := decodeAs[settingsJSON](t, f.as(account.Admin, "PATCH", "/api/v1/admin/settings", `{"language":"en-gb"}`)); got.Language != "en-GB" {
		t.Errorf("language en-gb saved as %q, want en-GB", got.Language)
	}
	w = f.as(account.Admin, "PATCH", "/api/v1/admin/settings", `{"editions":[{"lang":"fa","title":"پیک","tagline":""}]}`)
	if got := decodeAs[settingsJSON](t, w); w.Code != http.StatusOK || len(got.Editions) != 1 || got.Editions[0].Lang != "fa" {
		t.Errorf("an edition = %d %s", w.Code, w.Body)
	}
}

// The second-step policy is a setting like the others; a change of it is
// audited and told, as the newsroom's settings page tells it, to each
// enabled account it newly covers that has no second step yet.
func TestSettingsSecondStep(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	leastRole(t, f, account.Admin, "PATCH", "/api/v1/admin/settings", `{"second_step":"everyone"}`)
	if got := decodeAs[settingsJSON](t, f.as(account.Admin, "GET", "/api/v1/admin/settings", "")); got.SecondStep != account.PolicyNone {
		t.Errorf("a new site's policy = %q, want none", got.SecondStep)
	}
	must(t, f.db.SetTOTP(ctx, f.users[account.Editor].ID, account.NewTOTPSecret()))
	away := &account.User{Email: "away@courier.example", Name: "Away", Role: account.Author, PasswordHash: "x"}
	must(t, f.db.CreateUser(ctx, away))
	must(t, f.db.SetUserAccess(ctx, away.ID, account.Author, true, 0))
	woken := 0
	f.api.mailQueued = func() { woken++ }

	letters := map[string]int{}
	for _, tt := range []struct {
		policy account.Policy
		told   []account.Role // besides those told before
	}{
		{account.PolicyEditors, []account.Role{account.Admin}},                        // the editor has an app
		{account.PolicyEveryone, []account.Role{account.Contributor, account.Author}}, // the admin was told already
		{account.PolicyEveryone, nil},                                                 // no change
	} {
		w := f.as(account.Admin, "PATCH", "/api/v1/admin/settings", `{"second_step":"`+string(tt.policy)+`"}`)
		if got := decodeAs[settingsJSON](t, w); w.Code != http.StatusOK || got.SecondStep != tt.policy {
			t.Fatalf("PATCH %q = %d %s", tt.policy, w.Code, w.Body)
		}
		if site, err := f.db.Site(ctx); err != nil || site.SecondStep != tt.policy {
			t.Errorf("stored policy %q, %v; want %q", site.SecondStep, err, tt.policy)
		}
		for _, r := range tt.told {
			letters[f.users[r].Email]++
		}
		queued, err := f.db.OutboxList(ctx, mail.Queued, 0, 100)
		must(t, err)
		got := map[string]int{}
		for _, m := range queued {
			if m.Kind != mail.Security || m.Data != "policy_enrol|192.0.2.1|" {
				t.Errorf("queued %s %q to %s; want the policy's letter", m.Kind, m.Data, m.To)
			}
			got[m.To]++
		}
		if !maps.Equal(got, letters) {
			t.Errorf("after %q, letters to %v; want %v", tt.policy, got, letters)
		}
	}
	if e := f.lastAudit(); e.Action != "settings.update" {
		t.Errorf("a PATCH that kept the policy ends the audit log with %q", e.Action)
	}
	if woken != 2 {
		t.Errorf("the sender was woken %d times; want once per change that queued letters, 2", woken)
	}
	entries, err := f.db.AuditLog(ctx, 0, 10)
	must(t, err)
	var changes []string
	for _, e := range entries {
		if e.Action == "settings.second_step" && e.UserID == f.users[account.Admin].ID {
			changes = append(changes, e.Detail)
		}
	}
	if want := []string{`"editors" to "everyone"`, `"" to "editors"`}; !slices.Equal(changes, want) {
		t.Errorf("audited policy changes %q; want %q", changes, want)
	}

	// The letter is one the outbox can write.
	queued, err := f.db.OutboxList(ctx, mail.Queued, 0, 1)
	must(t, err)
	if len(queued) == 0 {
		t.Fatal("no letter was queued")
	}
	outbox, err := mail.NewLetters(f.db, baseURL, subscription.Links{Key: []byte("a signing key of at least thirty-two bytes")})
	must(t, err)
	if l, err := outbox.Compose(ctx, queued[0]); err != nil || !strings.Contains(l.Subject, "second step") {
		t.Errorf("the policy's letter: %+v, %v", l, err)
	}

	for _, body := range []string{`{"second_step":"bogus"}`, `{"second_step":"Everyone"}`} {
		e := wantError(t, body, f.as(account.Admin, "PATCH", "/api/v1/admin/settings", body), http.StatusUnprocessableEntity, "invalid")
		if e.Error.Fields["second_step"] == "" {
			t.Errorf("%s: fields %v do not name second_step", body, e.Error.Fields)
		}
	}
	if site, _ := f.db.Site(ctx); site.SecondStep != account.PolicyEveryone {
		t.Errorf("a refused policy was saved: %q", site.SecondStep)
	}
}

func TestUsers(t *testing.T) {
	f := newFixture(t)
	leastRole(t, f, account.Admin, "GET", "/api/v1/admin/users", "")
	w := f.as(account.Admin, "GET", "/api/v1/admin/users", "")
	if strings.Contains(strings.ToLower(w.Body.String()), "password") || strings.Contains(w.Body.String(), "hash") {
		t.Errorf("the list shows secrets: %s", w.Body)
	}
	if list := decodeAs[userList](t, w); len(list.Users) != len(account.Roles) {
		t.Errorf("%d users, want %d", len(list.Users), len(account.Roles))
	}

	w = f.as(account.Admin, "POST", "/api/v1/admin/users", `{"email":"cy@courier.example","name":"Cy Moss","role":"author","password":"tide tables and quay lights"}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("create = %d %s", w.Code, w.Body)
	}
	cy := decodeAs[userJSON](t, w)
	if cy.Role != account.Author || cy.Disabled || strings.Contains(w.Body.String(), "tide") {
		t.Errorf("created %s", w.Body)
	}
	wantAudit(t, f, account.Admin, "user.create")
	stored, err := f.db.UserByID(context.Background(), cy.ID)
	if err != nil || !account.VerifyPassword(stored.PasswordHash, "tide tables and quay lights") {
		t.Errorf("the stored password does not verify: %v", err)
	}
	e := wantError(t, "taken, weak, no role", f.as(account.Admin, "POST", "/api/v1/admin/users", `{"email":"cy@courier.example","name":"Cy","role":"boss","password":"short"}`),
		http.StatusUnprocessableEntity, "invalid")
	for _, field := range []string{"role", "password"} {
		if e.Error.Fields[field] == "" {
			t.Errorf("fields %v do not name %s", e.Error.Fields, field)
		}
	}
	e = wantError(t, "taken", f.as(account.Admin, "POST", "/api/v1/admin/users", `{"email":"cy@courier.example","name":"Cy","role":"author","password":"tide tables and quay lights"}`),
		http.StatusUnprocessableEntity, "invalid")
	if e.Error.Fields["email"] == "" {
		t.Errorf("a taken address: fields %v", e.Error.Fields)
	}

	path := "/api/v1/admin/users/" + strconv.FormatInt(cy.ID, 10)
	token := f.token(stored)
	if w := f.serve(req{method: "GET", path: "/api/v1/admin/sections", token: token}); w.Code != http.StatusOK {
		t.Fatalf("Cy's token = %d", w.Code)
	}
	w = f.as(account.Admin, "PATCH", path, `{"role":"editor"}`)
	if got := decodeAs[userJSON](t, w); w.Code != http.StatusOK || got.Role != account.Editor {
		t.Errorf("promote = %d %s", w.Code, w.Body)
	}
	wantAudit(t, f, account.Admin, "user.update")
	if w := f.as(account.Admin, "PATCH", path, `{"disabled":true}`); w.Code != http.StatusOK || !decodeAs[userJSON](t, w).Disabled {
		t.Errorf("disable = %d %s", w.Code, w.Body)
	}
	wantError(t, "a disabled user's token", f.serve(req{method: "GET", path: "/api/v1/admin/sections", token: token}), http.StatusUnauthorized, "unauthorized")
	if w := f.as(account.Admin, "PATCH", path, `{"disabled":false}`); w.Code != http.StatusOK {
		t.Errorf("enable = %d", w.Code)
	}
	if w := f.serve(req{method: "GET", path: "/api/v1/admin/sections", token: token}); w.Code != http.StatusOK {
		t.Errorf("enabled again, the token = %d", w.Code)
	}

	// The last admin stays one.
	self := "/api/v1/admin/users/" + strconv.FormatInt(f.users[account.Admin].ID, 10)
	for _, body := range []string{`{"role":"editor"}`, `{"disabled":true}`} {
		wantError(t, "the last admin: "+body, f.as(account.Admin, "PATCH", self, body), http.StatusUnprocessableEntity, "invalid")
	}
	if u, _ := f.db.UserByID(context.Background(), f.users[account.Admin].ID); u.Role != account.Admin || u.Disabled {
		t.Errorf("the last admin became %+v", u)
	}
	wantError(t, "no such user", f.as(account.Admin, "PATCH", "/api/v1/admin/users/999", `{"role":"editor"}`), http.StatusNotFound, "not_found")

	// A byline is an author that exists; an unknown one is named, not a
	// failure of the server.
	ada, err := f.db.AuthorBySlug(context.Background(), "ada")
	must(t, err)
	w = f.as(account.Admin, "PATCH", path, `{"author_id":`+strconv.FormatInt(ada.ID, 10)+`}`)
	if got := decodeAs[userJSON](t, w); w.Code != http.StatusOK || got.AuthorID != ada.ID || got.Role != account.Editor {
		t.Errorf("a byline = %d %s", w.Code, w.Body)
	}
	for _, tt := range []struct{ name, method, path, body string }{
		{"an unknown byline", "PATCH", path, `{"author_id":999}`},
		{"a new account with an unknown byline", "POST", "/api/v1/admin/users",
			`{"email":"di@courier.example","name":"Di","role":"author","password":"tide tables and quay lights","author_id":999}`},
	} {
		e := wantError(t, tt.name, f.as(account.Admin, tt.method, tt.path, tt.body), http.StatusUnprocessableEntity, "invalid")
		if e.Error.Fields["author_id"] != "there is no author 999" {
			t.Errorf("%s: fields %v, want author_id named", tt.name, e.Error.Fields)
		}
	}
	if u, _ := f.db.UserByID(context.Background(), cy.ID); u.AuthorID != ada.ID {
		t.Errorf("after the refusal Cy's byline is %d, want %d", u.AuthorID, ada.ID)
	}
	if _, err := f.db.UserByEmail(context.Background(), "di@courier.example"); err == nil {
		t.Error("an account with an unknown byline was created")
	}
}
