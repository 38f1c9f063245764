package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"

	"broadsheet/internal/article"
)

// asset is one embedded static file, fingerprinted and pre-compressed.
type asset struct {
	body, gz    []byte
	contentType string
	hash        string
}

// loadAssets reads every file under dir. Only these names are ever served,
// so no request can reach a file outside the set.
func loadAssets(fsys fs.FS, dir string) (map[string]*asset, error) {
	assets := map[string]*asset{}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		a := &asset{body: body, hash: hex.EncodeToString(sum[:6])}
		a.contentType = mime.TypeByExtension(path.Ext(p))
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		if strings.HasPrefix(a.contentType, "text/") || strings.Contains(a.contentType, "svg") || strings.Contains(a.contentType, "javascript") {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			a.gz = buf.Bytes()
		}
		assets[strings.TrimPrefix(p, dir+"/")] = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static assets: %w", err)
	}
	return assets, nil
}

// assetURL returns the fingerprinted URL of a static file; a page built
// with it may be cached forever because a change gives a new URL.
func (s *Server) assetURL(name string) string {
	a, ok := s.assets[name]
	if !ok {
		panic("web: no static asset " + name) // a template bug, caught by tests
	}
	return "/static/" + name + "?v=" + a.hash
}

// GET /static/{file}
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets[r.PathValue("file")]
	if !ok {
		s.fail(w, r, article.ErrNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", `"`+a.hash+`"`)
	if r.URL.Query().Get("v") == a.hash {
		h["Cache-Control"] = hdrImmutable
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	if a.gz != nil {
		h.Set("Vary", "Accept-Encoding")
	}
	if r.Header.Get("If-None-Match") == `"`+a.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if a.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// GET /media/{id}/{file}, where file is WIDTH.jpg. A stored image never
// changes (an edit makes a new one), so it may be cached for a year.
func (s *Server) media(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	width, ext, _ := strings.Cut(r.PathValue("file"), ".")
	wd, werr := strconv.Atoi(width)
	if err != nil || werr != nil || id <= 0 || wd <= 0 || ext != "jpg" {
		s.fail(w, r, article.ErrNotFound)
		return
	}
	// An image no published article shows yet (an embargoed story's lead
	// picture, a fresh upload) is only for the newsroom: ids are sequential
	// and easy to guess.
	public, err := s.store.ImagePublic(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cacheControl := hdrImmutable
	if !public {
		if u, _ := s.authenticate(r); u == nil {
			s.fail(w, r, article.ErrNotFound)
			return
		}
		cacheControl = hdrPrivate
	}
	etag := `"` + strconv.FormatInt(id, 10) + "-" + strconv.Itoa(wd) + `"`
	if r.Header.Get("If-None-Match") == etag {
		w.Header()["Cache-Control"] = cacheControl
		w.WriteHeader(http.StatusNotModified)
		return
	}
	v, err := s.store.ImageVariant(r.Context(), id, wd)
	if err != nil {
		if !errors.Is(err, article.ErrNotFound) {
			s.fail(w, r, err)
			return
		}
		s.fail(w, r, article.ErrNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", v.ContentType)
	h["Cache-Control"] = cacheControl
	h.Set("ETag", etag)
	h.Set("Content-Length", strconv.Itoa(len(v.Bytes)))
	if r.Method != http.MethodHead {
		w.Write(v.Bytes)
	}
}
