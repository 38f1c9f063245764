package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/store"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/web"
)

// serve asks the runtime to stay under twice the page cache and 48 MiB,
// plus room for the live streams open, unless GOMEMLIMIT names a limit,
// which the runtime has then taken.
func TestServeMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")
	if got, own := setMemoryLimit(Config{CacheMB: 16}); got != 80<<20 || !own || debug.SetMemoryLimit(-1) != 80<<20 {
		t.Errorf("--cache-mb 16: limit %d (own %v), want %d", got, own, 80<<20)
	}
	if got, _ := setMemoryLimit(Config{CacheMB: 64}); got != 176<<20 {
		t.Errorf("--cache-mb 64: limit %d, want %d", got, 176<<20)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var streams atomic.Int64
	streams.Store(1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		limitFollowsStreams(ctx, 80<<20, func() int { return int(streams.Load()) })
	}()
	waitLimit := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for debug.SetMemoryLimit(-1) != want && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if got := debug.SetMemoryLimit(-1); got != want {
			t.Errorf("%d streams: limit %d, want %d", streams.Load(), got, want)
		}
	}
	waitLimit(80<<20 + 1000*streamMemory)
	streams.Store(0)
	waitLimit(80 << 20)
	cancel()
	<-done

	t.Setenv("GOMEMLIMIT", "300MiB")
	debug.SetMemoryLimit(300 << 20) // as the runtime read it at start
	if got, own := setMemoryLimit(Config{CacheMB: 16}); got != 300<<20 || own {
		t.Errorf("with GOMEMLIMIT=300MiB: limit %d (own %v), want %d and not serve's", got, own, 300<<20)
	}
}

func TestParseServe(t *testing.T) {
	t.Setenv("BROADSHEET_ADDR", "127.0.0.1:9000")
	t.Setenv("BROADSHEET_DEMO", "true")
	c, err := parseServe(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || !c.Demo || c.DataDir != "./data" || c.BaseURL != "http://127.0.0.1:9000" || c.CacheMB != 16 ||
		c.ChallengeExpiry != 20*time.Minute || c.CommentMinFill != 3*time.Second {
		t.Errorf("from environment: %+v", c)
	}
	c, err = parseServe([]string{"--addr", "127.0.0.1:9100", "--base-url", "https://news.example.org/", "--demo=false", "--log-format", "json",
		"--challenge-expiry", "5m", "--comment-min-fill", "0"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" || c.Demo || c.BaseURL != "https://news.example.org" || c.LogFormat != "json" || c.ChallengeExpiry != 5*time.Minute || c.CommentMinFill != 0 {
		t.Errorf("flags over environment: %+v", c)
	}
	for _, args := range [][]string{
		{"--addr", "no-port"},
		{"--base-url", "ftp://x"},
		{"--base-url", "/relative"},
		{"--log-level", "loud"},
		{"--log-format", "xml"},
		{"--cache-mb", "0"},
		{"--challenge-expiry", "1s"},
		{"--challenge-expiry", "soon"},
		{"--comment-min-fill", "-3s"},
		{"--comment-min-fill", "2h"},
		{"--metrics-addr", "no-port"},
		{"--metrics-token", "short"},
		{"--live-streams", "0"},
		{"--live-streams", "many"},
		{"--live-streams-per-ip", "-1"},
		{"stray"},
	} {
		if _, err := parseServe(args); err == nil {
			t.Errorf("parseServe(%q) accepted bad input", args)
		}
	}
	if c.LiveStreams != web.DefaultLiveStreams || c.LiveStreamsPerIP != web.DefaultLiveStreamsPerIP {
		t.Errorf("live stream bounds by default: %d and %d per address", c.LiveStreams, c.LiveStreamsPerIP)
	}
	t.Setenv("BROADSHEET_LIVE_STREAMS", "500")
	t.Setenv("BROADSHEET_LIVE_STREAMS_PER_IP", "2")
	if c, err = parseServe(nil); err != nil || c.LiveStreams != 500 || c.LiveStreamsPerIP != 2 {
		t.Errorf("live stream bounds from the environment: %d and %d per address, %v", c.LiveStreams, c.LiveStreamsPerIP, err)
	}
	if c, err = parseServe([]string{"--live-streams", "20000", "--live-streams-per-ip", "8"}); err != nil || c.LiveStreams != 20000 || c.LiveStreamsPerIP != 8 {
		t.Errorf("live stream bounds from flags, over the environment: %d and %d per address, %v", c.LiveStreams, c.LiveStreamsPerIP, err)
	}
	t.Setenv("BROADSHEET_OEMBED_ENDPOINT", "https://media.example.org/video/*=https://media.example.org/oembed, https://*.example.net/v/*=https://example.net/oembed")
	t.Setenv("BROADSHEET_EMBEDS_ALLOW_PRIVATE", "true")
	if c, err = parseServe(nil); err != nil || len(c.OEmbedEndpoints) != 2 || c.OEmbedEndpoints[1].Endpoint != "https://example.net/oembed" || !c.EmbedsAllowPrivate {
		t.Errorf("oEmbed endpoints from the environment: %+v, %v", c.OEmbedEndpoints, err)
	}
	c, err = parseServe([]string{"--oembed-endpoint", "https://a.example/*=https://a.example/oembed", "--oembed-endpoint", "https://b.example/*=https://b.example/oembed",
		"--meta-app-token", "1|x", "--embeds-allow-private=false"})
	if err != nil || len(c.OEmbedEndpoints) != 2 || c.OEmbedEndpoints[0].Scheme != "https://a.example/*" || c.MetaAppToken != "1|x" || c.EmbedsAllowPrivate {
		t.Errorf("oEmbed endpoints from flags, over the environment: %+v, %v", c, err)
	}
	for _, bad := range []string{"https://a.example/*", "a.example/*=https://a.example/oembed"} {
		if _, err := parseServe([]string{"--oembed-endpoint", bad}); err == nil {
			t.Errorf("--oembed-endpoint %q accepted", bad)
		}
	}
	t.Setenv("BROADSHEET_EMBEDS_ALLOW_PRIVATE", "perhaps")
	if _, err := parseServe(nil); err == nil || !strings.Contains(err.Error(), "BROADSHEET_EMBEDS_ALLOW_PRIVATE") {
		t.Errorf("bad BROADSHEET_EMBEDS_ALLOW_PRIVATE: err = %v", err)
	}
	t.Setenv("BROADSHEET_EMBEDS_ALLOW_PRIVATE", "")
	t.Setenv("BROADSHEET_WEBHOOKS_ALLOW_PRIVATE", "1")
	if c, err = parseServe(nil); err != nil || !c.WebhooksAllowPrivate || c.EmbedsAllowPrivate {
		t.Errorf("BROADSHEET_WEBHOOKS_ALLOW_PRIVATE=1: %v, %v", c.WebhooksAllowPrivate, err)
	}
	if c, err = parseServe([]string{"--webhooks-allow-private=false"}); err != nil || c.WebhooksAllowPrivate {
		t.Errorf("the flag over the environment: %v, %v", c.WebhooksAllowPrivate, err)
	}
	t.Setenv("BROADSHEET_WEBHOOKS_ALLOW_PRIVATE", "perhaps")
	if _, err := parseServe(nil); err == nil || !strings.Contains(err.Error(), "BROADSHEET_WEBHOOKS_ALLOW_PRIVATE") {
		t.Errorf("bad BROADSHEET_WEBHOOKS_ALLOW_PRIVATE: err = %v", err)
	}
	t.Setenv("BROADSHEET_WEBHOOKS_ALLOW_PRIVATE", "")
	t.Setenv("BROADSHEET_DEMO", "maybe")
	if _, err := parseServe(nil); err == nil || !strings.Contains(err.Error(), "BROADSHEET_DEMO") {
		t.Errorf("bad BROADSHEET_DEMO: err = %v", err)
	}
}

// The site warns at start when the open-file limit cannot hold the live
// streams it would accept, each a connection.
func TestStreamsFitTheOpenFileLimit(t *testing.T) {
	for _, tt := range []struct {
		limit   uint64
		streams int
		fit     bool
	}{
		{1024, web.DefaultLiveStreams, false},
		{20000, web.DefaultLiveStreams, true},
		{uint64(web.DefaultLiveStreams), web.DefaultLiveStreams, false},
		{1024, 1, false},
		{1 << 20, 500000, true},
	} {
		if got := streamsFit(tt.limit, tt.streams); got != tt.fit {
			t.Errorf("streamsFit(%d, %d) = %v, want %v", tt.limit, tt.streams, got, tt.fit)
		}
	}
	if limit, ok := openFileLimit(); ok && limit == 0 {
		t.Error("the open-file limit read as 0")
	}
}

func TestRunCommands(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"version"}, nil, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "broadsheet ") {
		t.Errorf("version: %q, %v", out.String(), err)
	}
	err := run(context.Background(), []string{"frobnicate"}, nil, &out, &errOut)
	if exitCode(err) != 2 {
		t.Errorf("unknown command: exit %d, want 2", exitCode(err))
	}
	data := t.TempDir()
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "--data", data}, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied ") || strings.Contains(out.String(), "applied 0") {
		t.Errorf("first migrate: %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "--data", data}, nil, &out, &errOut); err != nil || !strings.Contains(out.String(), "applied 0") {
		t.Errorf("second migrate: %q, %v", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"reindex", "--data", data}, nil, &out, &errOut); err != nil || !strings.Contains(out.String(), "index rebuilt") {
		t.Errorf("reindex: %q, %v", out.String(), err)
	}
}

func TestBadDatabaseFailsCleanly(t *testing.T) {
	data := t.TempDir()
	junk := bytes.Repeat([]byte("not a database at all\n"), 100)
	path := filepath.Join(data, "broadsheet.db")
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"serve", "migrate"} {
		err := run(context.Background(), []string{cmd, "--data", data, "--addr", "127.0.0.1:0"}, nil, io.Discard, io.Discard)
		if err == nil || exitCode(err) == 0 {
			t.Fatalf("%s on a junk file: err = %v", cmd, err)
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "not a SQLite database") {
			t.Errorf("%s: message %q, want one line naming the problem", cmd, msg)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, junk) {
		t.Error("the file was changed")
	}
}

func TestServeAndShutDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", t.TempDir(), "--addr", addr}, nil, io.Discard, io.Discard)
	}()

	var resp *http.Response
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err = http.Get("http://" + addr + "/healthz")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never answered: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("healthz = %d %q", resp.StatusCode, body)
	}
	if resp, err := http.Get("http://" + addr + "/api/v1/sections"); err != nil {
		t.Errorf("content API: %v", err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("GET /api/v1/sections = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", 64<<10))
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Errorf("oversized headers: %v", err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("oversized headers = %d, want 431", resp.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
}

func TestUserAddAndTokenCreate(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	add := func(stdin string, args ...string) error {
		return run(ctx, append([]string{"user", "add", "--data", data, "--password-stdin"}, args...), strings.NewReader(stdin), io.Discard, io.Discard)
	}
	if err := add("a long good passphrase\n", "--email", "ed@courier.example", "--name", "Ed", "--role", "editor"); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"weak password":  add("password1\n", "--email", "x@courier.example", "--name", "X", "--role", "author"),
		"bad role":       add("a long good passphrase\n", "--email", "y@courier.example", "--name", "Y", "--role", "chief"),
		"duplicate":      add("a long good passphrase\n", "--email", "ED@courier.example", "--name", "Ed", "--role", "author"),
		"no email":       add("a long good passphrase\n", "--name", "Z", "--role", "author"),
		"no stdin input": run(ctx, []string{"user", "add", "--data", data, "--email", "q@courier.example", "--name", "Q", "--role", "author"}, strings.NewReader(""), io.Discard, io.Discard),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"token", "create", "--data", data, "--user", "ed@courier.example", "--name", "importer"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out.String())
	db, err := sqlite.Open(ctx, filepath.Join(data, "broadsheet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, "ed@courier.example")
	if err != nil || u.Role != account.Editor || !account.VerifyPassword(u.PasswordHash, "a long good passphrase") {
		t.Fatalf("stored user %+v, %v", u, err)
	}
	tok, err := db.TokenByHash(ctx, account.HashToken(token))
	if err != nil || tok.UserID != u.ID || tok.Name != "importer" {
		t.Errorf("token %q: %+v, %v", token, tok, err)
	}
	if err := run(ctx, []string{"token", "create", "--data", data, "--user", "nobody@courier.example", "--name", "x"}, nil, io.Discard, io.Discard); err == nil {
		t.Error("token for an unknown user")
	}
}

// An operator gives a locked-out account back its password-only sign-in.
func TestUserResetSecondStep(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	if err := run(ctx, []string{"user", "add", "--data", data, "--password-stdin", "--email", "ed@courier.example", "--name", "Ed", "--role", "admin"},
		strings.NewReader("a long good passphrase\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(data, "broadsheet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, "ed@courier.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetRecoveryCodes(ctx, u.ID, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	_, hash := account.NewToken()
	if err := db.CreateSession(ctx, &account.Session{TokenHash: hash, UserID: u.ID, CreatedAt: time.Now(), LastSeenAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"user", "reset-second-step", "--data", data, "--email", "ED@courier.example"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "reset the second step of Ed <ed@courier.example>") {
		t.Errorf("output %q", out.String())
	}
	steps, err := db.SecondSteps(ctx, u.ID)
	if err != nil || steps != (account.SecondSteps{}) {
		t.Errorf("after the reset: %+v, %v", steps, err)
	}
	if sessions, _ := db.UserSessions(ctx, u.ID); len(sessions) != 0 {
		t.Errorf("%d sessions kept", len(sessions))
	}
	log, err := db.AuditLog(ctx, 0, 10)
	if err != nil || len(log) == 0 || log[0].Action != "user.second_step_reset" || log[0].ObjectID != u.ID {
		t.Errorf("audit log %+v, %v", log, err)
	}
	for name, args := range map[string][]string{
		"no email":      {"user", "reset-second-step", "--data", data},
		"unknown email": {"user", "reset-second-step", "--data", data, "--email", "nobody@courier.example"},
		"unknown verb":  {"user", "remove", "--data", data},
	} {
		if err := run(ctx, args, nil, io.Discard, io.Discard); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// What an earlier renderer stored — a comment's HTML, an article's — is
// rendered again and stored by serve's background loop, which says how
// many rows it caught up on and stops once none is left.
func TestRenderStoredCatchesUp(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "broadsheet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sec := article.Section{Slug: "city", Name: "City"}
	if err := db.CreateSection(ctx, &sec); err != nil {
		t.Fatal(err)
	}
	a := &article.Article{Slug: "vote", Headline: "The vote", Body: "Counted *twice*.", Section: sec, Status: article.Draft, Language: "en"}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	want := a.BodyHTML
	err = db.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
		_, err := tx.ExecContext(ctx, `UPDATE articles SET body_html = '', html_of = 0 WHERE id = ?`, a.ID)
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		renderStored(ctx, db, slog.New(slog.NewTextHandler(&logs, nil)))
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("renderStored did not stop once nothing was left")
	}
	got, err := db.ArticleByID(ctx, a.ID)
	if err != nil || got.BodyHTML != want || !strings.Contains(want, "<em>twice</em>") {
		t.Errorf("after renderStored the article = %+v, %v; want BodyHTML %q", got, err, want)
	}
	if !strings.Contains(logs.String(), "rows=1") {
		t.Errorf("log = %q, want it to say one row was rendered", logs.String())
	}
}
