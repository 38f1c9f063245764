package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"broadsheet/internal/account"
	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
)

// contentFunc serves a Content API request; adminFunc an Admin API request
// on behalf of the token's user. Both return their error to fail.
type (
	contentFunc func(w http.ResponseWriter, r *http.Request) error
	adminFunc   func(w http.ResponseWriter, r *http.Request, u *account.User) error
)

// content wraps a public endpoint: readable from any origin, errors
// included, and rate-limited per client address.
func (h *handler) content(fn contentFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		allowAnyOrigin(w)
		if ok, retry := h.perIP.Allow(h.ips.Key(r)); !ok {
			h.fail(w, r, tooManyRequests(retry))
			return
		}
		if err := fn(w, r); err != nil {
			h.fail(w, r, err)
		}
	}
}

var (
	errNoToken = httperr.New(http.StatusUnauthorized, "unauthorized",
		"this endpoint needs an API token: Authorization: Bearer TOKEN")
	errBadToken = httperr.New(http.StatusUnauthorized, "unauthorized",
		"the API token is unknown or revoked, or its user is disabled")
)

// admin wraps a newsroom endpoint: a valid token, its rate limit, and at
// least perm for the token's user. Responses are never cached.
func (h *handler) admin(perm account.Permission, fn adminFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		ip := h.ips.Key(r)
		// An address that keeps presenting bad tokens is refused before
		// any lookup, valid token or not, until its window passes. Only
		// bad tokens count: each request takes its slot before the token
		// is looked up, so that simultaneous guesses cannot slip past the
		// count, and gives it back unless its token was bad. Allow and
		// Undo count where the limit counts, shared by every instance
		// when it is shared.
		if ok, retry := h.failedAuth.Allow(ip); !ok {
			h.fail(w, r, tooManyRequests(retry))
			return
		}
		u, tok, err := h.authenticate(r)
		if errors.Is(err, errBadToken) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="broadsheet", error="invalid_token"`)
			h.fail(w, r, err)
			return
		}
		h.failedAuth.Undo(ip)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if ok, retry := h.perToken.Allow("token:" + strconv.FormatInt(tok.ID, 10)); !ok {
			h.fail(w, r, tooManyRequests(retry))
			return
		}
		h.touch(r, tok)
		if !u.Can(perm) {
			h.fail(w, r, errForbidden)
			return
		}
		if err := fn(w, r, u); err != nil {
			h.fail(w, r, err)
		}
	}
}

var errForbidden = errs.Shown(errs.Forbidden, "your role does not allow this")

// authenticate finds the user behind the request's bearer token. A token
// acts as its user, with that user's role as it is now.
func (h *handler) authenticate(r *http.Request) (*account.User, *account.Token, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, nil, errNoToken
	}
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 200 {
		return nil, nil, errBadToken
	}
	ctx := r.Context()
	t, err := h.store.TokenByHash(ctx, account.HashToken(token))
	if errors.Is(err, account.ErrNotFound) {
		return nil, nil, errBadToken
	} else if err != nil {
		return nil, nil, err
	}
	if !t.RevokedAt.IsZero() {
		return nil, nil, errBadToken
	}
	u, err := h.store.UserByID(ctx, t.UserID)
	if errors.Is(err, account.ErrNotFound) {
		return nil, nil, errBadToken
	} else if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, errBadToken
	}
	return u, t, nil
}

// touch records the token's use at most once a minute: the stored time
// covers other processes, the map concurrent requests in this one.
func (h *handler) touch(r *http.Request, t *account.Token) {
	now := h.now()
	if now.Sub(t.LastUsedAt) < account.SeenResolution {
		return
	}
	h.mu.Lock()
	if now.Sub(h.touched[t.ID]) < account.SeenResolution {
		h.mu.Unlock()
		return
	}
	h.touched[t.ID] = now
	h.mu.Unlock()
	if err := h.store.TouchToken(r.Context(), t.ID, now); err != nil {
		h.log.Warn("api: recording token use", "token", t.ID, "err", err)
	}
}
