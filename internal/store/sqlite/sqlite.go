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

	"broadsheet/internal/article"
	"broadsheet/internal/search"
	"broadsheet/internal/store"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// FileName is the database file's name in a site's data directory.
const FileName = "broadsheet.db"

// SchemaVersion is the version this program brings a database's schema
// to: the number of its migrations, as schema_migrations records them.
func SchemaVersion() (int, error) {
	ms, err := store.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		return 0, err
	}
	return len(ms), nil
}

// DB is a Broadsheet database in one SQLite file: the shared storage over
// this engine's connections.
type DB struct {
	*store.DB
	path  string
	write *sql.DB // exactly one connection: SQLite has one writer at a time
	read  *sql.DB

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
	return store.Migrated(ctx, db, err)
}

// OpenNoMigrate opens the database without changing its schema.
func OpenNoMigrate(ctx context.Context, path string) (*DB, error) {
	// busy_timeout comes first so that every later pragma already waits
	// for a lock instead of failing. No memory mapping (mmap_size): it took
	// pread off an uncached article page, but slowed writing, and reading
	// what was just written, by half (docs/performance.md).
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
	// Each reader keeps 512 KiB of pages rather than SQLite's 2 MB: the
	// operating system caches the file for all of them, pages read no
	// slower (docs/performance.md), and a cached page costs twice its size
	// here (a 4 KiB page and its header take an 8 KiB block), so four
	// readers at 2 MB had held 16 MB.
	read, err := sql.Open("sqlite", name+"?"+pragmas+"&_pragma=query_only(1)&_pragma=cache_size(-512)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.NumCPU()*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	db := &DB{path: path, write: write, read: read,
		jobs: make(chan *batchJob), closing: make(chan struct{}), stopped: make(chan struct{})}
	db.DB = store.New(store.Config{Name: "sqlite", Read: read, Write: write, Engine: engine{db}, Dialect: store.Dialect{
		FirstWord: func(col string) string { return "substr(" + col + ", 1, instr(" + col + ", ' ') - 1)" },
		// A unary + keeps SQLite's planner off an index on the column.
		Unindexed: func(col string) string { return "+" + col },
		NextID:    func(table string) string { return "(SELECT COALESCE(MAX(id), 0) + 1 FROM " + table + ")" },
		NextIDs: func(table string) string {
			return "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT (SELECT COALESCE(MAX(id), 0) FROM " + table + ") + i FROM n"
		},
	}})
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
	n, err := store.Migrator{DB: db.write, Bind: func(int) string { return "?" }, Now: db.Now}.Apply(ctx, ms)
	if err != nil {
		return n, fmt.Errorf("sqlite: %s: %w", db.path, err)
	}
	return n, nil
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Close finishes the batch being committed, refuses later writes and
// closes both pools.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.closing) })
	<-db.stopped
	db.CloseStatements()
	return errors.Join(db.read.Close(), db.write.Close())
}

// engine is what SQLite does its own way.
type engine struct{ db *DB }

// Batch runs fn through the group commit (batch.go).
func (e engine) Batch(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) ([]string, error), after func()) ([]string, error) {
	return e.db.inBatch(ctx, fn, after)
}

// LogChange appends keys to the change log.
func (e engine) LogChange(ctx context.Context, tx *sql.Tx, keys []string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO changes (keys, at) VALUES (?, ?)`, strings.Join(keys, " "), e.db.Now().Unix())
	return err
}

// Lock needs do nothing: SQLite's writers take turns anyway.
func (engine) Lock(context.Context, *store.Tx, int64) error { return nil }

func (e engine) Match(ctx context.Context, r search.Request) (store.Matches, error) {
	return e.db.match(ctx, r)
}

// IsUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func (engine) IsUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKey reports whether err is a FOREIGN KEY violation.
func (engine) IsForeignKey(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}
