package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"broadsheet/internal/account"
	"broadsheet/internal/mail"
)

// The second step. A password that is right for an account with a second
// step opens no session: the browser gets a short-lived mark, signed with
// the site's key and bound to the password's hash, that lets it take the
// second step (a passkey, an authenticator code or a recovery code) at
// /admin/login/verify, and nothing else. The session starts when the
// second step passes, and remembers when (Session.SecondStepAt), so that
// the few things worth more than a session (an API token, changing the
// second step itself) can ask for it again when it is older than
// account.Freshness.
//
// Wrong codes are counted per account (not per address: whoever tries
// holds the password already, from anywhere), five in loginWindow and
// secondStepDaily in a day, and per address as failed sign-ins are.
// Passkeys cannot be guessed, so a stranger's failures never keep the
// owner from signing in with one.

const (
	pendingCookie   = "__Host-broadsheet_pending"
	pendingLifetime = 10 * time.Minute
	secondStepDaily = 30
)

func (s *Server) pendingMAC(u *account.User, exp string) string {
	return base64.RawURLEncoding.EncodeToString(s.keyMAC("second step\x00%d\x00%s\x00%s", u.ID, exp, u.PasswordHash))
}

// setPending marks the browser as past u's password.
func (s *Server) setPending(w http.ResponseWriter, u *account.User) {
	exp := strconv.FormatInt(s.now().Add(pendingLifetime).Unix(), 10)
	http.SetCookie(w, &http.Cookie{
		Name: pendingCookie, Value: strconv.FormatInt(u.ID, 10) + "." + exp + "." + s.pendingMAC(u, exp), Path: "/", Secure: true,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: int(pendingLifetime.Seconds()),
	})
}

func clearPending(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// pendingUser is the account whose password the browser gave, if it did
// so within pendingLifetime and the password has not changed since.
func (s *Server) pendingUser(r *http.Request) *account.User {
	c, err := r.Cookie(pendingCookie)
	if err != nil || len(c.Value) > 200 {
		return nil
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return nil
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || !s.now().Before(time.Unix(exp, 0)) {
		return nil
	}
	u, err := s.store.UserByID(r.Context(), id)
	if err != nil || u.Disabled || !hmac.Equal([]byte(parts[2]), []byte(s.pendingMAC(u, parts[1]))) {
		return nil
	}
	return u
}

// stepView is the second-step form, at sign-in or to confirm a task.
type stepView struct {
	Action string // where the codes go
	Next   string
	// Passkeys says the account has passkeys and this site offers them;
	// PasskeyOrigin is where they work, when that is not where the page
	// was asked for.
	Passkeys      bool
	PasskeyURL    string
	PasskeyOrigin string
	TOTP          bool
	Recovery      bool
	Confirm       bool
	// Password asks for the password: confirming an account that has no
	// second step yet.
	Password bool
	Error    string
	// Left is set after a recovery code: how many remain.
	Left     int
	Continue string
}

func (s *Server) stepView(r *http.Request, u *account.User, confirm bool, next string) (stepView, error) {
	steps, err := s.store.SecondSteps(r.Context(), u.ID)
	if err != nil {
		return stepView{}, err
	}
	v := stepView{Next: next, TOTP: steps.TOTP, Recovery: steps.RecoveryLeft > 0, Confirm: confirm,
		Passkeys: steps.Passkeys > 0 && s.passkeys != nil, Action: "/admin/login/verify", PasskeyURL: "/admin/login/verify/passkey"}
	if confirm {
		v.Action, v.PasskeyURL = "/admin/account/confirm", "/admin/account/confirm/passkey"
		// With no second step, the password stands in for one.
		v.Password = !steps.Enrolled()
	}
	if v.Passkeys && !s.atPasskeyOrigin(r) {
		v.PasskeyOrigin = s.passkeyOrigin
	}
	return v, nil
}

// atPasskeyOrigin reports whether the request came to the address where
// passkeys work (see relyingParty): a site at a loopback IP offers them
// at localhost, so a page asked at 127.0.0.1 links there instead. A site
// with a name offers them wherever the page is asked: behind a proxy the
// Host header may name the proxy's upstream, and the browser checks the
// origin itself.
func (s *Server) atPasskeyOrigin(r *http.Request) bool {
	if !s.passkeysAtLocalhost {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		host = h
	}
	return host == "localhost"
}

// GET /admin/login/verify
func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	u := s.pendingUser(r)
	if u == nil {
		redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	v, err := s.stepView(r, u, false, safeNext(r.URL.Query().Get("next")))
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "verify", nil, "admin.verify.title", v)
}

// POST /admin/login/verify takes an authenticator code or a recovery code.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	u := s.pendingUser(r)
	if u == nil {
		redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	v, err := s.stepView(r, u, false, safeNext(r.PostFormValue("next")))
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	method, left, status, problem := s.checkCodes(r, u)
	if problem != "" {
		v.Error = problem
		s.renderAdmin(w, r, status, "verify", nil, "admin.verify.title", v)
		return
	}
	if err := s.signedIn(w, r, u, method); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	s.afterCodes(w, r, u, method, left, v.Next)
}

// signedIn ends a sign-in whose second step passed.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, u *account.User, method string) error {
	clearPending(w)
	if err := s.startSession(w, r, u, true); err != nil {
		return err
	}
	s.rememberDevice(w, strings.ToLower(u.Email))
	s.store.Audit(r.Context(), auditEntry(u, "user.login", "user", u.ID, method+", "+limitKey(s.ips.ClientIP(r))))
	return nil
}

// afterCodes goes on after a second step taken with a code: a recovery
// code is followed by a page saying how many are left.
func (s *Server) afterCodes(w http.ResponseWriter, r *http.Request, u *account.User, method string, left int, next string) {
	if method != methodRecovery {
		redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "verify", u, "admin.verify.title", stepView{Left: left, Continue: next, Recovery: true})
}

// How a second step was taken, as the audit log names it.
const (
	methodPasskey  = "passkey"
	methodTOTP     = "authenticator app"
	methodRecovery = "recovery code"
	methodPassword = "password"
)

// checkCodes checks the authenticator code or recovery code in the form.
// It returns the method that passed and, for a recovery code, how many
// are left; or the status and words of the problem.
func (s *Server) checkCodes(r *http.Request, u *account.User) (method string, left, status int, problem string) {
	ctx := r.Context()
	words := s.adminView(ctx, nil)
	code, recovery := strings.TrimSpace(r.PostFormValue("code")), strings.TrimSpace(r.PostFormValue("recovery"))
	if code == "" && recovery == "" {
		return "", 0, http.StatusUnprocessableEntity, words.T("admin.verify.missing")
	}
	undo, retry := s.admitSecondStep(r, u)
	if undo == nil {
		return "", 0, http.StatusTooManyRequests, words.T("admin.login.throttled", int(retry.Minutes())+1)
	}
	var err error
	if recovery != "" {
		method = methodRecovery
		left, err = s.store.UseRecoveryCode(ctx, u.ID, account.HashRecoveryCode(recovery), s.now())
	} else {
		method = methodTOTP
		err = s.useTOTP(ctx, u, code)
	}
	switch {
	case errors.Is(err, account.ErrNotFound), errors.Is(err, account.ErrConflict):
		s.secondStepFailed(r, u, method)
		return "", 0, http.StatusUnauthorized, words.T("admin.verify.wrong")
	case err != nil:
		undo()
		s.log.Error("checking a second step", "user", u.ID, "err", err)
		return "", 0, http.StatusInternalServerError, words.T("admin.error.internal")
	}
	undo()
	if method == methodRecovery {
		s.tellOwner(ctx, r, u, "recovery_used", strconv.Itoa(left))
		s.store.Audit(ctx, auditEntry(u, "user.recovery_used", "user", u.ID, fmt.Sprintf("%d left", left)))
	}
	return method, left, 0, ""
}

// checkPassword checks the password typed to confirm an account that has
// no second step; wrong ones are counted as a wrong current password is
// on the account page.
func (s *Server) checkPassword(r *http.Request, u *account.User) (method string, status int, problem string) {
	words := s.adminView(r.Context(), nil)
	password := r.PostFormValue("password")
	if password == "" {
		return "", http.StatusUnprocessableEntity, words.T("admin.confirm.password_missing")
	}
	ip := limitKey(s.ips.ClientIP(r))
	a := &loginAttempt{}
	for _, l := range []loginSlot{{s.loginByAccount, "password-change|" + strconv.FormatInt(u.ID, 10)}, {s.loginByIP, ip}} {
		if ok, retry := a.take(l.lim, l.key); !ok {
			a.giveBack()
			return "", http.StatusTooManyRequests, words.T("admin.login.throttled", int(retry.Minutes())+1)
		}
	}
	if !account.VerifyPassword(u.PasswordHash, password) {
		s.store.Audit(r.Context(), auditEntry(u, "user.confirm_failed", "user", u.ID, methodPassword+", "+ip))
		return "", http.StatusUnauthorized, words.T("admin.account.wrong_current")
	}
	a.giveBack()
	return methodPassword, 0, ""
}

// useTOTP spends an authenticator code: ErrConflict for a wrong one, or
// one used before (its step is not later than the last used).
func (s *Server) useTOTP(ctx context.Context, u *account.User, code string) error {
	secret, last, err := s.store.TOTP(ctx, u.ID)
	if err != nil {
		return err
	}
	if secret == "" {
		return account.ErrNotFound
	}
	step, ok := account.CheckTOTP(secret, code, s.now(), last)
	if !ok {
		return account.ErrConflict
	}
	return s.store.UseTOTPStep(ctx, u.ID, step)
}

// admitSecondStep takes a slot in each second-step limit; undo gives them
// back when the step passes. A nil undo means a limit is full.
func (s *Server) admitSecondStep(r *http.Request, u *account.User) (undo func(), retry time.Duration) {
	acct := "second-step|" + strconv.FormatInt(u.ID, 10)
	a := &loginAttempt{}
	for _, l := range []loginSlot{{s.loginByAccount, acct}, {s.secondStepByDay, acct}, {s.loginByIP, limitKey(s.ips.ClientIP(r))}} {
		if ok, retry := a.take(l.lim, l.key); !ok {
			a.giveBack()
			return nil, retry
		}
	}
	return a.giveBack, 0
}

// secondStepFailed records a failed second step, and tells the owner: at
// most once in each loginWindow.
func (s *Server) secondStepFailed(r *http.Request, u *account.User, method string) {
	ctx := r.Context()
	ip := limitKey(s.ips.ClientIP(r))
	s.store.Audit(ctx, auditEntry(u, "user.second_step_failed", "user", u.ID, method+", "+ip))
	window := s.now().Truncate(loginWindow).Unix()
	s.notify(ctx, u, "second_step_failed|"+ip+"|1", "second_step_failed|"+strconv.FormatInt(window, 10))
}

// tellOwner mails u a security notice of event (see mail.Security).
func (s *Server) tellOwner(ctx context.Context, r *http.Request, u *account.User, event, detail string) {
	// Each notice is its own message: a random key, never one a second
	// change at the same instant could share.
	s.notify(ctx, u, event+"|"+limitKey(s.ips.ClientIP(r))+"|"+detail, event+"|"+rand.Text())
}

func (s *Server) notify(ctx context.Context, u *account.User, data, key string) {
	err := s.store.Enqueue(ctx, mail.Message{Key: mail.Key(u.Email, mail.Security, key), To: u.Email, Kind: mail.Security, ObjectID: u.ID, Data: data})
	if err != nil {
		s.log.Error("queueing a security notice", "user", u.ID, "err", err)
		return
	}
	s.wakeMail()
}

// POST /admin/login/verify/passkey/options
func (s *Server) verifyPasskeyOptions(w http.ResponseWriter, r *http.Request) {
	u := s.pendingUser(r)
	if u == nil {
		s.passkeyJSONFail(w, r, http.StatusUnauthorized, "admin.passkey.expired")
		return
	}
	s.passkeyOptions(w, r, u, ceremonyVerify)
}

// passkeyOptions begins a passkey sign-in as u.
func (s *Server) passkeyOptions(w http.ResponseWriter, r *http.Request, u *account.User, purpose string) {
	p, err := s.passkeyUser(r.Context(), u)
	if err == nil && len(p.creds) == 0 {
		s.passkeyJSONFail(w, r, http.StatusConflict, "admin.passkey.none")
		return
	}
	var opts any
	var sd *webauthn.SessionData
	if err == nil {
		opts, sd, err = s.passkeys.BeginLogin(p)
	}
	if err != nil {
		s.log.Error("passkey options", "user", u.ID, "err", err)
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return
	}
	s.beginCeremony(w, ceremony{Purpose: purpose, UserID: u.ID, Session: *sd}, opts)
}

// POST /admin/login/verify/passkey
func (s *Server) verifyPasskey(w http.ResponseWriter, r *http.Request) {
	u := s.pendingUser(r)
	if u == nil {
		s.passkeyJSONFail(w, r, http.StatusUnauthorized, "admin.passkey.expired")
		return
	}
	next, ok := s.checkPasskey(w, r, u, ceremonyVerify)
	if !ok {
		return
	}
	if err := s.signedIn(w, r, u, methodPasskey); err != nil {
		s.log.Error("starting a session", "user", u.ID, "err", err)
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"redirect": safeNext(next)})
}

// checkPasskey finishes a passkey ceremony of purpose as u, answering a
// failure itself. It returns the answer's next.
func (s *Server) checkPasskey(w http.ResponseWriter, r *http.Request, u *account.User, purpose string) (string, bool) {
	ctx := r.Context()
	ans, err := readPasskeyAnswer(r)
	var c *ceremony
	if err == nil {
		c, err = s.endCeremony(w, r, purpose)
	}
	if err != nil || c.UserID != u.ID {
		s.passkeyJSONFail(w, r, http.StatusBadRequest, "admin.passkey.expired")
		return "", false
	}
	// Failures count against the address, as failed sign-ins do.
	ip := limitKey(s.ips.ClientIP(r))
	if ok, retry := s.loginByIP.Allow(ip); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
		s.passkeyJSONFail(w, r, http.StatusTooManyRequests, "admin.passkey.throttled")
		return "", false
	}
	p, err := s.passkeyUser(ctx, u)
	if err != nil {
		s.loginByIP.Undo(ip)
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return "", false
	}
	parsed, err := parseAssertion(ans.Credential)
	var cred *webauthn.Credential
	if err == nil {
		cred, err = s.passkeys.ValidateLogin(p, c.Session, parsed)
	}
	if err == nil {
		_, err = s.keepUse(ctx, p, cred)
	}
	if err != nil {
		s.store.Audit(ctx, auditEntry(u, "user.second_step_failed", "user", u.ID, methodPasskey+": "+passkeyProblem(err)+", "+ip))
		s.passkeyJSONFail(w, r, http.StatusUnauthorized, "admin.passkey.refused")
		return "", false
	}
	s.loginByIP.Undo(ip)
	return ans.Next, true
}

// GET /admin/account/confirm?next= asks for the second step again.
func (s *Server) stepUpForm(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r.Context())
	v, err := s.stepView(r, u, true, safeNext(r.URL.Query().Get("next")))
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "verify", u, "admin.confirm.title", v)
}

// POST /admin/account/confirm
func (s *Server) stepUp(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	v, err := s.stepView(r, u, true, safeNext(r.PostFormValue("next")))
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	var method string
	var left, status int
	var problem string
	if v.Password {
		method, status, problem = s.checkPassword(r, u)
	} else {
		method, left, status, problem = s.checkCodes(r, u)
	}
	if problem != "" {
		v.Error = problem
		s.renderAdmin(w, r, status, "verify", u, "admin.confirm.title", v)
		return
	}
	if err := s.store.MarkSecondStep(ctx, currentSession(ctx).ID, s.now()); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.afterCodes(w, r, u, method, left, v.Next)
}

// POST /admin/account/confirm/passkey/options
func (s *Server) stepUpPasskeyOptions(w http.ResponseWriter, r *http.Request) {
	s.passkeyOptions(w, r, currentUser(r.Context()), ceremonyConfirm)
}

// POST /admin/account/confirm/passkey
func (s *Server) stepUpPasskey(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	next, ok := s.checkPasskey(w, r, u, ceremonyConfirm)
	if !ok {
		return
	}
	if err := s.store.MarkSecondStep(ctx, currentSession(ctx).ID, s.now()); err != nil {
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"redirect": safeNext(next)})
}

// needFresh sends a session whose second step is stale to take it again,
// and reports whether it did. An account without a second step confirms
// with its password instead, unless the session itself began within
// account.Freshness: otherwise a browser left signed in could set up a
// stranger's authenticator and lock the owner out.
func (s *Server) needFresh(w http.ResponseWriter, r *http.Request, back string) bool {
	return s.demandFresh(w, r, back, true)
}

// needFreshIfEnrolled is needFresh for tasks an account without a second
// step may do on its password-signed session: only a second step set up
// is asked for again.
func (s *Server) needFreshIfEnrolled(w http.ResponseWriter, r *http.Request, back string) bool {
	return s.demandFresh(w, r, back, false)
}

func (s *Server) demandFresh(w http.ResponseWriter, r *http.Request, back string, strict bool) bool {
	ctx := r.Context()
	u, sess := currentUser(ctx), currentSession(ctx)
	if sess.Fresh(s.now()) {
		return false
	}
	steps, err := s.store.SecondSteps(ctx, u.ID)
	if err != nil {
		s.adminFail(w, r, u, err)
		return true
	}
	if !strict && !steps.Enrolled() || s.freshEnough(sess, steps) {
		return false
	}
	redirect(w, r, "/admin/account/confirm?next="+url.QueryEscape(back), http.StatusSeeOther)
	return true
}

// freshEnough reports whether the session may change what needs a fresh
// second step: it took its second step within account.Freshness, or the
// account has none and the session began that recently.
func (s *Server) freshEnough(sess *account.Session, steps account.SecondSteps) bool {
	now := s.now()
	return sess.Fresh(now) || !steps.Enrolled() && now.Sub(sess.CreatedAt) <= account.Freshness
}

// needsEnrolment reports whether the site's policy wants a second step
// of u that u has not set up.
func (s *Server) needsEnrolment(ctx context.Context, u *account.User) (bool, error) {
	site, err := s.store.Site(ctx)
	if err != nil || !site.SecondStep.Requires(u.Role) {
		return false, err
	}
	steps, err := s.store.SecondSteps(ctx, u.ID)
	if err != nil {
		return false, err
	}
	return !steps.Enrolled(), nil
}
