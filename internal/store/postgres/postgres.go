// Package postgres is the PostgreSQL storage engine: the same tables, the
// same answers as the SQLite engine, for sites that run several instances
// against one database server.
//
// It talks to the server through pgx's database/sql adapter, so its code
// has the same shape as the SQLite engine's (sql.Tx, sql.Rows, NullInt64)
// and the shared migration runner, which takes a *sql.DB, works unchanged.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/store"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a Broadsheet database on a PostgreSQL server.
type DB struct {
	name string // the URL without its password, for messages
	cfg  *pgx.ConnConfig
	pool *sql.DB
	now  func() time.Time

	mu        sync.Mutex
	listeners []func(keys []string)
}

var _ article.Store = (*DB)(nil)

// migrationLock is the advisory lock key held while migrating, so that
// instances starting at once migrate one after the other: the second finds
// nothing left to do. Any constant works; this one spells "bsmig".
const migrationLock = 0x62736d6967

// Open connects to the database at url (postgres://user@host/db?...) and
// brings its schema up to date.
func Open(ctx context.Context, url string) (*DB, error) {
	db, err := OpenNoMigrate(ctx, url)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate connects without changing the schema.
func OpenNoMigrate(ctx context.Context, url string) (*DB, error) {
	name := redact(url)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", name, err)
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(10)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", name, err)
	}
	return &DB{name: name, cfg: cfg, pool: pool, now: time.Now}, nil
}

// redact drops the password from a connection URL; a key=value
// connection string is not shown at all.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "(connection string)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Migrate applies pending migrations under an advisory lock and returns how
// many ran. A session-level lock belongs to one connection, so the runner
// is given a pool of exactly one connection: the one holding the lock.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := store.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		return 0, err
	}
	one := stdlib.OpenDB(*db.cfg)
	defer one.Close()
	one.SetMaxOpenConns(1)
	one.SetMaxIdleConns(1)
	if _, err := one.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return 0, fmt.Errorf("postgres: %s: migration lock: %w", db.name, err)
	}
	n, err := store.Migrator{DB: one, Bind: func(n int) string { return fmt.Sprintf("$%d", n) }, Now: db.now}.Apply(ctx, ms)
	// Closing the connection would release the lock too; unlocking says so.
	if _, uerr := one.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock); uerr != nil && err == nil {
		err = fmt.Errorf("migration unlock: %w", uerr)
	}
	if err != nil {
		return n, fmt.Errorf("postgres: %s: %w", db.name, err)
	}
	return n, nil
}

// SetClock replaces the clock used for timestamps (tests only).
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// Close closes the connection pool.
func (db *DB) Close() error { return db.pool.Close() }

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.pool.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
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
// first, at most limit of them. Entries commit in id order (see changeLock),
// so a reader that remembers the last id it saw misses none.
func (db *DB) ChangesSince(ctx context.Context, after int64, limit int) ([]store.Change, error) {
	var cs []store.Change
	err := each(ctx, db.pool, `SELECT id, keys FROM changes WHERE id > $1 ORDER BY id LIMIT $2`, []any{after, limit}, func(rows *sql.Rows) error {
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
		return nil, fmt.Errorf("postgres: changes: %w", err)
	}
	return cs, nil
}

// LastChange returns the id of the newest change-log entry, 0 if none.
func (db *DB) LastChange(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := db.pool.QueryRowContext(ctx, `SELECT MAX(id) FROM changes`).Scan(&id); err != nil {
		return 0, fmt.Errorf("postgres: changes: %w", err)
	}
	return id.Int64, nil
}

// PruneChanges deletes change-log entries older than before.
func (db *DB) PruneChanges(ctx context.Context, before time.Time) error {
	if _, err := db.pool.ExecContext(ctx, `DELETE FROM changes WHERE at < $1`, before.Unix()); err != nil {
		return fmt.Errorf("postgres: prune changes: %w", err)
	}
	return nil
}

// changeLock is the advisory lock that orders change-log entries. An
// identity value is taken at insert but seen at commit: with concurrent
// writers, id 6 could be read before id 5 commits, and a reader past 6
// would never see 5. A transaction therefore appends its entry holding
// this lock until its commit is visible, so entries commit in id order.
// Any constant works; this one spells "bschg".
const changeLock = 0x6273636867

// inTx runs fn in a transaction, records keys in the change log in the
// same transaction, and tells listeners once it has committed.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) ([]string, error)) error {
	return db.inTxThen(ctx, fn, nil)
}

// inTxThen is inTx with then, run as soon as the commit has returned,
// before listeners are told.
func (db *DB) inTxThen(ctx context.Context, fn func(tx *sql.Tx) ([]string, error), then func()) error {
	tx, err := db.pool.BeginTx(ctx, nil)
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
		// The lock is taken last, just before the insert, and held to the
		// commit: writers with change-log entries commit one at a time only
		// for that short step.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, changeLock); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO changes (keys, at) VALUES ($1, $2)`, strings.Join(keys, " "), db.now().Unix()); err != nil {
			return err
		}
		// Delivered at commit, to every instance listening (Listen).
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, ChangesChannel); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if then != nil {
		then()
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
func isUnique(err error) bool { return pgCode(err) == "23505" }

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool { return pgCode(err) == "23503" }

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
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
