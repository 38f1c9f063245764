package web

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// fontRef is a font in a stylesheet as the browser reads it: the name of a
// file beside the stylesheet, with the fingerprint the server added.
var fontRef = regexp.MustCompile(`url\(([a-z0-9-]+\.woff2)\?v=([0-9a-f]+)\)`)

// Both stylesheets name the Persian and Arabic font by fingerprinted URLs,
// and the server sends each as font/woff2, uncompressed (WOFF2 is Brotli
// inside already) and cached for a year. The reading site names only the
// regular face, and draws bold from it: a page in Persian fetches one
// font. The newsroom names both.
func TestFontsServedImmutable(t *testing.T) {
	s := newSite(t)
	faces := map[string][]string{
		"style.css": {"vazirmatn-regular.woff2"},
		"admin.css": {"vazirmatn-regular.woff2", "vazirmatn-bold.woff2"},
	}
	for css, want := range faces {
		sheet := s.get(s.srv.assetURL(css))
		found := map[string]bool{}
		for _, m := range fontRef.FindAllStringSubmatch(sheet.body, -1) {
			name, hash := m[1], m[2]
			found[name] = true
			if want := s.srv.assets[name]; want == nil || want.hash != hash {
				t.Errorf("%s names %s?v=%s, which is not its fingerprint", css, name, hash)
			}
			r := s.get("/static/"+name+"?v="+hash, "Accept-Encoding", "gzip, br")
			if r.status != 200 {
				t.Errorf("GET %s (from %s) = %d, want 200", name, css, r.status)
				continue
			}
			if got := r.header.Get("Content-Type"); got != "font/woff2" {
				t.Errorf("%s: Content-Type %q, want font/woff2", name, got)
			}
			if got := r.header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("%s: Cache-Control %q, want a year, immutable", name, got)
			}
			if got := r.header.Get("Content-Encoding"); got != "" {
				t.Errorf("%s: Content-Encoding %q, want none: WOFF2 is compressed already", name, got)
			}
			if !strings.HasPrefix(r.body, "wOF2") {
				t.Errorf("%s: body starts %q, want the WOFF2 signature wOF2", name, r.body[:min(4, len(r.body))])
			}
		}
		for _, name := range want {
			if !found[name] {
				t.Errorf("%s does not name %s by a fingerprinted url()", css, name)
			}
		}
		if len(found) != len(want) {
			t.Errorf("%s names the fonts %v, want only %v", css, found, want)
		}
	}
}

// A stylesheet's url(file) gets the file's fingerprint, so a new font makes
// a new stylesheet URL; a url() naming no static file stops the server at
// start-up rather than sending readers to a 404.
func TestStylesheetFontFingerprints(t *testing.T) {
	fsys := fstest.MapFS{
		"static/a.css":   {Data: []byte(`@font-face { src: url(f.woff2) format("woff2"); } b { background: url(data:image/png;base64,AA==) }`)},
		"static/f.woff2": {Data: []byte("wOF2 one")},
	}
	one, err := loadAssets(fsys, "static")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := plainOf(t, one["a.css"]), `url(f.woff2?v=`+one["f.woff2"].hash+`)`; !strings.Contains(got, want) {
		t.Errorf("a.css = %s, want it to contain %s", got, want)
	}
	if got := plainOf(t, one["a.css"]); !strings.Contains(got, "url(data:image/png;base64,AA==)") {
		t.Errorf("a data: URL was rewritten: %s", got)
	}
	if got := one["f.woff2"].contentType; got != "font/woff2" {
		t.Errorf("f.woff2 has type %q, want font/woff2", got)
	}

	fsys["static/f.woff2"] = &fstest.MapFile{Data: []byte("wOF2 two")}
	two, err := loadAssets(fsys, "static")
	if err != nil {
		t.Fatal(err)
	}
	if one["a.css"].hash == two["a.css"].hash {
		t.Error("a new font left the stylesheet's fingerprint as it was: browsers would keep the old font")
	}

	fsys["static/b.css"] = &fstest.MapFile{Data: []byte(`@font-face { src: url(gone.woff2) }`)}
	if _, err := loadAssets(fsys, "static"); err == nil || !strings.Contains(err.Error(), "gone.woff2") {
		t.Errorf("a url() naming no file: err = %v, want one that names gone.woff2", err)
	}
}

// Each stylesheet's unicode-range is what scripts/update-fonts.sh keeps: a
// wider range would fetch the font for letters it lacks, a narrower one
// would leave letters it has to a system face.
func TestFontRangesMatchTheSubset(t *testing.T) {
	script, err := os.ReadFile("../../scripts/update-fonts.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^unicodes=(\S+)$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("scripts/update-fonts.sh sets no unicodes=")
	}
	want := string(m[1])
	ranges := regexp.MustCompile(`unicode-range:\s*([^;}]+)`)
	for _, css := range []string{"style.css", "admin.css"} {
		body, err := staticFS.ReadFile("static/" + css)
		if err != nil {
			t.Fatal(err)
		}
		found := ranges.FindAllSubmatch(body, -1)
		if len(found) == 0 {
			t.Errorf("%s declares no unicode-range", css)
		}
		for _, f := range found {
			if got := strings.Join(strings.Fields(string(f[1])), ""); got != want {
				t.Errorf("%s: unicode-range %s, want the subset's %s", css, got, want)
			}
		}
	}
}

// A stylesheet loses its comments and indentation, and nothing else.
func TestTrimCSS(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"comments and indentation", "/* what */\na {\n  color: red; /* why */\n}\n", "a {\ncolor: red; \n}\n"},
		{"blank lines", "a{}\n\n\n  \nb{}\n", "a{}\nb{}\n"},
		{"a comment that parts two tokens", "a{margin:1px/* x */2px}", "a{margin:1px/**/2px}"},
		{"a comment beside a space", "a{margin:1px /* x */2px}", "a{margin:1px 2px}"},
		{"a licence", "/*! MIT */\na{}", "/*! MIT */\na{}"},
		{"strings", `a::before{content:"/* not a comment */"}b::after{content:'it\'s /* still */'}`, `a::before{content:"/* not a comment */"}b::after{content:'it\'s /* still */'}`},
		{"an escaped quote", `.it\'s{}/* x */`, `.it\'s{}`},
		{"url()", "a{background:url(data:image/svg+xml,/*x*/)}", "a{background:url(data:image/svg+xml,/*x*/)}"},
		{"a quoted url()", `a{background:url( "a/*b*/c" )}`, `a{background:url( "a/*b*/c" )}`},
		{"an unterminated comment", "a{} /* open", "a{} /* open"},
	} {
		if got := string(trimCSS([]byte(tt.in))); got != tt.want {
			t.Errorf("%s: trimCSS(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// A script loses the lines that are only a comment, blank lines and
// indentation; a line continued from a backslash, and a script with a
// template literal, are kept as written.
func TestTrimJS(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"comments and indentation", "// what\n(function () {\n  // why\n  var a = 1; // kept\n\n  return a;\n})();\n", "(function () {\nvar a = 1; // kept\nreturn a;\n})();\n"},
		{"a block comment", "/* a\n   // b\n*/\nx();\n", "/* a\n*/\nx();\n"},
		{"a continued string", "var s = \"a\\\n  // b\";\n", "var s = \"a\\\n  // b\";\n"},
		{"a template literal", "var s = `\n  // b`;\n", "var s = `\n  // b`;\n"},
		{"no newline at the end", "  x()", "x()"},
	} {
		if got := string(trimJS([]byte(tt.in))); got != tt.want {
			t.Errorf("%s: trimJS(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// The site's own stylesheets and scripts are served trimmed, and a
// bundle as it was built.
func TestStaticTrimmed(t *testing.T) {
	s := newSite(t)
	for name, trim := range map[string]bool{"style.css": true, "forms.js": true, "live.js": true, "editor.js": false} {
		src, err := staticFS.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		got := s.get(s.srv.assetURL(name)).body
		switch {
		case trim && len(got) >= len(src):
			t.Errorf("%s: served %d bytes of its %d, want it trimmed", name, len(got), len(src))
		case !trim && got != string(src):
			t.Errorf("%s: served %d bytes that are not the file's %d", name, len(got), len(src))
		}
	}
}

// Every static file is served with the type its extension names in the
// site's own table, whatever the host's mime.types says; a file of an
// extension the table lacks stops the server at start-up.
func TestStaticContentTypes(t *testing.T) {
	s := newSite(t)
	want := map[string]string{
		"style.css": "text/css; charset=utf-8", "forms.js": "text/javascript; charset=utf-8", "favicon.svg": "image/svg+xml",
		"altcha-LICENSE.txt": "text/plain; charset=utf-8", "vazirmatn-regular.woff2": "font/woff2", "logo.png": "image/png",
	}
	for name, typ := range want {
		if r := s.get("/static/" + name); r.status != 200 || r.header.Get("Content-Type") != typ {
			t.Errorf("/static/%s = %d %q, want 200 %q", name, r.status, r.header.Get("Content-Type"), typ)
		}
	}
	for name, a := range s.srv.assets {
		if a.contentType == "" {
			t.Errorf("%s has no content type", name)
		}
	}
	fsys := fstest.MapFS{"static/notes.md": {Data: []byte("# notes")}}
	if _, err := loadAssets(fsys, "static"); err == nil || !strings.Contains(err.Error(), "notes.md") {
		t.Errorf("a file of an unknown type: err = %v, want one that names notes.md", err)
	}
}

func plainOf(t *testing.T, a *asset) string {
	t.Helper()
	var b strings.Builder
	if err := a.writePlain(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A text file keeps only its gzip form; a client without gzip gets the
// same bytes, decompressed, with their own length. A font keeps its bytes.
func TestStaticPlainFromGzip(t *testing.T) {
	s := newSite(t)
	css, font := s.srv.assets["style.css"], s.srv.assets["vazirmatn-regular.woff2"]
	if css.body != nil || css.gz == nil {
		t.Errorf("style.css keeps %d plain bytes and %d gzip bytes, want only gzip", len(css.body), len(css.gz))
	}
	if font.body == nil || font.gz != nil {
		t.Errorf("the font keeps %d plain and %d gzip bytes, want its own bytes only", len(font.body), len(font.gz))
	}
	want, err := staticFS.ReadFile("static/editor.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, url := range []string{"/static/editor.js", "/static/editor.js?v=" + s.srv.assets["editor.js"].hash} {
		r := s.get(url)
		if r.status != 200 || r.body != string(want) || r.header.Get("Content-Length") != strconv.Itoa(len(want)) || r.header.Get("Content-Encoding") != "" {
			t.Errorf("GET %s without gzip = %d, %d bytes (Content-Length %s, encoding %q), want editor.js's %d bytes as they are",
				url, r.status, len(r.body), r.header.Get("Content-Length"), r.header.Get("Content-Encoding"), len(want))
		}
	}
}
