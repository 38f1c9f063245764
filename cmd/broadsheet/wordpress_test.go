package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/store/postgres/pgtest"
)

// The migration guide's commands, run as written by the real binary on
// the real WordPress export: a dry run writes nothing; the import brings
// the site across, whose old addresses then lead to their new ones and
// whose articles show their images and comments; importing again writes
// nothing; and the same export goes into PostgreSQL.
func TestImportWordPressProcesses(t *testing.T) {
	pgURL := pgtest.Database(t)
	dir := t.TempDir()
	bin, _ := buildForShell(t, dir)
	guide, err := os.ReadFile("../../docs/migrating-from-wordpress.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := regexp.MustCompile("(?m)^broadsheet import wordpress (?:[^\n]*\\\\\n)*[^\n]*$").FindAllString(string(guide), -1)
	find := func(what string, marks ...string) string {
		t.Helper()
		for _, ex := range examples {
			if !strings.Contains(ex, "FILE.xml") && !strings.Contains(ex, "--dry-run") == (what != "dry run") && containsAll(ex, marks) {
				return ex
			}
		}
		t.Fatalf("the guide has no example of %s among %q", what, examples)
		return ""
	}
	dry := find("dry run")
	first := find("the import", "--data /var/lib/broadsheet", "import-1")
	var onPostgres string
	for _, ex := range examples {
		if strings.Contains(ex, "import-1") && !strings.Contains(ex, "--data") {
			onPostgres = ex
		}
	}
	again := find("the import a week later", "2026-05-11")
	export, err := os.ReadFile("../../internal/wordpress/testdata/real/wordpress-6.1.wxr.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"site.wordpress.2026-05-04.xml", "site.wordpress.2026-05-11.xml"} {
		if err := os.WriteFile(filepath.Join(dir, name), export, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	uploads, err := filepath.Abs("../../internal/wordpress/testdata/real/uploads")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(uploads, filepath.Join(dir, "wp-uploads")); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "site")
	sh := func(script string, env ...string) string {
		t.Helper()
		out, err := shell(dir, strings.ReplaceAll(script, "/var/lib/broadsheet", data), env...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
		t.Logf("%s\n%s", script, out)
		return out
	}

	out := sh(dry)
	if !strings.Contains(out, "nothing was written") || !regexp.MustCompile(`articles\s+12\b`).MatchString(out) {
		t.Errorf("the dry run printed:\n%s", out)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("the dry run made %s (%v)", data, err)
	}
	out = sh(first)
	for _, want := range []string{"12 written", "10 written", "Left out:", "2 pingbacks and trackbacks"} {
		if !strings.Contains(out, want) {
			t.Errorf("the import printed no %q:\n%s", want, out)
		}
	}
	if got, err := os.ReadFile(filepath.Join(dir, "import-1.txt")); err != nil || string(got) != out {
		t.Errorf("import-1.txt holds %q, %v; want what was printed", got, err)
	}

	addr := freeLoopbackAddr(t)
	p := startBroadsheet(t, bin, []string{"serve", "--addr", addr, "--data", data, "--log-level", "warn"})
	base := "http://" + addr
	waitServing(t, p, base, 120*time.Second)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for from, to := range map[string]string{
		"/?p=8": "/ireland/harbour-reopens-after-storm",
		"/2024/01/15/harbour-reopens-after-storm/amp/": "/ireland/harbour-reopens-after-storm",
		"/category/world/europe/ireland/feed/":         "/ireland",
		"/about/contact/":                              "/contact",
	} {
		resp, err := noFollow.Get(base + from)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != base+to {
			t.Errorf("GET %s = %d to %q; want 301 to %s", from, resp.StatusCode, resp.Header.Get("Location"), to)
		}
	}
	resp, err := http.Get(base + "/wp-content/uploads/2024/04/regatta-start-300x200.jpg")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(resp.Request.URL.Path, "/media/") {
		t.Errorf("an old image address ends at %s: %d %s; want the imported image", resp.Request.URL, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = http.Get(base + "/ireland/harbour-reopens-after-storm")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"Zoë Ní Bhriain", "Дмитрий Соколов", `src="/media/`} {
		if resp.StatusCode != 200 || !strings.Contains(string(page), want) {
			t.Errorf("the imported article (%d) does not show %q", resp.StatusCode, want)
		}
	}
	p.stop(t)

	// The guide's import again, without its rsync and backup, which need
	// the old server.
	out = sh(again)
	if !strings.Contains(out, "0 written, 12 there from an earlier import") || !strings.Contains(out, "0 added") {
		t.Errorf("importing again printed:\n%s", out)
	}

	if onPostgres == "" {
		t.Fatalf("the guide has no import on PostgreSQL among %q", examples)
	}
	out = sh(onPostgres, "BROADSHEET_DATABASE_URL="+pgURL)
	if !strings.Contains(out, "12 written") || !strings.Contains(out, "PostgreSQL") {
		t.Errorf("the import into PostgreSQL printed:\n%s", out)
	}

	// Mistakes are named.
	for args, want := range map[string]string{
		"import wordpress":             "needs the export FILE",
		"import wordpress missing.xml": "missing.xml",
		"import wordpress site.wordpress.2026-05-04.xml --uploads nowhere":               "not a directory",
		"import wordpress site.wordpress.2026-05-04.xml --time-zone Mars/Base --dry-run": "not a time zone",
	} {
		cmd := exec.Command(bin, strings.Fields(args)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("broadsheet %s: %v\n%s; want it refused, saying %q", args, err, out, want)
		}
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
