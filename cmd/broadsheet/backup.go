package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"broadsheet/internal/backup"
	"broadsheet/internal/progress"
	"broadsheet/internal/store/sqlite"
)

// postgresBackups is the answer of backup and restore on PostgreSQL.
const postgresBackups = "backup and restore work on the SQLite database in --data; " +
	"on PostgreSQL, PostgreSQL's own tools are the backup: pg_dump (and pg_restore) for a copy of the database, " +
	"or base backups (pg_basebackup) with WAL archiving to recover to any moment; " +
	"unset --database-url (BROADSHEET_DATABASE_URL) to back up a SQLite site"

// backupSite writes a checked, compressed backup of the site's database,
// while serve may keep running on it:
//
//	broadsheet backup --to FILE [--data DIR]
func backupSite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	to := fs.String("to", "", "the backup file to write, e.g. /backups/broadsheet-2026-12-04.db.zst")
	data, err := parseSite(fs, args)
	if err != nil {
		return err
	}
	if *to == "" {
		return usageError{errors.New("backup needs --to FILE, e.g. --to /backups/broadsheet-$(date +%F).db.zst")}
	}
	src := dbPath(Config{DataDir: data})
	bars := newBars(stderr)
	info, err := backup.Snapshot(ctx, src, *to, bars.progress())
	bars.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %s; %s (database %s, schema version %d) in %s\n",
		src, *to, counts(info.Rows), size(info.Size), size(info.DatabaseSize), info.Version, info.Duration.Round(time.Millisecond))
	return nil
}

// parseSite adds to fs the flags naming the site, which backup and
// restore share, parses args, and returns the data directory: a site on
// PostgreSQL is refused with the tools that back it up.
func parseSite(fs *flag.FlagSet, args []string) (string, error) {
	c, err := parseEngineFlags(fs, args)
	if err != nil {
		return "", err
	}
	if c.DatabaseURL != "" {
		return "", errors.New(postgresBackups)
	}
	return c.DataDir, nil
}

// restoreSite puts a backup, or the state a replica held, in place as
// the site's database:
//
//	broadsheet restore --from FILE [--data DIR] [--force]
//	broadsheet restore --from-replica DIR [--to-time TIME] [--data DIR] [--force]
func restoreSite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the backup file to restore, written by broadsheet backup")
	fromReplica := fs.String("from-replica", "", "instead of --from: the replica's directory, written by serve --replicate-to")
	toTime := fs.String("to-time", "", "with --from-replica: the moment to restore, e.g. 2026-12-04T17:30:00Z; default the latest")
	force := fs.Bool("force", false, "replace the database already in --data, keeping it beside as "+sqlite.FileName+".before-restore-TIME")
	data, err := parseSite(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *from != "" && *fromReplica != "":
		return usageError{errors.New("restore takes --from FILE or --from-replica DIR, not both")}
	case *fromReplica != "":
		return restoreReplica(ctx, *fromReplica, *toTime, data, *force, stdout, stderr)
	case *toTime != "":
		return usageError{errors.New("--to-time goes with --from-replica DIR: a backup file holds one moment")}
	case *from == "":
		return usageError{errors.New("restore needs --from FILE, a backup written by broadsheet backup, or --from-replica DIR, a replica written by serve --replicate-to")}
	}
	bars := newBars(stderr)
	r, err := backup.Restore(ctx, *from, data, *force, bars.progress())
	bars.finish()
	if err != nil {
		return restoreError(err)
	}
	fmt.Fprintf(stdout, "restored %s into %s: %s; database %s, schema version %d, in %s%s\n",
		*from, r.Path, counts(r.Rows), size(r.DatabaseSize), r.Version, r.Duration.Round(time.Millisecond), keptNote(r))
	return nil
}

// restoreError says what to do about a database already in the way.
func restoreError(err error) error {
	if errors.Is(err, backup.ErrExists) {
		return fmt.Errorf("%w; nothing was changed: give --force to restore over it, keeping it beside as %s.before-restore-TIME", err, sqlite.FileName)
	}
	return err
}

// keptNote says where the database a restore replaced is, if there was one.
func keptNote(r backup.Restored) string {
	if r.Kept == "" {
		return ""
	}
	return "; the database that was there is kept as " + r.Kept
}

// bars shows a progress bar per step of a long command (a backup, a
// restore, an import), on a terminal only: run by cron or a timer, a
// command writes its summary and nothing else unless it fails. A step
// counts bytes, shown in KiB, unless it is one of items.
type bars struct {
	w      io.Writer
	bar    *progress.Bar
	step   string
	labels map[string]string
	items  map[string]bool
}

func newBars(w io.Writer) *bars { return newStepBars(w, stepLabels, nil) }

func newStepBars(w io.Writer, labels map[string]string, items map[string]bool) *bars {
	if f, ok := w.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &bars{w: w, labels: labels, items: items}
}

var stepLabels = map[string]string{"copying": "Copying the database", "compressing": "Compressing", "decompressing": "Decompressing",
	"replaying": "Reading the replica"}

// progress draws the bars; nil when there are none.
func (b *bars) progress() func(step string, done, total int64) {
	if b == nil {
		return nil
	}
	return func(step string, done, total int64) {
		shift := 10 // KiB
		if b.items[step] {
			shift = 0
		}
		if step != b.step {
			b.finish()
			label := b.labels[step]
			if label == "" {
				label = step
			}
			if shift > 0 {
				label += " (KiB)"
			}
			b.step, b.bar = step, progress.New(b.w, label, int(total>>shift))
		}
		b.bar.Add(int(done>>shift) - b.bar.Done())
	}
}

func (b *bars) finish() {
	if b != nil && b.bar != nil {
		b.bar.Finish()
		b.bar = nil
	}
}

// counts names the rows of a backup's main tables for people:
// "34 articles, 1 comment, …".
func counts(rows []backup.Count) string {
	nouns := map[string][2]string{
		"articles": {"article", "articles"}, "comments": {"comment", "comments"}, "subscribers": {"subscriber", "subscribers"},
		"users": {"account", "accounts"}, "images": {"image", "images"}, "settings": {"setting", "settings"},
		"outbox": {"message in the outbox", "messages in the outbox"},
	}
	var parts []string
	for _, c := range rows {
		n, ok := nouns[c.Table]
		if !ok {
			n = [2]string{c.Table, c.Table}
		}
		noun := n[1]
		if c.Rows == 1 {
			noun = n[0]
		}
		parts = append(parts, fmt.Sprintf("%d %s", c.Rows, noun))
	}
	return strings.Join(parts, ", ")
}

// size is a number of bytes for people.
func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
