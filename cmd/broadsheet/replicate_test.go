package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"broadsheet/internal/store/sqlite"
)

// The real binary, killed outright, loses nothing a replica had a second
// to ship. serve --demo --replicate-to runs; an article is published
// through the Admin API; three seconds later serve is killed with
// SIGKILL. The README's example of restore --from-replica rebuilds the
// site from the replica into a fresh directory, and serve started on it
// serves the article, replicating into the same directory. A second
// article, published just before serve is stopped with SIGTERM, is
// shipped as it stops; a restore to a moment between the two articles
// has the first only, the latest both.
func TestReplicaProcesses(t *testing.T) {
	dir := t.TempDir()
	bin, readme := buildForShell(t, dir)
	example := regexp.MustCompile("Example: `(broadsheet restore --from-replica [^`]+)`").FindStringSubmatch(readme)
	if example == nil {
		t.Fatal("README has no example of restore --from-replica")
	}
	t.Setenv("BROADSHEET_DATABASE_URL", "")
	data := filepath.Join(dir, "data")
	replica := filepath.Join(dir, "backups", "replica")
	token := adminToken(t, data)

	addr := freeLoopbackAddr(t)
	site := startBroadsheet(t, bin, []string{"serve", "--demo", "--data", data, "--addr", addr, "--replicate-to", replica})
	base := "http://" + addr
	waitServing(t, site, base, 120*time.Second)
	first := publish(t, base, token, "Harbour lights relit after forty years")
	time.Sleep(3 * time.Second)
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !regexp.MustCompile(`(?m)^broadsheet_replica_last_sync_timestamp_seconds 1[0-9.e+]+$`).Match(metrics) ||
		!regexp.MustCompile(`(?m)^broadsheet_replica_oldest_timestamp_seconds 1[0-9.e+]+$`).Match(metrics) ||
		!strings.Contains(string(metrics), "broadsheet_replica_errors_total 0\n") || strings.Contains(string(metrics), "litestream_") {
		t.Errorf("/metrics does not show a replica in sync, and only our series:\n%s", metrics)
	}
	site.kill(t)
	if !strings.Contains(site.log.String(), "replicating the database continuously") {
		t.Errorf("serve did not log that it replicates:\n%s", site.log.String())
	}

	// The README's example, as an operator's shell runs it, from a
	// directory where ./restore-test is new.
	out, err := shell(dir, example[1])
	if err != nil || !strings.Contains(out, "restored "+filepath.Join("restore-test", sqlite.FileName)+" from the replica in") {
		t.Fatalf("%s: %v\n%s", example[1], err, out)
	}
	t.Logf("%s\n%s", example[1], out)
	restored := filepath.Join(dir, "restore-test")
	checkIntegrity(t, filepath.Join(restored, sqlite.FileName))

	addr = freeLoopbackAddr(t)
	base = "http://" + addr
	again := startBroadsheet(t, bin, []string{"serve", "--data", restored, "--addr", addr, "--replicate-to", replica})
	waitServing(t, again, base, 60*time.Second)
	if code, body := get(t, base+first); code != http.StatusOK || !strings.Contains(body, "Harbour lights relit") {
		t.Errorf("GET %s on the restored site = %d; want the article published before the kill", first, code)
	}
	// A moment after the first article, before the second.
	time.Sleep(1500 * time.Millisecond)
	between := time.Now().UTC().Truncate(time.Second)
	time.Sleep(1500 * time.Millisecond)
	second := publish(t, base, token, "Ferry timetable doubles for the summer")
	again.stop(t)
	if log := again.log.String(); again.err != nil || !strings.Contains(log, "replica up to date and stopped") || strings.Contains(log, "level=ERROR") {
		t.Errorf("serve stopped (%v) without saying the replica is up to date, or with an error:\n%s", again.err, log)
	}

	for _, tt := range []struct {
		args      []string
		has, lack string
	}{
		{[]string{"--to-time", between.Format(time.RFC3339)}, first, second},
		{nil, second, ""},
	} {
		into := t.TempDir()
		var stdout, stderr bytes.Buffer
		args := append([]string{"restore", "--from-replica", replica, "--data", into}, tt.args...)
		if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
			t.Fatalf("%q: %v\n%s", args, err, stderr.String())
		}
		t.Logf("%q: %s", args, stdout.String())
		addr := freeLoopbackAddr(t)
		p := startBroadsheet(t, bin, []string{"serve", "--data", into, "--addr", addr})
		waitServing(t, p, "http://"+addr, 60*time.Second)
		if code, _ := get(t, "http://"+addr+tt.has); code != http.StatusOK {
			t.Errorf("%q: GET %s = %d, want 200", args, tt.has, code)
		}
		if tt.lack != "" {
			if code, _ := get(t, "http://"+addr+tt.lack); code != http.StatusNotFound {
				t.Errorf("%q: GET %s = %d, want 404: it was published after that moment", args, tt.lack, code)
			}
		}
		p.kill(t)
	}
}

// buildForShell builds the binary into dir/bin as make build does, for
// tests that run the README's examples, and returns its path and the
// README; it skips the test where go or sh is missing.
func buildForShell(t *testing.T, dir string) (bin, readme string) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH: cannot build the binary")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("sh is not installed")
	}
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "bin", "broadsheet")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // as make build does
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin, string(b)
}

// shell runs a README example as an operator's shell does, in dir, with
// the binary built by buildForShell on PATH, /backups/ standing for
// dir/backups/, and env besides; it returns what the example printed.
func shell(dir, example string, env ...string) (string, error) {
	cmd := exec.Command("sh", "-c", strings.ReplaceAll(example, "/backups/", filepath.Join(dir, "backups")+"/"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(dir, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"), "BROADSHEET_DATABASE_URL=")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// stop sends SIGTERM, as an operator stopping the site does, and waits
// for the process to be gone.
func (p *broadsheetProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
}

// adminToken creates an admin in the site in data and returns an Admin
// API token acting as them.
func adminToken(t *testing.T, data string) string {
	t.Helper()
	ctx := context.Background()
	if err := run(ctx, []string{"user", "add", "--data", data, "--email", "desk@example.org", "--name", "Desk Editor", "--role", "admin", "--password-stdin"},
		strings.NewReader("harbour lights and ferry timetables\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"token", "create", "--data", data, "--user", "desk@example.org", "--name", "test"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out.String())
}

// publish creates a published article in the City section through the
// Admin API and returns its path once serve has acknowledged it.
func publish(t *testing.T, base, token, headline string) string {
	t.Helper()
	slug := strings.ToLower(strings.Join(strings.Fields(headline)[:3], "-"))
	body, _ := json.Marshal(map[string]any{"headline": headline, "slug": slug, "section": "city",
		"body": "Reported for the replica's test.", "status": "published"})
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/admin/articles", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST /api/v1/admin/articles = %d:\n%s", resp.StatusCode, b)
	}
	return "/city/" + slug
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// serve refuses a replica on PostgreSQL, in a directory it cannot write
// to, and a retention too short; restore refuses a moment it cannot read
// or in the future, --to-time without a replica, a backup and a replica
// at once, and a directory that holds no replica.
func TestReplicaRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BROADSHEET_DATABASE_URL", "")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--replicate-to", t.TempDir(), "--database-url", "postgres://u@127.0.0.1:5432/x"}, "WAL archiving"},
		{[]string{"--replicate-to", filepath.Join(file, "replica")}, "replica directory"},
		{[]string{"--replicate-to", t.TempDir(), "--replicate-retention", "10m"}, "replica retention"},
	} {
		args := append([]string{"serve", "--data", t.TempDir(), "--addr", freeLoopbackAddr(t)}, tt.args...)
		var stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := run(ctx, args, nil, io.Discard, &stderr)
		cancel()
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error()+stderr.String(), tt.want) {
			t.Errorf("%v: %v (exit %d), stderr %q; want exit 2 and an error saying %q", tt.args, err, exitCode(err), stderr.String(), tt.want)
		}
	}

	// From the environment as from the flags.
	t.Setenv("BROADSHEET_REPLICATE_TO", "/backups/replica")
	t.Setenv("BROADSHEET_REPLICATE_RETENTION", "")
	if _, err := parseServe(nil); err == nil || !strings.Contains(err.Error(), "replica retention") {
		t.Errorf("an empty BROADSHEET_REPLICATE_RETENTION: %v, want it refused", err)
	}
	t.Setenv("BROADSHEET_REPLICATE_RETENTION", "168h")
	if c, err := parseServe(nil); err != nil || c.ReplicateTo != "/backups/replica" || c.ReplicateRetention != 168*time.Hour {
		t.Errorf("from the environment: %+v, %v", c, err)
	}
	if _, err := parseServe([]string{"--database-url", "postgres://u@127.0.0.1:5432/x"}); err == nil || !strings.Contains(err.Error(), "WAL archiving") {
		t.Errorf("BROADSHEET_REPLICATE_TO on PostgreSQL: %v, want it refused", err)
	}

	empty, into := t.TempDir(), t.TempDir()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--from-replica", empty, "--to-time", "2026-12-04 17:30"}, 2, "want a moment such as 2026-12-04T17:30:00Z"},
		{[]string{"--from-replica", empty, "--to-time", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, 2, "in the future"},
		{[]string{"--from", "x.db.zst", "--to-time", "2026-12-04T17:30:00Z"}, 2, "--to-time goes with --from-replica"},
		{[]string{"--from", "x.db.zst", "--from-replica", empty}, 2, "not both"},
		{[]string{"--from-replica", empty}, 1, "no replica"},
		{[]string{"--from-replica", filepath.Join(empty, "missing")}, 1, "no such directory"},
		{[]string{"--from-replica", empty, "--database-url", "postgres://u@127.0.0.1:5432/x"}, 1, "WAL archiving"},
	} {
		args := append([]string{"restore", "--data", into}, tt.args...)
		err := run(context.Background(), args, nil, io.Discard, io.Discard)
		if err == nil || exitCode(err) != tt.code || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v (exit %d); want exit %d and one line saying %q", tt.args, err, exitCode(err), tt.code, tt.want)
		}
		if entries, _ := os.ReadDir(into); len(entries) > 0 {
			t.Errorf("%q left %d files in the data directory", tt.args, len(entries))
		}
	}
}
