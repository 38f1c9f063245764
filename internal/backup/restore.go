package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	sqlite3 "modernc.org/sqlite/lib"

	"broadsheet/internal/store/sqlite"
)

var (
	// ErrExists means the data directory already holds a database, which
	// a restore replaces only when told to.
	ErrExists = errors.New("the data directory already holds a database")
	// ErrInUse means a program, such as serve, has the database open.
	ErrInUse = errors.New("the database is in use")
)

// Restored is what Restore did.
type Restored struct {
	Info
	// Path is the restored database file. Kept is where the database that
	// was there before now is, beside it; empty when there was none.
	Path, Kept string
}

// Restore puts the site in the backup at from into dataDir, as the
// database file serve opens there. The backup is decompressed beside it
// and checked first; a damaged backup, or one from a newer Broadsheet,
// leaves the directory as it was. A database already there is refused
// (ErrExists) unless force, and then kept beside it, renamed
// broadsheet.db.before-restore-TIME, unless a program has it open
// (ErrInUse): stop the site first.
func Restore(ctx context.Context, from, dataDir string, force bool, progress Progress) (Restored, error) {
	return install(ctx, dataDir, force, func(tmp *os.File) (Info, error) {
		return unpack(ctx, from, tmp, progress)
	})
}

// install makes the database that fill writes into tmp (and closes) the
// one in dataDir, with Restore's refusals: fill runs, and must check what
// it wrote, before anything in dataDir is touched.
func install(ctx context.Context, dataDir string, force bool, fill func(tmp *os.File) (Info, error)) (r Restored, err error) {
	start := time.Now()
	r.Path = filepath.Join(dataDir, sqlite.FileName)
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return r, fmt.Errorf("restore: data directory: %w", err)
	}
	// A write-ahead log or rollback journal without its database belongs
	// to none: left there, it would be replayed into the restored one.
	existing := exists(r.Path) || exists(r.Path+"-wal") || exists(r.Path+"-journal")
	if existing && !force {
		return r, fmt.Errorf("restore: %s: %w", r.Path, ErrExists)
	}
	if existing {
		if err := release(ctx, r.Path); err != nil {
			return r, err
		}
	}

	removeStale(dataDir, restorePrefix)
	tmp, err := createTemp(dataDir, restorePrefix, ".db")
	if err != nil {
		return r, fmt.Errorf("restore: %w", err)
	}
	defer removeDatabase(tmp.Name()) // nothing is left once renamed
	if r.Info, err = fill(tmp); err != nil {
		return r, err
	}
	if err := ctx.Err(); err != nil {
		return r, fmt.Errorf("restore: %w", err)
	}
	if existing {
		if r.Kept, err = moveAside(ctx, r.Path, start); err != nil {
			return r, err
		}
	}
	// Litestream's record of what it has shipped from the database that
	// was there: beside the restored one, it would be taken for its own.
	if meta := replicaMeta(r.Path); exists(meta) {
		if r.Kept != "" {
			err = os.Rename(meta, replicaMeta(r.Kept))
		} else {
			err = os.RemoveAll(meta)
		}
		if err != nil {
			return r, fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp.Name(), r.Path); err != nil {
		return r, fmt.Errorf("restore: %w", err)
	}
	if err := syncDir(dataDir); err != nil {
		return r, fmt.Errorf("restore: %s is restored but may not survive a power cut: %w", r.Path, err)
	}
	r.Duration = time.Since(start)
	return r, nil
}

// release makes sure no program has the database at path open, and
// writes the changes its write-ahead log holds (a site that was killed
// leaves some there) into the file itself. Every connection to a database
// in WAL mode holds a shared lock on it, so the exclusive lock taken here
// is refused while one is open, in this process or another.
func release(ctx context.Context, path string) error {
	if !exists(path) {
		return nil // a log without its database: nothing to open, only to move
	}
	db, err := sql.Open("sqlite", dsn(path, "mode=rw&_pragma=busy_timeout(0)&_pragma=locking_mode(EXCLUSIVE)"))
	if err != nil {
		return fmt.Errorf("restore: %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("restore: %s: %w", path, err)
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `BEGIN EXCLUSIVE`)
	switch code(err) {
	case 0:
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("restore: %s: %w: is broadsheet serve running on it? Stop it, then restore", path, ErrInUse)
	case sqlite3.SQLITE_NOTADB:
		return nil // not a database: nothing to write, and kept as it is
	default:
		return fmt.Errorf("restore: %s: %w", path, describe(err))
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return fmt.Errorf("restore: %s: %w", path, err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("restore: %s: %w", path, describe(err))
	}
	return nil
}

// moveAside renames the database at path, and whatever SQLite keeps
// beside it, to path.before-restore-TIME; it returns the new name.
func moveAside(ctx context.Context, path string, at time.Time) (string, error) {
	if err := release(ctx, path); err != nil {
		return "", err
	}
	kept := path + ".before-restore-" + at.UTC().Format("20060102T150405Z")
	for n := 2; exists(kept) || exists(kept+"-wal"); n++ {
		kept = fmt.Sprintf("%s.before-restore-%s-%d", path, at.UTC().Format("20060102T150405Z"), n)
	}
	// The log and shared memory go first: a log left behind without its
	// database would be replayed into the restored one.
	for _, suffix := range []string{"-wal", "-shm", "-journal", ""} {
		if !exists(path + suffix) {
			continue
		}
		if err := os.Rename(path+suffix, kept+suffix); err != nil {
			return "", fmt.Errorf("restore: keeping the database that was there: %w", err)
		}
	}
	return kept, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
