package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/web"
)

// Passkeys in a real browser. Chromium's virtual authenticator stands in
// for a laptop's fingerprint reader: it makes real keys and signs real
// challenges, so the server checks what it would check for a person.
// Chromium refuses passkeys on a page loaded from an IP address, so the
// site names itself http://localhost:PORT and the browser goes there.

const (
	// passkeyTimeout bounds one passkey test: a password sign-in, a
	// registration and a few passkey sign-ins.
	passkeyTimeout = 90 * time.Second

	// passkeyWait bounds one press of a passkey button: the options, the
	// authenticator and the answer.
	passkeyWait = 20 * time.Second

	passkeyName       = "Test laptop"
	selPasskeyName    = "#passkey-name"
	selPasskeyRows    = "main.admin-main table.list tbody tr"
	selAdminNotice    = `main.admin-main p.notice[role=status]`
	selMakeRecovery   = `form[action="/admin/account/recovery"] button[type=submit]`
	selRecoveryCodes  = ".recovery-codes ol.codes li code"
	selConfirmLink    = `main.admin-main p.notice a[href="/admin/account/confirm?next=/admin/account/security"]`
	selRemovePasskeys = `form[action^="/admin/account/passkeys/"] button[type=submit]`
	selTokenName      = "#token-name"
	selTokenCreate    = `form[action="/admin/account/tokens"] button[type=submit]`
	selNewToken       = "main.admin-main code.token"
)

// passkeyButton is the selector of the passkey button of kind
// (sign-in, verify or register).
func passkeyButton(kind string) string { return fmt.Sprintf(`button[data-passkey=%q]`, kind) }

// passkeyTest is a site that offers passkeys, an editor without a second
// step, and a browser tab with a virtual authenticator.
type passkeyTest struct {
	t        *testing.T
	ctx      context.Context
	db       *sqlite.DB
	base     string // where the browser finds the site
	tab      context.Context
	problems *pageProblems
	editor   newsroomUser
	editorID int64
	auth     cdpwebauthn.AuthenticatorID
}

// startPasskeyTest serves the site at http://localhost:PORT, as its
// BaseURL says, and opens its login page in a browser with an
// authenticator.
func startPasskeyTest(t *testing.T) *passkeyTest {
	t.Helper()
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), passkeyTimeout)
	t.Cleanup(cancel)
	var base string
	db, _ := startSiteAt(t, ctx, dir, web.Options{}, 0, nil, func(port string) string {
		base = "http://localhost:" + port
		return base
	})
	return openPasskeyBrowser(t, ctx, dir, db, base)
}

// openPasskeyBrowser starts the browser at base and gives its tab an
// authenticator, once the tab has loaded a page of the site.
func openPasskeyBrowser(t *testing.T, ctx context.Context, dir string, db *sqlite.DB, base string) *passkeyTest {
	t.Helper()
	p := &passkeyTest{t: t, ctx: ctx, db: db, base: base}
	p.editor = createNewsroomUser(t, ctx, db, "editor@courier.example", "Eda Editor", account.Editor)
	u, err := db.UserByEmail(ctx, p.editor.Email)
	if err != nil {
		t.Fatalf("read the editor: %v", err)
	}
	p.editorID = u.ID
	p.tab, p.problems, _ = startNewsroomBrowser(t, ctx, dir)
	p.open("/admin/login", "/admin/login")
	if _, err := chromedp.Call(p.tab, cdpwebauthn.Enable, cdpwebauthn.EnableParams{}); err != nil {
		t.Fatalf("enable the browser's WebAuthn testing: %v", err)
	}
	p.auth = p.addAuthenticator()
	return p
}

// addAuthenticator gives the tab a new platform authenticator, as a
// laptop with a fingerprint reader has, whose owner is always there.
func (p *passkeyTest) addAuthenticator() cdpwebauthn.AuthenticatorID {
	p.t.Helper()
	res, err := chromedp.Call(p.tab, cdpwebauthn.AddVirtualAuthenticator, cdpwebauthn.AddVirtualAuthenticatorParams{
		Options: &cdpwebauthn.VirtualAuthenticatorOptions{
			Protocol:                    cdpwebauthn.AuthenticatorProtocolCtap2,
			Ctap2version:                cdpwebauthn.Ctap2versionCtap21,
			Transport:                   cdpwebauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		p.t.Fatalf("add a virtual authenticator: %v", err)
	}
	return res.AuthenticatorID
}

// credentials lists the passkeys the authenticator holds.
func (p *passkeyTest) credentials() []*cdpwebauthn.Credential {
	p.t.Helper()
	res, err := chromedp.Call(p.tab, cdpwebauthn.GetCredentials, cdpwebauthn.GetCredentialsParams{AuthenticatorID: p.auth})
	if err != nil {
		p.t.Fatalf("list the authenticator's credentials: %v", err)
	}
	return res.Credentials
}

// open loads path and checks that the browser ends at want with 200.
func (p *passkeyTest) open(path, want string) string {
	p.t.Helper()
	resp, err := chromedp.Run(p.tab, chromedp.NavigateResponse(p.base+path))
	if err != nil {
		p.t.Fatalf("open %s: %v", path, err)
	}
	return expectPage(p.t, p.tab, resp, http.StatusOK, want)
}

// click clicks sel, which loads a page, and checks that the browser ends
// at want with status.
func (p *passkeyTest) click(sel string, status int, want string) string {
	p.t.Helper()
	resp, err := chromedp.RunResponse(p.tab, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("click %s: %v", sel, err)
	}
	return expectPage(p.t, p.tab, resp, status, want)
}

// passwordStep types the editor's address and password on the login page
// of an account with a second step: the password alone opens no session,
// only the second step.
func (p *passkeyTest) passwordStep() {
	p.t.Helper()
	p.open("/admin/login", "/admin/login")
	if err := chromedp.Do(p.tab,
		chromedp.WaitVisible(chromedp.CSS(selLoginEmail)),
		chromedp.SendKeys(chromedp.CSS(selLoginEmail), p.editor.Email),
		chromedp.SendKeys(chromedp.CSS(selLoginPassword), newsroomPassword),
	); err != nil {
		p.t.Fatalf("fill in the login form: %v", err)
	}
	p.click(selLoginSubmit, http.StatusOK, "/admin/login/verify")
	if c := sessionCookie(p.t, p.tab, p.base); c != nil {
		p.t.Errorf("the password alone gave the browser the session cookie %s", c.Name)
	}
}

// signOut presses Sign out in the admin bar.
func (p *passkeyTest) signOut() {
	p.t.Helper()
	p.click(selSignOut, http.StatusOK, "/admin/login")
	if c := sessionCookie(p.t, p.tab, p.base); c != nil {
		p.t.Errorf("after signing out the browser still holds the session cookie %s", c.Name)
	}
}

// pressPasskey presses the passkey button of kind and returns where the
// page it leads to is; the test fails, with the button's status text, if
// it leads nowhere.
func (p *passkeyTest) pressPasskey(kind, want string) string {
	p.t.Helper()
	sel := p.waitButton(kind)
	wctx, cancel := context.WithTimeout(p.tab, passkeyWait)
	defer cancel()
	resp, err := chromedp.RunResponse(wctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("press %s: %v; its status reads %q", sel, err, p.status(sel))
	}
	return expectPage(p.t, p.tab, resp, http.StatusOK, want)
}

// refusedPasskey presses the passkey button of kind, which must not leave
// the page, and returns the words its status shows.
func (p *passkeyTest) refusedPasskey(kind string) string {
	p.t.Helper()
	sel := p.waitButton(kind)
	here := evaluate[string](p.t, p.tab, `location.href`)
	if err := chromedp.Do(p.tab, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("press %s: %v", sel, err)
	}
	wait := chromedp.Poll[chromedp.Void](fmt.Sprintf(passkeyStatusJS, jsString(sel))+` !== ""`, chromedp.WithPollingTimeout(passkeyWait))
	if err := chromedp.Do(p.tab, wait); err != nil {
		p.t.Fatalf("press %s: its status says nothing (%v); the page says %.300q", sel, err, pageText(p.t, p.tab))
	}
	if now := evaluate[string](p.t, p.tab, `location.href`); now != here {
		p.t.Errorf("pressing %s led from %s to %s", sel, here, now)
	}
	return p.status(sel)
}

// waitButton waits until the passkey button of kind shows: the script
// shows it once it finds the browser able to use passkeys.
func (p *passkeyTest) waitButton(kind string) string {
	p.t.Helper()
	sel := passkeyButton(kind)
	wctx, cancel := context.WithTimeout(p.tab, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("the passkey button %s never showed: %v; the page says %.300q", sel, err, pageText(p.t, p.tab))
	}
	return sel
}

// passkeyStatusJS reads the status the button %s names in aria-describedby.
const passkeyStatusJS = `((sel) => {
  const b = document.querySelector(sel);
  const s = b && document.getElementById(b.getAttribute("aria-describedby") || "");
  return s ? s.textContent.trim() : "";
})(%s)`

func (p *passkeyTest) status(sel string) string {
	p.t.Helper()
	return evaluate[string](p.t, p.tab, fmt.Sprintf(passkeyStatusJS, jsString(sel)))
}

// register adds a passkey named name on the sign-in security page, and
// returns the passkey as stored.
func (p *passkeyTest) register(name string) account.Passkey {
	p.t.Helper()
	before := p.passkeys()
	p.open("/admin/account/security", "/admin/account/security")
	p.waitButton("register")
	if err := chromedp.Do(p.tab, chromedp.SendKeys(chromedp.CSS(selPasskeyName), name)); err != nil {
		p.t.Fatalf("name the new passkey: %v", err)
	}
	steps, err := p.db.SecondSteps(p.ctx, p.editorID)
	if err != nil {
		p.t.Fatalf("read the editor's second steps: %v", err)
	}
	// The account's first second step brings its recovery codes, shown at
	// once; a later passkey goes back to the list with a notice.
	if first := steps.RecoveryLeft == 0; first {
		p.pressPasskey("register", "/admin/account/recovery")
		codes := inspectAll(p.t, p.tab, selRecoveryCodes)
		steps, err := p.db.SecondSteps(p.ctx, p.editorID)
		if err != nil {
			p.t.Fatalf("read the editor's second steps: %v", err)
		}
		if len(codes) != account.RecoveryCodes || steps.RecoveryLeft != len(codes) {
			p.t.Errorf("after the first passkey the page shows %d recovery codes and %d are stored, want %d of each", len(codes), steps.RecoveryLeft, account.RecoveryCodes)
		}
		p.problems.report(p.t, "recovery codes")
		p.open("/admin/account/security", "/admin/account/security")
	} else {
		loc := p.pressPasskey("register", "/admin/account/security")
		if u, _ := url.Parse(loc); u.Query().Get("notice") != "passkey_added" {
			p.t.Errorf("after adding a passkey the browser is at %s, want the notice passkey_added", loc)
		}
		if n := inspectOne(p.t, p.tab, selAdminNotice); !n.Visible || n.Text != "Passkey added." {
			p.t.Errorf("after adding a passkey the notice reads %q (visible=%v), want Passkey added.", n.Text, n.Visible)
		}
	}
	after := p.passkeys()
	if len(after) != len(before)+1 {
		p.t.Fatalf("the account holds %d passkeys after adding one to %d", len(after), len(before))
	}
	k := after[len(after)-1]
	if k.Name != name {
		p.t.Errorf("the new passkey is stored as %q, want %q", k.Name, name)
	}
	return k
}

// passkeys lists the editor's passkeys as stored.
func (p *passkeyTest) passkeys() []account.Passkey {
	p.t.Helper()
	keys, err := p.db.UserPasskeys(p.ctx, p.editorID)
	if err != nil {
		p.t.Fatalf("read the editor's passkeys: %v", err)
	}
	return keys
}

// audit returns the audit entries of action, newest first.
func (p *passkeyTest) audit(action string) []article.AuditEntry {
	p.t.Helper()
	log, err := p.db.AuditLog(p.ctx, 0, 500)
	if err != nil {
		p.t.Fatalf("read the audit log: %v", err)
	}
	var out []article.AuditEntry
	for _, e := range log {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// passkeyLogins counts the sign-ins the audit log records as made with a
// passkey.
func (p *passkeyTest) passkeyLogins() int {
	p.t.Helper()
	n := 0
	for _, e := range p.audit("user.login") {
		if strings.HasPrefix(e.Detail, "passkey,") {
			n++
		}
	}
	return n
}

// checkPasskeyLogin checks, after the first sign-in with a passkey, that
// the browser is signed in as the editor and the audit log says how.
func (p *passkeyTest) checkPasskeyLogin(after string) {
	p.t.Helper()
	if a := inspectOne(p.t, p.tab, selAdminUser); !a.Visible || a.Text != p.editor.Name {
		p.t.Errorf("after %s the admin bar names %q (visible=%v), want %q", after, a.Text, a.Visible, p.editor.Name)
	}
	if c := sessionCookie(p.t, p.tab, p.base); c == nil {
		p.t.Errorf("after %s the browser holds no session cookie", after)
	}
	if n := p.passkeyLogins(); n != 1 {
		p.t.Errorf("after %s the audit log records %d sign-ins with a passkey, want 1", after, n)
	}
}

// ageSecondStep makes the second step of the editor's sessions older than
// account.Freshness, as if the browser had been left open for a while.
func (p *passkeyTest) ageSecondStep() {
	p.t.Helper()
	sessions, err := p.db.UserSessions(p.ctx, p.editorID)
	if err != nil {
		p.t.Fatalf("read the editor's sessions: %v", err)
	}
	if len(sessions) == 0 {
		p.t.Fatalf("the editor has no session to age")
	}
	for _, s := range sessions {
		if err := p.db.MarkSecondStep(p.ctx, s.ID, time.Now().Add(-2*account.Freshness)); err != nil {
			p.t.Fatalf("age the second step of session %d: %v", s.ID, err)
		}
	}
}

// TestPasskeySignIn: an editor signed in by password adds a passkey on the
// sign-in security page and sees it listed; the account now has a second
// step, so recovery codes are offered and made. Signed out, the editor
// signs in with the passkey alone, without typing the address.
func TestPasskeySignIn(t *testing.T) {
	p := startPasskeyTest(t)
	artifacts := t.ArtifactDir()
	signIn(t, p.tab, p.base, p.editor)

	p.open("/admin/account/security", "/admin/account/security")
	if rows := inspectAll(t, p.tab, selPasskeyRows); len(rows) != 0 {
		t.Errorf("before adding one the page lists %d passkeys", len(rows))
	}
	if b := inspectOne(t, p.tab, selMakeRecovery); b.Found {
		t.Errorf("an account without a second step is offered recovery codes")
	}
	k := p.register(passkeyName)
	rows := inspectAll(t, p.tab, selPasskeyRows)
	if len(rows) != 1 || !strings.HasPrefix(normalizeSpace(rows[0].Text), passkeyName+" ") {
		var got []string
		for _, r := range rows {
			got = append(got, normalizeSpace(r.Text))
		}
		t.Errorf("the page lists the passkeys %q, want one named %q", got, passkeyName)
	}
	if creds := p.credentials(); len(creds) != 1 || !creds[0].IsResidentCredential || creds[0].RpID != "localhost" {
		t.Errorf("the authenticator holds %d credentials (%+v), want one discoverable for localhost", len(creds), creds)
	} else if !bytes.Equal(creds[0].CredentialID, k.CredentialID) {
		t.Errorf("the stored passkey's credential id is not the one the authenticator made")
	}
	if added := p.audit("user.passkey_added"); len(added) != 1 || added[0].Detail != passkeyName {
		t.Errorf("the audit log records the passkeys added as %+v, want one named %q", added, passkeyName)
	}
	screenshot(t, p.tab, filepath.Join(artifacts, "passkey-security.png"))
	p.problems.report(t, "adding a passkey")

	// Recovery codes can be made again, the old ones replaced.
	if b := inspectOne(t, p.tab, selMakeRecovery); !b.Visible || b.Text != "Make new recovery codes" {
		t.Fatalf("with a passkey the page offers no visible Make new recovery codes button (%q, %s)", b.Text, b.box())
	}
	p.click(selMakeRecovery, http.StatusOK, "/admin/account/recovery")
	codes := inspectAll(t, p.tab, selRecoveryCodes)
	steps, err := p.db.SecondSteps(p.ctx, p.editorID)
	if err != nil {
		t.Fatalf("read the editor's second steps: %v", err)
	}
	if len(codes) != account.RecoveryCodes || steps.RecoveryLeft != len(codes) || steps.Passkeys != 1 {
		t.Errorf("the page shows %d recovery codes; stored are %d codes and %d passkeys, want %d of each and 1 passkey",
			len(codes), steps.RecoveryLeft, steps.Passkeys, account.RecoveryCodes)
	}
	p.problems.report(t, "recovery codes")

	// Signed out, the passkey alone signs in.
	p.open("/admin/articles", "/admin/articles")
	p.signOut()
	p.waitButton("sign-in")
	if v := inspectOne(t, p.tab, passkeyButton("sign-in")); v.Text != "Sign in with a passkey" {
		t.Errorf("the login page's passkey button reads %q, want Sign in with a passkey", v.Text)
	}
	screenshot(t, p.tab, filepath.Join(artifacts, "passkey-login.png"))
	p.pressPasskey("sign-in", "/admin/articles")
	p.checkPasskeyLogin("the passkey sign-in")
	if used := p.passkeys(); len(used) != 1 || used[0].LastUsedAt.IsZero() {
		t.Errorf("after signing in the passkey is stored as never used: %+v", used)
	}
	p.problems.report(t, "signing in with a passkey")
}

// TestPasskeyAfterPassword: for an account with a passkey, the right
// password leads only to the second step, and the passkey finishes the
// sign-in.
func TestPasskeyAfterPassword(t *testing.T) {
	p := startPasskeyTest(t)
	signIn(t, p.tab, p.base, p.editor)
	p.register(passkeyName)
	p.signOut()

	p.passwordStep()
	if b := inspectOne(t, p.tab, passkeyButton("verify")); b.Text != "Use my passkey" {
		t.Errorf("the second step's passkey button reads %q, want Use my passkey", b.Text)
	}
	axe := readAxe(t)
	for _, v := range runAxe(t, p.tab, axe, "/admin/login/verify") {
		if v.ID == "target-size" || v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("the second step: %s", v)
		}
	}
	screenshot(t, p.tab, filepath.Join(t.ArtifactDir(), "second-step.png"))
	p.pressPasskey("verify", "/admin/articles")
	p.open("/admin/account/security", "/admin/account/security")
	for _, v := range runAxe(t, p.tab, axe, "/admin/account/security") {
		if v.ID == "target-size" || v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("the sign-in security page: %s", v)
		}
	}
	p.open("/admin/articles", "/admin/articles")
	p.checkPasskeyLogin("the second step")
	p.problems.report(t, "password and passkey")
}

// TestPasskeyRemoved: a passkey removed from the account no longer signs
// in, though the authenticator still holds it. Removing it asks for the
// second step again when the session's is stale.
func TestPasskeyRemoved(t *testing.T) {
	p := startPasskeyTest(t)
	signIn(t, p.tab, p.base, p.editor)
	k := p.register(passkeyName)
	p.signOut()
	p.pressPasskey("sign-in", "/admin/articles")

	// A session left open a while must confirm before changing passkeys.
	p.ageSecondStep()
	p.open("/admin/account/security", "/admin/account/security")
	if n := len(inspectAll(t, p.tab, selRemovePasskeys)); n != 0 {
		t.Errorf("with a stale second step the page offers %d Remove buttons, want none", n)
	}
	p.click(selConfirmLink, http.StatusOK, "/admin/account/confirm")
	p.pressPasskey("verify", "/admin/account/security")

	remove := fmt.Sprintf(`form[action="/admin/account/passkeys/%d/delete"] button[type=submit]`, k.ID)
	p.click(remove, http.StatusOK, "/admin/account/security")
	if n := inspectOne(t, p.tab, selAdminNotice); n.Text != "Passkey removed." {
		t.Errorf("after removing the passkey the notice reads %q, want Passkey removed.", n.Text)
	}
	if rows := inspectAll(t, p.tab, selPasskeyRows); len(rows) != 0 {
		t.Errorf("after removing it the page still lists %d passkeys", len(rows))
	}
	if keys := p.passkeys(); len(keys) != 0 {
		t.Fatalf("after removing it the account still holds %d passkeys", len(keys))
	}
	if removed := p.audit("user.passkey_removed"); len(removed) != 1 || removed[0].Detail != passkeyName {
		t.Errorf("the audit log records the passkeys removed as %+v, want one named %q", removed, passkeyName)
	}
	p.problems.report(t, "removing the passkey")
	p.signOut()

	if creds := p.credentials(); len(creds) != 1 {
		t.Fatalf("the authenticator holds %d credentials, want the removed passkey still there", len(creds))
	}
	logins := p.passkeyLogins()
	if got, want := p.refusedPasskey("sign-in"), "That passkey was not accepted."; got != want {
		t.Errorf("the removed passkey's sign-in says %q, want %q", got, want)
	}
	reportExpecting(t, p.problems, "the removed passkey", "/admin/login/passkey: HTTP 401")
	if c := sessionCookie(t, p.tab, p.base); c != nil {
		t.Errorf("the removed passkey gave the browser the session cookie %s", c.Name)
	}
	if n := p.passkeyLogins(); n != logins {
		t.Errorf("the audit log records %d sign-ins with a passkey after the refusal, want %d", n, logins)
	}
	if here := p.open("/admin", "/admin/login"); !strings.Contains(here, "next=") {
		t.Errorf("after the refusal /admin leads to %s, want the login page with next=", here)
	}
	p.problems.report(t, "after the refusal")
}

// TestPasskeyWrongOrigin: a site behind a proxy that names it to the
// server as another address (http://localhost:1) offers passkeys, but the
// browser's passkey is made for the address it really loaded. The server
// refuses it and stores nothing.
func TestPasskeyWrongOrigin(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), passkeyTimeout)
	t.Cleanup(cancel)
	const named = "localhost:1"
	db, ts := startSiteAt(t, ctx, dir, web.Options{}, 0, nil, func(string) string { return "http://" + named })
	site, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatalf("parse the site's address: %v", err)
	}
	front := newHostProxy(t, site, named)
	p := openPasskeyBrowser(t, ctx, dir, db, front)
	signIn(t, p.tab, p.base, p.editor)

	p.open("/admin/account/security", "/admin/account/security")
	p.waitButton("register")
	if err := chromedp.Do(p.tab, chromedp.SendKeys(chromedp.CSS(selPasskeyName), passkeyName)); err != nil {
		t.Fatalf("name the new passkey: %v", err)
	}
	if got, want := p.refusedPasskey("register"), "That passkey was not accepted."; got != want {
		t.Errorf("registering at the wrong origin says %q, want %q", got, want)
	}
	reportExpecting(t, p.problems, "registering at the wrong origin", "/admin/account/passkeys: HTTP 400")
	if creds := p.credentials(); len(creds) != 1 {
		t.Errorf("the authenticator holds %d credentials, want the one it made", len(creds))
	}
	if keys := p.passkeys(); len(keys) != 0 {
		t.Errorf("the account holds %d passkeys made at the wrong origin, want none", len(keys))
	}
	if refused := p.audit("user.passkey_refused"); len(refused) != 1 || !strings.Contains(refused[0].Detail, "origin") {
		t.Errorf("the audit log records the refused passkeys as %+v, want one refused for its origin", refused)
	}
	if added := p.audit("user.passkey_added"); len(added) != 0 {
		t.Errorf("the audit log records %d passkeys added at the wrong origin", len(added))
	}
}

// newHostProxy serves site through a proxy on loopback that tells it the
// request came for host, and returns the proxy's address as a browser
// would use it.
func newHostProxy(t *testing.T, site *url.URL, host string) string {
	t.Helper()
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(site)
		r.Out.Host = host
	}}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatalf("parse the proxy's address: %v", err)
	}
	return "http://localhost:" + u.Port()
}

// TestPasskeyConfirmsAPIToken: making an API token in a session whose
// second step is stale asks for the passkey again, then makes the token.
func TestPasskeyConfirmsAPIToken(t *testing.T) {
	p := startPasskeyTest(t)
	signIn(t, p.tab, p.base, p.editor)
	p.register(passkeyName)
	p.ageSecondStep()

	p.open("/admin/account", "/admin/account")
	if err := chromedp.Do(p.tab, chromedp.SendKeys(chromedp.CSS(selTokenName), "Deploy script")); err != nil {
		t.Fatalf("name the token: %v", err)
	}
	here := p.click(selTokenCreate, http.StatusOK, "/admin/account/confirm")
	if u, _ := url.Parse(here); u.Query().Get("next") != "/admin/account" {
		t.Errorf("the stale session was sent to %s, want the confirmation with next=/admin/account", here)
	}
	tokens, err := p.db.UserTokens(p.ctx, p.editorID)
	if err != nil {
		t.Fatalf("read the editor's tokens: %v", err)
	}
	if len(tokens) != 0 {
		t.Fatalf("a stale session made %d API tokens without confirming", len(tokens))
	}
	p.pressPasskey("verify", "/admin/account")

	if err := chromedp.Do(p.tab, chromedp.SendKeys(chromedp.CSS(selTokenName), "Deploy script")); err != nil {
		t.Fatalf("name the token again: %v", err)
	}
	p.click(selTokenCreate, http.StatusCreated, "/admin/account/tokens")
	shown := inspectOne(t, p.tab, selNewToken)
	if tokens, err = p.db.UserTokens(p.ctx, p.editorID); err != nil {
		t.Fatalf("read the editor's tokens: %v", err)
	}
	if !shown.Visible || len(tokens) != 1 || tokens[0].Name != "Deploy script" {
		t.Errorf("after confirming, the page shows the token %q (visible=%v) and %d are stored (%+v), want one named Deploy script",
			shown.Text, shown.Visible, len(tokens), tokens)
	} else if tokens[0].TokenHash != account.HashToken(shown.Text) {
		t.Errorf("the token shown is not the one stored")
	}
	p.problems.report(t, "making an API token")
}
