package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/backup"
	"broadsheet/internal/metrics"
)

// Scheduled backups are named by the time they were taken, in UTC, so
// that their names sort as their ages do.
const (
	backupPrefix = "broadsheet-"
	backupSuffix = ".db.zst"
	backupStamp  = "20060102T150405Z"
)

// backupSchedule writes a checked backup of the database at src into dir
// every interval, keeps the newest keep of them, and reports each in the
// log and in /metrics.
type backupSchedule struct {
	src, dir string
	every    time.Duration
	keep     int
	log      *slog.Logger

	mu       sync.Mutex
	last     time.Time // the last success
	size     int64
	took     time.Duration
	failures uint64
	failedAt time.Time // the last failure, and why
	failure  string
}

// register puts the schedule's figures in /metrics.
func (b *backupSchedule) register(reg *metrics.Registry) {
	read := func(f func() float64) func() float64 {
		return func() float64 { b.mu.Lock(); defer b.mu.Unlock(); return f() }
	}
	reg.Gauge("broadsheet_backup_last_success_timestamp_seconds", "When the last scheduled backup was written and verified (Unix time; 0 before the first).",
		read(func() float64 {
			if b.last.IsZero() {
				return 0
			}
			return float64(b.last.Unix())
		}))
	reg.Gauge("broadsheet_backup_last_size_bytes", "Size of the last scheduled backup file.", read(func() float64 { return float64(b.size) }))
	reg.Gauge("broadsheet_backup_last_duration_seconds", "How long the last scheduled backup took, verification included.", read(func() float64 { return b.took.Seconds() }))
	reg.Counter("broadsheet_backup_failures_total", "Scheduled backups that failed.", func() uint64 { b.mu.Lock(); defer b.mu.Unlock(); return b.failures })
}

// run takes backups until ctx ends. The first is due an interval after
// the newest backup already in dir, or at once when there is none, so
// that restarting the site neither skips nor repeats one.
func (b *backupSchedule) run(ctx context.Context) {
	next := time.Now()
	if kept := b.kept(); len(kept) > 0 {
		if at, ok := backupTime(kept[len(kept)-1]); ok {
			next = at.Add(b.every)
		}
	}
	for {
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		b.once(ctx)
		next = time.Now().Add(b.every)
	}
}

// once takes one backup, verifies the file written, and removes the
// oldest beyond keep.
func (b *backupSchedule) once(ctx context.Context) {
	start := time.Now()
	dst := filepath.Join(b.dir, backupPrefix+start.UTC().Format(backupStamp)+backupSuffix)
	_, err := backup.Snapshot(ctx, b.src, dst, nil)
	var info backup.Info
	if err == nil {
		info, err = backup.Verify(ctx, dst)
		if err != nil {
			os.Remove(dst) // a backup that does not verify is not one
		}
	}
	if ctx.Err() != nil {
		return // shutting down: not a failure of the backup
	}
	took := time.Since(start)
	b.mu.Lock()
	if err != nil {
		b.failures++
		b.failedAt, b.failure = time.Now(), err.Error()
	} else {
		b.last, b.size, b.took = time.Now(), info.Size, took
	}
	b.mu.Unlock()
	if err != nil {
		b.log.Error("scheduled backup failed", "to", dst, "err", err)
		return
	}
	b.log.Info("backup written and verified", "to", dst, "bytes", info.Size, "took", took.Round(time.Millisecond))
	kept := b.kept()
	for len(kept) > b.keep {
		if err := os.Remove(filepath.Join(b.dir, kept[0])); err != nil {
			b.log.Error("cannot remove an old backup", "file", kept[0], "err", err)
		}
		kept = kept[1:]
	}
}

// status is what the newsroom shows of the schedule.
func (b *backupSchedule) status() backup.Status {
	b.mu.Lock()
	st := backup.Status{Dir: b.dir, Every: b.every, Keep: b.keep, Last: b.last, Size: b.size, Took: b.took, Failures: int(b.failures)}
	if b.failedAt.After(b.last) {
		st.FailedAt, st.Error = b.failedAt, b.failure
	}
	b.mu.Unlock()
	kept := b.kept()
	for i := len(kept) - 1; i >= 0; i-- {
		at, _ := backupTime(kept[i])
		f := backup.File{Name: kept[i], At: at}
		if fi, err := os.Stat(filepath.Join(b.dir, kept[i])); err == nil {
			f.Size = fi.Size()
		}
		st.Files = append(st.Files, f)
	}
	return st
}

// kept lists the scheduled backups in dir, oldest first.
func (b *backupSchedule) kept() []string {
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if _, ok := backupTime(e.Name()); ok && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// backupTime reads the time a scheduled backup's name was given.
func backupTime(name string) (time.Time, bool) {
	stamp, ok := strings.CutPrefix(name, backupPrefix)
	if !ok {
		return time.Time{}, false
	}
	if stamp, ok = strings.CutSuffix(stamp, backupSuffix); !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(backupStamp, stamp)
	return t, err == nil
}

// checkDir makes sure dir exists and can be written to, so that a
// mistyped directory stops serve at once rather than failing every
// backup later; what names the directory in messages.
func checkDir(what, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	f, err := os.CreateTemp(dir, ".broadsheet-check-*")
	if err != nil {
		return fmt.Errorf("%s %s cannot be written to: %w", what, dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
