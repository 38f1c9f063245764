// Package sqlite is the embedded storage engine: one database file, WAL, a
// single writer connection beside a pool of readers, and synchronous=FULL so
// an acknowledged write survives a power cut.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/store"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a Broadsheet database in one SQLite file.
type DB struct {
	path  string
	write *sql.DB // exactly one connection: SQLite has one writer at a time
	read  *sql.DB
	now   func() time.Time

	mu        sync.Mutex
	listeners []func(keys []string)

	jobs      chan *batchJob // group commit; see batch.go
	closing   chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

var _ article.Store = (*DB)(nil)

// Open opens (creating if needed) the database at path and brings its schema
// up to date. A file that is not a database, or was migrated by a newer
// program, is reported and left untouched.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := OpenNoMigrate(ctx, path)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate opens the database without changing its schema.
func OpenNoMigrate(ctx context.Context, path string) (*DB, error) {
	// busy_timeout comes first so that every later pragma already waits
	// for a lock instead of failing.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	name := "file:" + (&url.URL{Path: path}).EscapedPath()
	write, err := sql.Open("sqlite", name+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, describe(err))
	}
	// Touch the schema so that a file that is not a database fails here.
	if _, err := write.ExecContext(ctx, `SELECT count(*) FROM sqlite_master`); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, describe(err))
	}
	read, err := sql.Open("sqlite", name+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.NumCPU()*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	db := &DB{path: path, write: write, read: read, now: time.Now,
		jobs: make(chan *batchJob), closing: make(chan struct{}), stopped: make(chan struct{})}
	go db.commitLoop()
	return db, nil
}

func describe(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_NOTADB {
		return fmt.Errorf("the file is not a SQLite database: %w", err)
	}
	return err
}

// Migrate applies pending migrations and returns how many ran.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := store.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		return 0, err
	}
	n, err := store.Migrator{DB: db.write, Bind: func(int) string { return "?" }, Now: db.now}.Apply(ctx, ms)
	if err != nil {
		return n, fmt.Errorf("sqlite: %s: %w", db.path, err)
	}
	return n, nil
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// SetClock replaces the clock used for timestamps (tests only).
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// Close finishes the batch being committed, refuses later writes and
// closes both pools.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.closing) })
	<-db.stopped
	return errors.Join(db.read.Close(), db.write.Close())
}

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// OnChange registers fn to be called after every committed write of this
// process with the cache keys it touched. Writes by other processes reach
// caches through ChangesSince.
func (db *DB) OnChange(fn func(keys []string)) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.listeners = append(db.listeners, fn)
}

func (db *DB) notify(keys []string) {
	db.mu.Lock()
	ls := db.listeners
	db.mu.Unlock()
	for _, fn := range ls {
		fn(keys)
	}
}

// ChangesSince returns change-log entries with an id above after, oldest
// first, at most limit of them.
func (db *DB) ChangesSince(ctx context.Context, after int64, limit int) ([]store.Change, error) {
	var cs []store.Change
	err := each(ctx, db.read, `SELECT id, keys FROM changes WHERE id > ? ORDER BY id LIMIT ?`, []any{after, limit}, func(rows *sql.Rows) error {
		var c store.Change
		var keys string
		if err := rows.Scan(&c.ID, &keys); err != nil {
			return err
		}
		c.Keys = strings.Fields(keys)
		cs = append(cs, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: changes: %w", err)
	}
	return cs, nil
}

// LastChange returns the id of the newest change-log entry, 0 if none.
func (db *DB) LastChange(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MAX(id) FROM changes`).Scan(&id); err != nil {
		return 0, fmt.Errorf("sqlite: changes: %w", err)
	}
	return id.Int64, nil
}

// PruneChanges deletes change-log entries older than before.
func (db *DB) PruneChanges(ctx context.Context, before time.Time) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM changes WHERE at < ?`, before.Unix()); err != nil {
		return fmt.Errorf("sqlite: prune changes: %w", err)
	}
	return nil
}

// inTx runs fn in a write transaction, records keys in the change log in
// the same transaction, and tells listeners once it has committed.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) ([]string, error)) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	keys, err := fn(tx)
	if err != nil {
		return err
	}
	keys = dedupe(keys)
	if len(keys) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO changes (keys, at) VALUES (?, ?)`, strings.Join(keys, " "), db.now().Unix()); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if len(keys) > 0 {
		db.notify(keys)
	}
	return nil
}

func dedupe(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := keys[:0]
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Time columns hold Unix seconds; NULL means "not set".
func unix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

func fromUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}
