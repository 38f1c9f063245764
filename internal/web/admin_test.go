package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/clientip"
	"broadsheet/internal/store/sqlite"
)

const testPassword = "a long test passphrase"

// newsroomSite is a site with one user per role and a movable clock.
type newsroomSite struct {
	*site
	users   map[account.Role]*account.User
	cookies map[account.Role]string
	clock   time.Time
}

func newNewsroom(t testing.TB) *newsroomSite {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "newsroom.db"))
	must(t, err)
	t.Cleanup(func() { db.Close() })
	ns := &newsroomSite{users: map[account.Role]*account.User{}, cookies: map[account.Role]string{},
		clock: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	ips, _ := clientip.New([]string{"10.0.0.0/8"})
	srv := newServer(t, db, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		IPs: ips, Now: func() time.Time { return ns.clock }})
	db.OnChange(srv.Invalidate)
	db.SetClock(func() time.Time { return ns.clock })
	srv.loginByAccount.SetClock(func() time.Time { return ns.clock })
	srv.loginByIP.SetClock(func() time.Time { return ns.clock })
	srv.loginByAccountAll.SetClock(func() time.Time { return ns.clock })
	srv.secondStepByDay.SetClock(func() time.Time { return ns.clock })
	ns.site = &site{t: t, db: db, srv: srv, sections: map[string]article.Section{}, authors: map[string]article.Author{}, tags: map[string]article.Tag{},
		clock: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	must(t, db.CreateSection(ctx, &article.Section{Slug: "city", Name: "City"}))
	sec, _ := db.SectionBySlug(ctx, "city")
	ns.sections["city"] = *sec
	must(t, db.CreateAuthor(ctx, &article.Author{Slug: "ada", Name: "Ada Byline"}))
	au, _ := db.AuthorBySlug(ctx, "ada")
	ns.authors["ada"] = *au
	hash, err := account.HashPassword(testPassword)
	must(t, err)
	for _, r := range account.Roles {
		u := &account.User{Email: string(r) + "@courier.example", Name: "The " + string(r), Role: r, PasswordHash: hash}
		must(t, db.CreateUser(ctx, u))
		ns.users[r] = u
		token, tokenHash := account.NewToken()
		must(t, db.CreateSession(ctx, &account.Session{TokenHash: tokenHash, UserID: u.ID, CreatedAt: ns.clock, LastSeenAt: ns.clock}))
		ns.cookies[r] = token
	}
	return ns
}

// do sends a request as role ("" for anonymous) with form values.
func (ns *newsroomSite) do(method, path string, role account.Role, form url.Values, headers ...string) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if role != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ns.cookies[role]})
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	return rec
}

func articleForm(headline string, version int) url.Values {
	return url.Values{"headline": {headline}, "standfirst": {"What happened."}, "body": {"First paragraph.\n\n## Detail\n\nMore."},
		"section": {"city"}, "byline1": {"ada"}, "tags": {"Harbour, Ferries"}, "language": {"en"}, "version": {fmt.Sprint(version)}}
}

var articleIDInLocation = regexp.MustCompile(`^/admin/articles/(\d+)`)

// create makes an article through the editor as role and returns its id.
func (ns *newsroomSite) create(role account.Role, headline string) int64 {
	ns.t.Helper()
	form := articleForm(headline, 0)
	form.Set("action", "save")
	rec := ns.do("POST", "/admin/articles", role, form)
	m := articleIDInLocation.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		ns.t.Fatalf("create as %s = %d %q: %s", role, rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id
}

func TestEveryAdminRouteForEveryRole(t *testing.T) {
	ns := newNewsroom(t)
	roles := append([]account.Role{""}, account.Roles...)
	for _, rt := range adminRoutes {
		for _, role := range roles {
			name := string(role)
			if name == "" {
				name = "anonymous"
			}
			t.Run(rt.method+" "+rt.path+" as "+name, func(t *testing.T) {
				var form url.Values
				if rt.method == "POST" {
					form = url.Values{}
				}
				rec := ns.do(rt.method, rt.path, role, form)
				loc := rec.Header().Get("Location")
				switch {
				case rt.min == "":
					if rec.Code >= 400 && rec.Code != http.StatusUnprocessableEntity {
						t.Errorf("public page = %d", rec.Code)
					}
				case role == "":
					if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/login?next=") {
						t.Errorf("anonymous = %d %q, want 303 to the login page", rec.Code, loc)
					}
				case !role.AtLeast(rt.min):
					if rec.Code != http.StatusForbidden {
						t.Errorf("%s = %d, want 403", role, rec.Code)
					}
				default:
					if rec.Code == http.StatusForbidden || strings.HasPrefix(loc, "/admin/login") || rec.Code >= 500 {
						t.Errorf("%s = %d %q, want allowed", role, rec.Code, loc)
					}
				}
				if rt.min != "" && rec.Header().Get("Cache-Control") != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store", rec.Header().Get("Cache-Control"))
				}
			})
		}
	}
	// Routes on one article: a contributor may not open another's work.
	id := ns.create(account.Author, "Author's story")
	for _, tt := range []struct {
		method, path string
		role         account.Role
		want         int
	}{
		{"GET", "/admin/articles/%d", account.Contributor, 403},
		{"GET", "/admin/articles/%d", account.Author, 200},
		{"GET", "/admin/articles/%d", account.Editor, 200},
		{"GET", "/admin/articles/%d/revisions", account.Contributor, 403},
		{"GET", "/admin/articles/%d/revisions", account.Editor, 200},
		{"POST", "/admin/articles/%d", account.Contributor, 403},
		{"POST", "/admin/articles/%d/restore", account.Contributor, 403},
		{"POST", "/admin/articles/%d/notes", account.Contributor, 403},
		{"GET", "/admin/articles/%d/live", account.Contributor, 403},
		{"GET", "/admin/articles/%d/live", account.Author, 422}, // the author's, but no live blog
		{"POST", "/admin/articles/%d/live", account.Contributor, 403},
		{"GET", "/admin/articles/%d/live/1", account.Contributor, 403},
		{"POST", "/admin/articles/%d/live/1", account.Contributor, 403},
		{"GET", "/admin/articles/%d/live/1/delete", account.Contributor, 403},
		{"POST", "/admin/articles/%d/live/1/delete", account.Contributor, 403},
		{"POST", "/admin/articles/%d/coverage", account.Contributor, 403},
		{"POST", "/admin/articles/%d/coverage", account.Editor, 400}, // no action named
		{"GET", "/admin/articles/%d", "", 303},
		{"POST", "/admin/users/%d", account.Editor, 403},
	} {
		rec := ns.do(tt.method, fmt.Sprintf(tt.path, id), tt.role, url.Values{"version": {"1"}, "headline": {"x"}, "section": {"city"}})
		if rec.Code != tt.want {
			t.Errorf("%s %s as %q = %d, want %d", tt.method, fmt.Sprintf(tt.path, id), tt.role, rec.Code, tt.want)
		}
	}
}

func TestCrossSiteRequestsRefused(t *testing.T) {
	ns := newNewsroom(t)
	form := articleForm("Forged", 0)
	rec := ns.do("POST", "/admin/articles", account.Editor, form, "Sec-Fetch-Site", "cross-site")
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", rec.Code)
	}
	rec = ns.do("POST", "/admin/articles", account.Editor, form, "Origin", "https://evil.example", "Sec-Fetch-Site", "")
	if rec.Code != http.StatusForbidden {
		t.Errorf("POST from another origin = %d, want 403", rec.Code)
	}
	if list, _ := ns.db.AdminArticles(context.Background(), article.AdminQuery{}); len(list) != 0 {
		t.Errorf("forged requests created %d articles", len(list))
	}
	if rec := ns.do("POST", "/admin/articles", account.Editor, form, "Sec-Fetch-Site", "same-origin"); rec.Code != http.StatusSeeOther {
		t.Errorf("same-origin POST = %d, want 303", rec.Code)
	}
}

func login(ns *newsroomSite, email, password, remote string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/admin/login", strings.NewReader(url.Values{"email": {email}, "password": {password}, "next": {"/admin/articles"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = remote
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	return rec
}

func TestLoginSessionsAndThrottling(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	wrong := login(ns, "editor@courier.example", "not the password", "203.0.113.9:1000")
	if wrong.Code != http.StatusUnauthorized || !strings.Contains(wrong.Body.String(), "The email address or password is not right.") ||
		!strings.Contains(wrong.Body.String(), `value="editor@courier.example"`) {
		t.Errorf("wrong password = %d, want 401 with the message and the email kept", wrong.Code)
	}
	ok := login(ns, "Editor@Courier.example", testPassword, "203.0.113.9:1000")
	if ok.Code != http.StatusSeeOther || ok.Header().Get("Location") != "/admin/articles" {
		t.Fatalf("login = %d %q", ok.Code, ok.Header().Get("Location"))
	}
	cookie := ok.Result().Cookies()[0]
	if cookie.Name != "__Host-broadsheet_session" || !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.Domain != "" {
		t.Errorf("session cookie = %+v", cookie)
	}
	if cookie.Value == ns.cookies[account.Editor] {
		t.Error("login reused an existing session id")
	}
	sessions, _ := ns.db.UserSessions(ctx, ns.users[account.Editor].ID)
	if len(sessions) != 2 {
		t.Errorf("%d sessions after login, want 2", len(sessions))
	}

	// Five failures from one address stop that address guessing the
	// account, even with the right password; the owner elsewhere is not
	// locked out by a stranger.
	for range 5 {
		login(ns, "author@courier.example", "wrong", "198.51.100.7:1")
	}
	locked := login(ns, "author@courier.example", testPassword, "198.51.100.7:1")
	if locked.Code != http.StatusTooManyRequests || locked.Header().Get("Retry-After") == "" || !strings.Contains(locked.Body.String(), "Too many failed attempts") {
		t.Errorf("guessing address = %d, want 429 with Retry-After", locked.Code)
	}
	if rec := login(ns, "author@courier.example", testPassword, "198.51.100.200:1"); rec.Code != http.StatusSeeOther {
		t.Errorf("the owner from another address = %d, want 303", rec.Code)
	}
	ns.clock = ns.clock.Add(16 * time.Minute)
	if rec := login(ns, "author@courier.example", testPassword, "198.51.100.7:1"); rec.Code != http.StatusSeeOther {
		t.Errorf("after the window = %d, want 303", rec.Code)
	}
	// Simultaneous guesses are counted before any password is checked.
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 20 {
		wg.Go(func() {
			rec := login(ns, "contributor@courier.example", "wrong", "198.51.100.99:1")
			mu.Lock()
			codes[rec.Code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[http.StatusUnauthorized] != loginFailuresPerSource || codes[http.StatusTooManyRequests] != 20-loginFailuresPerSource {
		t.Errorf("20 simultaneous guesses: %v; want %d checked and the rest refused", codes, loginFailuresPerSource)
	}

	// One address guessing across accounts is stopped, and a forged
	// X-Forwarded-For from an untrusted peer does not help it.
	for i := range loginFailuresPerIP {
		login(ns, fmt.Sprintf("guess%d@courier.example", i), "wrong", "192.0.2.66:1", "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
	}
	if rec := login(ns, "admin@courier.example", testPassword, "192.0.2.66:1", "X-Forwarded-For", "203.0.113.250"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("address over its limit = %d, want 429", rec.Code)
	}
	// Behind a trusted proxy the forwarded address counts, not the proxy's.
	if rec := login(ns, "admin@courier.example", testPassword, "10.0.0.5:1", "X-Forwarded-For", "203.0.113.251"); rec.Code != http.StatusSeeOther {
		t.Errorf("client behind a trusted proxy = %d, want 303", rec.Code)
	}

	// Logout ends the session.
	rec := ns.do("POST", "/admin/logout", account.Contributor, url.Values{})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("logout = %d", rec.Code)
	}
	if rec := ns.do("GET", "/admin/articles", account.Contributor, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("after logout = %d, want redirect to login", rec.Code)
	}
	// An idle session expires.
	ns.clock = ns.clock.Add(account.IdleTimeout + time.Minute)
	if rec := ns.do("GET", "/admin/articles", account.Admin, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("idle session = %d, want redirect to login", rec.Code)
	}
}

func TestSetupLinkCreatesFirstAdminOnce(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "setup.db"))
	must(t, err)
	defer db.Close()
	srv := newServer(t, db, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	link, err := srv.SetupLink(ctx)
	must(t, err)
	u, _ := url.Parse(link)
	token := u.Query().Get("token")
	if u.Path != "/admin/setup" || token == "" {
		t.Fatalf("setup link %q", link)
	}
	post := func(password string) *httptest.ResponseRecorder {
		form := url.Values{"token": {token}, "name": {"Ada Admin"}, "email": {"ada@courier.example"}, "password": {password}}
		req := httptest.NewRequest("POST", "/admin/setup", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	// Mistakes in the form are not guesses at the link: they never use up
	// the address's allowance.
	for i := 0; i <= loginFailuresPerIP; i++ {
		if rec := post("password"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "common passwords") {
			t.Fatalf("weak password, try %d = %d", i+1, rec.Code)
		}
	}
	if rec := post(testPassword); rec.Code != http.StatusSeeOther || len(rec.Result().Cookies()) != 1 {
		t.Fatalf("setup = %d", rec.Code)
	}
	if n, _ := db.CountAdmins(ctx); n != 1 {
		t.Errorf("%d admins after setup, want 1", n)
	}
	if rec := post(testPassword); rec.Code != http.StatusForbidden {
		t.Errorf("second use of the link = %d, want 403", rec.Code)
	}
	if link, _ := srv.SetupLink(ctx); link != "" {
		t.Errorf("a setup link is offered although an admin exists: %q", link)
	}
}

// TestRouteTableCoversNewsroom fails when a newsroom route is added to
// routes.go without joining the role walk above (or the per-article walk).
func TestRouteTableCoversNewsroom(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	must(t, err)
	registered := regexp.MustCompile(`s\.handle\(admin, "(GET|POST) (/admin[^"]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(registered) < 20 {
		t.Fatalf("found only %d newsroom routes in routes.go; the pattern is out of date", len(registered))
	}
	walked := map[string]bool{}
	for _, rt := range adminRoutes {
		walked[rt.method+" "+rt.path] = true
	}
	// Routes on one article or one record, walked in TestEveryAdminRouteForEveryRole's second table
	// or by the workflow tests with every role that matters.
	perRecord := map[string]bool{
		"POST /admin/logout": true, "GET /admin/articles/{id}": true, "POST /admin/articles/{id}": true,
		"GET /admin/articles/{id}/revisions": true, "POST /admin/articles/{id}/restore": true, "POST /admin/articles/{id}/notes": true,
		"POST /admin/account/password": true, "POST /admin/account/sessions/{id}/revoke": true, "POST /admin/account/tokens/{id}/revoke": true,
		"POST /admin/users/{id}": true, "POST /admin/comments/{id}/edit": true, "GET /admin/{kind}": true, "POST /admin/{kind}": true, "POST /admin/{kind}/{id}": true,
		"POST /admin/login": true, "POST /admin/setup": true, "GET /admin/mail/{id}": true, "POST /admin/forgot": true, "GET /admin/reset": true, "POST /admin/reset": true, "POST /admin/mail/{id}/retry": true,
		"GET /admin/redirects/{id}": true, "POST /admin/redirects/{id}": true, "POST /admin/redirects/{id}/delete": true,
		// TestWebhooksPageRoles walks these with every role.
		"GET /admin/webhooks/{id}": true, "POST /admin/webhooks/{id}": true, "POST /admin/webhooks/{id}/rotate": true,
		"POST /admin/webhooks/{id}/delete": true, "POST /admin/webhooks/{id}/test": true, "POST /admin/webhooks/{id}/deliveries/{delivery}/resend": true,
		"POST /admin/articles/{id}/coverage": true, "GET /admin/articles/{id}/live": true, "POST /admin/articles/{id}/live": true,
		"GET /admin/articles/{id}/live/{update}": true, "POST /admin/articles/{id}/live/{update}": true,
		"GET /admin/articles/{id}/live/{update}/delete": true, "POST /admin/articles/{id}/live/{update}/delete": true,
		// The second step's routes: the sign-in's need the password's
		// mark, the passkey routes a ceremony; the second-step tests walk
		// them.
		"GET /admin/login/verify": true, "POST /admin/login/verify": true, "POST /admin/login/verify/passkey/options": true,
		"POST /admin/login/verify/passkey": true, "POST /admin/login/passkey/options": true, "POST /admin/login/passkey": true,
		"POST /admin/account/passkeys/options": true, "POST /admin/account/passkeys": true, "POST /admin/account/passkeys/{key}/delete": true,
		"POST /admin/account/totp/confirm": true, "POST /admin/account/totp/delete": true,
		"POST /admin/account/confirm/passkey/options": true, "POST /admin/account/confirm/passkey": true,
		"POST /admin/users/{id}/second-step/reset": true,
	}
	for _, m := range registered {
		route := m[1] + " " + m[2]
		if !walked[route] && !perRecord[route] {
			t.Errorf("%s is not in adminRoutes: add it with its least role", route)
		}
	}
}

// A server that has shown no newsroom page holds none of the newsroom's
// templates (they were checked at start-up); each is parsed at its first
// request and kept.
func TestNewsroomTemplatesParsedWhenFirstShown(t *testing.T) {
	ns := newNewsroom(t)
	held := func() int {
		ns.srv.adminPages.mu.Lock()
		defer ns.srv.adminPages.mu.Unlock()
		return len(ns.srv.adminPages.pages)
	}
	if n := held(); n != 0 {
		t.Fatalf("a new server holds %d newsroom templates, want 0", n)
	}
	for range 2 {
		if rec := ns.do("GET", "/admin/articles", account.Editor, nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "</html>") {
			t.Fatalf("GET /admin/articles = %d", rec.Code)
		}
	}
	if n := held(); n != 1 {
		t.Errorf("after one newsroom page shown twice the server holds %d templates, want 1", n)
	}
}
