package web

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"broadsheet/internal/account"
)

// editorSource is where the rich editor is built from (scripts/update-editor.sh).
const editorSource = "../../web/editor"

// The committed editor bundle is the one scripts/update-editor.sh wrote:
// its SHA-256 is the recorded one, so nobody edits the minified file by hand.
func TestEditorBundleIsTheBuiltOne(t *testing.T) {
	sums, err := os.ReadFile(filepath.Join(editorSource, "bundle.sha256"))
	if err != nil {
		t.Fatalf("read the recorded sums: %v", err)
	}
	seen := 0
	for line := range strings.Lines(string(sums)) {
		want, name, ok := strings.Cut(strings.TrimSpace(line), "  ")
		if !ok {
			t.Fatalf("bundle.sha256: line %q is not `SUM  FILE`", line)
		}
		body, err := os.ReadFile(filepath.Join("static", name))
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		sum := sha256.Sum256(body)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("static/%s has SHA-256 %s, want %s as scripts/update-editor.sh recorded: rebuild it with the script", name, got, want)
		}
		seen++
	}
	if seen != 2 {
		t.Errorf("bundle.sha256 records %d files, want editor.js and editor-LICENSES.txt", seen)
	}
}

// Every package esbuild put in the bundle (packages.txt, from its metafile)
// is named, with its version and licence, in the licences file served
// beside the bundle.
func TestEditorLicencesNameEveryPackage(t *testing.T) {
	list, err := os.Open(filepath.Join(editorSource, "packages.txt"))
	if err != nil {
		t.Fatalf("open packages.txt: %v", err)
	}
	defer list.Close()
	licences, err := os.ReadFile("static/editor-LICENSES.txt")
	if err != nil {
		t.Fatalf("read the licences: %v", err)
	}
	n := 0
	names := map[string]bool{}
	sc := bufio.NewScanner(list)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			t.Fatalf("packages.txt: line %q is not `NAME VERSION LICENCE`", sc.Text())
		}
		n++
		names[f[0]] = true
		head := f[0] + " " + f[1] + " (" + f[2] + ")\n"
		if !strings.Contains(string(licences), "\n"+head+strings.Repeat("=", 72)) {
			t.Errorf("editor-LICENSES.txt has no section for %s", strings.TrimSpace(head))
		}
	}
	for _, p := range []string{"@milkdown/kit", "prosemirror-view", "micromark"} {
		if !names[p] {
			t.Errorf("packages.txt lacks %s, which the bundle is made of", p)
		}
	}
	if n < 20 {
		t.Errorf("packages.txt names %d packages; the bundle has many more", n)
	}
}

// The bundle fetches nothing from elsewhere: it talks to the newsroom's own
// addresses only, loads no code at run time, and the addresses it mentions
// are documentation in error messages.
func TestEditorBundleFetchesNothingRemote(t *testing.T) {
	js, err := os.ReadFile("static/editor.js")
	if err != nil {
		t.Fatalf("read editor.js: %v", err)
	}
	src := string(js)
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(^|[^.\w$])import\s*\(`),
		regexp.MustCompile(`importScripts|new Worker|new SharedWorker|WebSocket|EventSource|sendBeacon|XMLHttpRequest`),
		regexp.MustCompile(`(^|[^.\w$])eval\s*\(|new Function\s*\(`),
	} {
		if m := bad.FindString(src); m != "" {
			t.Errorf("editor.js contains %q: it could load code or talk to another server", m)
		}
	}
	fetches := regexp.MustCompile(`fetch\(([^,)]{0,40})`).FindAllStringSubmatch(src, -1)
	if len(fetches) == 0 {
		t.Error("editor.js makes no fetch call; the check below found nothing to check")
	}
	for _, f := range fetches {
		if !regexp.MustCompile("^[\"'`]/admin/").MatchString(f[1]) {
			t.Errorf("editor.js fetches %s, want only the newsroom's own /admin/ addresses", f[1])
		}
	}
	docs := regexp.MustCompile(`^https://prosemirror\.net/`)
	for _, u := range regexp.MustCompile("(?i)(https?:|[\"'`])//[a-z0-9.-]+\\.[a-z]{2,}[^\"'`\\s)]*").FindAllString(src, -1) {
		if !docs.MatchString(u) {
			t.Errorf("editor.js mentions %s; review it (nothing may be fetched from elsewhere) and allow it here if it is only text", u)
		}
	}
	css, err := os.ReadFile("static/editor.css")
	if err != nil {
		t.Fatalf("read editor.css: %v", err)
	}
	if m := regexp.MustCompile(`@import|url\(`).Find(css); m != nil {
		t.Errorf("editor.css loads %s: the editor's stylesheet needs nothing else", m)
	}
}

// The article editor, and only it, loads the rich editor after admin.js,
// its stylesheet in the head, and its words as JSON in the page's language.
func TestEditorPageLoadsTheRichEditor(t *testing.T) {
	ns := newNewsroom(t)
	rec := ns.do("GET", "/admin/articles/new", account.Author, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /admin/articles/new: %d", rec.Code)
	}
	page := rec.Body.String()
	head, _, _ := strings.Cut(page, "</head>")
	if !regexp.MustCompile(`<link rel="stylesheet" href="/static/editor\.css\?v=[0-9a-f]+">`).MatchString(head) {
		t.Error("the editor page's head does not link editor.css")
	}
	admin := strings.Index(page, `<script src="/static/admin.js" defer>`)
	rich := regexp.MustCompile(`<script src="/static/editor\.js\?v=[0-9a-f]+" defer>`).FindStringIndex(page)
	if admin < 0 || rich == nil || rich[0] < admin {
		t.Errorf("editor.js is not loaded, deferred, after admin.js (admin.js at %d, editor.js at %v)", admin, rich)
	}
	m := regexp.MustCompile(`<div id="body-field" class="body-field" data-words="([^"]*)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the body field carries no data-words")
	}
	var words map[string]string
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &words); err != nil {
		t.Fatalf("data-words is not JSON: %v", err)
	}
	for _, k := range richWords {
		if got := words[k]; got == "" || strings.Contains(got, "admin.rich.") {
			t.Errorf("word %q is %q, want the catalogue's message", k, got)
		}
	}
	if got, want := words["mode_rich"], "Rich text"; got != want {
		t.Errorf("mode_rich = %q, want %q", got, want)
	}

	list := ns.do("GET", "/admin/articles", account.Author, nil).Body.String()
	if strings.Contains(list, "editor.js") || strings.Contains(list, "editor.css") {
		t.Error("the list of articles loads the rich editor, which only the editor page needs")
	}
}
