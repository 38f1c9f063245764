package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/webhook"
)

// docExamples are the code blocks of docs/webhooks.md marked
// <!-- example: NAME -->, by name.
func docExamples(t *testing.T) map[string]string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile("(?s)<!-- example: (\\S+) -->\n```\\w*\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		out[m[1]] = m[2]
	}
	for _, name := range []string{"verify.go", "purge.go", "signature.sh"} {
		if out[name] == "" {
			t.Fatalf("docs/webhooks.md has no example %s", name)
		}
	}
	return out
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitFor polls ok until it holds, or fails the test after timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
	}
}

// The examples of docs/webhooks.md work against the real server: `serve
// --webhooks-allow-private` delivers an article's events to the purge
// receiver built from the page's Go code, which checks their signatures
// with the page's verify and purges the article's cache tags from a
// stand-in for Cloudflare's API; the page's shell line computes the
// signature of a delivery the server made; and a delivery not signed by the
// site is refused.
func TestWebhookDocExamplesAgainstTheServer(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("go is not on PATH: cannot build the documented receiver")
		}
		t.Skip("go is not on PATH: cannot build the documented receiver")
	}
	examples := docExamples(t)
	ctx := context.Background()

	// The documented receiver, built on its own, as a reader would.
	src := t.TempDir()
	for name, text := range map[string]string{"go.mod": "module purge\n\ngo 1.26\n", "verify.go": examples["verify.go"], "purge.go": examples["purge.go"]} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(t.TempDir(), "purge")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Dir, build.Env = src, append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the documented receiver does not build: %v\n%s", err, out)
	}

	// A stand-in for Cloudflare's API, and a receiver that keeps what it gets.
	type purge struct{ path, auth, body string }
	var mu sync.Mutex
	var purges []purge
	cloudflare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		purges = append(purges, purge{r.Method + " " + r.URL.Path, r.Header.Get("Authorization"), string(body)})
		mu.Unlock()
		io.WriteString(w, `{"success":true,"errors":[],"messages":[],"result":{"id":"zone-1"}}`)
	}))
	defer cloudflare.Close()
	type delivery struct {
		header http.Header
		body   []byte
	}
	var kept []delivery
	keeper := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		kept = append(kept, delivery{r.Header.Clone(), body})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer keeper.Close()

	// The site, with its admin, and the two endpoints registered before
	// it starts.
	data := t.TempDir()
	if err := run(ctx, []string{"user", "add", "--data", data, "--email", "admin@courier.example", "--name", "Ada Admin", "--role", "admin",
		"--password-stdin"}, strings.NewReader("a long good passphrase\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var tokenOut bytes.Buffer
	if err := run(ctx, []string{"token", "create", "--data", data, "--user", "admin@courier.example", "--name", "test"}, nil, &tokenOut, io.Discard); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(tokenOut.String())
	purgeAddr, siteAddr := freeAddr(t), freeAddr(t)
	db, err := sqlite.Open(ctx, filepath.Join(data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	purger := &webhook.Endpoint{URL: "http://" + purgeAddr + "/hooks", Events: webhook.ArticleTypes, Enabled: true, Secret: webhook.NewSecret()}
	keeping := &webhook.Endpoint{URL: keeper.URL, Events: []string{webhook.ArticleUpdated}, Enabled: true, Secret: webhook.NewSecret()}
	for _, e := range []*webhook.Endpoint{purger, keeping} {
		if err := db.CreateWebhookEndpoint(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	receiver := exec.Command(bin)
	receiver.Env = append(os.Environ(), "WEBHOOK_SECRET="+purger.Secret, "CLOUDFLARE_ZONE_ID=zone-1", "CLOUDFLARE_API_TOKEN=cf-token",
		"CLOUDFLARE_API="+cloudflare.URL+"/client/v4", "LISTEN="+purgeAddr)
	var receiverLog bytes.Buffer
	receiver.Stderr = &receiverLog
	if err := receiver.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		receiver.Process.Kill()
		receiver.Wait()
		if t.Failed() {
			t.Logf("the receiver's log:\n%s", receiverLog.String())
		}
	}()
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		served <- run(serveCtx, []string{"serve", "--data", data, "--addr", siteAddr, "--webhooks-allow-private"}, nil, io.Discard, io.Discard)
	}()
	defer func() {
		stop()
		if err := <-served; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("serve: %v", err)
		}
	}()
	waitFor(t, "the site and the receiver", 20*time.Second, func() bool {
		resp, err := http.Get("http://" + siteAddr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		c, cerr := net.Dial("tcp", purgeAddr)
		if cerr == nil {
			c.Close()
		}
		return err == nil && cerr == nil
	})

	// The newsroom publishes an article, then changes it, through the
	// Admin API.
	api := func(method, path string, body any, out any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, "http://"+siteAddr+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s = %d: %s", method, path, resp.StatusCode, got)
		}
		if out != nil {
			if err := json.Unmarshal(got, out); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, got)
			}
		}
	}
	api("POST", "/api/v1/admin/sections", map[string]any{"name": "City", "slug": "city"}, nil)
	api("POST", "/api/v1/admin/authors", map[string]any{"name": "Ada Byrne", "slug": "ada-byrne"}, nil)
	var a struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	api("POST", "/api/v1/admin/articles", map[string]any{"headline": "Harbour reopens", "section": "city", "authors": []string{"ada-byrne"},
		"body": "Boats return to the quay.", "status": "published"}, &a)
	api("PATCH", "/api/v1/admin/articles/"+jsonNumber(a.ID), map[string]any{"headline": "Harbour reopens after the storm", "version": a.Version}, nil)

	waitFor(t, "two purges and a kept delivery", 20*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(purges) >= 2 && len(kept) >= 1
	})
	mu.Lock()
	gotPurges, gotKept := slices.Clone(purges), slices.Clone(kept)
	mu.Unlock()
	want := purge{"POST /client/v4/zones/zone-1/purge_cache", "Bearer cf-token", `{"tags":["article-1","articles","author-1","section-1","translations-1"]}`}
	for i, p := range gotPurges {
		if p != want {
			t.Errorf("purge %d: %+v, want %+v", i+1, p, want)
		}
	}

	// The documented shell line computes the signature the server sent.
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("no openssl: the shell example is not run")
	} else {
		d := gotKept[0]
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "body.json"), d.body, 0o644); err != nil {
			t.Fatal(err)
		}
		sh := exec.Command("sh", "-c", examples["signature.sh"])
		sh.Dir = dir
		sh.Env = append(os.Environ(), "ID="+d.header.Get("webhook-id"), "TS="+d.header.Get("webhook-timestamp"), "WEBHOOK_SECRET="+keeping.Secret)
		out, err := sh.CombinedOutput()
		if sig := "v1," + strings.TrimSpace(string(out)); err != nil || sig != d.header.Get("webhook-signature") {
			t.Errorf("the shell example printed %q (%v); the server signed %q", out, err, d.header.Get("webhook-signature"))
		}
	}

	// A delivery not signed with the receiver's secret is refused and
	// purges nothing.
	forged := gotKept[0]
	req, _ := http.NewRequest("POST", "http://"+purgeAddr+"/hooks", bytes.NewReader(forged.body))
	for _, h := range []string{"webhook-id", "webhook-timestamp", "webhook-signature", "Content-Type"} {
		req.Header.Set(h, forged.header.Get(h)) // signed with the other endpoint's secret
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	n := len(purges)
	mu.Unlock()
	if resp.StatusCode != http.StatusUnauthorized || n != len(gotPurges) {
		t.Errorf("a delivery signed with another secret = %d, and %d purges (want 401 and %d)", resp.StatusCode, n, len(gotPurges))
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }
