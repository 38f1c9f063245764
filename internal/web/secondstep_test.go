package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/mail"
)

// enrolTOTP sets up an authenticator app for role through the security
// page and returns its secret and the recovery codes shown.
func (ns *newsroomSite) enrolTOTP(t *testing.T, role account.Role) (secret string, codes []string) {
	t.Helper()
	rec := ns.do("POST", "/admin/account/totp", role, url.Values{})
	if rec.Code != http.StatusOK {
		t.Fatalf("start TOTP as %s = %d: %s", role, rec.Code, rec.Body.String())
	}
	secret, mark := hiddenField(t, rec, "secret"), hiddenField(t, rec, "mark")
	if !strings.Contains(rec.Body.String(), "<svg") {
		t.Errorf("the enrolment page shows no QR code")
	}
	wrong := ns.do("POST", "/admin/account/totp/confirm", role, url.Values{"secret": {secret}, "mark": {mark}, "code": {"000000"}})
	if wrong.Code != http.StatusUnprocessableEntity {
		t.Errorf("confirm with a wrong code = %d, want 422", wrong.Code)
	}
	if got, _, _ := ns.db.TOTP(context.Background(), ns.users[role].ID); got != "" {
		t.Fatalf("a wrong code stored the secret")
	}
	forged := ns.do("POST", "/admin/account/totp/confirm", role, url.Values{"secret": {"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}, "mark": {mark}, "code": {ns.code(t, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", 0)}})
	if forged.Code != http.StatusUnprocessableEntity {
		t.Errorf("confirm with a secret the server did not make = %d, want 422", forged.Code)
	}
	rec = ns.do("POST", "/admin/account/totp/confirm", role, url.Values{"secret": {secret}, "mark": {mark}, "code": {ns.code(t, secret, 0)}})
	if rec.Code != http.StatusOK {
		t.Fatalf("confirm TOTP = %d: %s", rec.Code, rec.Body.String())
	}
	for _, m := range recoveryCodeRE.FindAllStringSubmatch(rec.Body.String(), -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != account.RecoveryCodes {
		t.Fatalf("the first second step shows %d recovery codes, want %d", len(codes), account.RecoveryCodes)
	}
	return secret, codes
}

var recoveryCodeRE = regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`)

func hiddenField(t *testing.T, rec *httptest.ResponseRecorder, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("no hidden %s in the page: %s", name, rec.Body.String())
	}
	v, err := url.QueryUnescape(strings.ReplaceAll(m[1], "&#43;", "+"))
	must(t, err)
	return v
}

// code is the authenticator code for the step at the site's clock moved
// by steps.
func (ns *newsroomSite) code(t *testing.T, secret string, steps int64) string {
	t.Helper()
	c, err := account.TOTPCode(secret, account.TOTPStep(ns.clock)+steps)
	must(t, err)
	return c
}

// passwordStep signs in with the password and returns the second step's
// mark, failing unless the password led to the second step.
func (ns *newsroomSite) passwordStep(t *testing.T, role account.Role) *http.Cookie {
	t.Helper()
	rec := signIn(ns.srv, ns.users[role].Email, testPassword, "10.1.1.1:1000", "")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/login/verify?next=") {
		t.Fatalf("password of an enrolled account = %d %q, want 303 to the second step", rec.Code, rec.Header().Get("Location"))
	}
	if cookieNamed(rec, sessionCookie) != nil {
		t.Fatalf("the password alone opened a session")
	}
	mark := cookieNamed(rec, pendingCookie)
	if mark == nil {
		t.Fatalf("no second-step mark set")
	}
	return mark
}

// verify posts the second-step form with the mark.
func (ns *newsroomSite) verify(mark *http.Cookie, form url.Values) *httptest.ResponseRecorder {
	form.Set("next", "/admin/articles")
	req := httptest.NewRequest("POST", "/admin/login/verify", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "10.1.1.1:1000"
	if mark != nil {
		req.AddCookie(mark)
	}
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	return rec
}

func (ns *newsroomSite) mails(t *testing.T, to string) []string {
	t.Helper()
	list, err := ns.db.OutboxList(context.Background(), mail.Queued, 0, 1000)
	must(t, err)
	var events []string
	for _, m := range list {
		if m.Kind == mail.Security && m.To == to {
			event, _, _ := strings.Cut(m.Data, "|")
			events = append(events, event)
		}
	}
	return events
}

// mailCount counts the security notices of event queued for to.
func (ns *newsroomSite) mailCount(t *testing.T, to, event string) int {
	t.Helper()
	n := 0
	for _, e := range ns.mails(t, to) {
		if e == event {
			n++
		}
	}
	return n
}

func (ns *newsroomSite) audited(t *testing.T, action string) []string {
	t.Helper()
	log, err := ns.db.AuditLog(context.Background(), 0, 1000)
	must(t, err)
	var details []string
	for _, e := range log {
		if e.Action == action {
			details = append(details, e.Detail)
		}
	}
	return details
}

func TestAuthenticatorAppSignIn(t *testing.T) {
	ns := newNewsroom(t)
	secret, _ := ns.enrolTOTP(t, account.Editor)
	editor := ns.users[account.Editor]
	if got := ns.mails(t, editor.Email); !slices.Contains(got, "totp_enabled") || !slices.Contains(got, "recovery_generated") || len(got) != 2 {
		t.Errorf("security mails = %v, want totp_enabled and recovery_generated", got)
	}

	// The code used at enrolment works no more, nor one three steps old.
	mark := ns.passwordStep(t, account.Editor)
	for _, tc := range []struct {
		name string
		code string
	}{
		{"the code used at enrolment", ns.code(t, secret, 0)},
		{"a code three steps old", ns.code(t, secret, -3)},
		{"a code two steps ahead", ns.code(t, secret, 2)},
		{"letters", "abcdef"},
	} {
		if rec := ns.verify(mark, url.Values{"code": {tc.code}}); rec.Code != http.StatusUnauthorized || cookieNamed(rec, sessionCookie) != nil {
			t.Errorf("%s: %d, want 401 and no session", tc.name, rec.Code)
		}
	}
	if rec := ns.verify(nil, url.Values{"code": {ns.code(t, secret, 1)}}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/login" {
		t.Errorf("a code without the password's mark = %d %q, want 303 to the sign-in page", rec.Code, rec.Header().Get("Location"))
	}
	// One step ahead is within the window: the phone's clock may run fast.
	ahead := ns.code(t, secret, 1)
	rec := ns.verify(mark, url.Values{"code": {ahead}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/articles" {
		t.Fatalf("the next step's code = %d %q, want 303 to the page asked for", rec.Code, rec.Header().Get("Location"))
	}
	session := cookieNamed(rec, sessionCookie)
	if session == nil {
		t.Fatal("no session after the second step")
	}
	sess, err := ns.db.SessionByTokenHash(context.Background(), account.HashToken(session.Value))
	must(t, err)
	if !sess.SecondStepAt.Equal(ns.clock) {
		t.Errorf("the session's second step = %v, want %v", sess.SecondStepAt, ns.clock)
	}
	if got := ns.audited(t, "user.login"); len(got) != 1 || !strings.HasPrefix(got[0], "authenticator app") {
		t.Errorf("audited sign-ins = %q, want one by authenticator app", got)
	}
	if got := ns.audited(t, "user.second_step_failed"); len(got) != 4 {
		t.Errorf("audited failures = %q, want 4", got)
	}
	// The same code again, a step later, from a new sign-in: used.
	ns.clock = ns.clock.Add(30 * time.Second)
	mark = ns.passwordStep(t, account.Editor)
	if rec := ns.verify(mark, url.Values{"code": {ahead}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("a code used before, within its window = %d, want 401", rec.Code)
	}
	// A failure notice at most once in each window.
	failed := ns.mailCount(t, editor.Email, "second_step_failed")
	if failed != 1 {
		t.Errorf("%d failure notices for failures within 15 minutes, want 1", failed)
	}
}

func TestSecondStepMarkEndsWithThePassword(t *testing.T) {
	ns := newNewsroom(t)
	secret, _ := ns.enrolTOTP(t, account.Author)
	mark := ns.passwordStep(t, account.Author)
	hash, err := account.HashPassword("another long passphrase 42")
	must(t, err)
	must(t, ns.db.SetPassword(context.Background(), ns.users[account.Author].ID, hash))
	if rec := ns.verify(mark, url.Values{"code": {ns.code(t, secret, 1)}}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/login" {
		t.Errorf("the mark after the password changed = %d %q, want 303 to the sign-in page", rec.Code, rec.Header().Get("Location"))
	}
	mark.Value = strings.Replace(mark.Value, strconv.FormatInt(ns.users[account.Author].ID, 10)+".", strconv.FormatInt(ns.users[account.Editor].ID, 10)+".", 1)
	if rec := ns.verify(mark, url.Values{"code": {ns.code(t, secret, 1)}}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/login" {
		t.Errorf("a mark moved to another account = %d %q, want 303 to the sign-in page", rec.Code, rec.Header().Get("Location"))
	}
}

func TestRecoveryCodesWorkOnceEach(t *testing.T) {
	ns := newNewsroom(t)
	_, codes := ns.enrolTOTP(t, account.Editor)
	editor := ns.users[account.Editor]
	mark := ns.passwordStep(t, account.Editor)
	// As typed on a phone: capitals and a space for the hyphen.
	rec := ns.verify(mark, url.Values{"recovery": {strings.ToUpper(strings.Replace(codes[3], "-", " ", 1))}})
	if rec.Code != http.StatusOK || cookieNamed(rec, sessionCookie) == nil {
		t.Fatalf("a recovery code = %d, want 200 with a session", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), "9 recovery codes are left") {
		t.Errorf("the page does not say how many codes are left: %s", rec.Body.String())
	}
	mark = ns.passwordStep(t, account.Editor)
	if rec := ns.verify(mark, url.Values{"recovery": {codes[3]}}); rec.Code != http.StatusUnauthorized || cookieNamed(rec, sessionCookie) != nil {
		t.Errorf("a recovery code used twice = %d, want 401 and no session", rec.Code)
	}
	if rec := ns.verify(mark, url.Values{"recovery": {codes[4]}}); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "8 recovery codes are left") {
		t.Errorf("another recovery code = %d", rec.Code)
	}
	used := ns.mailCount(t, editor.Email, "recovery_used")
	if used != 2 {
		t.Errorf("%d recovery-code notices, want 2", used)
	}
}

func TestSecondStepIsRateLimited(t *testing.T) {
	ns := newNewsroom(t)
	secret, _ := ns.enrolTOTP(t, account.Editor)
	mark := ns.passwordStep(t, account.Editor)
	for i := range 5 {
		if rec := ns.verify(mark, url.Values{"code": {"999999"}}); rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong code %d = %d, want 401", i+1, rec.Code)
		}
	}
	rec := ns.verify(mark, url.Values{"code": {ns.code(t, secret, 1)}})
	if rec.Code != http.StatusTooManyRequests || cookieNamed(rec, sessionCookie) != nil {
		t.Errorf("after five wrong codes, a right one = %d, want 429 and no session", rec.Code)
	}
	// Right codes are not counted: the owner's daily sign-ins never fill
	// the limit.
	ns.clock = ns.clock.Add(loginWindow + time.Minute)
	for i := range 8 {
		ns.clock = ns.clock.Add(time.Minute)
		mark := ns.passwordStep(t, account.Editor)
		if rec := ns.verify(mark, url.Values{"code": {ns.code(t, secret, 0)}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("sign-in %d with a right code = %d", i+1, rec.Code)
		}
	}
}

func TestPolicyBlocksEveryNewsroomPageUntilEnrolment(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	site, err := ns.db.Site(ctx)
	must(t, err)
	site.SecondStep = account.PolicyEditors
	must(t, ns.db.SetSite(ctx, site))
	enrolment := map[string]bool{"/admin/account": true, "/admin/account/security": true, "/admin/account/totp": true, "/admin/account/recovery": true, "/admin/account/confirm": true}
	for _, rt := range adminRoutes {
		if rt.min == "" || enrolment[rt.path] {
			continue
		}
		for _, role := range account.Roles {
			if !role.AtLeast(rt.min) {
				continue
			}
			rec := ns.do(rt.method, rt.path, role, url.Values{})
			blocked := rec.Code == http.StatusSeeOther && rec.Header().Get("Location") == "/admin/account/security?notice=enrol"
			if want := role.AtLeast(account.Editor); blocked != want {
				t.Errorf("%s %s as %s under the editors' policy = %d %q; blocked %v, want %v", rt.method, rt.path, role, rec.Code, rec.Header().Get("Location"), blocked, want)
			}
		}
	}
	// The security page says why, and enrolling opens the newsroom.
	rec := ns.do("GET", "/admin/account/security?notice=enrol", account.Editor, nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "requires a second step for your account") {
		t.Errorf("security page under the policy = %d", rec.Code)
	}
	ns.enrolTOTP(t, account.Editor)
	if rec := ns.do("GET", "/admin/articles", account.Editor, nil); rec.Code != http.StatusOK {
		t.Errorf("after enrolment /admin/articles = %d, want 200", rec.Code)
	}
	// The last second step of an account under the policy stays.
	if rec := ns.do("POST", "/admin/account/totp/delete", account.Editor, url.Values{}); rec.Code != http.StatusConflict {
		t.Errorf("removing the last second step under the policy = %d, want 409", rec.Code)
	}
	if secret, _, _ := ns.db.TOTP(ctx, ns.users[account.Editor].ID); secret == "" {
		t.Error("the last second step was removed")
	}
	// So do changing the password and ending sessions: an owner who
	// fears a leak need not set up a second step first.
	if rec := ns.do("POST", "/admin/account/password", account.Admin, url.Values{"current": {"wrong"}, "new": {"x"}, "confirm": {"x"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("a password change by an account the policy holds = %d %q, want 422 for the wrong current password", rec.Code, rec.Header().Get("Location"))
	}
	if rec := ns.do("GET", "/admin/account", account.Admin, nil); rec.Code != http.StatusOK {
		t.Errorf("the account page of an account the policy holds = %d, want 200", rec.Code)
	}
	// Signing out stays open to a blocked account.
	if rec := ns.do("POST", "/admin/logout", account.Admin, url.Values{}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/login" {
		t.Errorf("sign out under the policy = %d %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestPolicyChangeTellsTheAccountsItCovers(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	site, err := ns.db.Site(ctx)
	must(t, err)
	form := url.Values{"title": {site.Title}, "language": {site.Language}, "timezone": {site.TimeZone}, "second_step": {"editors"}}
	if rec := ns.do("POST", "/admin/settings", account.Admin, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("save settings = %d: %s", rec.Code, rec.Body.String())
	}
	if site, _ := ns.db.Site(ctx); site.SecondStep != account.PolicyEditors {
		t.Fatalf("policy = %q, want editors", site.SecondStep)
	}
	for role, want := range map[account.Role]int{account.Contributor: 0, account.Author: 0, account.Editor: 1, account.Admin: 1} {
		if got := len(ns.mails(t, ns.users[role].Email)); got != want {
			t.Errorf("%s got %d policy notices, want %d", role, got, want)
		}
	}
	if got := ns.audited(t, "settings.second_step"); len(got) != 1 {
		t.Errorf("policy changes audited: %q", got)
	}
	// The admin is now under the policy too, without a second step: the
	// settings are out of reach until one is set up.
	if rec := ns.do("GET", "/admin/settings", account.Admin, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("settings for an admin the new policy covers = %d, want 303 to enrol", rec.Code)
	}
}

func TestAPITokenNeedsAFreshSecondStep(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	if rec := ns.do("POST", "/admin/account/tokens", account.Author, url.Values{"name": {"CMS"}}); rec.Code != http.StatusConflict {
		t.Errorf("a token without a second step = %d, want 409", rec.Code)
	}
	secret, _ := ns.enrolTOTP(t, account.Author)
	// Enrolling proved the second step: the session is fresh.
	rec := ns.do("POST", "/admin/account/tokens", account.Author, url.Values{"name": {"CMS import"}})
	if rec.Code != http.StatusCreated {
		t.Fatalf("a token after enrolment = %d: %s", rec.Code, rec.Body.String())
	}
	token := regexp.MustCompile(`<code class="token"[^>]*>([^<]+)</code>`).FindStringSubmatch(rec.Body.String())
	if token == nil {
		t.Fatal("the new token is not shown")
	}
	if tok, err := ns.db.TokenByHash(ctx, account.HashToken(token[1])); err != nil || tok.Name != "CMS import" || tok.UserID != ns.users[account.Author].ID {
		t.Errorf("stored token = %+v, %v", tok, err)
	}
	// Eleven minutes on, the second step is asked for again.
	ns.clock = ns.clock.Add(account.Freshness + time.Minute)
	rec = ns.do("POST", "/admin/account/tokens", account.Author, url.Values{"name": {"Later"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/account/confirm?next=%2Fadmin%2Faccount" {
		t.Fatalf("a token with a stale second step = %d %q, want 303 to confirm", rec.Code, rec.Header().Get("Location"))
	}
	if rec := ns.do("POST", "/admin/account/confirm", account.Author, url.Values{"code": {ns.code(t, secret, 0)}, "next": {"/admin/account"}}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/account" {
		t.Fatalf("confirm = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := ns.do("POST", "/admin/account/tokens", account.Author, url.Values{"name": {"Later"}}); rec.Code != http.StatusCreated {
		t.Errorf("a token after confirming = %d", rec.Code)
	}
	tokens, err := ns.db.UserTokens(ctx, ns.users[account.Author].ID)
	must(t, err)
	if len(tokens) != 2 {
		t.Errorf("%d tokens, want 2", len(tokens))
	}
	created := ns.mailCount(t, ns.users[account.Author].Email, "token_created")
	if created != 2 {
		t.Errorf("%d token notices, want 2", created)
	}
}

func TestAdminResetsASecondStep(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	ns.enrolTOTP(t, account.Editor)
	editor := ns.users[account.Editor]
	path := "/admin/users/" + strconv.FormatInt(editor.ID, 10) + "/second-step/reset"
	if rec := ns.do("POST", path, account.Editor, url.Values{}); rec.Code != http.StatusForbidden {
		t.Errorf("an editor resetting = %d, want 403", rec.Code)
	}
	rec := ns.do("POST", path, account.Admin, url.Values{})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("reset = %d: %s", rec.Code, rec.Body.String())
	}
	steps, err := ns.db.SecondSteps(ctx, editor.ID)
	must(t, err)
	if steps != (account.SecondSteps{}) {
		t.Errorf("after reset: %+v", steps)
	}
	if sessions, _ := ns.db.UserSessions(ctx, editor.ID); len(sessions) != 0 {
		t.Errorf("the account kept %d sessions", len(sessions))
	}
	if got := ns.audited(t, "user.second_step_reset"); len(got) != 1 || got[0] != editor.Email {
		t.Errorf("audited resets = %q", got)
	}
	list, err := ns.db.OutboxList(ctx, mail.Queued, 0, 100)
	must(t, err)
	var told bool
	for _, m := range list {
		told = told || m.To == editor.Email && m.Data == "second_step_reset||The admin" || m.To == editor.Email && strings.HasPrefix(m.Data, "second_step_reset|") && strings.HasSuffix(m.Data, "|The admin")
	}
	if !told {
		t.Errorf("the owner was not mailed the reset, naming the admin")
	}
	// The users page shows who has what.
	page := ns.do("GET", "/admin/users", account.Admin, nil).Body.String()
	if !strings.Contains(page, "Second step") {
		t.Errorf("the users page has no second-step column")
	}
}

// A browser left signed in cannot set up a stranger's second step: an
// account without one confirms with its password when its session is
// older than account.Freshness, and the first second step signs every
// other browser out.
func TestFirstSecondStepNeedsAFreshSignIn(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	editor := ns.users[account.Editor]
	_, other := account.NewToken()
	must(t, ns.db.CreateSession(ctx, &account.Session{TokenHash: other, UserID: editor.ID, CreatedAt: ns.clock, LastSeenAt: ns.clock}))
	ns.clock = ns.clock.Add(account.Freshness + time.Minute)
	for _, path := range []string{"/admin/account/totp", "/admin/account/recovery"} {
		rec := ns.do("POST", path, account.Editor, url.Values{})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/account/confirm?next=%2Fadmin%2Faccount%2Fsecurity" {
			t.Errorf("POST %s from a stale session without a second step = %d %q, want 303 to confirm", path, rec.Code, rec.Header().Get("Location"))
		}
	}
	page := ns.do("GET", "/admin/account/confirm?next=/admin/account/security", account.Editor, nil)
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `name="password"`) {
		t.Fatalf("the confirm page of an account without a second step = %d, asks for no password", page.Code)
	}
	if rec := ns.do("POST", "/admin/account/confirm", account.Editor, url.Values{"password": {"not the password"}, "next": {"/admin/account/security"}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("confirm with a wrong password = %d, want 401", rec.Code)
	}
	rec := ns.do("POST", "/admin/account/confirm", account.Editor, url.Values{"password": {testPassword}, "next": {"/admin/account/security"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/account/security" {
		t.Fatalf("confirm with the password = %d %q", rec.Code, rec.Header().Get("Location"))
	}
	ns.enrolTOTP(t, account.Editor)
	// With a second step, the password alone confirms nothing.
	if rec := ns.do("POST", "/admin/account/confirm", account.Editor, url.Values{"password": {testPassword}, "next": {"/admin/account/security"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("confirming an enrolled account with its password = %d, want 422", rec.Code)
	}
	sessions, err := ns.db.UserSessions(ctx, editor.ID)
	must(t, err)
	if len(sessions) != 1 || sessions[0].TokenHash != account.HashToken(ns.cookies[account.Editor]) {
		t.Errorf("after the first second step the account has %d sessions, want only the one that set it up", len(sessions))
	}
}

// Recovery codes go with the last second step, and come new with the next.
func TestRecoveryCodesGoWithTheLastStep(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	_, codes := ns.enrolTOTP(t, account.Author)
	if rec := ns.do("POST", "/admin/account/totp/delete", account.Author, url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("remove the app = %d", rec.Code)
	}
	steps, err := ns.db.SecondSteps(ctx, ns.users[account.Author].ID)
	must(t, err)
	if steps != (account.SecondSteps{}) {
		t.Errorf("after removing the only second step: %+v, want nothing left", steps)
	}
	_, again := ns.enrolTOTP(t, account.Author)
	for _, c := range again {
		if slices.Contains(codes, c) {
			t.Errorf("code %s came back", c)
		}
	}
}

// An enrolled admin confirms again before downloading an export, adding
// an account or changing the rule.
func TestSensitiveAdminTasksAskAgain(t *testing.T) {
	ns := newNewsroom(t)
	ns.enrolTOTP(t, account.Admin)
	ns.clock = ns.clock.Add(account.Freshness + time.Minute)
	site, err := ns.db.Site(context.Background())
	must(t, err)
	for _, tc := range []struct {
		path string
		form url.Values
		back string
	}{
		{"/admin/users", url.Values{"email": {"new@courier.example"}, "name": {"New"}, "role": {"admin"}, "password": {testPassword}}, "%2Fadmin%2Fusers"},
		{"/admin/settings", url.Values{"title": {site.Title}, "language": {site.Language}, "timezone": {site.TimeZone}, "second_step": {"everyone"}}, "%2Fadmin%2Fsettings"},
	} {
		rec := ns.do("POST", tc.path, account.Admin, tc.form)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/account/confirm?next="+tc.back {
			t.Errorf("POST %s with a stale second step = %d %q, want 303 to confirm", tc.path, rec.Code, rec.Header().Get("Location"))
		}
	}
	if _, err := ns.db.UserByEmail(context.Background(), "new@courier.example"); err == nil {
		t.Error("the account was made without confirming")
	}
	if site, _ := ns.db.Site(context.Background()); site.SecondStep != "" {
		t.Errorf("the rule changed without confirming: %q", site.SecondStep)
	}
}

// Without a second step of its own, an admin on a session begun long ago
// types the password again before adding an account or raising a role;
// other changes to people need nothing more.
func TestLastingPowerAsksAStaleSession(t *testing.T) {
	ns := newNewsroom(t)
	ns.clock = ns.clock.Add(account.Freshness + time.Minute)
	author := strconv.FormatInt(ns.users[account.Author].ID, 10)
	for _, tc := range []struct {
		path string
		form url.Values
		ask  bool
	}{
		{"/admin/users", url.Values{"email": {"new@courier.example"}, "name": {"New"}, "role": {"admin"}, "password": {testPassword}}, true},
		{"/admin/users/" + author, url.Values{"role": {"editor"}}, true},
		{"/admin/users/" + author, url.Values{"role": {"contributor"}}, false},
	} {
		rec := ns.do("POST", tc.path, account.Admin, tc.form)
		asked := rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/admin/account/confirm?")
		if asked != tc.ask {
			t.Errorf("POST %s %v = %d %q; asked to confirm %v, want %v", tc.path, tc.form, rec.Code, rec.Header().Get("Location"), asked, tc.ask)
		}
	}
}

func TestPasskeysFollowTheBaseURL(t *testing.T) {
	for _, tc := range []struct {
		base, origin string
		atLocalhost  bool
	}{
		{"https://news.example.org", "https://news.example.org", false},
		{"https://news.example.org:8443/", "https://news.example.org:8443", false},
		{"http://127.0.0.1:8080", "http://localhost:8080", true},
		{"http://[::1]:8080", "http://localhost:8080", true},
		{"http://localhost:9000", "http://localhost:9000", false},
		{"http://192.0.2.10:8080", "", false},
		{"http://[2001:db8::1]", "", false},
	} {
		wa, origin, atLocalhost := relyingParty(tc.base)
		if origin != tc.origin || atLocalhost != tc.atLocalhost || (wa == nil) != (tc.origin == "") {
			t.Errorf("relyingParty(%q) = %v, %q, %v; want origin %q, at localhost %v", tc.base, wa != nil, origin, atLocalhost, tc.origin, tc.atLocalhost)
		}
		if wa != nil && wa.Config.RPID != strings.TrimPrefix(strings.Split(strings.Split(tc.origin, "://")[1], ":")[0], "") {
			t.Errorf("relyingParty(%q): RP ID %q", tc.base, wa.Config.RPID)
		}
	}
}
