package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/backup"
)

// serve with --backup-dir writes a verified backup at once and then every
// interval, keeps the newest --backup-keep, says so in its log, and shows
// the last one in /metrics.
func TestScheduledBackups(t *testing.T) {
	addr, dir := freeLoopbackAddr(t), t.TempDir()
	// A file in the backup directory that is not a scheduled backup stays.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep me"), 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--data", t.TempDir(), "--addr", addr,
			"--backup-dir", dir, "--backup-every", "1s", "--backup-keep", "2"}, nil, io.Discard, &logs)
	}()
	defer func() {
		cancel()
		<-done
	}()
	written := regexp.MustCompile(`backup written and verified`)
	deadline := time.Now().Add(60 * time.Second)
	for len(written.FindAllString(logs.String(), -1)) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than four scheduled backups in a minute; log:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Removal follows each write: wait for the fourth's.
	var kept []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		kept, _ = filepath.Glob(filepath.Join(dir, "broadsheet-*.db.zst"))
		if len(kept) <= 2 || time.Now().After(deadline) {
			break
		}
	}
	if len(kept) != 2 {
		t.Fatalf("kept %d scheduled backups, want 2: %v", len(kept), kept)
	}
	for _, f := range kept {
		info, err := backup.Verify(context.Background(), f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
		} else if len(info.Rows) == 0 || info.Rows[0].Rows == 0 {
			t.Errorf("%s holds no articles: %+v", f, info.Rows)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("a file that is not a scheduled backup was removed: %v", err)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	must(err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, series := range []string{"broadsheet_backup_last_size_bytes", "broadsheet_backup_last_duration_seconds"} {
		if !regexp.MustCompile(`(?m)^`+series+` [1-9]`).Match(body) && !regexp.MustCompile(`(?m)^`+series+` 0\.[0-9]*[1-9]`).Match(body) {
			t.Errorf("/metrics lacks a non-zero %s", series)
		}
	}
	if !regexp.MustCompile(`(?m)^broadsheet_backup_last_success_timestamp_seconds [1-9]`).Match(body) ||
		!strings.Contains(string(body), "broadsheet_backup_failures_total 0") {
		t.Errorf("/metrics does not show a last success and no failures:\n%s", body)
	}
}

// A backup directory serve cannot write to stops it at once, and so does
// one asked of a site on PostgreSQL.
func TestScheduledBackupsRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--backup-dir", filepath.Join(file, "backups")}, "backup directory"},
		{[]string{"--backup-dir", t.TempDir(), "--database-url", "postgres://u@127.0.0.1:5432/x"}, "pg_dump"},
		{[]string{"--backup-dir", t.TempDir(), "--backup-every", "10ms"}, "backup interval"},
		{[]string{"--backup-dir", t.TempDir(), "--backup-keep", "0"}, "backups to keep"},
	} {
		args := append([]string{"serve", "--data", t.TempDir(), "--addr", freeLoopbackAddr(t)}, tt.args...)
		var stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := run(ctx, args, nil, io.Discard, &stderr)
		cancel()
		if err == nil || !strings.Contains(err.Error()+stderr.String(), tt.want) {
			t.Errorf("%v: %v, stderr %q; want an error saying %q", tt.args, err, stderr.String(), tt.want)
		}
	}
}
