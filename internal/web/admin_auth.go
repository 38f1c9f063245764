package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/clientip"
	"broadsheet/internal/errs"
)

// The session cookie. __Host- makes browsers insist on Secure, Path=/ and
// no Domain, so no other host or path can set or read it.
const sessionCookie = "__Host-broadsheet_session"

// setupLinkLifetime bounds the one-time link that creates the first admin.
const setupLinkLifetime = time.Hour

// limitKey is the address a limit counts, by the one rule every limit
// follows (clientip.Key: IPv6 by /64).
func limitKey(a netip.Addr) string { return clientip.Key(a) }

type ctxKey int

const (
	userKey ctxKey = iota
	sessionKey
)

// currentUser returns the signed-in user, or nil.
func currentUser(ctx context.Context) *account.User {
	u, _ := ctx.Value(userKey).(*account.User)
	return u
}

func currentSession(ctx context.Context) *account.Session {
	s, _ := ctx.Value(sessionKey).(*account.Session)
	return s
}

// authenticate finds the session behind the request's cookie. Expired
// sessions are deleted; activity is recorded at most once a minute.
func (s *Server) authenticate(r *http.Request) (*account.User, *account.Session) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil, nil
	}
	ctx := r.Context()
	sess, err := s.store.SessionByTokenHash(ctx, account.HashToken(c.Value))
	if err != nil {
		return nil, nil
	}
	now := s.now()
	if sess.Expired(now) {
		s.store.DeleteSession(ctx, sess.ID)
		return nil, nil
	}
	u, err := s.store.UserByID(ctx, sess.UserID)
	if err != nil || u.Disabled {
		return nil, nil
	}
	if now.Sub(sess.LastSeenAt) > account.SeenResolution {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			s.log.Warn("recording session activity", "err", err)
		}
	}
	return u, sess
}

// staff wraps a newsroom page: anonymous readers go to the login page,
// users without perm get 403. Newsroom pages are never cached.
func (s *Server) staff(perm account.Permission, h http.HandlerFunc) http.HandlerFunc {
	return s.staffGuard(perm, false, h)
}

// enrolling wraps the pages an account may use while the site's policy
// wants a second step of it that it has not set up: setting one up, and
// signing out. staff sends every other page here.
func (s *Server) enrolling(h http.HandlerFunc) http.HandlerFunc {
	return s.staffGuard(account.WriteDrafts, true, h)
}

func (s *Server) staffGuard(perm account.Permission, enrolment bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Robots-Tag", "noindex")
		u, sess := s.authenticate(r)
		if u == nil {
			target := "/admin/login?next=" + url.QueryEscape(r.URL.RequestURI())
			redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if !u.Can(perm) {
			s.adminFail(w, r, u, errForbidden)
			return
		}
		if !enrolment {
			switch need, err := s.needsEnrolment(r.Context(), u); {
			case err != nil:
				s.adminFail(w, r, u, err)
				return
			case need:
				redirect(w, r, "/admin/account/security?notice=enrol", http.StatusSeeOther)
				return
			}
		}
		ctx := context.WithValue(context.WithValue(r.Context(), userKey, u), sessionKey, sess)
		h(w, r.WithContext(ctx))
	}
}

var errForbidden = refuse(errs.Forbidden, "admin.forbidden")

// loginView is the login form.
type loginView struct {
	Email, Next, Error string
	// Challenge shows the proof of work (see admitLogin).
	Challenge bool
	// Passkeys offers signing in with a passkey; PasskeyOrigin is where,
	// when not at the address the page was asked at.
	Passkeys      bool
	PasskeyOrigin string
}

// withPasskeys says on the sign-in form whether and where passkeys work.
func (s *Server) withPasskeys(r *http.Request, v loginView) loginView {
	if s.passkeys != nil {
		v.Passkeys = s.atPasskeyOrigin(r)
		if !v.Passkeys {
			v.PasskeyOrigin = s.passkeyOrigin
		}
	}
	return v
}

// GET /admin/login
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if u, _ := s.authenticate(r); u != nil {
		redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "login", nil, "admin.login.title", s.withPasskeys(r, loginView{Next: safeNext(r.URL.Query().Get("next"))}))
}

// safeNext keeps post-login redirects inside the newsroom pages.
func safeNext(next string) string {
	p, ok := localPath(next)
	if !ok || p != "/admin" && !strings.HasPrefix(p, "/admin/") && !strings.HasPrefix(p, "/admin?") {
		return "/admin"
	}
	return p
}

// POST /admin/login
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	view := s.withPasskeys(r, loginView{Email: email, Next: safeNext(r.PostFormValue("next"))})
	v := s.adminView(r.Context(), nil)
	attempt := s.admitLogin(w, r, view)
	if attempt == nil {
		return
	}
	u, err := s.store.UserByEmail(r.Context(), email)
	switch {
	case errors.Is(err, account.ErrNotFound):
		account.VerifyDummy(password)
	case err != nil:
		attempt.giveBack()
		s.adminFail(w, r, nil, err)
		return
	}
	// The password is checked even for a disabled account, so timing does
	// not tell which accounts exist or are disabled.
	if u == nil || !account.VerifyPassword(u.PasswordHash, password) || u.Disabled {
		// The failure stays counted.
		view.Error, view.Challenge = v.T("admin.login.wrong"), attempt.checked
		s.renderAdmin(w, r, http.StatusUnauthorized, "login", nil, "admin.login.title", view)
		return
	}
	attempt.giveBack()
	steps, err := s.store.SecondSteps(r.Context(), u.ID)
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	if steps.Enrolled() {
		// The password opens only the second step (admin_secondstep.go).
		s.setPending(w, u)
		redirect(w, r, "/admin/login/verify?next="+url.QueryEscape(view.Next), http.StatusSeeOther)
		return
	}
	if err := s.startSession(w, r, u, false); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	s.rememberDevice(w, strings.ToLower(email))
	s.store.Audit(r.Context(), auditEntry(u, "user.login", "user", u.ID, "password, "+limitKey(s.ips.ClientIP(r))))
	redirect(w, r, view.Next, http.StatusSeeOther)
}

func (s *Server) tooManyLogins(w http.ResponseWriter, r *http.Request, view loginView, retry time.Duration) {
	v := s.adminView(r.Context(), nil)
	minutes := int(retry.Minutes()) + 1
	view.Error = v.T("admin.login.throttled", minutes)
	w.Header().Set("Retry-After", fmt.Sprint(int(retry.Seconds())+1))
	s.renderAdmin(w, r, http.StatusTooManyRequests, "login", nil, "admin.login.title", view)
}

// startSession issues a fresh session id, never reusing one the browser
// brought (no session fixation).
// stepped says the second step was taken (or a passkey signed in).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *account.User, stepped bool) error {
	token, hash := account.NewToken()
	now := s.now()
	ua := r.UserAgent()
	if len(ua) > 200 {
		ua = ua[:200]
	}
	sess := account.Session{TokenHash: hash, UserID: u.ID, CreatedAt: now, LastSeenAt: now, UserAgent: ua, IP: s.ips.ClientIP(r).String()}
	if stepped {
		sess.SecondStepAt = now
	}
	if err := s.store.CreateSession(r.Context(), &sess); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		MaxAge: int(account.AbsoluteTimeout.Seconds()),
	})
	return nil
}

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// POST /admin/logout
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if sess := currentSession(r.Context()); sess != nil {
		if err := s.store.DeleteSession(r.Context(), sess.ID); err != nil {
			s.adminFail(w, r, currentUser(r.Context()), err)
			return
		}
	}
	clearSessionCookie(w)
	redirect(w, r, "/admin/login", http.StatusSeeOther)
}

// setupView is the first-admin form.
type setupView struct {
	Token, Name, Email string
	Errors             []string
}

// GET /admin/setup?token=...
func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	s.renderAdmin(w, r, http.StatusOK, "setup", nil, "admin.setup.title", setupView{Token: r.URL.Query().Get("token")})
}

// POST /admin/setup creates the first admin with a one-time link.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	ctx := r.Context()
	view := setupView{Token: r.PostFormValue("token"), Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email"))}
	password := r.PostFormValue("password")
	v := s.adminView(ctx, nil)
	ipKey := limitKey(s.ips.ClientIP(r))
	if ok, retry := s.loginByIP.Allow(ipKey); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(retry.Seconds())+1))
		view.Errors = []string{v.T("admin.login.throttled", int(retry.Minutes())+1)}
		s.renderAdmin(w, r, http.StatusTooManyRequests, "setup", nil, "admin.setup.title", view)
		return
	}
	u := &account.User{Email: view.Email, Name: view.Name, Role: account.Admin}
	if err := u.Validate(); err != nil {
		view.Errors = append(view.Errors, problemsOf(v.cat, err)...)
	}
	if err := account.CheckPassword(password, view.Email, view.Name); err != nil {
		view.Errors = append(view.Errors, problemsOf(v.cat, err)...)
	}
	if len(view.Errors) > 0 {
		s.loginByIP.Undo(ipKey) // a mistake in the form, not a guess at the link
		s.renderAdmin(w, r, http.StatusUnprocessableEntity, "setup", nil, "admin.setup.title", view)
		return
	}
	// An admin made meanwhile (from the command line) cancels the link.
	if n, err := s.store.CountAdmins(ctx); err != nil || n > 0 {
		view.Errors = []string{v.T("admin.setup.expired")}
		s.renderAdmin(w, r, http.StatusForbidden, "setup", nil, "admin.setup.title", view)
		return
	}
	if err := s.store.UseSetupToken(ctx, account.HashToken(view.Token), s.now()); err != nil {
		view.Errors = []string{v.T("admin.setup.expired")}
		s.renderAdmin(w, r, http.StatusForbidden, "setup", nil, "admin.setup.title", view)
		return
	}
	hash, err := account.HashPassword(password)
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	u.PasswordHash = hash
	if err := s.store.CreateUser(ctx, u); err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	s.loginByIP.Undo(ipKey) // a success, not a failure
	s.store.Audit(ctx, auditEntry(u, "user.create", "user", u.ID, "first admin, by setup link"))
	if err := s.startSession(w, r, u, false); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	redirect(w, r, "/admin", http.StatusSeeOther)
}

// SetupLink returns a one-time link that creates the first admin, or ""
// when an admin exists. The link expires after an hour.
func (s *Server) SetupLink(ctx context.Context) (string, error) {
	n, err := s.store.CountAdmins(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	token, hash := account.NewToken()
	if err := s.store.CreateSetupToken(ctx, hash, s.now().Add(setupLinkLifetime)); err != nil {
		return "", err
	}
	return s.baseURL + "/admin/setup?token=" + token, nil
}
