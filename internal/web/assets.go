package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
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
	// Header values formatted once, and the heads of the answers to the
	// fingerprinted address, for the fast path (renderAssetHeads).
	contentTypeHeader, etagHeader, bodyLen, gzLen []string
	etag, versionQuery                            string
	heads                                         [forms][]byte
}

// contentTypes are the types of the static files, by extension. The
// binary does not depend on the host's mime.types, which Go's mime
// package would read (400 KB of table held for the life of the process)
// and which may lack a type or name another; a file of any other
// extension is refused at start-up.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".png":   "image/png",
	".svg":   "image/svg+xml",
	".txt":   "text/plain; charset=utf-8",
	".woff2": "font/woff2",
}

// cssURL is a url() in a stylesheet that names another static file (a font)
// by its bare name.
var cssURL = regexp.MustCompile(`url\(([A-Za-z0-9_-]+\.[a-z0-9]+)\)`)

// loadAssets reads every file under dir. Only these names are ever served,
// so no request can reach a file outside the set.
//
// A stylesheet's url(name) becomes url(name?v=hash), so the font it names
// is cached forever like the stylesheet, and a new font gives the
// stylesheet a new fingerprint too. Stylesheets are therefore done last.
func loadAssets(fsys fs.FS, dir string) (map[string]*asset, error) {
	bodies := map[string][]byte{}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := strings.TrimPrefix(p, dir+"/")
		if _, ok := contentTypes[path.Ext(name)]; !ok {
			return fmt.Errorf("%s: no content type for %q files", name, path.Ext(name))
		}
		body, err := fs.ReadFile(fsys, p)
		bodies[name] = trimmed(name, body)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("web: static assets: %w", err)
	}
	assets := make(map[string]*asset, len(bodies))
	for name, body := range bodies {
		if path.Ext(name) != ".css" {
			assets[name] = newAsset(name, body)
		}
	}
	for name, body := range bodies {
		if path.Ext(name) != ".css" {
			continue
		}
		var missing []string
		body = cssURL.ReplaceAllFunc(body, func(m []byte) []byte {
			ref := string(cssURL.FindSubmatch(m)[1])
			a, ok := assets[ref]
			if !ok {
				missing = append(missing, ref)
				return m
			}
			return []byte("url(" + ref + "?v=" + a.hash + ")")
		})
		if len(missing) > 0 {
			return nil, fmt.Errorf("web: static assets: %s names %s, which is not a static file", name, strings.Join(missing, ", "))
		}
		assets[name] = newAsset(name, body)
	}
	return assets, nil
}

// trimmed is a stylesheet or a script as the browser needs it, without the
// comments and the indentation that are there for the people who read it:
// they are a fifth of a stylesheet's compressed bytes and a third of a
// script's. Whatever else a file holds is left as written.
func trimmed(name string, body []byte) []byte {
	switch path.Ext(name) {
	case ".css":
		return trimCSS(body)
	case ".js":
		return trimJS(body)
	}
	return body
}

// trimCSS drops a stylesheet's comments, except /*! ones (a licence), and
// the spaces that start its lines. Strings and url() are copied as they
// are. A comment between two tokens with no space beside it becomes /**/,
// which still parts them: "1px/* x */2px" is two numbers, "1px2px" one.
func trimCSS(css []byte) []byte {
	out := make([]byte, 0, len(css))
	space := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
	for i := 0; i < len(css); {
		c := css[i]
		switch {
		case c == '/' && i+1 < len(css) && css[i+1] == '*':
			end := bytes.Index(css[i+2:], []byte("*/"))
			if end < 0 {
				return css // unterminated: leave the file as it is
			}
			j := i + 2 + end + 2
			if bytes.HasPrefix(css[i:], []byte("/*!")) {
				out = append(out, css[i:j]...)
			} else if len(out) > 0 && !space(out[len(out)-1]) && j < len(css) && !space(css[j]) {
				out = append(out, "/**/"...)
			}
			i = j
		case c == '\\' && i+1 < len(css):
			out, i = append(out, css[i:i+2]...), i+2 // an escape: \' is no string
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(css) && css[j] != c {
				if css[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(css))
			out, i = append(out, css[i:j]...), j
		case (c == 'u' || c == 'U') && i+4 <= len(css) && strings.EqualFold(string(css[i:i+4]), "url(") &&
			(len(out) == 0 || !isNameByte(out[len(out)-1])):
			j := i + 4
			for j < len(css) && space(css[j]) {
				j++
			}
			if j < len(css) && (css[j] == '"' || css[j] == '\'') {
				out, i = append(out, css[i:j]...), j // a quoted url() is a string
				break
			}
			end := bytes.IndexByte(css[j:], ')')
			if end < 0 {
				return css
			}
			out, i = append(out, css[i:j+end+1]...), j+end+1
		case c == '\n':
			// A line's leading spaces, and blank lines, go.
			for i < len(css) && space(css[i]) {
				i++
			}
			if len(out) > 0 && out[len(out)-1] != '\n' {
				out = append(out, '\n')
			}
		default:
			out, i = append(out, c), i+1
		}
	}
	return out
}

// isNameByte reports whether c may be part of a CSS name, so that the
// "url(" in "my-url(" is not a url().
func isNameByte(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// trimJS drops the lines of a script that are only a // comment, blank
// lines, and the spaces that start the others. Outside a template literal
// a line cannot start inside a string, save after a line ending in a
// backslash, which is kept as it is; a line that starts with // is then a
// comment, or text within a /* comment */. So a script with a template
// literal, a bundle such as editor.js, is left as it is.
func trimJS(js []byte) []byte {
	if bytes.IndexByte(js, '`') >= 0 {
		return js
	}
	out := make([]byte, 0, len(js))
	continued := false
	for line := range bytes.Lines(js) {
		if continued {
			out = append(out, line...)
		} else if t := bytes.TrimLeft(line, " \t"); !bytes.HasPrefix(t, []byte("//")) && len(bytes.TrimSpace(t)) > 0 {
			out = append(out, t...)
		}
		continued = bytes.HasSuffix(bytes.TrimRight(line, "\r\n"), []byte("\\"))
	}
	return out
}

// newAsset fingerprints body and compresses it if it is text: a font or an
// image is compressed already. A compressed file keeps only its gzip
// form: every browser asks for it, and the rare client that does not is
// sent it decompressed (writePlain). The plain copies had been 850 KB of
// an idle server's heap, 500 KB of it the newsroom's editor.
func newAsset(name string, body []byte) *asset {
	sum := sha256.Sum256(body)
	a := &asset{body: body, hash: hex.EncodeToString(sum[:6])}
	a.contentType = contentTypes[path.Ext(name)]
	if strings.HasPrefix(a.contentType, "text/") || strings.Contains(a.contentType, "svg") || strings.Contains(a.contentType, "javascript") {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		a.gz = buf.Bytes()
	}
	a.etag = `"` + a.hash + `"`
	a.versionQuery = "v=" + a.hash
	a.contentTypeHeader, a.etagHeader = []string{a.contentType}, []string{a.etag}
	a.bodyLen, a.gzLen = []string{strconv.Itoa(len(a.body))}, []string{strconv.Itoa(len(a.gz))}
	if a.gz != nil {
		a.body = nil
	}
	return a
}

// writePlain writes a's plain bytes: kept, or its gzip form decompressed.
func (a *asset) writePlain(w io.Writer) error {
	if a.gz == nil {
		_, err := w.Write(a.body)
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(a.gz))
	if err != nil {
		return err
	}
	_, err = io.Copy(w, zr)
	return err
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
	f := assetForm(a, r.Header.Get("Accept-Encoding"), r.Header.Get("If-None-Match"))
	assetHeader(w.Header(), a, f, r.URL.RawQuery == a.versionQuery || r.URL.Query().Get("v") == a.hash)
	if f == formNotModified {
		writeNotModified(w)
		return
	}
	if r.Method == http.MethodHead {
		return
	}
	if f == formGzip {
		w.Write(a.gz)
	} else if err := a.writePlain(w); err != nil {
		s.log.Debug("sending a static file", "file", r.PathValue("file"), "err", err)
	}
}

// assetForm picks the form of a static file's answer.
func assetForm[T ~string | ~[]byte](a *asset, acceptEncoding, ifNoneMatch T) form {
	switch {
	case string(ifNoneMatch) == a.etag:
		return formNotModified
	case a.gz != nil && gzipAccepted(acceptEncoding):
		return formGzip
	}
	return formPlain
}

// hdrShortCache is how long a static file asked for without its
// fingerprint may be kept: a page links to the fingerprinted address.
var hdrShortCache = []string{"public, max-age=300"}

// assetHeader sets the fields of a's answer in form f; fingerprinted says
// the address named its content's hash, which never changes.
func assetHeader(h http.Header, a *asset, f form, fingerprinted bool) {
	h["Content-Type"] = a.contentTypeHeader
	h["Etag"] = a.etagHeader
	h["Cache-Control"] = hdrShortCache
	if fingerprinted {
		h["Cache-Control"] = hdrImmutable
	}
	if a.gz != nil {
		h["Vary"] = hdrVaryAE
	}
	switch {
	case f == formGzip:
		h["Content-Encoding"] = hdrGzip
		h["Content-Length"] = a.gzLen
	case f == formPlain:
		h["Content-Length"] = a.bodyLen
	}
}

// GET /media/{id}/{file}, where file is WIDTH.jpg. A stored image never
// changes (an edit makes a new one), so it may be cached for a year.
func (s *Server) media(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	width, ext, _ := strings.Cut(r.PathValue("file"), ".")
	if err == nil && id > 0 && ext != "jpg" {
		s.document(w, r, id, r.PathValue("file"))
		return
	}
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
		h := w.Header()
		h["Cache-Control"] = cacheControl
		h["Etag"] = []string{etag}
		writeNotModified(w)
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

// document serves a PDF or a recording of the media library under its
// name, with ranges (players seek in recordings) and conditional requests.
// Like an image, it is public once a published article links to it, and
// until then only for the newsroom.
func (s *Server) document(w http.ResponseWriter, r *http.Request, id int64, name string) {
	ctx := r.Context()
	d, err := s.store.DocumentByID(ctx, id)
	if err == nil && d.Name != name {
		err = article.ErrNotFound
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	public, err := s.store.DocumentPublic(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h["Cache-Control"] = hdrImmutable
	if !public {
		if u, _ := s.authenticate(r); u == nil {
			s.fail(w, r, article.ErrNotFound)
			return
		}
		h["Cache-Control"] = hdrPrivate
	}
	h.Set("ETag", `"d`+strconv.FormatInt(id, 10)+`-`+d.SourceHash[:min(16, len(d.SourceHash))]+`"`)
	h.Set("Content-Type", d.ContentType)
	// The bytes start as a PDF or a recording (they were sniffed at
	// upload) and nosniff holds the browser to the type, so they are never
	// read as a page; the policy lets a browser's PDF viewer show them
	// (it embeds the file, hence object-src) and forbids anything else.
	h.Set("Content-Security-Policy", "default-src 'none'; object-src 'self'; media-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": d.Name}))
	if match := r.Header.Get("If-None-Match"); match != "" && match == h.Get("ETag") {
		writeNotModified(w)
		return
	}
	http.ServeContent(w, r, "", d.CreatedAt, &documentReader{ctx: ctx, store: s.store, id: id, size: d.Size})
}

// documentChunk is how much of a document one read asks the database for.
const documentChunk = 1 << 20

// documentReader reads a document from the database a chunk at a time,
// from wherever http.ServeContent seeks: a range costs its own bytes, and
// a whole file at most a chunk of memory at once.
type documentReader struct {
	ctx   context.Context
	store interface {
		DocumentBytes(ctx context.Context, id, offset, n int64) ([]byte, error)
	}
	id, size, off int64
	buf           []byte // the bytes from bufAt
	bufAt         int64
}

func (d *documentReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += d.off
	case io.SeekEnd:
		offset += d.size
	default:
		return 0, errors.New("document: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("document: seek before the start")
	}
	d.off = offset
	return offset, nil
}

func (d *documentReader) Read(p []byte) (int, error) {
	if d.off >= d.size {
		return 0, io.EOF
	}
	if d.off < d.bufAt || d.off >= d.bufAt+int64(len(d.buf)) {
		b, err := d.store.DocumentBytes(d.ctx, d.id, d.off, documentChunk)
		if err != nil {
			return 0, err
		}
		if len(b) == 0 { // the file is shorter than recorded
			return 0, io.ErrUnexpectedEOF
		}
		d.buf, d.bufAt = b, d.off
	}
	n := copy(p, d.buf[d.off-d.bufAt:])
	d.off += int64(n)
	return n, nil
}
