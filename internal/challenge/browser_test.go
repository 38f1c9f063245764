//go:build unix

package challenge

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// browserCSP is the site's Content-Security-Policy with the one addition the
// widget cannot work without: its proof-of-work Web Workers are made from
// blob: URLs. Its stylesheet, injected as a <style> element, stays blocked
// here (the widget works, unstyled); the site allows it by hash.
const browserCSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// browserProbe reports to the test what the page sees: CSP violations,
// script errors, and, once the widget has filled its field, submits the form.
const browserProbe = `
const report = (o) => fetch('/report', {method: 'POST', body: JSON.stringify(o)});
document.addEventListener('securitypolicyviolation', (e) => report({violation: e.effectiveDirective + ' ' + e.blockedURI}));
window.addEventListener('error', (e) => report({error: String(e.message)}));
window.addEventListener('unhandledrejection', (e) => report({error: String(e.reason)}));
const poll = setInterval(() => {
	const w = document.querySelector('altcha-widget');
	if (w && w.getState && w.getState() === 'error') {
		clearInterval(poll);
		report({error: 'widget: ' + w.textContent.replace(/\s+/g, ' ').trim()});
	}
	const field = document.querySelector('form input[name=altcha]');
	if (field && field.value) {
		clearInterval(poll);
		document.querySelector('form').requestSubmit();
	}
}, 50);
`

// TestWidgetInBrowser runs the shipped widget in Chromium against this
// package: the widget fetches a challenge, solves it in its Web Workers and
// fills the form, which is posted and verified like a reader's comment. It
// also fails on any CSP violation other than the widget's inline stylesheet,
// so a widget that starts fetching from elsewhere is caught.
//
// It needs Chromium at /usr/bin/chromium. Without it the test skips, unless
// CI is set.
func TestWidgetInBrowser(t *testing.T) {
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set, but Chromium is not usable at %s: %v", chromiumPath, err)
		}
		t.Skipf("skipping the browser test: Chromium is not usable at %s (%v)", chromiumPath, err)
	}
	if testing.Short() {
		t.Skip("skipping the browser test in short mode")
	}
	profile := t.TempDir() // first, so that its removal is the last cleanup

	clk := &clock{t: time.Now()}
	iss, err := New(Config{Key: testKey, Now: clk.Now}, newMemStore(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan string, 64)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", browserCSP)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Comment</title>
<script src="/static/probe.js"></script>
<script type="module" src="/static/altcha.min.js"></script></head>
<body><form method="post" action="/comments"><textarea name="body">First!</textarea>
<altcha-widget challenge="/api/v1/challenge" auto="onload"></altcha-widget>
<button>Send</button></form></body></html>`)
	})
	mux.HandleFunc("GET /static/probe.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, browserProbe)
	})
	mux.HandleFunc("GET /static/altcha.min.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		http.ServeFile(w, r, widgetBundle)
	})
	// GET /api/v1/challenge
	mux.HandleFunc("GET /api/v1/challenge", func(w http.ResponseWriter, r *http.Request) {
		ch, err := iss.Challenge()
		if err != nil {
			http.Error(w, "no challenge", http.StatusInternalServerError)
			events <- "error: " + err.Error()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(ch)
	})
	mux.HandleFunc("POST /comments", func(w http.ResponseWriter, r *http.Request) {
		payload := r.PostFormValue("altcha")
		err := iss.Verify(r.Context(), payload)
		if err == nil {
			err = iss.Verify(r.Context(), payload)
			if err == nil {
				events <- "error: the payload verified twice"
			}
			events <- fmt.Sprintf("verified %d-byte payload; body %q", len(payload), r.PostFormValue("body"))
		} else {
			events <- "error: Verify: " + err.Error()
		}
		io.WriteString(w, "thanks")
	})
	mux.HandleFunc("POST /report", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		events <- string(b)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromiumPath, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--no-first-run", "--remote-debugging-port=0",
		"--user-data-dir="+profile, srv.URL+"/")
	// Its own process group, so that ending it ends its helpers too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out lockedWriter
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	defer func() {
		cancel()
		cmd.Wait()
	}()

	for {
		select {
		case e := <-events:
			switch {
			case strings.HasPrefix(e, "verified"):
				t.Logf("%s, %v after starting Chromium", e, time.Since(start).Round(time.Millisecond))
				return
			case strings.Contains(e, `"violation":"style-src-elem inline"`):
				t.Logf("expected CSP report: %s", e)
			default:
				t.Fatalf("%s", e)
			}
		case <-ctx.Done():
			t.Fatalf("no verified form within the time limit; Chromium said:\n%s", out.String())
		}
	}
}

// lockedWriter collects a process's output.
type lockedWriter struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
