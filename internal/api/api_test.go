package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/comment"
	"broadsheet/internal/newsroom"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/subscription"
	"broadsheet/internal/webhook"
)

var _ Store = (*sqlite.DB)(nil)

const baseURL = "https://courier.example"

// fixture is the API over a real SQLite file, a user and a token per role,
// and a clock the test moves.
type fixture struct {
	t      *testing.T
	db     *sqlite.DB
	svc    *newsroom.Service
	deps   Deps
	api    *handler     // the API itself
	h      http.Handler // the API, its every answer checked against its OpenAPI document
	users  map[account.Role]*account.User
	tokens map[account.Role]string
	logs   *bytes.Buffer

	mu  sync.Mutex
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{t: t, db: db, users: map[account.Role]*account.User{}, tokens: map[account.Role]string{},
		logs: &bytes.Buffer{}, now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	db.SetClock(f.clock)
	log := slog.New(slog.NewTextHandler(f.logs, nil))
	f.svc = newsroom.New(db, f.clock, log)
	key, err := db.SigningKey(ctx)
	must(t, err)
	issuer, err := challenge.New(challenge.Config{Key: key, Now: f.clock}, db)
	must(t, err)
	antibot := challenge.Policy{Builtin: issuer}
	f.deps = Deps{Store: db, Newsroom: f.svc, BaseURL: baseURL + "/", Log: log, Now: f.clock, Challenges: issuer,
		Comments:      comment.NewService(db, comment.Config{Key: key, Antibot: antibot, Now: f.clock}),
		Subscriptions: subscription.NewService(db, subscription.Config{Antibot: antibot, Consent: "test"}),
		Webhooks:      webhook.NewService(db, webhook.Config{Site: webhook.Site{BaseURL: baseURL}, Now: f.clock, Log: log})}
	f.api = New(f.deps).(*handler)
	f.h = checkResponses(t, f.api)
	must(t, db.CreateSection(ctx, &article.Section{Slug: "city", Name: "City", Position: 1}))
	must(t, db.CreateSection(ctx, &article.Section{Slug: "sport", Name: "Sport", Position: 2}))
	must(t, db.CreateAuthor(ctx, &article.Author{Slug: "ada", Name: "Ada Reed", Role: "City reporter"}))
	must(t, db.CreateAuthor(ctx, &article.Author{Slug: "bo", Name: "Bo Lind"}))
	for _, r := range account.Roles {
		u := &account.User{Email: string(r) + "@courier.example", Name: string(r), Role: r, PasswordHash: "x"}
		must(t, db.CreateUser(ctx, u))
		f.users[r] = u
		f.tokens[r] = f.token(u)
	}
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// token issues a new API token for u, as `broadsheet token create` does.
func (f *fixture) token(u *account.User) string {
	f.t.Helper()
	token, hash := account.NewToken()
	must(f.t, f.db.CreateToken(context.Background(), &account.Token{UserID: u.ID, Name: "test", TokenHash: hash}))
	return token
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// req is one request: JSON body when body is not empty, from addr.
type req struct {
	method, path, token, body string
	contentType               string   // default application/json when there is a body
	headers                   []string // more headers, name and value
	addr                      string   // default 192.0.2.1
}

func (f *fixture) serve(rq req) *httptest.ResponseRecorder {
	f.t.Helper()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	r := httptest.NewRequest(rq.method, rq.path, body)
	if rq.body != "" {
		ct := rq.contentType
		if ct == "" {
			ct = "application/json"
		}
		r.Header.Set("Content-Type", ct)
	}
	if rq.token != "" {
		r.Header.Set("Authorization", "Bearer "+rq.token)
	}
	for i := 0; i+1 < len(rq.headers); i += 2 {
		r.Header.Set(rq.headers[i], rq.headers[i+1])
	}
	r.RemoteAddr = "192.0.2.1:4711"
	if rq.addr != "" {
		r.RemoteAddr = rq.addr + ":4711"
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

// as sends a request with role's token.
func (f *fixture) as(role account.Role, method, path, body string) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.serve(req{method: method, path: path, token: f.tokens[role], body: body})
}

func (f *fixture) get(path string) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.serve(req{method: "GET", path: path})
}

func decodeAs[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("response %d is not JSON: %v\n%s", w.Code, err, w.Body)
	}
	return v
}

// apiErr is the error body every failure has.
type apiErr struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
		Current *struct {
			Version  int    `json:"version"`
			Headline string `json:"headline"`
		} `json:"current"`
	} `json:"error"`
}

// wantError checks status, code and the JSON error shape.
func wantError(t *testing.T, name string, w *httptest.ResponseRecorder, status int, code string) apiErr {
	t.Helper()
	if w.Code != status {
		t.Errorf("%s: status = %d, want %d\n%s", name, w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("%s: Content-Type = %q, want JSON", name, ct)
	}
	e := decodeAs[apiErr](t, w)
	if e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("%s: error = %+v, want code %q and a message", name, e.Error, code)
	}
	return e
}

// article is the subset of the article JSON the tests look at.
type articleResp struct {
	CommentsClosed bool       `json:"comments_closed"`
	ID             int64      `json:"id"`
	Slug           string     `json:"slug"`
	URL            string     `json:"url"`
	Headline       string     `json:"headline"`
	Status         string     `json:"status"`
	Version        int        `json:"version"`
	Body           *string    `json:"body"`
	BodyHTML       *string    `json:"body_html"`
	PublishedAt    *time.Time `json:"published_at"`
	Tags           []struct {
		Slug string `json:"slug"`
	} `json:"tags"`
	Section struct {
		Slug string `json:"slug"`
	} `json:"section"`
}

// create makes an article through the API and returns it.
func (f *fixture) create(role account.Role, fields string) articleResp {
	f.t.Helper()
	w := f.as(role, "POST", "/api/v1/admin/articles", fields)
	if w.Code != http.StatusCreated {
		f.t.Fatalf("create %s: %d %s", fields, w.Code, w.Body)
	}
	return decodeAs[articleResp](f.t, w)
}

func story(headline string, extra ...string) string {
	fields := []string{`"headline":` + strconv.Quote(headline), `"body":"Councillors voted."`, `"section":"city"`, `"authors":["ada"]`}
	return "{" + strings.Join(append(fields, extra...), ",") + "}"
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	revoked := f.token(f.users[account.Editor])
	tok, err := f.db.TokenByHash(ctx, account.HashToken(revoked))
	must(t, err)
	must(t, f.db.RevokeToken(ctx, f.users[account.Editor].ID, tok.ID, f.clock()))
	gone := &account.User{Email: "gone@courier.example", Name: "Gone", Role: account.Editor, PasswordHash: "x"}
	must(t, f.db.CreateUser(ctx, gone))
	disabled := f.token(gone)
	gone.Disabled = true
	must(t, f.db.UpdateUser(ctx, gone))

	tests := []struct {
		name   string
		header string
		status int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"basic scheme", "Basic " + f.tokens[account.Editor], http.StatusUnauthorized},
		{"bearer without token", "Bearer ", http.StatusUnauthorized},
		{"unknown token", "Bearer not-a-token", http.StatusUnauthorized},
		{"revoked token", "Bearer " + revoked, http.StatusUnauthorized},
		{"disabled user", "Bearer " + disabled, http.StatusUnauthorized},
		{"valid token", "Bearer " + f.tokens[account.Editor], http.StatusOK},
		{"scheme is case-insensitive", "bearer " + f.tokens[account.Editor], http.StatusOK},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/api/v1/admin/articles", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		if tt.status == http.StatusOK {
			if w.Code != http.StatusOK {
				t.Errorf("%s: status = %d, want 200\n%s", tt.name, w.Code, w.Body)
			}
			continue
		}
		wantError(t, tt.name, w, tt.status, "unauthorized")
		if got := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			t.Errorf("%s: WWW-Authenticate = %q, want Bearer", tt.name, got)
		}
	}
}

func TestTokenUseRecordedOncePerMinute(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	hash := account.HashToken(f.tokens[account.Author])
	lastUsed := func() time.Time {
		tok, err := f.db.TokenByHash(ctx, hash)
		must(t, err)
		return tok.LastUsedAt
	}
	start := f.clock()
	steps := []struct {
		name    string
		advance time.Duration
		want    time.Time
	}{
		{"first use is recorded", 0, start},
		{"use within the minute is not", 30 * time.Second, start},
		{"use a minute later is", 31 * time.Second, start.Add(61 * time.Second)},
	}
	for _, s := range steps {
		f.advance(s.advance)
		if w := f.as(account.Author, "GET", "/api/v1/admin/sections", ""); w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", s.name, w.Code, w.Body)
		}
		if got := lastUsed(); !got.Equal(s.want) {
			t.Errorf("%s: last used = %v, want %v", s.name, got, s.want)
		}
	}
}

func TestRequestBodies(t *testing.T) {
	f := newFixture(t)
	big := story("Big", `"standfirst":"`+strings.Repeat("x", maxBodyBytes)+`"`)
	tests := []struct {
		name        string
		body        string
		contentType string
		status      int
		code        string
		field       string
	}{
		{"unknown field", story("A", `"colour":"red"`), "", http.StatusBadRequest, "bad_request", "colour"},
		{"wrong type", `{"headline":42}`, "", http.StatusBadRequest, "bad_request", "headline"},
		{"malformed JSON", `{"headline":`, "", http.StatusBadRequest, "bad_request", ""},
		{"not an object", `["headline"]`, "", http.StatusBadRequest, "bad_request", ""},
		{"two values", story("A") + story("B"), "", http.StatusBadRequest, "bad_request", ""},
		{"oversize body", big, "", http.StatusRequestEntityTooLarge, "too_large", ""},
		{"form content type", "headline=A", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, "unsupported_media_type", ""},
		{"text content type", story("A"), "text/plain", http.StatusUnsupportedMediaType, "unsupported_media_type", ""},
		{"other charset", story("A"), "application/json; charset=latin1", http.StatusUnsupportedMediaType, "unsupported_media_type", ""},
		{"JSON with charset", story("Charset ok"), "application/json; charset=UTF-8", http.StatusCreated, "", ""},
	}
	for _, tt := range tests {
		w := f.serve(req{method: "POST", path: "/api/v1/admin/articles", token: f.tokens[account.Editor], body: tt.body, contentType: tt.contentType})
		if tt.code == "" {
			if w.Code != tt.status {
				t.Errorf("%s: status = %d, want %d\n%s", tt.name, w.Code, tt.status, w.Body)
			}
			continue
		}
		e := wantError(t, tt.name, w, tt.status, tt.code)
		if tt.field != "" && e.Error.Fields[tt.field] == "" {
			t.Errorf("%s: fields = %v, want %q named", tt.name, e.Error.Fields, tt.field)
		}
	}
	// Nothing but the last case reached the store.
	list, err := f.db.AdminArticles(context.Background(), article.AdminQuery{})
	must(t, err)
	if len(list) != 1 {
		t.Errorf("stored %d articles, want 1", len(list))
	}
}

func TestRateLimits(t *testing.T) {
	t.Run("failed authentication per address", func(t *testing.T) {
		f := newFixture(t)
		for i := range failedAuthPerIP {
			if w := f.serve(req{method: "GET", path: "/api/v1/admin/sections", token: "wrong", addr: "198.51.100.7"}); w.Code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: status = %d, want 401", i+1, w.Code)
			}
		}
		w := f.serve(req{method: "GET", path: "/api/v1/admin/sections", token: f.tokens[account.Editor], addr: "198.51.100.7"})
		wantError(t, "after 30 bad tokens", w, http.StatusTooManyRequests, "rate_limited")
		if got := w.Header().Get("Retry-After"); got != "60" {
			t.Errorf("Retry-After = %q, want 60", got)
		}
		if w := f.serve(req{method: "GET", path: "/api/v1/admin/sections", token: f.tokens[account.Editor], addr: "198.51.100.8"}); w.Code != http.StatusOK {
			t.Errorf("another address: status = %d, want 200", w.Code)
		}
		f.advance(rateWindow)
		if w := f.serve(req{method: "GET", path: "/api/v1/admin/sections", token: f.tokens[account.Editor], addr: "198.51.100.7"}); w.Code != http.StatusOK {
			t.Errorf("a minute later: status = %d, want 200", w.Code)
		}
	})
	t.Run("content per address", func(t *testing.T) {
		f := newFixture(t)
		for i := range contentPerIP {
			if w := f.get("/api/v1/sections"); w.Code != http.StatusOK {
				t.Fatalf("request %d: status = %d, want 200", i+1, w.Code)
			}
		}
		f.advance(20 * time.Second)
		w := f.get("/api/v1/sections")
		wantError(t, "request 301", w, http.StatusTooManyRequests, "rate_limited")
		if got := w.Header().Get("Retry-After"); got != "40" {
			t.Errorf("Retry-After = %q, want 40", got)
		}
		if w := f.serve(req{method: "GET", path: "/api/v1/sections", addr: "203.0.113.9"}); w.Code != http.StatusOK {
			t.Errorf("another address: status = %d, want 200", w.Code)
		}
	})
	t.Run("admin per token", func(t *testing.T) {
		f := newFixture(t)
		for i := range adminPerToken {
			if w := f.as(account.Author, "GET", "/api/v1/admin/sections", ""); w.Code != http.StatusOK {
				t.Fatalf("request %d: status = %d, want 200", i+1, w.Code)
			}
		}
		w := f.as(account.Author, "GET", "/api/v1/admin/sections", "")
		wantError(t, "request 601", w, http.StatusTooManyRequests, "rate_limited")
		if w.Header().Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		if w := f.as(account.Editor, "GET", "/api/v1/admin/sections", ""); w.Code != http.StatusOK {
			t.Errorf("another token: status = %d, want 200", w.Code)
		}
	})
}

// Instances sharing a database count bad tokens together, like their
// other limits, and only bad tokens count: good requests between them take
// nothing from an address's allowance.
func TestBadTokensCountSharedAndAlone(t *testing.T) {
	f := newFixture(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	deps := f.deps
	deps.BaseURL, deps.Log, deps.Limits = baseURL, log, f.db
	one, other := checkResponses(t, New(deps)), checkResponses(t, New(deps))
	serve := func(h http.Handler, token string) int {
		r := httptest.NewRequest("GET", "/api/v1/admin/sections", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		r.RemoteAddr = "198.51.100.7:4711"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	good := f.tokens[account.Editor]
	for i := range failedAuthPerIP - 1 {
		h := one
		if i%2 == 1 {
			h = other
		}
		if got := serve(h, "wrong"); got != http.StatusUnauthorized {
			t.Fatalf("bad token %d: status = %d, want 401", i+1, got)
		}
		for range 3 {
			if got := serve(h, good); got != http.StatusOK {
				t.Fatalf("good token after %d bad ones: status = %d, want 200", i+1, got)
			}
		}
	}
	if got := serve(other, "wrong"); got != http.StatusUnauthorized {
		t.Fatalf("bad token %d: status = %d, want 401", failedAuthPerIP, got)
	}
	if got := serve(one, good); got != http.StatusTooManyRequests {
		t.Errorf("after %d bad tokens across two instances: status = %d, want 429", failedAuthPerIP, got)
	}
}

func TestResponsesAreJSON(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name         string
		rq           req
		status       int
		code         string
		cacheControl string
	}{
		{"content list", req{method: "GET", path: "/api/v1/sections"}, http.StatusOK, "", "public, max-age=60"},
		{"admin list", req{method: "GET", path: "/api/v1/admin/sections", token: f.tokens[account.Editor]}, http.StatusOK, "", "no-store"},
		{"unknown endpoint", req{method: "GET", path: "/api/v1/nothing"}, http.StatusNotFound, "not_found", "no-store"},
		{"unknown article", req{method: "GET", path: "/api/v1/articles/999"}, http.StatusNotFound, "not_found", "no-store"},
		{"article id not a number", req{method: "GET", path: "/api/v1/articles/abc"}, http.StatusNotFound, "not_found", "no-store"},
		{"wrong method", req{method: "PUT", path: "/api/v1/articles"}, http.StatusMethodNotAllowed, "method_not_allowed", "no-store"},
		{"bad cursor", req{method: "GET", path: "/api/v1/articles?before=yesterday"}, http.StatusBadRequest, "bad_request", "no-store"},
		{"limit too large", req{method: "GET", path: "/api/v1/articles?limit=101"}, http.StatusBadRequest, "bad_request", "no-store"},
		{"admin update", req{method: "PATCH", path: "/api/v1/admin/sections/city", token: f.tokens[account.Editor], body: `{}`}, http.StatusOK, "", "no-store"},
		{"admin refusal", req{method: "DELETE", path: "/api/v1/admin/sections/city", token: f.tokens[account.Author]}, http.StatusForbidden, "forbidden", "no-store"},
	}
	for _, tt := range tests {
		w := f.serve(tt.rq)
		if tt.code != "" {
			wantError(t, tt.name, w, tt.status, tt.code)
		} else if w.Code != tt.status {
			t.Errorf("%s: status = %d, want %d", tt.name, w.Code, tt.status)
		}
		h := w.Header()
		if h.Get("Content-Type") != "application/json; charset=utf-8" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers = %v, want JSON and nosniff", tt.name, h)
		}
		if got := h.Get("Cache-Control"); got != tt.cacheControl {
			t.Errorf("%s: Cache-Control = %q, want %q", tt.name, got, tt.cacheControl)
		}
	}
	if got := f.serve(req{method: "PUT", path: "/api/v1/articles"}).Header().Get("Allow"); got != "GET, HEAD, OPTIONS" {
		t.Errorf("Allow = %q, want GET, HEAD, OPTIONS", got)
	}
}

func TestInternalErrorsAreNotShown(t *testing.T) {
	f := newFixture(t)
	f.db.Close()
	w := f.get("/api/v1/sections")
	e := wantError(t, "closed database", w, http.StatusInternalServerError, "internal")
	if e.Error.Message != internalMessage || strings.Contains(w.Body.String(), "sqlite") {
		t.Errorf("500 body = %s, want only the generic message", w.Body)
	}
	if n := strings.Count(f.logs.String(), "api: request failed"); n != 1 {
		t.Errorf("logged %d lines, want 1:\n%s", n, f.logs)
	}
}
