package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"broadsheet/internal/account"
	"broadsheet/internal/errs"
)

// Passkeys are WebAuthn credentials: the browser proves it holds a key
// made for this site's name, unlocked by the owner's fingerprint, face or
// PIN. The relying party is the host of --base-url. Browsers refuse an IP
// address as one, so a site addressed by a loopback IP (the default,
// 127.0.0.1:8080) offers passkeys at http://localhost on the same port,
// and a site addressed by any other IP offers none.

// relyingParty makes the WebAuthn configuration for baseURL, or nil and ""
// when the address cannot carry passkeys. origin is where they work, and
// atLocalhost says it is localhost standing in for a loopback IP.
func relyingParty(baseURL string) (wa *webauthn.WebAuthn, origin string, atLocalhost bool) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return nil, "", false
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if !a.IsLoopback() {
			return nil, "", false
		}
		host, atLocalhost = "localhost", true
	}
	origin = u.Scheme + "://" + host
	if p := u.Port(); p != "" {
		origin += ":" + p
	}
	wa, err = webauthn.New(&webauthn.Config{
		RPID:                  host,
		RPDisplayName:         host,
		RPOrigins:             []string{origin},
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyLifetime, TimeoutUVD: ceremonyLifetime},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyLifetime, TimeoutUVD: ceremonyLifetime},
		},
	})
	if err != nil {
		return nil, "", false
	}
	return wa, origin, atLocalhost
}

// A ceremony is one passkey exchange between its two requests: the
// challenge sent, and what the answer must match. It travels in a cookie
// signed with the site's key, so that any instance can finish what
// another began, and its challenge is spent when it finishes, so that an
// answer cannot be played twice.
const (
	ceremonyCookie   = "__Host-broadsheet_ceremony"
	ceremonyLifetime = 5 * time.Minute
)

type ceremony struct {
	Purpose string               `json:"p"`
	UserID  int64                `json:"u,omitempty"`
	Session webauthn.SessionData `json:"s"`
}

// Ceremony purposes.
const (
	ceremonySignIn   = "sign-in"  // a passkey alone, from the sign-in page
	ceremonyVerify   = "verify"   // the second step after a password
	ceremonyConfirm  = "confirm"  // a second step again, in a session
	ceremonyRegister = "register" // a new passkey
)

var errCeremony = refuse(errs.BadRequest, "admin.passkey.expired")

func (s *Server) ceremonyMAC(payload string) string {
	return base64.RawURLEncoding.EncodeToString(s.keyMAC("passkey ceremony\x00%s", payload))
}

// beginCeremony answers a passkey request's first half: the options for
// the browser, and the cookie that remembers them.
func (s *Server) beginCeremony(w http.ResponseWriter, c ceremony, options any) {
	b, err := json.Marshal(c)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "passkey options"})
		return
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: ceremonyCookie, Value: payload + "." + s.ceremonyMAC(payload), Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(ceremonyLifetime.Seconds()),
	})
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, options)
}

// endCeremony reads and spends the ceremony of purpose the browser
// brings; errCeremony if there is none, it is forged or stale, or it was
// spent already.
func (s *Server) endCeremony(w http.ResponseWriter, r *http.Request, purpose string) (*ceremony, error) {
	http.SetCookie(w, &http.Cookie{Name: ceremonyCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	ck, err := r.Cookie(ceremonyCookie)
	if err != nil || len(ck.Value) > 4096 {
		return nil, errCeremony
	}
	payload, mac, ok := bytes.Cut([]byte(ck.Value), []byte("."))
	if !ok || !hmac.Equal(mac, []byte(s.ceremonyMAC(string(payload)))) {
		return nil, errCeremony
	}
	raw, err := base64.RawURLEncoding.DecodeString(string(payload))
	var c ceremony
	if err != nil || json.Unmarshal(raw, &c) != nil || c.Purpose != purpose || !s.now().Before(c.Session.Expires) {
		return nil, errCeremony
	}
	first, err := s.store.MarkUsed(r.Context(), "passkey:"+c.Session.Challenge, c.Session.Expires)
	if err != nil {
		return nil, err
	}
	if !first {
		return nil, errCeremony
	}
	return &c, nil
}

// passkeyUser is an account as the WebAuthn library sees it.
type passkeyUser struct {
	*account.User
	handle []byte
	keys   []account.Passkey
	creds  []webauthn.Credential
}

func (p *passkeyUser) WebAuthnID() []byte                         { return p.handle }
func (p *passkeyUser) WebAuthnName() string                       { return p.Email }
func (p *passkeyUser) WebAuthnDisplayName() string                { return p.Name }
func (p *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

// userHandle is the id a passkey keeps for its account: a MAC of the
// account's id, so that it is stable and tells nobody the id.
func (s *Server) userHandle(id int64) []byte {
	return s.keyMAC("passkey user\x00%d", id)[:16]
}

// passkeyUser loads u's passkeys.
func (s *Server) passkeyUser(ctx context.Context, u *account.User) (*passkeyUser, error) {
	keys, err := s.store.UserPasskeys(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	p := &passkeyUser{User: u, handle: s.userHandle(u.ID), keys: keys}
	for _, k := range keys {
		var c webauthn.Credential
		if err := json.Unmarshal(k.Record, &c); err != nil {
			return nil, fmt.Errorf("passkey %d: record: %w", k.ID, err)
		}
		p.creds = append(p.creds, c)
	}
	return p, nil
}

// discoverUser finds the account of a passkey that named itself.
func (s *Server) discoverUser(ctx context.Context) webauthn.DiscoverableUserHandler {
	return func(rawID, userHandle []byte) (webauthn.User, error) {
		k, err := s.store.PasskeyByCredentialID(ctx, rawID)
		if err != nil {
			return nil, err
		}
		u, err := s.store.UserByID(ctx, k.UserID)
		if err != nil {
			return nil, err
		}
		if !hmac.Equal(userHandle, s.userHandle(u.ID)) {
			return nil, errors.New("passkey: user handle does not match its account")
		}
		return s.passkeyUser(ctx, u)
	}
}

// passkeyRoute wraps a passkey request: 404 where the site's address
// carries no passkeys (see relyingParty).
func (s *Server) passkeyRoute(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.passkeys == nil {
			s.passkeyJSONFail(w, r, http.StatusNotFound, "admin.passkey.unavailable")
			return
		}
		h(w, r)
	}
}

// passkeyAnswer is what the browser posts: the credential and a few
// fields of ours beside it.
type passkeyAnswer struct {
	Credential json.RawMessage `json:"credential"`
	Name       string          `json:"name,omitempty"` // a new passkey's name
	Next       string          `json:"next,omitempty"` // where a sign-in goes
}

func readPasskeyAnswer(r *http.Request) (passkeyAnswer, error) {
	var a passkeyAnswer
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil || len(a.Credential) == 0 {
		return a, refuse(errs.BadRequest, "admin.passkey.failed")
	}
	return a, nil
}

// keepUse stores a passkey's record after it signed in: its counter
// moved. A counter that went back is a cloned authenticator's sign, and
// the sign-in is refused.
func (s *Server) keepUse(ctx context.Context, p *passkeyUser, cred *webauthn.Credential) (*account.Passkey, error) {
	for i := range p.keys {
		if !bytes.Equal(p.keys[i].CredentialID, cred.ID) {
			continue
		}
		if cred.Authenticator.CloneWarning {
			return nil, errPasskeyCloned
		}
		record, err := json.Marshal(cred)
		if err != nil {
			return nil, err
		}
		if err := s.store.UsePasskey(ctx, p.keys[i].ID, record, s.now()); err != nil {
			return nil, err
		}
		return &p.keys[i], nil
	}
	return nil, errPasskeyUnknown
}

var (
	errPasskeyCloned  = errors.New("passkey: its signature counter went back")
	errPasskeyUnknown = errors.New("passkey: not registered to the account")
)

// passkeyJSONFail answers a passkey request that failed: the browser's
// script shows the message.
func (s *Server) passkeyJSONFail(w http.ResponseWriter, r *http.Request, status int, key string) {
	v := s.adminView(r.Context(), currentUser(r.Context()))
	writeJSON(w, status, map[string]string{"error": v.T(key)})
}

// passkeyID is a passkey's id from the path.
func passkeyID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("key"), 10, 64)
	if err != nil || id <= 0 {
		return 0, account.ErrNotFound
	}
	return id, nil
}

// parseAssertion reads a passkey's answer to a sign-in.
func parseAssertion(b []byte) (*protocol.ParsedCredentialAssertionData, error) {
	return protocol.ParseCredentialRequestResponseBytes(b)
}

// passkeyProblem names what was wrong with a passkey's answer, for the
// audit log: the library's words, never the browser's.
func passkeyProblem(err error) string {
	var pe *protocol.Error
	switch {
	case errors.As(err, &pe):
		return pe.Details
	case errors.Is(err, errPasskeyCloned):
		return "its signature counter went back"
	case errors.Is(err, account.ErrNotFound), errors.Is(err, errPasskeyUnknown):
		return "not registered"
	}
	return "refused"
}

// POST /admin/login/passkey/options begins a sign-in with a passkey alone:
// the browser offers the passkeys it holds for this site, no address
// typed.
func (s *Server) signInPasskeyOptions(w http.ResponseWriter, r *http.Request) {
	// A passkey alone is the whole sign-in: the authenticator must have
	// checked its owner (fingerprint, face or PIN), not only that someone
	// touched it.
	opts, sd, err := s.passkeys.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		s.log.Error("passkey sign-in options", "err", err)
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return
	}
	s.beginCeremony(w, ceremony{Purpose: ceremonySignIn, Session: *sd}, opts)
}

// POST /admin/login/passkey signs in with a passkey. Failures count
// against the address as failed sign-ins do.
func (s *Server) signInPasskey(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	w.Header().Set("Cache-Control", "no-store")
	ip := limitKey(s.ips.ClientIP(r))
	if ok, retry := s.loginByIP.Allow(ip); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
		s.passkeyJSONFail(w, r, http.StatusTooManyRequests, "admin.passkey.throttled")
		return
	}
	ans, err := readPasskeyAnswer(r)
	var c *ceremony
	if err == nil {
		c, err = s.endCeremony(w, r, ceremonySignIn)
	}
	if err != nil {
		s.passkeyJSONFail(w, r, http.StatusBadRequest, "admin.passkey.expired")
		return
	}
	parsed, err := parseAssertion(ans.Credential)
	var found webauthn.User
	var cred *webauthn.Credential
	if err == nil {
		found, cred, err = s.passkeys.ValidatePasskeyLogin(s.discoverUser(ctx), c.Session, parsed)
	}
	var p *passkeyUser
	if err == nil {
		p = found.(*passkeyUser)
		_, err = s.keepUse(ctx, p, cred)
	}
	if err == nil && p.Disabled {
		err = errors.New("passkey: the account is disabled")
	}
	if err != nil {
		if p != nil {
			s.store.Audit(ctx, auditEntry(p.User, "user.passkey_refused", "user", p.ID, passkeyProblem(err)+", "+ip))
		}
		s.passkeyJSONFail(w, r, http.StatusUnauthorized, "admin.passkey.refused")
		return
	}
	s.loginByIP.Undo(ip)
	if err := s.signedIn(w, r, p.User, methodPasskey); err != nil {
		s.log.Error("starting a session", "user", p.ID, "err", err)
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"redirect": safeNext(ans.Next)})
}
