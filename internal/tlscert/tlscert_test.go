package tlscert

import (
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/tlscert/tlstest"
)

// TestLoadAndReload: a pair is read at start, its errors name the file;
// a renewal is put in use by Reload; a pair caught half-written is
// refused, reported once, and the certificate in use stays.
func TestLoadAndReload(t *testing.T) {
	dir := t.TempDir()
	ca := tlstest.NewCA(t)
	certFile, keyFile := filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem")

	if _, err := Load(certFile, keyFile); err == nil || !strings.Contains(err.Error(), "fullchain.pem") {
		t.Fatalf("Load of missing files: %v, want an error naming the certificate file", err)
	}
	first := ca.Leaf(t, "127.0.0.1", time.Hour)
	first.Write(t, certFile, keyFile)
	k, err := Load(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Leaf().SerialNumber; got.Cmp(first.Serial) != 0 {
		t.Fatalf("serving serial %v, want %v", got, first.Serial)
	}
	if _, err := k.Reload(false); !errors.Is(err, ErrUnchanged) {
		t.Errorf("Reload with nothing changed: %v, want ErrUnchanged", err)
	}

	// A renewal: both files written anew.
	second := ca.Leaf(t, "127.0.0.1", 2*time.Hour)
	second.Write(t, certFile, keyFile)
	bump(t, certFile, keyFile)
	if news, err := k.Reload(false); err != nil || !news {
		t.Fatalf("Reload after a renewal: news %v, %v", news, err)
	}
	if got := k.Leaf().SerialNumber; got.Cmp(second.Serial) != 0 {
		t.Fatalf("after the renewal serving serial %v, want %v", got, second.Serial)
	}
	cfg := k.Config()
	if c, _ := cfg.GetCertificate(&tls.ClientHelloInfo{}); c.Leaf.SerialNumber.Cmp(second.Serial) != 0 {
		t.Error("the TLS configuration does not hand out the renewed pair")
	}
	if cfg.MinVersion != tls.VersionTLS12 || len(cfg.NextProtos) == 0 || cfg.NextProtos[0] != "h2" {
		t.Errorf("config: MinVersion %x, NextProtos %v; want TLS 1.2 and h2 first", cfg.MinVersion, cfg.NextProtos)
	}

	// Half-written: the new certificate with the old key.
	third := ca.Leaf(t, "127.0.0.1", 3*time.Hour)
	if err := os.WriteFile(certFile, third.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	bump(t, certFile, keyFile)
	news, err := k.Reload(false)
	if err == nil || !news {
		t.Fatalf("Reload of a mismatched pair: news %v, %v; want a new error", news, err)
	}
	if news, err := k.Reload(false); err == nil || news {
		t.Errorf("the same mismatched pair again: news %v, %v; want the error, not news", news, err)
	}
	if got := k.Leaf().SerialNumber; got.Cmp(second.Serial) != 0 {
		t.Errorf("a mismatched pair replaced the certificate in use (serial %v)", got)
	}
	// The key arrives: the pair is whole and goes in use.
	if err := os.WriteFile(keyFile, third.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	bump(t, certFile, keyFile)
	if news, err := k.Reload(false); err != nil || !news || k.Leaf().SerialNumber.Cmp(third.Serial) != 0 {
		t.Errorf("the completed renewal: news %v, %v, serving %v; want %v", news, err, k.Leaf().SerialNumber, third.Serial)
	}

	// Files removed: refused, and the pair in use stays.
	os.Remove(keyFile)
	if _, err := k.Reload(true); err == nil || !strings.Contains(err.Error(), "TLS key") {
		t.Errorf("Reload without a key file: %v, want an error about the key", err)
	}
	if k.Leaf().SerialNumber.Cmp(third.Serial) != 0 {
		t.Error("a missing key file replaced the certificate in use")
	}
}

var bumps atomic.Int64

// bump moves the files' modification times on, as a later write would on
// a file system whose clock ticks coarsely.
func bump(t *testing.T, files ...string) {
	t.Helper()
	later := time.Now().Add(time.Duration(bumps.Add(1)) * time.Minute)
	for _, f := range files {
		if err := os.Chtimes(f, later, later); err != nil {
			t.Fatal(err)
		}
	}
}
