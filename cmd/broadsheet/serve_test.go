package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/mail"
	"broadsheet/internal/store/sqlite"
)

// A taken address ends serve at once, non-zero, naming the address, and
// before any background work: mail waiting in the outbox is not sent.
func TestServeOnTakenAddressExitsBeforeAnyWork(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(data, "broadsheet.db"))
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := account.HashPassword("a long good passphrase")
	u := &account.User{Email: "ed@courier.example", Name: "Ed", Role: account.Editor, PasswordHash: hash}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(ctx, mail.Message{Key: "reset-ed", To: u.Email, Kind: mail.Reset, ObjectID: u.ID, Data: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	mx := startCountingSMTP(t, 0, "")

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", data, "--addr", addr, "--smtp-url", "smtp://" + mx.addr,
			"--mail-from", "news@example.org"}, nil, io.Discard, io.Discard)
	}()
	select {
	case err := <-done:
		if err == nil || exitCode(err) == 0 || !strings.Contains(err.Error(), addr) {
			t.Errorf("serve on a taken address: %v (exit %d), want a failure naming %s", err, exitCode(err), addr)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve on a taken address was still running after 5 s")
	}
	time.Sleep(300 * time.Millisecond) // a worker that had started would have connected by now
	if n := mx.messages(); n != 0 {
		t.Errorf("%d messages sent by a serve that could not listen", n)
	}
}

// With JSON logs every line on standard error is a JSON record, the setup
// link included, as a field of its own, and the demo's progress too.
func TestJSONLogsCarryTheSetupLink(t *testing.T) {
	addr := freeLoopbackAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", t.TempDir(), "--addr", addr, "--log-format", "json", "--demo"}, nil, io.Discard, &stderr)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), `"msg":"serving"`) {
		if time.Now().After(deadline) {
			t.Fatalf("serve never said it was serving:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("serve: %v", err)
	}
	var link string
	for _, line := range bytes.Split(bytes.TrimSpace([]byte(stderr.String())), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Errorf("not a JSON record: %q", line)
			continue
		}
		if s, ok := rec["setup_url"].(string); ok {
			link = s
		}
	}
	if !strings.HasPrefix(link, "http://"+addr+"/admin/setup?token=") {
		t.Errorf("setup link in the JSON logs = %q", link)
	}
}

// serveWithMetricsAddr runs serve in the test's process, on a fresh
// data directory, with /metrics on a listener of its own, until the
// test ends.
func serveWithMetricsAddr(t *testing.T) (addr, maddr string) {
	addr, maddr = freeLoopbackAddr(t), freeLoopbackAddr(t)
	data := t.TempDir() // removed after serve has stopped (cleanups run last first)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", data, "--addr", addr, "--metrics-addr", maddr}, nil, io.Discard, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return addr, maddr
}

// --metrics-addr serves /metrics on its own listener, and the site's
// listener then has none.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	addr, maddr := serveWithMetricsAddr(t)
	get := func(url string) (int, string) {
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get(url)
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp.StatusCode, string(body)
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: %v", url, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if code, body := get("http://" + maddr + "/metrics"); code != 200 || !strings.Contains(body, "broadsheet_page_cache_entries") {
		t.Errorf("metrics listener = %d", code)
	}
	// What the database is asked: a page read from it counts its queries.
	get("http://" + addr + "/")
	if _, body := get("http://" + maddr + "/metrics"); !strings.Contains(body, `broadsheet_db_queries_total{engine="sqlite"}`) ||
		!strings.Contains(body, `broadsheet_db_query_duration_seconds_count{engine="sqlite"}`) {
		t.Errorf("metrics lack the database's queries:\n%s", body)
	}
	if code, _ := get("http://" + addr + "/metrics"); code != 404 {
		t.Errorf("site's /metrics with a metrics listener = %d, want 404", code)
	}
	if code, _ := get("http://" + maddr + "/"); code != 404 {
		t.Errorf("metrics listener serves the site: / = %d", code)
	}
}

// A page the cache holds is answered by the fast path (ADR 0023): only the
// first request, which renders it, is handed to net/http, and every answer
// is counted in the metrics alike.
func TestCachedPagesTakeTheFastPath(t *testing.T) {
	addr, maddr := serveWithMetricsAddr(t)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + maddr + "/metrics"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not start within 20 s")
		}
	}
	for i := range 3 {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Etag") == "" {
			t.Fatalf("GET / #%d: %s, ETag %q", i+1, resp.Status, resp.Header.Get("Etag"))
		}
	}
	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`broadsheet_fastpath_handoffs_total{reason="declined"} 1` + "\n",
		`broadsheet_http_requests_total{route="GET /{$}",method="GET",code="200"} 3` + "\n",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
