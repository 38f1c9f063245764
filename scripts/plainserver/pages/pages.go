// Package pages loads the files the benchmark's reference servers send:
// every FILE.gz under a directory, held in memory with the ETag and
// content type to send it with, keyed by the address it answers.
package pages

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"os"
	"path"
	"strings"
)

// Page is one file's gzip bytes and the headers that go with them.
type Page struct {
	Gzip        []byte
	ETag        string // strong: the bytes never change while the server runs
	ContentType string
}

// Load reads every .gz file under root. "city/x.html.gz" answers at
// /city/x, "index.html.gz" at /, "feed.rss.gz" at /feed.rss: the layout
// the benchmark script gives nginx.
func Load(root string) (map[string]Page, error) {
	pages := map[string]Page{}
	err := fs.WalkDir(os.DirFS(root), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".gz") {
			return err
		}
		b, err := os.ReadFile(path.Join(root, name))
		if err != nil {
			return err
		}
		name = strings.TrimSuffix(name, ".gz")
		sum := sha256.Sum256(b)
		pages[address(name)] = Page{
			Gzip:        b,
			ETag:        `"` + hex.EncodeToString(sum[:8]) + `"`,
			ContentType: contentType(path.Ext(name)),
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("pages: no .gz file under %s", root)
	}
	return pages, nil
}

func address(name string) string {
	name = "/" + strings.TrimSuffix(name, ".html")
	if name == "/index" {
		return "/"
	}
	return name
}

func contentType(ext string) string {
	switch ext {
	case ".html":
		return "text/html; charset=utf-8"
	case ".rss":
		// Not in Go's built-in table, and /etc/mime.types may be absent.
		return "application/rss+xml; charset=utf-8"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
