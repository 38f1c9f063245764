package web

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"broadsheet/internal/account"
	"broadsheet/internal/errs"
	"broadsheet/internal/newsroom"
	"broadsheet/internal/qr"
)

// The account's sign-in page, /admin/account/security: its passkeys, its
// authenticator app and its recovery codes. While the site's policy wants
// a second step the account has not set up, this page is the only one the
// account may use (see staff). Once an account has a second step, each
// change here asks for it again when the session's is older than
// account.Freshness, so that a browser left signed in cannot be used to
// add a stranger's passkey.

// securityView is the sign-in page.
type securityView struct {
	Passkeys      []account.Passkey
	Steps         account.SecondSteps
	Required      bool // the policy wants a second step of this account
	Fresh         bool // changes may be made without confirming first
	PasskeysHere  bool // this site offers passkeys at this address
	PasskeyOrigin string
	// Enrol is an authenticator being set up: its secret, and the QR code
	// of its key URI.
	Enrol *totpEnrolment
	// Codes are recovery codes just made, shown once.
	Codes  []string
	Errors []string
}

type totpEnrolment struct {
	Secret, Grouped, Mark string
	QR                    template.HTML
}

// GET /admin/account/security
func (s *Server) securityPage(w http.ResponseWriter, r *http.Request) {
	s.renderSecurity(w, r, http.StatusOK, securityView{})
}

func (s *Server) renderSecurity(w http.ResponseWriter, r *http.Request, status int, v securityView) {
	ctx := r.Context()
	u, sess := currentUser(ctx), currentSession(ctx)
	var err error
	if v.Steps, err = s.store.SecondSteps(ctx, u.ID); err == nil {
		v.Passkeys, err = s.store.UserPasskeys(ctx, u.ID)
	}
	if err == nil {
		v.Required, err = s.policyRequires(r, u)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v.Fresh = s.freshEnough(sess, v.Steps)
	v.PasskeysHere = s.passkeys != nil && s.atPasskeyOrigin(r)
	if s.passkeys != nil && !v.PasskeysHere {
		v.PasskeyOrigin = s.passkeyOrigin
	}
	s.renderAdmin(w, r, status, "security", u, "admin.security.title", v)
}

func (s *Server) policyRequires(r *http.Request, u *account.User) (bool, error) {
	site, err := s.store.Site(r.Context())
	return site.SecondStep.Requires(u.Role), err
}

// POST /admin/account/passkeys/options begins registering a passkey.
func (s *Server) passkeyRegisterOptions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	if !s.freshForJSON(w, r) {
		return
	}
	p, err := s.passkeyUser(ctx, u)
	if err == nil && len(p.keys) >= account.MaxPasskeys {
		s.passkeyJSONFail(w, r, http.StatusConflict, "admin.passkey.too_many")
		return
	}
	var opts *protocol.CredentialCreation
	var sd *webauthn.SessionData
	if err == nil {
		opts, sd, err = s.passkeys.BeginRegistration(p,
			webauthn.WithExclusions(webauthn.Credentials(p.creds).CredentialDescriptors()),
			webauthn.WithExtensions(webauthn.WithExtensionCredProps()))
	}
	if err != nil {
		s.log.Error("passkey registration options", "user", u.ID, "err", err)
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return
	}
	s.beginCeremony(w, ceremony{Purpose: ceremonyRegister, UserID: u.ID, Session: *sd}, opts)
}

// freshForJSON is needFresh for the passkey script: it answers 403 with
// where to confirm.
func (s *Server) freshForJSON(w http.ResponseWriter, r *http.Request) bool {
	ctx := r.Context()
	steps, err := s.store.SecondSteps(ctx, currentUser(ctx).ID)
	if err != nil {
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return false
	}
	if s.freshEnough(currentSession(ctx), steps) {
		return true
	}
	v := s.adminView(ctx, currentUser(ctx))
	writeJSON(w, http.StatusForbidden, map[string]string{"error": v.T("admin.security.confirm_first"), "redirect": "/admin/account/confirm?next=/admin/account/security"})
	return false
}

// firstStep follows an account's first second step: the session that set
// it up has just proved it, and every other session, which never did,
// ends.
func (s *Server) firstStep(r *http.Request, u *account.User, before account.SecondSteps) error {
	if before.Enrolled() {
		return nil
	}
	ctx := r.Context()
	sess := currentSession(ctx)
	if err := s.store.MarkSecondStep(ctx, sess.ID, s.now()); err != nil {
		return err
	}
	// Codes left from before, should any be, are not the ones this
	// enrolment shows.
	if err := s.store.SetRecoveryCodes(ctx, u.ID, nil); err != nil {
		return err
	}
	return s.store.DeleteUserSessions(ctx, u.ID, sess.ID)
}

// POST /admin/account/passkeys registers the passkey the browser made.
func (s *Server) registerPasskey(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	if !s.freshForJSON(w, r) {
		return
	}
	before, err := s.store.SecondSteps(ctx, u.ID)
	if err != nil {
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return
	}
	ans, err := readPasskeyAnswer(r)
	name := strings.TrimSpace(ans.Name)
	switch {
	case err != nil:
		s.passkeyJSONFail(w, r, http.StatusBadRequest, "admin.passkey.failed")
		return
	case name == "":
		s.passkeyJSONFail(w, r, http.StatusUnprocessableEntity, "admin.passkey.name_missing")
		return
	case utf8.RuneCountInString(name) > account.MaxPasskeyName:
		s.passkeyJSONFail(w, r, http.StatusUnprocessableEntity, "admin.passkey.name_long")
		return
	}
	c, err := s.endCeremony(w, r, ceremonyRegister)
	if err != nil || c.UserID != u.ID {
		s.passkeyJSONFail(w, r, http.StatusBadRequest, "admin.passkey.expired")
		return
	}
	p, err := s.passkeyUser(ctx, u)
	if err != nil {
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(ans.Credential)
	var cred *webauthn.Credential
	if err == nil {
		cred, err = s.passkeys.CreateCredential(p, c.Session, parsed)
	}
	if err != nil {
		s.store.Audit(ctx, auditEntry(u, "user.passkey_refused", "user", u.ID, passkeyProblem(err)))
		s.passkeyJSONFail(w, r, http.StatusBadRequest, "admin.passkey.refused")
		return
	}
	record, err := json.Marshal(cred)
	if err != nil {
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return
	}
	k := account.Passkey{UserID: u.ID, Name: name, CredentialID: cred.ID, Record: record}
	switch err := s.store.AddPasskey(ctx, &k); {
	case errors.Is(err, account.ErrTooMany):
		s.passkeyJSONFail(w, r, http.StatusConflict, "admin.passkey.too_many")
		return
	case errors.Is(err, account.ErrConflict):
		s.passkeyJSONFail(w, r, http.StatusConflict, "admin.passkey.registered")
		return
	case err != nil:
		s.log.Error("storing a passkey", "user", u.ID, "err", err)
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return
	}
	if err := s.firstStep(r, u, before); err != nil {
		s.log.Error("after a first passkey", "user", u.ID, "err", err)
		s.passkeyJSONFail(w, r, http.StatusInternalServerError, "admin.error.internal")
		return
	}
	s.store.Audit(ctx, auditEntry(u, "user.passkey_added", "passkey", k.ID, name))
	s.tellOwner(ctx, r, u, "passkey_added", name)
	answer := map[string]string{"redirect": "/admin/account/security?notice=passkey_added"}
	// With the account's first second step come its recovery codes: the
	// script posts for them at once, and the page shows them.
	if !before.Enrolled() || before.RecoveryLeft == 0 {
		answer["post"] = "/admin/account/recovery"
	}
	writeJSON(w, http.StatusCreated, answer)
}

// POST /admin/account/passkeys/{key}/delete
func (s *Server) deletePasskey(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	if s.needFresh(w, r, "/admin/account/security") {
		return
	}
	id, err := passkeyID(r)
	if err == nil {
		err = s.keepsRequiredStep(r, u, func(st account.SecondSteps) account.SecondSteps { st.Passkeys--; return st })
	}
	var k *account.Passkey
	if err == nil {
		k, err = s.store.DeletePasskey(ctx, u.ID, id)
	}
	if err == nil {
		err = s.dropOrphanCodes(r, u)
	}
	if err != nil {
		s.securityFail(w, r, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "user.passkey_removed", "passkey", k.ID, k.Name))
	s.tellOwner(ctx, r, u, "passkey_removed", k.Name)
	seeOther(w, r, "/admin/account/security", "passkey_removed")
}

var errLastStep = refuse(errs.Conflict, "admin.security.last_step")

// keepsRequiredStep refuses a removal that would leave an account the
// policy covers without a second step: it would be locked in the
// enrolment page at once.
func (s *Server) keepsRequiredStep(r *http.Request, u *account.User, after func(account.SecondSteps) account.SecondSteps) error {
	required, err := s.policyRequires(r, u)
	if err != nil || !required {
		return err
	}
	steps, err := s.store.SecondSteps(r.Context(), u.ID)
	if err != nil {
		return err
	}
	if !after(steps).Enrolled() {
		return errLastStep
	}
	return nil
}

// securityFail shows the sign-in page again with the problem.
func (s *Server) securityFail(w http.ResponseWriter, r *http.Request, err error) {
	u := currentUser(r.Context())
	switch {
	case errors.Is(err, errLastStep):
		s.renderSecurity(w, r, http.StatusConflict, securityView{Errors: []string{s.adminView(r.Context(), u).T("admin.security.last_step")}})
	default:
		s.adminFail(w, r, u, err)
	}
}

// The authenticator app. Its secret is made on one request and stored on
// the next, when the owner types a code it made: an app that was never
// set up cannot lock anyone out. Between the two the secret travels in
// the form, with a MAC binding it to the account and an expiry.

const totpEnrolmentLifetime = 30 * time.Minute

func (s *Server) totpMark(u *account.User, secret string, exp int64) string {
	return strconv.FormatInt(exp, 10) + "." + base64.RawURLEncoding.EncodeToString(s.keyMAC("totp enrolment\x00%d\x00%s\x00%d", u.ID, secret, exp))
}

func (s *Server) totpEnrolment(ctx context.Context, u *account.User, secret string, exp int64) (*totpEnrolment, error) {
	v := s.adminView(ctx, u)
	uri := account.TOTPURI(v.Site.Title, u.Email, secret)
	svg, err := qr.SVG(uri, v.T("admin.security.totp_qr"))
	if err != nil {
		return nil, err
	}
	var grouped []string
	for i := 0; i < len(secret); i += 4 {
		grouped = append(grouped, secret[i:min(i+4, len(secret))])
	}
	return &totpEnrolment{Secret: secret, Grouped: strings.Join(grouped, " "), Mark: s.totpMark(u, secret, exp), QR: template.HTML(svg)}, nil
}

// POST /admin/account/totp begins setting up an authenticator app.
func (s *Server) startTOTP(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r.Context())
	if s.needFresh(w, r, "/admin/account/security") {
		return
	}
	e, err := s.totpEnrolment(r.Context(), u, account.NewTOTPSecret(), s.now().Add(totpEnrolmentLifetime).Unix())
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.renderSecurity(w, r, http.StatusOK, securityView{Enrol: e})
}

// POST /admin/account/totp/confirm stores the app's secret once it has
// made a right code.
func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	if s.needFresh(w, r, "/admin/account/security") {
		return
	}
	secret, mark := r.PostFormValue("secret"), r.PostFormValue("mark")
	expText, _, _ := strings.Cut(mark, ".")
	exp, err := strconv.ParseInt(expText, 10, 64)
	words := s.adminView(ctx, u)
	if err != nil || !hmac.Equal([]byte(mark), []byte(s.totpMark(u, secret, exp))) || !s.now().Before(time.Unix(exp, 0)) {
		s.renderSecurity(w, r, http.StatusUnprocessableEntity, securityView{Errors: []string{words.T("admin.security.totp_expired")}})
		return
	}
	before, err := s.store.SecondSteps(ctx, u.ID)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	step, ok := account.CheckTOTP(secret, r.PostFormValue("code"), s.now(), 0)
	if !ok {
		e, err := s.totpEnrolment(ctx, u, secret, exp)
		if err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		s.renderSecurity(w, r, http.StatusUnprocessableEntity, securityView{Enrol: e, Errors: []string{words.T("admin.security.totp_wrong")}})
		return
	}
	err = s.store.SetTOTP(ctx, u.ID, secret)
	if err == nil {
		err = s.store.UseTOTPStep(ctx, u.ID, step)
	}
	if err == nil {
		err = s.firstStep(r, u, before)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "user.totp_enabled", "user", u.ID, ""))
	s.tellOwner(ctx, r, u, "totp_enabled", "")
	s.afterEnrolment(w, r, u, before, "totp_enabled")
}

// afterEnrolment shows new recovery codes with an account's first second
// step (or when none are left), or goes back to the sign-in page.
func (s *Server) afterEnrolment(w http.ResponseWriter, r *http.Request, u *account.User, before account.SecondSteps, notice string) {
	if before.Enrolled() && before.RecoveryLeft > 0 {
		seeOther(w, r, "/admin/account/security", notice)
		return
	}
	s.newRecoveryCodes(w, r, u)
}

// dropOrphanCodes removes the recovery codes of an account left without a
// second step: they would otherwise outlive it, and wait for whoever
// finds them once a new one is set up.
func (s *Server) dropOrphanCodes(r *http.Request, u *account.User) error {
	ctx := r.Context()
	steps, err := s.store.SecondSteps(ctx, u.ID)
	if err != nil || steps.Enrolled() || steps.RecoveryLeft == 0 {
		return err
	}
	return s.store.SetRecoveryCodes(ctx, u.ID, nil)
}

// POST /admin/account/totp/delete
func (s *Server) deleteTOTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	if s.needFresh(w, r, "/admin/account/security") {
		return
	}
	err := s.keepsRequiredStep(r, u, func(st account.SecondSteps) account.SecondSteps { st.TOTP = false; return st })
	if err == nil {
		err = s.store.SetTOTP(ctx, u.ID, "")
	}
	if err == nil {
		err = s.dropOrphanCodes(r, u)
	}
	if err != nil {
		s.securityFail(w, r, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "user.totp_removed", "user", u.ID, ""))
	s.tellOwner(ctx, r, u, "totp_removed", "")
	seeOther(w, r, "/admin/account/security", "totp_removed")
}

// POST /admin/account/recovery makes new recovery codes; the old stop
// working.
func (s *Server) makeRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r.Context())
	if s.needFresh(w, r, "/admin/account/security") {
		return
	}
	steps, err := s.store.SecondSteps(r.Context(), u.ID)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if !steps.Enrolled() {
		s.renderSecurity(w, r, http.StatusConflict, securityView{Errors: []string{s.adminView(r.Context(), u).T("admin.security.recovery_first")}})
		return
	}
	s.newRecoveryCodes(w, r, u)
}

func (s *Server) newRecoveryCodes(w http.ResponseWriter, r *http.Request, u *account.User) {
	ctx := r.Context()
	codes := account.NewRecoveryCodes()
	hashes := make([]string, len(codes))
	for i, c := range codes {
		hashes[i] = account.HashRecoveryCode(c)
	}
	if err := s.store.SetRecoveryCodes(ctx, u.ID, hashes); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "user.recovery_generated", "user", u.ID, ""))
	s.tellOwner(ctx, r, u, "recovery_generated", "")
	s.renderSecurity(w, r, http.StatusOK, securityView{Codes: codes})
}

// policyChanged records a change of the second-step policy and tells each
// account it newly covers, without a second step, to set one up.
func (s *Server) policyChanged(r *http.Request, before, after account.Policy) {
	queued, err := newsroom.PolicyChanged(r.Context(), s.store, currentUser(r.Context()), before, after, limitKey(s.ips.ClientIP(r)), s.now())
	if err != nil {
		s.log.Error("telling accounts of the second-step policy", "err", err)
	}
	if queued > 0 {
		s.wakeMail()
	}
}
