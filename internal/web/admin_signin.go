package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"broadsheet/internal/challenge"
	"broadsheet/internal/ratelimit"
)

// Sign-in throttling counts failed attempts only, and slows whoever fails
// rather than locking the account: a stranger failing from many addresses
// must not keep a journalist out. Failures are counted per account and
// address (IPv6 by /64, which one client usually holds whole), per
// address whatever the account, and per account from anywhere. The first
// two refuse the failing source for the rest of the window; the third, a
// backstop against guessing spread over many addresses, only asks every
// source the account does not know (knownSource) to solve the built-in
// proof of work first, so each further guess costs real work while the
// owner keeps signing in.
const (
	loginWindow              = 15 * time.Minute
	loginFailuresPerSource   = 5  // per account from one address
	loginFailuresPerIP       = 20 // per address, whatever the account
	loginFailuresBeforeCheck = 20 // per account from anywhere
)

// The known-device cookie marks a browser that has signed in to an
// account: it spares that browser the proof of work when the account is
// under attack. It holds a MAC of the account, so it can be neither read
// nor forged, and it outlives sessions on purpose.
const (
	knownDeviceCookie   = "__Host-broadsheet_known"
	knownDeviceLifetime = 365 * 24 * time.Hour
)

// loginAttempt is a sign-in attempt admitted past the limits. Each limit's
// slot is taken before the password is checked, so that simultaneous
// guesses cannot slip past a count; a success gives them back, so that
// only failures stay counted.
type loginAttempt struct {
	taken []loginSlot
	// checked says the attempt had to pass the proof of work: its page
	// offers the check again should the password be wrong.
	checked bool
}

type loginSlot struct {
	lim *ratelimit.Limiter
	key string
}

func (a *loginAttempt) take(l *ratelimit.Limiter, key string) (bool, time.Duration) {
	ok, retry := l.Allow(key)
	if ok {
		a.taken = append(a.taken, loginSlot{l, key})
	}
	return ok, retry
}

// giveBack uncounts the attempt: it succeeded, or was never judged.
func (a *loginAttempt) giveBack() {
	for _, s := range a.taken {
		s.lim.Undo(s.key)
	}
	a.taken = nil
}

// admitLogin applies the limits to a sign-in attempt before its password
// is checked. It returns nil when the attempt is refused, the answer
// written: 429 for a source over its own limits, 429 with the proof of
// work for a stranger to an account over its backstop.
func (s *Server) admitLogin(w http.ResponseWriter, r *http.Request, view loginView) *loginAttempt {
	acct := strings.ToLower(view.Email)
	ip := limitKey(s.ips.ClientIP(r))
	a := &loginAttempt{}
	for _, l := range []loginSlot{{s.loginByIP, ip}, {s.loginByAccount, acct + "|" + ip}} {
		if ok, retry := a.take(l.lim, l.key); !ok {
			a.giveBack()
			s.tooManyLogins(w, r, view, retry)
			return nil
		}
	}
	ok, retry := a.take(s.loginByAccountAll, acct)
	if ok || s.knownSource(r, acct, ip) {
		return a
	}
	a.checked = true
	switch err := s.challenges.Verify(r.Context(), r.PostFormValue("altcha")); {
	case err == nil:
		return a
	case errors.Is(err, challenge.ErrInvalid), errors.Is(err, challenge.ErrExpired), errors.Is(err, challenge.ErrReplayed):
		a.giveBack()
		v := s.adminView(r.Context(), nil)
		view.Error, view.Challenge = v.T("admin.login.check", int(retry.Minutes())+1), true
		w.Header().Set("Retry-After", fmt.Sprint(int(retry.Seconds())+1))
		s.renderAdmin(w, r, http.StatusTooManyRequests, "login", nil, "admin.login.title", view)
		return nil
	default:
		a.giveBack()
		s.adminFail(w, r, nil, err)
		return nil
	}
}

// knownSource reports whether the attempt comes from a browser that has
// signed in to the account (its known-device cookie) or from an address
// (/64) where the account has a session: the owner, most likely, whom a
// stranger's failures must not slow.
func (s *Server) knownSource(r *http.Request, acct, ip string) bool {
	if c, err := r.Cookie(knownDeviceCookie); err == nil && hmac.Equal([]byte(c.Value), []byte(s.deviceMark(acct))) {
		return true
	}
	ctx := r.Context()
	var id int64 // none: the same queries for an address without an account
	if u, err := s.store.UserByEmail(ctx, acct); err == nil {
		id = u.ID
	}
	sessions, err := s.store.UserSessions(ctx, id)
	if err != nil {
		return false
	}
	now := s.now()
	for _, sess := range sessions {
		if a, err := netip.ParseAddr(sess.IP); err == nil && limitKey(a) == ip && !sess.Expired(now) {
			return true
		}
	}
	return false
}

// keyMAC is the HMAC-SHA256, under the site's key, of what format and args
// print: the one way the site signs what it hands out and must know again
// (known devices, preview and reset links, sign-in marks, passkey
// ceremonies). Each format begins with its own purpose, so that no value
// made for one use is good for another.
func (s *Server) keyMAC(format string, args ...any) []byte {
	mac := hmac.New(sha256.New, s.signingKey)
	fmt.Fprintf(mac, format, args...)
	return mac.Sum(nil)
}

// deviceMark is the known-device cookie's value for an account.
func (s *Server) deviceMark(acct string) string {
	return base64.RawURLEncoding.EncodeToString(s.keyMAC("known device\x00%s", acct))
}

// rememberDevice marks the browser as one that signed in to acct.
func (s *Server) rememberDevice(w http.ResponseWriter, acct string) {
	http.SetCookie(w, &http.Cookie{
		Name: knownDeviceCookie, Value: s.deviceMark(acct), Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(knownDeviceLifetime.Seconds()),
	})
}
