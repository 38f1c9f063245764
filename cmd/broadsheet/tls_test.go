//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"broadsheet/internal/tlscert"
	"broadsheet/internal/tlscert/tlstest"
)

// TestTLSFlags: the TLS flags that do not belong together are refused
// with a message that says why, before anything starts.
func TestTLSFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", "c.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-key", "k.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--http-redirect-addr", ":80"}, "needs --tls-cert and --tls-key"},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem", "--base-url", "http://news.example.org"}, "must begin https://"},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem", "--http-redirect-addr", "80"}, "want host:port"},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem", "--acme-webroot", dir}, "needs --http-redirect-addr"},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem", "--http-redirect-addr", ":80", "--acme-webroot", filepath.Join(dir, "none")}, "want an existing directory"},
	} {
		_, err := parseServe(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
	c, err := parseServe([]string{"--addr", "127.0.0.1:8443", "--tls-cert", "c.pem", "--tls-key", "k.pem"})
	if err != nil || c.BaseURL != "https://127.0.0.1:8443" {
		t.Errorf("base URL with TLS and none given: %q (%v), want https://127.0.0.1:8443", c.BaseURL, err)
	}
	// The files are read when serve starts: a missing one ends it, named.
	c.TLSCert, c.TLSKey = filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem")
	c.Addr, c.DataDir = freeLoopbackAddr(t), dir
	if err := serve(context.Background(), c, io.Discard); err == nil || !strings.Contains(err.Error(), "fullchain.pem") {
		t.Errorf("serve with a missing certificate: %v, want an error naming the file", err)
	}
}

// TestServeTLS: with a certificate the site is served over https, HTTP/2
// and HTTP/1.1, TLS 1.2 at least, with Strict-Transport-Security; the
// plain HTTP listener sends every request to the same address on https
// and answers ACME challenges; a renewed certificate is put in use on
// SIGHUP without a restart; /metrics says when it expires.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	ca := tlstest.NewCA(t)
	certFile, keyFile := filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem")
	first := ca.Leaf(t, "127.0.0.1", 90*24*time.Hour)
	first.Write(t, certFile, keyFile)
	webroot := filepath.Join(dir, "webroot")
	must(t, os.MkdirAll(filepath.Join(webroot, ".well-known", "acme-challenge"), 0o755))
	must(t, os.WriteFile(filepath.Join(webroot, ".well-known", "acme-challenge", "tok_EN-123"), []byte("tok_EN-123.thumbprint"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "secret"), []byte("not for strangers"), 0o600))

	addr, raddr := freeLoopbackAddr(t), freeLoopbackAddr(t)
	c, err := parseServe([]string{"--data", filepath.Join(dir, "data"), "--addr", addr, "--tls-cert", certFile, "--tls-key", keyFile,
		"--http-redirect-addr", raddr, "--acme-webroot", webroot})
	if err != nil {
		t.Fatal(err)
	}
	c.certCheck = time.Hour // renewals here come by SIGHUP
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	base := "https://" + addr

	h2 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}, ForceAttemptHTTP2: true}, Timeout: 10 * time.Second}
	var resp *http.Response
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err = h2.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no https answer within 30s: %v", err)
		}
	}
	resp, err = h2.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 || resp.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("GET / over https: %s %s, Strict-Transport-Security %q; want 200 over HTTP/2 with HSTS",
			resp.Proto, resp.Status, resp.Header.Get("Strict-Transport-Security"))
	}

	h1 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}, TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}},
		Timeout: 10 * time.Second}
	if resp, err := h1.Get(base + "/"); err != nil || resp.ProtoMajor != 1 || resp.StatusCode != http.StatusOK {
		t.Errorf("GET / over https with HTTP/1.1: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	old := &tls.Config{RootCAs: ca.Pool, MaxVersion: tls.VersionTLS11}
	if conn, err := tls.Dial("tcp", addr, old); err == nil {
		conn.Close()
		t.Error("a TLS 1.1 client was let in")
	}

	// The plain HTTP listener.
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	for _, tc := range []struct {
		method, path string
		code         int
		location     string
	}{
		{"GET", "/city/council-vote?comments=newest", 301, base + "/city/council-vote?comments=newest"},
		{"HEAD", "/", 301, base + "/"},
		{"POST", "/city/council-vote/comments", 308, base + "/city/council-vote/comments"},
		{"GET", "//evil.example/x", 301, base + "//evil.example/x"},
	} {
		req, _ := http.NewRequest(tc.method, "http://"+raddr+tc.path, nil)
		resp, err := plain.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.code || resp.Header.Get("Location") != tc.location {
			t.Errorf("%s http://%s%s = %d, Location %q; want %d to %s", tc.method, raddr, tc.path, resp.StatusCode, resp.Header.Get("Location"), tc.code, tc.location)
		}
	}
	// A request in absolute form names another host: the answer still
	// leads to the site's own origin.
	if got := rawLocation(t, raddr, "GET http://evil.example/take HTTP/1.1\r\nHost: evil.example\r\n\r\n"); got != base+"/take" {
		t.Errorf("absolute-form request sent to %q, want %s", got, base+"/take")
	}
	for path, want := range map[string]string{
		"/.well-known/acme-challenge/tok_EN-123":       "200 tok_EN-123.thumbprint",
		"/.well-known/acme-challenge/missing":          "404",
		"/.well-known/acme-challenge/..%2f..%2fsecret": "404",
		"/.well-known/acme-challenge/../../secret":     "404",
	} {
		resp, err := plain.Get("http://" + raddr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := fmt.Sprint(resp.StatusCode)
		if resp.StatusCode == 200 {
			got += " " + string(body)
		}
		if got != want || bytes.Contains(body, []byte("strangers")) {
			t.Errorf("GET %s = %q, want %q", path, got, want)
		}
	}

	// /metrics, from this machine: when the certificate expires.
	body := getBody(t, h2, base+"/metrics")
	m := regexp.MustCompile(`(?m)^broadsheet_tls_certificate_expiry_timestamp_seconds (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Errorf("metrics lack the certificate's expiry:\n%.600s", body)
	} else if v, err := strconv.ParseFloat(m[1], 64); err != nil || int64(v) != first.NotAfter.Unix() {
		t.Errorf("metrics say the certificate expires at %s, want %d", m[1], first.NotAfter.Unix())
	}

	// A renewal, then SIGHUP from the ACME client's deploy hook.
	second := ca.Leaf(t, "127.0.0.1", 90*24*time.Hour)
	second.Write(t, certFile, keyFile)
	must(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.Pool})
		if err != nil {
			t.Fatal(err)
		}
		serial := conn.ConnectionState().PeerCertificates[0].SerialNumber
		conn.Close()
		if serial.Cmp(second.Serial) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still serving serial %v 10s after SIGHUP, want %v", serial, second.Serial)
		}
	}
}

// rawLocation sends a raw request to addr and returns the Location of the
// answer.
func rawLocation(t *testing.T, addr, request string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, request)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Location")
}

func getBody(t *testing.T, client *http.Client, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestKeepCertificate: a renewal is found by looking at the files; a pair
// caught half-written is logged once, and the certificate in use stays
// until the pair is whole.
func TestKeepCertificate(t *testing.T) {
	dir := t.TempDir()
	ca := tlstest.NewCA(t)
	certFile, keyFile := filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem")
	first := ca.Leaf(t, "127.0.0.1", time.Hour)
	first.Write(t, certFile, keyFile)
	k, err := tlscert.Load(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		keepCertificate(ctx, k, 10*time.Millisecond, nil, log)
	}()
	defer func() { cancel(); <-stopped }()
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 10s; log:\n%s", what, logs.String())
			}
		}
	}
	second := ca.Leaf(t, "127.0.0.1", 2*time.Hour)
	must(t, os.WriteFile(certFile, second.CertPEM, 0o600)) // the key is not there yet
	later := time.Now().Add(time.Minute)
	must(t, os.Chtimes(certFile, later, later))
	waitFor("the mismatched pair logged", func() bool { return strings.Contains(logs.String(), "TLS certificate not reloaded") })
	time.Sleep(100 * time.Millisecond) // ten more looks at the same files
	if n := strings.Count(logs.String(), "TLS certificate not reloaded"); n != 1 {
		t.Errorf("the same mismatched pair logged %d times, want once", n)
	}
	if k.Leaf().SerialNumber.Cmp(first.Serial) != 0 {
		t.Error("a mismatched pair was put in use")
	}
	must(t, os.WriteFile(keyFile, second.KeyPEM, 0o600))
	later = later.Add(time.Minute)
	must(t, os.Chtimes(keyFile, later, later))
	waitFor("the renewal in use", func() bool { return k.Leaf().SerialNumber.Cmp(second.Serial) == 0 })
	waitFor("the renewal logged", func() bool { return strings.Contains(logs.String(), "TLS certificate reloaded") })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestREADMEServingHTTPS runs the README's https example as written: the
// certificate made with openssl, the demo served with it from the binary
// make build makes, and the two curl commands, whose output must be what
// the README shows.
func TestREADMEServingHTTPS(t *testing.T) {
	for _, tool := range []string{"openssl", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed; scripts/test-deps.sh installs it", tool)
			}
			t.Skipf("%s is not installed; scripts/test-deps.sh installs it", tool)
		}
	}
	t.Setenv("BROADSHEET_DATABASE_URL", "")
	dir := t.TempDir()
	bin, readme := buildForShell(t, dir)
	start := strings.Index(readme, "\n### Serving https\n")
	if start < 0 {
		t.Fatal("README has no section Serving https")
	}
	section := readme[start+1:]
	if end := strings.Index(section[1:], "\n#"); end >= 0 {
		section = section[:end+1]
	}
	blocks := regexp.MustCompile("(?s)```(\\w*)\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) != 3 || blocks[0][1] != "sh" || blocks[1][1] != "sh" || blocks[2][1] != "" {
		t.Fatalf("README's https section has %d blocks; want the set-up, the curl commands and their output", len(blocks))
	}
	var commands []string
	for _, line := range strings.Split(strings.ReplaceAll(blocks[0][2], "\\\n", " "), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			commands = append(commands, line)
		}
	}
	if len(commands) != 2 || !strings.HasPrefix(commands[0], "openssl ") || !strings.HasPrefix(commands[1], "bin/broadsheet serve ") {
		t.Fatalf("README's https set-up is %q; want an openssl command and bin/broadsheet serve", commands)
	}
	if out, err := shell(dir, commands[0]); err != nil {
		t.Fatalf("%s: %v\n%s", commands[0], err, out)
	}
	// As written: bin/broadsheet, in the directory make build leaves it under.
	fields := strings.Fields(commands[1])
	if filepath.Join(dir, fields[0]) != bin {
		t.Fatalf("the README runs %s; the binary is at %s", fields[0], bin)
	}
	site := startBroadsheetIn(t, dir, bin, fields[1:])
	pool := x509.NewCertPool()
	pem, err := os.ReadFile(filepath.Join(dir, "fullchain.pem"))
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("the certificate openssl made: %v", err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	for deadline := time.Now().Add(120 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := client.Get("https://127.0.0.1:8443/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-site.exited:
			t.Fatalf("serve exited (%v):\n%s", site.err, site.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer https within 120s (%v):\n%s", err, site.log.String())
		}
	}
	out, err := shell(dir, blocks[1][2])
	if err != nil {
		t.Fatalf("the README's curl commands: %v\n%s", err, out)
	}
	clean := func(s string) []string {
		var lines []string
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		return lines
	}
	if got, want := clean(out), clean(blocks[2][2]); !slices.Equal(got, want) {
		t.Errorf("the README's curl commands print\n%s\nthe README shows\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	site.stop(t)
}
