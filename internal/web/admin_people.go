package web

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/newsroom"
)

// Preview links let someone without an account read an unpublished article
// until the link expires. They are signed with the site's key, so nobody
// can make one for another article or stretch its life.
const previewLifetime = 48 * time.Hour

func (s *Server) previewSignature(id int64, expires int64) string {
	return base64.RawURLEncoding.EncodeToString(s.keyMAC("preview:%d:%d", id, expires))
}

func (s *Server) previewURL(id int64, expires time.Time) string {
	exp := expires.Unix()
	return fmt.Sprintf("%s/preview/%d?expires=%d&sig=%s", s.baseURL, id, exp, s.previewSignature(id, exp))
}

// GET /preview/{id}?expires=&sig=
func (s *Server) signedPreview(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	exp, eerr := strconv.ParseInt(r.URL.Query().Get("expires"), 10, 64)
	sig := r.URL.Query().Get("sig")
	if err != nil || eerr != nil || !hmac.Equal([]byte(sig), []byte(s.previewSignature(id, exp))) {
		s.fail(w, r, article.ErrNotFound)
		return
	}
	if s.now().Unix() > exp {
		s.fail(w, r, refuse(errs.Gone, "error.preview_expired"))
		return
	}
	a, err := s.store.ArticleByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if a.Visible() {
		redirect(w, r, articlePath(a), http.StatusFound)
		return
	}
	if a.Status == article.Unpublished {
		// A withdrawn article stays withdrawn, whatever links went out.
		s.fail(w, r, refuse(errs.Gone, "error.410.body"))
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.renderArticlePreview(w, r, a)
}

// accountView is the signed-in user's own page.
type accountView struct {
	Sessions       []account.Session
	CurrentSession int64
	Tokens         []account.Token
	Steps          account.SecondSteps
	// NewToken is a token just made, shown once; TokenName what was typed.
	NewToken, TokenName string
	Errors              []string
}

// GET /admin/account
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, http.StatusOK, nil)
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, problems []string) {
	s.renderAccountView(w, r, status, accountView{Errors: problems})
}

func (s *Server) renderAccountView(w http.ResponseWriter, r *http.Request, status int, v accountView) {
	ctx := r.Context()
	u := currentUser(ctx)
	v.CurrentSession = currentSession(ctx).ID
	var err error
	if v.Sessions, err = s.store.UserSessions(ctx, u.ID); err == nil {
		v.Tokens, err = s.store.UserTokens(ctx, u.ID)
	}
	if err == nil {
		v.Steps, err = s.store.SecondSteps(ctx, u.ID)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.renderAdmin(w, r, status, "account", u, "admin.account.title", v)
}

// POST /admin/account/password changes the password and ends every other
// browser session, so a password changed because of a leak signs the
// intruder out. API tokens are listed on the same page to be revoked.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	current, next, confirm := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
	v := s.adminView(ctx, u)
	// Wrong current passwords are counted, as failed sign-ins are: the
	// slot is taken before the check and given back when it passes.
	key := "password-change|" + strconv.FormatInt(u.ID, 10)
	if ok, retry := s.loginByAccount.Allow(key); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
		s.renderAccount(w, r, http.StatusTooManyRequests, []string{v.T("admin.login.throttled", int(retry.Minutes())+1)})
		return
	}
	if !account.VerifyPassword(u.PasswordHash, current) {
		s.renderAccount(w, r, http.StatusUnprocessableEntity, []string{v.T("admin.account.wrong_current")})
		return
	}
	s.loginByAccount.Undo(key)
	switch {
	case next != confirm:
		s.renderAccount(w, r, http.StatusUnprocessableEntity, []string{v.T("admin.account.mismatch")})
		return
	}
	site, _ := s.store.Site(ctx)
	if err := account.CheckPassword(next, u.Email, u.Name, site.Title); err != nil {
		s.renderAccount(w, r, http.StatusUnprocessableEntity, problemsOf(v.cat, err))
		return
	}
	hash, err := account.HashPassword(next)
	if err == nil {
		// The hash alone: an admin disabling the account meanwhile stays.
		err = s.store.SetPassword(ctx, u.ID, hash)
	}
	if err == nil {
		err = s.store.DeleteUserSessions(ctx, u.ID, currentSession(ctx).ID)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "user.password", "user", u.ID, ""))
	seeOther(w, r, "/admin/account", "password")
}

// POST /admin/account/sessions/{id}/revoke ends one of the user's sessions.
func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	id, err := pathID(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	sessions, err := s.store.UserSessions(ctx, u.ID)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	for _, sess := range sessions {
		if sess.ID == id { // only the user's own sessions
			if err := s.store.DeleteSession(ctx, id); err != nil {
				s.adminFail(w, r, u, err)
				return
			}
			if id == currentSession(ctx).ID {
				clearSessionCookie(w)
				redirect(w, r, "/admin/login", http.StatusSeeOther)
				return
			}
			seeOther(w, r, "/admin/account", "revoked")
			return
		}
	}
	s.adminFail(w, r, u, article.ErrNotFound)
}

// POST /admin/account/tokens/{id}/revoke revokes one of the user's API tokens.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	id, err := pathID(r)
	if err == nil {
		err = s.store.RevokeToken(ctx, u.ID, id, s.now())
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "token.revoke", "token", id, ""))
	seeOther(w, r, "/admin/account", "revoked")
}

// maxTokenName is the length of the longest API token name, in
// characters.
const maxTokenName = 100

// POST /admin/account/tokens makes an API token. A token acts as its
// account without a second step, so making one asks for the account's
// second step, taken within account.Freshness; an account without one
// sets one up first.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	name := strings.TrimSpace(r.PostFormValue("name"))
	words := s.adminView(ctx, u)
	steps, err := s.store.SecondSteps(ctx, u.ID)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	switch {
	case !steps.Enrolled():
		s.renderAccountView(w, r, http.StatusConflict, accountView{TokenName: name, Errors: []string{words.T("admin.account.token_needs_step")}})
		return
	case name == "":
		s.renderAccountView(w, r, http.StatusUnprocessableEntity, accountView{Errors: []string{words.T("admin.account.token_name_missing")}})
		return
	case utf8.RuneCountInString(name) > maxTokenName:
		s.renderAccountView(w, r, http.StatusUnprocessableEntity, accountView{TokenName: name, Errors: []string{words.T("admin.account.token_name_long", maxTokenName)}})
		return
	}
	if s.needFresh(w, r, "/admin/account") {
		return
	}
	token, hash := account.NewToken()
	t := account.Token{UserID: u.ID, Name: name, TokenHash: hash}
	if err := s.store.CreateToken(ctx, &t); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "token.create", "token", t.ID, name))
	s.tellOwner(ctx, r, u, "token_created", name)
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.renderAccountView(w, r, http.StatusCreated, accountView{NewToken: token})
}

// POST /admin/users/{id}/second-step/reset removes a colleague's passkeys,
// authenticator app and recovery codes, when they have lost them all, and
// signs them out everywhere. Under the policy they set up a new second
// step at their next sign-in.
func (s *Server) resetSecondStep(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	admin := currentUser(ctx)
	if s.needFresh(w, r, "/admin/users") {
		return
	}
	id, err := pathID(r)
	var target *account.User
	if err == nil {
		target, err = s.store.UserByID(ctx, id)
	}
	if err == nil {
		err = s.store.ResetSecondSteps(ctx, id)
	}
	if err == nil {
		err = s.store.DeleteUserSessions(ctx, id, 0)
	}
	if err != nil {
		s.adminFail(w, r, admin, err)
		return
	}
	s.store.Audit(ctx, auditEntry(admin, "user.second_step_reset", "user", id, target.Email))
	s.tellOwner(ctx, r, target, "second_step_reset", admin.Name)
	seeOther(w, r, "/admin/users", "second_step_reset")
}

// usersView is the admin's list of newsroom accounts.
type usersView struct {
	Users []account.User
	// Steps is each account's second step, by id; Policy the site's.
	Steps   map[int64]account.SecondSteps
	Policy  account.Policy
	Authors []article.Author
	Roles   []account.Role
	Form    struct{ Email, Name, Role string }
	Errors  []string
}

// GET /admin/users
func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, usersView{})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, v usersView) {
	ctx := r.Context()
	u := currentUser(ctx)
	var err error
	if v.Users, err = s.store.Users(ctx); err == nil {
		v.Authors, err = s.store.Authors(ctx)
	}
	v.Steps = make(map[int64]account.SecondSteps, len(v.Users))
	for _, x := range v.Users {
		if err != nil {
			break
		}
		v.Steps[x.ID], err = s.store.SecondSteps(ctx, x.ID)
	}
	var site article.Site
	if err == nil {
		site, err = s.store.Site(ctx)
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v.Roles, v.Policy = account.Roles, site.SecondStep
	s.renderAdmin(w, r, status, "users", u, "admin.users.title", v)
}

// POST /admin/users creates an account with a password the admin passes on.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	admin := currentUser(ctx)
	// A new account, with a password the admin chooses, is lasting access:
	// as much as a second step of one's own.
	if s.needFresh(w, r, "/admin/users") {
		return
	}
	var v usersView
	v.Form.Email, v.Form.Name, v.Form.Role = strings.TrimSpace(r.PostFormValue("email")), strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("role")
	nu := &account.User{Email: v.Form.Email, Name: v.Form.Name, Role: account.Role(v.Form.Role)}
	nu.AuthorID, _ = strconv.ParseInt(r.PostFormValue("author"), 10, 64)
	if err := newsroom.CreateUser(ctx, s.store, admin, nu, r.PostFormValue("password")); err != nil {
		if errs.KindOf(err) != errs.Invalid {
			s.adminFail(w, r, admin, err)
			return
		}
		v.Errors = problemsOf(s.adminWords(ctx), err)
		s.renderUsers(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	seeOther(w, r, "/admin/users", "user")
}

// POST /admin/users/{id} changes a user's role or disables the account. The
// last enabled admin cannot demote or disable themselves out of the site.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	admin := currentUser(ctx)
	id, err := pathID(r)
	var target *account.User
	if err == nil {
		target, err = s.store.UserByID(ctx, id)
	}
	if err != nil {
		s.adminFail(w, r, admin, err)
		return
	}
	role := account.Role(r.PostFormValue("role"))
	// Raising a role gives lasting power, as a new account does.
	fresh := s.needFreshIfEnrolled
	if role.Valid() && !target.Role.AtLeast(role) {
		fresh = s.needFresh
	}
	if fresh(w, r, "/admin/users") {
		return
	}
	disabled := r.PostFormValue("disabled") == "on"
	authorID, _ := strconv.ParseInt(r.PostFormValue("author"), 10, 64)
	if _, err := newsroom.UpdateUser(ctx, s.store, admin, id, newsroom.UserChange{Role: &role, Disabled: &disabled, AuthorID: &authorID}); err != nil {
		s.adminFail(w, r, admin, err)
		return
	}
	seeOther(w, r, "/admin/users", "user")
}

// GET /admin/banner and POST /admin/banner set the breaking-news banner.
func (s *Server) bannerPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	b, err := s.store.Banner(ctx)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "banner", u, "admin.banner.title", map[string]any{"Banner": b, "Active": b.Active(s.now()),
		"Expires": localInput(b.Expires, s.siteLocation(r))})
}

// The Clear button alone takes the banner down: a form sent empty is
// refused, naming the headline, and the live banner stays.
func (s *Server) setBanner(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	if r.PostFormValue("action") == "clear" {
		if err := newsroom.ClearBanner(ctx, s.store, u); err != nil {
			s.adminFail(w, r, u, err)
			return
		}
		seeOther(w, r, "/admin/banner", "banner")
		return
	}
	b := article.Banner{Text: r.PostFormValue("text"), URL: r.PostFormValue("url")}
	if exp, err := time.ParseInLocation(localInputLayout, r.PostFormValue("expires"), s.siteLocation(r)); err == nil {
		b.Expires = exp
	}
	if err := newsroom.SetBanner(ctx, s.store, u, b, s.now()); err != nil {
		if errs.KindOf(err) != errs.Invalid {
			s.adminFail(w, r, u, err)
			return
		}
		s.renderAdmin(w, r, http.StatusUnprocessableEntity, "banner", u, "admin.banner.title", map[string]any{"Banner": b,
			"Errors": problemsOf(s.adminWords(ctx), err), "Expires": r.PostFormValue("expires")})
		return
	}
	seeOther(w, r, "/admin/banner", "banner")
}

// GET /admin/audit
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	entries, err := s.store.AuditLog(ctx, before, 100)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	next := ""
	if len(entries) == 100 {
		next = "/admin/audit?before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	s.renderAdmin(w, r, http.StatusOK, "audit", u, "admin.audit.title", map[string]any{"Entries": entries, "Next": next})
}
