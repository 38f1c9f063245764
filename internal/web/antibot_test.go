package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/comment"
	"broadsheet/internal/store/sqlite"
)

// antibotSite is a site with one article, with the built-in check or, when
// a siteverify URL is given, Turnstile.
type antibotSite struct {
	srv    *Server
	db     *sqlite.DB
	id     int64
	remote atomic.Int32 // each request comes from its own address, under every limit
}

func newAntibotSite(t *testing.T, siteverify *httptest.Server) *antibotSite {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "antibot.db"))
	must(t, err)
	t.Cleanup(func() { db.Close() })
	opts := Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if siteverify != nil {
		opts.External = &challenge.External{Provider: challenge.Turnstile, Secret: "sec", Hostname: "news.example.org",
			Endpoint: siteverify.URL, Client: siteverify.Client(), Used: db}
		opts.SiteKey = "site-key-1"
	}
	srv := newServer(t, db, opts)
	must(t, db.SetSite(ctx, article.Site{Title: "The Test Gazette", Language: "en", TimeZone: "UTC"}))
	sec := article.Section{Slug: "city", Name: "City"}
	must(t, db.CreateSection(ctx, &sec))
	a := &article.Article{Slug: "s", Headline: "S", Section: sec, Status: article.Published, Language: "en", PublishedAt: time.Now().Add(-time.Hour)}
	must(t, db.CreateArticle(ctx, a))
	return &antibotSite{srv: srv, db: db, id: a.ID}
}

func (as *antibotSite) post(path, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.RemoteAddr = fmt.Sprintf("198.51.100.%d:1", as.remote.Add(1))
	rec := httptest.NewRecorder()
	as.srv.ServeHTTP(rec, req)
	return rec
}

func (as *antibotSite) solved(t *testing.T) string {
	t.Helper()
	rec := httptest.NewRecorder()
	as.srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/challenge", nil))
	var ch challenge.Challenge
	must(t, json.Unmarshal(rec.Body.Bytes(), &ch))
	p, err := challenge.Solve(ch)
	must(t, err)
	return p
}

// One anti-bot rule for every door: the comment form and API, the
// subscribe form and API. With Turnstile configured its token is the proof
// (form field cf-turnstile-response, JSON captcha_token) and a solved
// built-in check is refused; without a provider the built-in check is the
// proof and a provider's token is refused; with no proof at all a comment
// is held and a subscription limited, never refused. The provider is a
// fake siteverify endpoint over TLS.
func TestOneAntiBotPolicyForEveryDoor(t *testing.T) {
	var asked atomic.Int32
	siteverify := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		asked.Add(1)
		ok := strings.HasPrefix(r.PostFormValue("response"), "good-") && r.PostFormValue("secret") == "sec"
		json.NewEncoder(w).Encode(map[string]any{"success": ok, "hostname": "news.example.org"})
	}))
	defer siteverify.Close()
	sites := map[string]*antibotSite{"built-in": newAntibotSite(t, nil), "turnstile": newAntibotSite(t, siteverify)}

	tokens := 0
	proofOf := func(as *antibotSite, kind string) proof {
		tokens++
		switch kind {
		case "solved check":
			return proof{altcha: as.solved(t)}
		case "provider token":
			return proof{token: fmt.Sprintf("good-%d", tokens)}
		case "forged token":
			return proof{token: "forged"}
		}
		return proof{}
	}
	// doors send one request with a proof and answer how it went:
	// "verified", "unverified" or "refused".
	doors := map[string]func(t *testing.T, as *antibotSite, p proof) string{
		"comment form": func(t *testing.T, as *antibotSite, p proof) string {
			form := url.Values{"name": {"Ana"}, "body": {"A point, " + p.altcha + p.token}, "altcha": {p.altcha}, "cf-turnstile-response": {p.token}}
			rec := as.post("/city/s/comments", "application/x-www-form-urlencoded", form.Encode())
			if rec.Code != http.StatusSeeOther {
				return refusal(t, rec, "anti-bot check")
			}
			return heldAs(t, as)
		},
		"comment API": func(t *testing.T, as *antibotSite, p proof) string {
			body, _ := json.Marshal(map[string]string{"name": "Ana", "body": "A point, " + p.altcha + p.token, "altcha": p.altcha, "captcha_token": p.token})
			rec := as.post(fmt.Sprintf("/api/v1/articles/%d/comments", as.id), "application/json", string(body))
			if rec.Code != http.StatusCreated {
				return refusal(t, rec, `"code":"check_failed"`)
			}
			return heldAs(t, as)
		},
		"subscribe form": func(t *testing.T, as *antibotSite, p proof) string {
			form := url.Values{"email": {"r@example.org"}, "scope": {"site"}, "altcha": {p.altcha}, "cf-turnstile-response": {p.token}}
			return subscribed(t, func() *httptest.ResponseRecorder {
				return as.post("/subscribe", "application/x-www-form-urlencoded", form.Encode())
			}, http.StatusSeeOther)
		},
		"subscribe API": func(t *testing.T, as *antibotSite, p proof) string {
			body, _ := json.Marshal(map[string]string{"email": "r@example.org", "scope": "site", "altcha": p.altcha, "captcha_token": p.token})
			return subscribed(t, func() *httptest.ResponseRecorder {
				return as.post("/api/v1/subscriptions", "application/json", string(body))
			}, http.StatusAccepted)
		},
	}
	want := map[string]map[string]string{
		"built-in":  {"nothing": "unverified", "solved check": "verified", "provider token": "refused", "forged token": "refused"},
		"turnstile": {"nothing": "unverified", "solved check": "refused", "provider token": "verified", "forged token": "refused"},
	}
	for config, cases := range want {
		for door, send := range doors {
			for kind, w := range cases {
				if config == "built-in" && strings.HasSuffix(door, "form") && strings.HasSuffix(kind, "token") {
					// The site's forms have no provider's field: one sent
					// anyway is an unknown field, and the form unverified.
					w = "unverified"
				}
				t.Run(config+"/"+door+"/"+kind, func(t *testing.T) {
					as := sites[config]
					before := asked.Load()
					p := proofOf(as, kind)
					if got := send(t, as, p); got != w {
						t.Errorf("%s = %s, want %s", kind, got, w)
					}
					if n := asked.Load() - before; config == "built-in" && n != 0 {
						t.Errorf("the provider was asked %d times on a site without one", n)
					}
				})
			}
		}
	}
}

// proof is what a request carries: a built-in solution, a provider's token.
type proof struct{ altcha, token string }

// heldAs reads how the newest comment was taken: held for want of a check
// (unverified) or only as a first comment (the check passed).
func heldAs(t *testing.T, as *antibotSite) string {
	t.Helper()
	q, err := as.db.ModerationQueue(context.Background(), comment.Pending, 0, 1)
	must(t, err)
	if len(q) == 0 {
		t.Fatal("the comment was neither held nor refused")
	}
	switch q[0].HeldReason {
	case "first comment from this commenter":
		return "verified"
	case "no anti-bot check (JavaScript off)":
		return "unverified"
	}
	t.Fatalf("held for %q", q[0].HeldReason)
	return ""
}

// subscribed reads how a subscription request was taken. A verified
// request spent its proof, so the same request again is refused; an
// unverified one is taken again.
func subscribed(t *testing.T, send func() *httptest.ResponseRecorder, ok int) string {
	t.Helper()
	rec := send()
	if rec.Code != ok {
		return refusal(t, rec, "check")
	}
	if rec := send(); rec.Code == ok {
		return "unverified"
	}
	return "verified"
}

func refusal(t *testing.T, rec *httptest.ResponseRecorder, want string) string {
	t.Helper()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), want) {
		return fmt.Sprintf("answered %d: %.200s", rec.Code, rec.Body.String())
	}
	return "refused"
}
