// Package backup makes, checks and restores backups of a site kept in
// SQLite: a consistent snapshot of the live database, taken while the site
// keeps reading and writing, checked before it is kept, compressed, and
// written so that a backup file is either whole or not there at all.
//
// A backup file is one zstd stream (RFC 8878, with its content checksum)
// of a SQLite database file: `zstd -d` turns it back into a database that
// `sqlite3` opens. The database is in rollback-journal mode, and serve
// switches it to WAL when it opens it. Uploaded media live in the database
// (image_variants holds the bytes of every rendition), so the one file is
// the whole site.
//
// Work in progress is written to temporary files beside the result, named
// .broadsheet-backup-PID-… beside a backup, .broadsheet-restore-PID-… in
// the data directory and .broadsheet-verify-PID-… in the system's
// temporary directory, and renamed into place only when complete. A
// process stopped short removes its own; those of a process that no
// longer runs (killed midway) are removed by the next backup, restore or
// verification working in that directory.
//
// This package is SQLite's part of backups. PostgreSQL is backed up with
// its own tools (pg_dump, or base backups with WAL archiving).
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/zstd"
)

// Info describes a backup.
type Info struct {
	// Size is the backup file's size in bytes, DatabaseSize that of the
	// database it holds.
	Size, DatabaseSize int64
	// Duration is how long the backup, verification or restore took.
	Duration time.Duration
	// Version is the database's schema version: its last migration.
	Version int
	// Rows counts the rows of the main tables, in a fixed order.
	Rows []Count
}

// Count is the number of rows in one table.
type Count struct {
	Table string
	Rows  int64
}

// mainTables are the tables a backup's rows are counted in: the site's
// content, its readers, its newsroom, its media, its settings and its
// mail. A table that an older schema does not have yet is left out.
var mainTables = []string{"articles", "comments", "subscribers", "users", "images", "settings", "outbox"}

// Progress is told how far a step has come, in bytes. step names it:
// "copying" (the snapshot of the live database), "compressing" or
// "decompressing"; done reaches total when the step is over.
type Progress func(step string, done, total int64)

// Snapshot writes a backup of the live database at src to dst: a
// consistent copy made while others read and write it (VACUUM INTO runs in
// one read transaction, which on WAL holds up neither readers nor
// writers), checked (integrity, schema version, rows counted), compressed
// and renamed into place. dst is replaced only by a complete backup; on
// any failure, or when ctx ends, nothing is left at dst and no temporary
// file remains. A scheduler calls it as the command does.
func Snapshot(ctx context.Context, src, dst string, progress Progress) (info Info, err error) {
	start := time.Now()
	progress = orNothing(progress)
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		return info, fmt.Errorf("backup: there is no database at %s", src)
	} else if err != nil {
		return info, fmt.Errorf("backup: database: %w", err)
	}
	if st, err := os.Stat(dst); err == nil {
		if st.IsDir() {
			return info, fmt.Errorf("backup: %s is a directory: name the backup file to write", dst)
		}
		if s, err := os.Stat(src); err == nil && os.SameFile(s, st) {
			return info, fmt.Errorf("backup: %s is the database itself", dst)
		}
	}
	dir := filepath.Dir(dst)
	removeStale(dir, backupPrefix)

	snap, err := createTemp(dir, backupPrefix, ".db")
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	defer removeDatabase(snap.Name())
	snap.Close() // VACUUM INTO writes it: the file must exist empty or not at all
	if err := vacuumInto(ctx, src, snap.Name(), progress); err != nil {
		return info, fmt.Errorf("backup: snapshot of %s: %w", src, err)
	}
	if info, err = inspect(ctx, snap.Name()); err != nil {
		if ctx.Err() != nil {
			return info, fmt.Errorf("backup: %w", ctx.Err())
		}
		return info, fmt.Errorf("backup: the snapshot of %s failed its check: %w", src, err)
	}

	out, err := createTemp(dir, backupPrefix, ".zst")
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(out.Name())
		}
	}()
	if info.DatabaseSize, err = compress(ctx, snap.Name(), out, progress); err != nil {
		return info, fmt.Errorf("backup: compressing into %s: %w", out.Name(), err)
	}
	if info.Size, err = out.Seek(0, io.SeekCurrent); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	if err := out.Sync(); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	if err := out.Close(); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(out.Name(), dst); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return info, fmt.Errorf("backup: %s is written but may not survive a power cut: %w", dst, err)
	}
	info.Duration = time.Since(start)
	return info, nil
}

// vacuumInto copies the database at src into the empty file out, telling
// progress how much of it is written.
func vacuumInto(ctx context.Context, src, out string, progress Progress) error {
	db, err := sql.Open("sqlite", dsn(src, "mode=ro&_pragma=busy_timeout(10000)"))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// The copy leaves free pages out: what it writes is what is in use.
	var total int64
	if err := db.QueryRowContext(ctx, `SELECT (p.page_count - f.freelist_count) * s.page_size
		FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s`).Scan(&total); err != nil {
		return describe(err)
	}
	progress("copying", 0, total)
	stop, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		var f *os.File
		defer func() {
			if f != nil {
				f.Close()
			}
		}()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if st, err := os.Stat(out); err == nil {
					progress("copying", min(st.Size(), total), total)
				}
				// Written out as it is made: left to the kernel, gigabytes
				// of the copy would wait in memory and be flushed after it,
				// holding up the site's own commits for seconds.
				if f == nil {
					f, _ = os.Open(out)
				}
				if f != nil {
					f.Sync()
				}
			}
		}
	}()
	_, err = db.ExecContext(ctx, `VACUUM INTO ?`, out)
	close(stop)
	<-watched
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return describe(err)
	}
	progress("copying", total, total)
	return nil
}

// compress writes the file at path to out as one zstd stream with its
// checksum, and returns how many bytes it read. zstd's default level makes
// a database of articles and comments a fifth to a third of its size
// (docs/performance.md) at tens of megabytes a second on one core. One
// goroutine, so that a backup taken beside a busy site leaves the other
// cores to its readers.
func compress(ctx context.Context, path string, out io.Writer, progress Progress) (int64, error) {
	in, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return 0, err
	}
	if f, ok := out.(*os.File); ok {
		out = &pacedWriter{f: f}
	}
	enc, err := zstd.NewWriter(out, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(true))
	if err != nil {
		return 0, err
	}
	m := &meter{ctx: ctx, r: in, step: "compressing", total: st.Size(), progress: progress}
	progress(m.step, 0, m.total)
	if _, err := io.CopyBuffer(enc, m, make([]byte, 1<<20)); err != nil {
		enc.Close()
		return m.done, err
	}
	return m.done, enc.Close()
}

// pacedWriter writes to f and has it written out every syncEvery bytes,
// so that a backup's output never piles up in memory to be flushed at
// once while the site is committing its own writes.
type pacedWriter struct {
	f       *os.File
	pending int64
}

const syncEvery = 32 << 20

func (w *pacedWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if w.pending += int64(n); err == nil && w.pending >= syncEvery {
		w.pending, err = 0, w.f.Sync()
	}
	return n, err
}

// meter reads from r, telling progress how much it has read and stopping
// when ctx ends.
type meter struct {
	ctx         context.Context
	r           io.Reader
	step        string
	done, total int64
	progress    Progress
}

func (m *meter) Read(p []byte) (int, error) {
	if err := m.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := m.r.Read(p)
	m.done += int64(n)
	m.progress(m.step, min(m.done, m.total), m.total)
	return n, err
}

func orNothing(p Progress) Progress {
	if p == nil {
		return func(string, int64, int64) {}
	}
	return p
}

// ErrDamaged means a backup file cannot be read back whole: it was
// changed, cut short, or is not a backup.
var ErrDamaged = errors.New("the backup is damaged")
