package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/backup"
	"broadsheet/internal/store/sqlite"
)

// backup and restore from the command line: one line saying what was
// done, a refusal to restore over a site without --force, and then the
// site kept beside; mistakes on the command line exit with 2.
func TestBackupAndRestoreCommands(t *testing.T) {
	ctx := context.Background()
	t.Setenv("BROADSHEET_DATABASE_URL", "")
	data := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	sec := article.Section{Slug: "city", Name: "City"}
	if err := db.CreateSection(ctx, &sec); err != nil {
		t.Fatal(err)
	}
	a := &article.Article{Slug: "vote", Headline: "The vote", Body: "Counted twice.", Section: sec, Status: article.Draft, Language: "en"}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "site.db.zst")

	var out bytes.Buffer
	if err := run(ctx, []string{"backup", "--to", file, "--data", data}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	db.Close()
	line := regexp.MustCompile(`^backed up \S+ to \S+: 1 article, 0 comments, 0 subscribers, 0 accounts, 0 images, \d+ settings, 0 messages in the outbox; [0-9.]+ KiB \(database [0-9.]+ KiB, schema version \d+\) in \d+m?s\n$`)
	if !line.MatchString(out.String()) {
		t.Errorf("backup said %q; want one line matching %s", out.String(), line)
	}

	into := t.TempDir()
	out.Reset()
	if err := run(ctx, []string{"restore", "--from", file, "--data", into}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.HasPrefix(s, "restored "+file+" into "+filepath.Join(into, sqlite.FileName)+": 1 article,") || strings.Count(s, "\n") != 1 || strings.Contains(s, "kept") {
		t.Errorf("restore said %q", s)
	}
	err = run(ctx, []string{"restore", "--from", file, "--data", into}, nil, &out, io.Discard)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "--force") || strings.Contains(err.Error(), "\n") {
		t.Errorf("restore over a site: %v (exit %d); want one line naming --force", err, exitCode(err))
	}
	out.Reset()
	if err := run(ctx, []string{"restore", "--from", file, "--data", into, "--force"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`; the database that was there is kept as \S+\.before-restore-\d{8}T\d{6}Z\n$`).MatchString(out.String()) {
		t.Errorf("restore --force said %q", out.String())
	}

	for _, args := range [][]string{
		{"backup", "--data", data},
		{"backup", "--to", file, "extra"},
		{"restore", "--data", into},
		{"restore", "--from", file, "--data", into, "--force", "extra"},
	} {
		if err := run(ctx, args, nil, io.Discard, io.Discard); exitCode(err) != 2 {
			t.Errorf("%q: exit %d (%v), want 2", args, exitCode(err), err)
		}
	}
}

// On PostgreSQL the database's own tools are the backup: both commands say
// so in one line and exit non-zero, whether the URL comes from the flag
// or from the environment. No server is needed.
func TestBackupOnPostgresPointsToItsTools(t *testing.T) {
	ctx := context.Background()
	const url = "postgres://broadsheet@db.internal:5432/broadsheet"
	for _, tt := range []struct {
		args []string
		env  string
	}{
		{[]string{"backup", "--to", "x.db.zst", "--database-url", url}, ""},
		{[]string{"backup", "--to", "x.db.zst"}, url},
		{[]string{"restore", "--from", "x.db.zst", "--database-url", url}, ""},
	} {
		t.Setenv("BROADSHEET_DATABASE_URL", tt.env)
		err := run(ctx, tt.args, nil, io.Discard, io.Discard)
		if err == nil || exitCode(err) == 0 {
			t.Fatalf("%q: succeeded on PostgreSQL", tt.args)
		}
		msg := err.Error()
		for _, want := range []string{"pg_dump", "base backups", "WAL archiving"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%q: %q does not mention %s", tt.args, msg, want)
			}
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("%q: %q is more than one line", tt.args, msg)
		}
	}
}

// The real binary backs up a site that serve --demo is running on, as
// another process. A backup killed with SIGKILL midway leaves no file at
// its destination; its temporary files go with the next backup into that
// directory; the live database is whole. The README's examples of backup
// and restore run as written (with /backups/ in a temporary directory).
// A restore over a running site is refused; once the site is stopped it
// goes ahead and keeps the old database beside.
func TestBackupProcesses(t *testing.T) {
	dir := t.TempDir()
	bin, readme := buildForShell(t, dir)
	examples := map[string]string{}
	for _, m := range regexp.MustCompile("Example: `(broadsheet (backup|restore) --(?:to|from) [^`]+)`").FindAllStringSubmatch(readme, -1) {
		examples[m[2]] = m[1]
	}
	if len(examples) != 2 {
		t.Fatalf("README has examples %v; want one for backup and one for restore", examples)
	}
	data := filepath.Join(dir, "data")
	live := filepath.Join(data, sqlite.FileName)
	padWithPhotos(t, live, 96)
	addr := freeLoopbackAddr(t)
	site := startBroadsheet(t, bin, []string{"serve", "--demo", "--data", data, "--addr", addr, "--log-level", "warn"})
	waitServing(t, site, "http://"+addr, 120*time.Second)

	backups := filepath.Join(dir, "backups")
	if err := os.MkdirAll(backups, 0o750); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(backups, "broadsheet-"+time.Now().Format("2006-01-02")+".db.zst")
	killed := startBroadsheet(t, bin, []string{"backup", "--to", dst, "--data", data})
	compressing := waitForTemporary(t, killed, backups, ".zst")
	if err := killed.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-killed.exited
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("after the kill %s exists (%v)", dst, err)
	}
	left := temporariesIn(t, backups)
	if len(left) == 0 {
		t.Errorf("killed while writing %s, the backup left no temporary file: was it killed midway?", compressing)
	}
	t.Logf("killed the backup while it was compressing; it left %v", left)

	// The README's example, as an operator's shell runs it.
	sh := func(example string) (string, error) { return shell(dir, example, "BROADSHEET_DATA="+data) }
	out, err := sh(examples["backup"])
	if err != nil {
		t.Fatalf("%s: %v\n%s", examples["backup"], err, out)
	}
	t.Logf("%s\n%s", examples["backup"], out)
	if !strings.HasPrefix(out, "backed up ") || strings.Count(out, "\n") != 1 {
		t.Errorf("without a terminal, backup wrote %q; want its summary line alone", out)
	}
	if left := temporariesIn(t, backups); len(left) > 0 {
		t.Errorf("after the next backup into %s: %v are left", backups, left)
	}
	info, err := backup.Verify(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if info.Rows[0] != (backup.Count{Table: "articles", Rows: 42}) {
		t.Errorf("the backup of the demo site has %v", info.Rows)
	}
	checkIntegrity(t, live)

	out, err = sh(examples["restore"])
	if err != nil || !strings.Contains(out, "restored ") {
		t.Fatalf("%s: %v\n%s", examples["restore"], err, out)
	}
	// Over the running site: refused, with or without --force.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"restore", "--from", dst, "--data", data}, "give --force"},
		{[]string{"restore", "--from", dst, "--data", data, "--force"}, "is broadsheet serve running on it?"},
	} {
		p := startBroadsheet(t, bin, tt.args)
		<-p.exited
		if p.err == nil || !strings.Contains(p.log.String(), tt.want) {
			t.Errorf("%q while serve runs: %v; want it refused saying %q\n%s", tt.args, p.err, tt.want, p.log.String())
		}
	}
	if kept, _ := filepath.Glob(live + ".before-restore-*"); len(kept) > 0 {
		t.Errorf("a refused restore left %v", kept)
	}

	site.stop(t)
	p := startBroadsheet(t, bin, []string{"restore", "--from", dst, "--data", data, "--force"})
	<-p.exited
	if p.err != nil || !strings.Contains(p.log.String(), "kept as "+live+".before-restore-") {
		t.Errorf("restore --force once the site stopped: %v\n%s", p.err, p.log.String())
	}
	checkIntegrity(t, live)
}

// padWithPhotos creates the database at path with n photographs of a
// MiB each, which do not compress: a backup of it takes long enough to be
// killed midway.
func padWithPhotos(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.NewChaCha8([32]byte{1})
	for i := range n {
		photo := make([]byte, 1<<20)
		rng.Read(photo)
		img := &article.Image{Alt: fmt.Sprint("archive photo ", i), Width: 1600, Height: 1067}
		if err := db.CreateImage(ctx, img, []article.Variant{{Width: 1600, Height: 1067, ContentType: "image/jpeg", Bytes: photo}}); err != nil {
			t.Fatal(err)
		}
	}
}

// waitForTemporary waits until the backup process p writes to a
// temporary file ending in ext in dir, and returns its name.
func waitForTemporary(t *testing.T, p *broadsheetProcess, dir, ext string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, name := range temporariesIn(t, dir) {
			if st, err := os.Stat(filepath.Join(dir, name)); err == nil && strings.HasSuffix(name, ext) && st.Size() > 0 {
				return name
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("the backup ended (%v) before it could be killed midway; a larger database would give more time:\n%s", p.err, p.log.String())
		case <-time.After(time.Millisecond):
		}
	}
	t.Fatalf("no temporary %s file in %s within a minute:\n%s", ext, dir, p.log.String())
	return ""
}

// temporariesIn lists the backups' temporary files in dir.
func temporariesIn(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, ".broadsheet-backup-*"))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		paths[i] = filepath.Base(p)
	}
	return paths
}

// checkIntegrity runs SQLite's integrity check on the database at path,
// which a server may have open.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", sqliteDSN(path, "query_only(1)"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check of %s: %q, %v", path, res, err)
	}
}
