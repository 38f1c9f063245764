// Package tlscert keeps the certificate a site serves over TLS: read from
// the PEM files an ACME client (certbot, lego, acme.sh) or an operator
// writes, and read again when they change, without a restart and without
// dropping a connection.
//
// A renewal writes the certificate and the key one after the other, so a
// reload may find a pair that does not match yet. Such a pair, or any
// file that cannot be read, leaves the certificate in use as it was; the
// next look tries again.
package tlscert

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Keeper holds the certificate in use and the files it came from.
type Keeper struct {
	certFile, keyFile string
	cert              atomic.Pointer[tls.Certificate]

	mu        sync.Mutex // serialises Reload
	stamp     stamp      // the files as last loaded
	failed    stamp      // the files as last refused, and why, so that
	failedWhy string     // one bad pair is reported once
}

// stamp tells whether the files changed: their sizes and modification times.
type stamp struct {
	certMod, keyMod   time.Time
	certSize, keySize int64
}

// Load reads the certificate chain in certFile and its private key in
// keyFile, both PEM. The error names the file at fault.
func Load(certFile, keyFile string) (*Keeper, error) {
	k := &Keeper{certFile: certFile, keyFile: keyFile}
	if _, err := k.Reload(true); err != nil {
		return nil, err
	}
	return k, nil
}

// read loads and checks one pair.
func read(certFile, keyFile string) (*tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s with key %s: %w", certFile, keyFile, err)
	}
	// X509KeyPair parses the leaf into cert.Leaf (Go 1.23 and later).
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fmt.Errorf("TLS certificate %s: %w", certFile, err)
		}
	}
	return &cert, nil
}

func (k *Keeper) stat() (stamp, error) {
	c, err := os.Stat(k.certFile)
	if err != nil {
		return stamp{}, fmt.Errorf("TLS certificate: %w", err)
	}
	key, err := os.Stat(k.keyFile)
	if err != nil {
		return stamp{}, fmt.Errorf("TLS key: %w", err)
	}
	return stamp{certMod: c.ModTime(), keyMod: key.ModTime(), certSize: c.Size(), keySize: key.Size()}, nil
}

// ErrUnchanged is Reload's answer when neither file changed since the
// pair in use was read.
var ErrUnchanged = errors.New("TLS certificate files unchanged")

// Reload reads the files again if they changed since they were last read
// (or force is set) and puts the new pair in use. It returns ErrUnchanged
// when there was nothing to read, and an error, with the pair in use kept,
// when the new files cannot be read or do not match. news says whether
// the outcome is worth telling the operator: a new pair in use, or a
// refusal the same files did not already get.
func (k *Keeper) Reload(force bool) (news bool, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	st, err := k.stat()
	if err != nil {
		return k.refuse(stamp{}, err)
	}
	if !force && st == k.stamp {
		return false, ErrUnchanged
	}
	cert, err := read(k.certFile, k.keyFile)
	if err != nil {
		return k.refuse(st, err)
	}
	k.cert.Store(cert)
	k.stamp, k.failed, k.failedWhy = st, stamp{}, ""
	return true, nil
}

// refuse records that the files as stamped were refused for err.
func (k *Keeper) refuse(st stamp, err error) (bool, error) {
	fresh := st != k.failed || err.Error() != k.failedWhy
	k.failed, k.failedWhy = st, err.Error()
	return fresh, err
}

// GetCertificate is for tls.Config: the pair in use.
func (k *Keeper) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return k.cert.Load(), nil
}

// Leaf is the certificate in use, parsed: its names and its expiry.
func (k *Keeper) Leaf() *x509.Certificate { return k.cert.Load().Leaf }

// Config is a server's TLS configuration with the pair in use: TLS 1.2
// and later, HTTP/2 offered before HTTP/1.1.
func (k *Keeper) Config() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: k.GetCertificate,
		NextProtos:     []string{"h2", "http/1.1"},
	}
}
