package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/store/postgres/pgtest"
	"broadsheet/internal/store/sqlite"
)

// The real binary exports the demo site while it serves, as README's
// example writes it; the export is imported, as README's example reads
// it, into a new SQLite site and into PostgreSQL, and a backup of the
// same site is restored. Each of the three sites passes the page checks
// the original passes: the front page, an article with its comments,
// search, a section and the feed show the same things.
func TestExportImportProcesses(t *testing.T) {
	pgURL := pgtest.Database(t) // skip (or fail in CI) before building anything
	dir := t.TempDir()
	bin, readme := buildForShell(t, dir)
	examples := map[string]string{}
	for _, m := range regexp.MustCompile("Example: `(broadsheet (export|import) [^`]+)`").FindAllStringSubmatch(readme, -1) {
		examples[m[2]] = m[1]
	}
	if len(examples) != 2 {
		t.Fatalf("README has examples %v; want one for export and one for import", examples)
	}
	data := filepath.Join(dir, "data")
	serveOn := func(args ...string) (*broadsheetProcess, string) {
		addr := freeLoopbackAddr(t)
		p := startBroadsheet(t, bin, append([]string{"serve", "--addr", addr, "--log-level", "warn"}, args...))
		waitServing(t, p, "http://"+addr, 120*time.Second)
		return p, "http://" + addr
	}

	// The demo, with a discussion under its lead story.
	p, _ := serveOn("--demo", "--data", data)
	p.stop(t)
	slug := addDiscussion(t, filepath.Join(data, sqlite.FileName))
	original, base := serveOn("--data", data)
	want := pageChecks(t, base, slug)
	defer original.stop(t)

	sh := func(script string) string {
		t.Helper()
		out, err := shell(dir, script, "BROADSHEET_DATA="+data)
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
		t.Logf("%s\n%s", script, out)
		return out
	}
	if out := sh(examples["export"]); !strings.HasPrefix(out, "exported ") || strings.Count(out, "\n") != 1 {
		t.Errorf("without a terminal, export wrote %q; want its summary line alone", out)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".broadsheet-export-*")); len(left) > 0 {
		t.Errorf("export left %v", left)
	}
	// Into a new site that is already serving (and has cached its empty
	// front page): the import's entry in the change log refreshes it.
	fresh, freshBase := serveOn("--data", filepath.Join(dir, "imported"))
	if resp, err := http.Get(freshBase + "/"); err == nil {
		resp.Body.Close()
	}
	sh(examples["import"])
	time.Sleep(1500 * time.Millisecond) // serve reads the change log every second
	compare(t, "imported into SQLite while serving", want, pageChecks(t, freshBase, slug))
	fresh.stop(t)
	file := filepath.Join(dir, "site-"+time.Now().Format("2006-01-02")+".zip")
	readExport(t, file)
	sh(fmt.Sprintf("broadsheet import broadsheet %s --database-url '%s'", file, pgURL))
	// Importing twice is refused, and says so.
	cmd := exec.Command(bin, "import", "broadsheet", file, "--database-url", pgURL)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "not empty") {
		t.Errorf("a second import into the same database: %v\n%s; want it refused", err, out)
	}
	sh("broadsheet backup --to site.db.zst && broadsheet restore --from site.db.zst --data ./restored")

	for _, site := range [][]string{
		{"imported into SQLite, started again", "--data", filepath.Join(dir, "imported")},
		{"imported into PostgreSQL", "--database-url", pgURL, "--data", filepath.Join(dir, "unused")},
		{"restored from a backup", "--data", filepath.Join(dir, "restored")},
	} {
		p, base := serveOn(site[1:]...)
		compare(t, site[0], want, pageChecks(t, base, slug))
		p.stop(t)
	}
}

// addDiscussion adds three approved comments, one a reply, under the
// newest published article of the site at path, and returns its address.
func addDiscussion(t *testing.T, path string) string {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id int64
	var addr string
	err = db.Reader().Pool().QueryRow(`SELECT a.id, '/' || s.slug || '/' || a.slug FROM articles a JOIN sections s ON s.id = a.section_id
		WHERE a.status = 'published' ORDER BY a.published_at DESC LIMIT 1`).Scan(&id, &addr)
	if err != nil {
		t.Fatal(err)
	}
	var parent int64
	for i, name := range []string{"Ann Reader", "Bo Reader", "Cy Reader"} {
		c := &comment.Comment{ArticleID: id, Name: name, Body: fmt.Sprintf("Comment %d from %s.", i+1, name), Status: comment.Approved,
			Key: fmt.Sprintf("key-%d", i), HTML: fmt.Sprintf("<p>Comment %d from %s.</p>", i+1, name)}
		if i == 2 {
			c.ParentID = parent
		}
		if err := db.CreateComment(ctx, c); err != nil {
			t.Fatal(err)
		}
		parent = c.ID
	}
	return addr
}

// pageChecks fetches the pages a reader relies on and reduces each to
// what must be the same on a copy of the site: its title, the comments
// it shows, and the links it lists in order.
func pageChecks(t *testing.T, base, article string) map[string]string {
	t.Helper()
	section := article[:strings.LastIndexByte(article, '/')]
	client := &http.Client{Timeout: 10 * time.Second}
	title := regexp.MustCompile(`<title>([^<]*)</title>`)
	comments := regexp.MustCompile(`id="c-(\d+)"[\s\S]*?<p>([^<]*)</p>`)
	links := regexp.MustCompile(`<a[^>]* href="(/[^"]*)"`)
	feedLinks := regexp.MustCompile(`<link>([^<]*)</link>`)
	checks := map[string]string{}
	for _, path := range []string{"/", article, "/search?q=tram", section, "/feed.rss"} {
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		var b strings.Builder
		fmt.Fprintf(&b, "status %d", resp.StatusCode)
		if m := title.FindStringSubmatch(page); m != nil {
			fmt.Fprintf(&b, "; title %q", m[1])
		}
		for _, m := range comments.FindAllStringSubmatch(page, -1) {
			fmt.Fprintf(&b, "; comment %s %q", m[1], m[2])
		}
		switch {
		case path == "/feed.rss":
			for _, m := range feedLinks.FindAllStringSubmatch(page, -1) {
				fmt.Fprintf(&b, "; %s", strings.TrimPrefix(m[1], base))
			}
		case strings.HasPrefix(path, "/search"):
			// The same articles are found; the engines rank ties in their
			// own order.
			if i := strings.Index(page, `class="search-results"`); i >= 0 {
				page = page[i : strings.Index(page[i:], "</ol>")+i]
			}
			var found []string
			for _, m := range links.FindAllStringSubmatch(page, -1) {
				found = append(found, m[1])
			}
			slices.Sort(found)
			fmt.Fprintf(&b, "; %s", strings.Join(slices.Compact(found), "; "))
		default:
			// More Articles are made again by the new site, from its own
			// search index and at its own time: left out.
			if i := strings.Index(page, `id="more-heading"`); i >= 0 {
				page = page[:i] + page[strings.Index(page[i:], "</ul>")+i:]
			}
			for _, m := range links.FindAllStringSubmatch(page, -1) {
				if !strings.Contains(m[1], "/static/") {
					fmt.Fprintf(&b, "; %s", m[1])
				}
			}
		}
		checks[path] = b.String()
	}
	if !strings.Contains(checks[article], "Comment 3 from Cy Reader.") {
		t.Errorf("the article's page check shows no comments: %s", checks[article])
	}
	if strings.Count(checks["/search?q=tram"], "; /") == 0 {
		t.Errorf("searching the demo for tram found nothing: %s", checks["/search?q=tram"])
	}
	return checks
}

// readExport runs docs/export-format.md's examples of reading an export,
// as written, on file: each shell line and the Python script.
func readExport(t *testing.T, file string) {
	t.Helper()
	doc, err := os.ReadFile("../../docs/export-format.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "site.zip"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```(sh|python)\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	var ran []string
	for _, blk := range blocks {
		var runs [][]string
		if blk[1] == "sh" {
			for line := range strings.Lines(blk[2]) {
				runs = append(runs, []string{"sh", "-c", strings.TrimSpace(line)})
			}
		} else {
			runs = append(runs, []string{"python3", "-c", blk[2]})
		}
		for _, r := range runs {
			if _, err := exec.LookPath(r[0]); err != nil {
				t.Fatalf("%s is not installed: scripts/test-deps.sh installs it", r[0])
			}
			cmd := exec.Command(r[0], r[1:]...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("docs/export-format.md: %s: %v\n%s", r[2], err, out)
			}
			ran = append(ran, r[2])
			if strings.Contains(r[2], "headline") && !strings.Contains(string(out), "Eastgate") {
				t.Errorf("docs/export-format.md: %s printed %q; want the demo's headlines", r[2], out)
			}
		}
	}
	if len(ran) != 4 {
		t.Errorf("ran %d examples of docs/export-format.md; want its three shell lines and its Python script", len(ran))
	}
}

// compare reports each page whose checks differ from the original's.
func compare(t *testing.T, site string, want, got map[string]string) {
	t.Helper()
	for _, path := range slices.Sorted(maps.Keys(want)) {
		if got[path] != want[path] {
			t.Errorf("%s: %s shows\n%s\nwhere the original shows\n%s", site, path, got[path], want[path])
		}
	}
}

// export --to - writes the archive to standard output and its summary to
// standard error, so that the archive can be piped; an unknown flag or a
// missing --to is a usage error.
func TestExportToStandardOutput(t *testing.T) {
	ctx := context.Background()
	t.Setenv("BROADSHEET_DATABASE_URL", "")
	data := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSection(ctx, &article.Section{Slug: "city", Name: "City"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"export", "--to", "-", "--data", data}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("export --to -: %v\n%s", err, stderr.String())
	}
	zr, err := zip.NewReader(bytes.NewReader(stdout.Bytes()), int64(stdout.Len()))
	if err != nil {
		t.Fatalf("standard output is not the archive: %v", err)
	}
	f, err := zr.Open("records/sections.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	if !strings.Contains(string(b), `"slug":"city"`) || !strings.HasPrefix(stderr.String(), "exported ") {
		t.Errorf("sections %q, standard error %q", b, stderr.String())
	}
	for _, args := range [][]string{{"export", "--data", data}, {"export", "--to", "x.zip", "--colour"}, {"import", "joomla", "x.xml"}} {
		if err := run(ctx, args, nil, io.Discard, io.Discard); exitCode(err) != 2 {
			t.Errorf("%q: %v; want a usage error", args, err)
		}
	}
}
