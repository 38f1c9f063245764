package web

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/mail"
)

// Password reset for newsroom accounts. The link is signed with the site's
// key, expires after an hour, and is bound to the account's current
// password hash: once used (or once the password changes any other way)
// it stops working, so it works once without a table of used tokens.

const resetLifetime = time.Hour

func (s *Server) resetSignature(u *account.User, exp string) string {
	return base64.RawURLEncoding.EncodeToString(s.keyMAC("reset\x00%d\x00%s\x00%s", u.ID, exp, u.PasswordHash)[:18])
}

func (s *Server) resetToken(u *account.User, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return strconv.FormatInt(u.ID, 10) + "." + exp + "." + s.resetSignature(u, exp)
}

// resetUser returns the account a reset token is good for.
func (s *Server) resetUser(r *http.Request, token string) (*account.User, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || !s.now().Before(time.Unix(exp, 0)) {
		return nil, false
	}
	u, err := s.store.UserByID(r.Context(), id)
	if err != nil || u.Disabled || !hmac.Equal([]byte(parts[2]), []byte(s.resetSignature(u, parts[1]))) {
		return nil, false
	}
	return u, true
}

type resetView struct {
	Email, Token string
	Sent, Bad    bool
	Errors       []string
}

// GET /admin/forgot
func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) {
	s.renderAdmin(w, r, http.StatusOK, "reset", nil, "admin.reset.title", resetView{})
}

// POST /admin/forgot: the same answer, in the same time, whether or not
// the address has an account. The answer is written before anything about
// the address is looked at: the lookup, the link and the queued mail come
// after it (sendReset), so neither the page nor its timing tells a
// stranger which addresses belong to the newsroom.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.TrimSpace(r.PostFormValue("email"))
	v := s.adminView(ctx, nil)
	if ok, retry := s.loginByIP.Allow("reset|" + limitKey(s.ips.ClientIP(r))); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
		s.renderAdmin(w, r, http.StatusTooManyRequests, "reset", nil, "admin.reset.title",
			resetView{Email: email, Errors: []string{v.T("admin.login.throttled", int(retry.Minutes())+1)}})
		return
	}
	if email == "" {
		s.renderAdmin(w, r, http.StatusUnprocessableEntity, "reset", nil, "admin.reset.title", resetView{Errors: []string{v.T("subscribe.email_missing")}})
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "reset", nil, "admin.reset.title", resetView{Sent: true})
	s.afterAnswer(ctx, "password reset", func(ctx context.Context) error { return s.sendReset(ctx, email) })
}

// sendReset queues a reset link for email's account, if it has one that
// is not disabled: at most loginFailuresPerSource links per account in
// each loginWindow, whoever asks.
func (s *Server) sendReset(ctx context.Context, email string) error {
	if ok, _ := s.loginByAccount.Allow("reset|" + strings.ToLower(email)); !ok {
		return nil
	}
	u, err := s.store.UserByEmail(ctx, email)
	switch {
	case errors.Is(err, account.ErrNotFound):
		return nil
	case err != nil:
		return err
	case u.Disabled:
		return nil
	}
	expires := s.now().Add(resetLifetime)
	err = s.store.Enqueue(ctx, mail.Message{Key: mail.Key(u.Email, mail.Reset, strconv.FormatInt(expires.Unix(), 10)),
		To: u.Email, Kind: mail.Reset, ObjectID: u.ID, Data: s.resetToken(u, expires)})
	if err != nil {
		return err
	}
	s.store.Audit(ctx, auditEntry(u, "user.reset_requested", "user", u.ID, ""))
	s.wakeMail()
	return nil
}

// GET /admin/reset?t=
func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	t := r.URL.Query().Get("t")
	if _, ok := s.resetUser(r, t); !ok {
		s.renderAdmin(w, r, http.StatusGone, "reset", nil, "admin.reset.title", resetView{Bad: true})
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "reset", nil, "admin.reset.title", resetView{Token: t})
}

// POST /admin/reset sets the new password and signs the account out
// everywhere.
func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	w.Header().Set("Referrer-Policy", "no-referrer")
	t := r.PostFormValue("t")
	u, ok := s.resetUser(r, t)
	if !ok {
		s.renderAdmin(w, r, http.StatusGone, "reset", nil, "admin.reset.title", resetView{Bad: true})
		return
	}
	v := s.adminView(ctx, nil)
	next, confirm := r.PostFormValue("new"), r.PostFormValue("confirm")
	var problem string
	if next != confirm {
		problem = v.T("admin.account.mismatch")
	} else if err := account.CheckPassword(next, u.Email, u.Name, v.Site.Title); err != nil {
		problem = problemsOf(v.cat, err)[0]
	}
	if problem != "" {
		s.renderAdmin(w, r, http.StatusUnprocessableEntity, "reset", nil, "admin.reset.title", resetView{Token: t, Errors: []string{problem}})
		return
	}
	hash, err := account.HashPassword(next)
	if err == nil {
		// The hash alone: an admin disabling the account meanwhile stays.
		err = s.store.SetPassword(ctx, u.ID, hash)
	}
	if err == nil {
		err = s.store.DeleteUserSessions(ctx, u.ID, 0)
	}
	if err != nil {
		s.adminFail(w, r, nil, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "user.password_reset", "user", u.ID, ""))
	seeOther(w, r, "/admin/login", "reset")
}
