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
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/search"
	"broadsheet/internal/store"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a Broadsheet database on a PostgreSQL server: the shared storage
// over this engine's connections.
type DB struct {
	*store.DB
	name string // the URL without its password, for messages
	cfg  *pgx.ConnConfig
	pool *sql.DB
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
	return store.Migrated(ctx, db, err)
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
	db := &DB{name: name, cfg: cfg, pool: pool}
	db.DB = store.New(store.Config{Name: "postgres", Read: pool, Write: pool, Engine: engine{db}, Dialect: store.Dialect{
		Placeholder: store.Numbered,
		SkipLocked:  " FOR UPDATE SKIP LOCKED",
		FirstWord:   func(col string) string { return "split_part(" + col + ", ' ', 1)" },
		NextID:      func(table string) string { return "nextval(pg_get_serial_sequence('" + table + "', 'id'))" },
		NextIDs: func(table string) string {
			return "SELECT nextval(pg_get_serial_sequence('" + table + "', 'id')) FROM generate_series(1, ?::integer) ORDER BY 1"
		},
		WriteWith: true,
	}})
	return db, nil
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
	n, err := store.Migrator{DB: one, Bind: func(n int) string { return fmt.Sprintf("$%d", n) }, Now: db.Now}.Apply(ctx, ms)
	// Closing the connection would release the lock too; unlocking says so.
	if _, uerr := one.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock); uerr != nil && err == nil {
		err = fmt.Errorf("migration unlock: %w", uerr)
	}
	if err != nil {
		return n, fmt.Errorf("postgres: %s: %w", db.name, err)
	}
	return n, nil
}

// Close closes the connection pool.
func (db *DB) Close() error {
	db.CloseStatements()
	return db.pool.Close()
}

// changeLock is the advisory lock that orders change-log entries. An
// identity value is taken at insert but seen at commit: with concurrent
// writers, id 6 could be read before id 5 commits, and a reader past 6
// would never see 5. A transaction therefore appends its entry holding
// this lock until its commit is visible, so entries commit in id order.
// Any constant works; this one spells "bschg".
const changeLock = 0x6273636867

// engine is what PostgreSQL does its own way.
type engine struct{ db *DB }

// LogChange appends keys to the change log, holding changeLock to the
// commit: taken last, just before the insert, it makes writers with
// change-log entries commit one at a time only for that short step. The
// entry is announced to every instance listening (Listen) at commit. One
// statement, one round trip: the insert reads its row from the lock, so
// the lock is held before the entry's id is drawn.
func (e engine) LogChange(ctx context.Context, tx *sql.Tx, keys []string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO changes (keys, at)
		SELECT $2, $3 FROM (SELECT pg_advisory_xact_lock($1)) AS locked
		RETURNING pg_notify($4, '')`, changeLock, strings.Join(keys, " "), e.db.Now().Unix(), ChangesChannel)
	return err
}

// Lock takes the transaction-scoped advisory lock key.
func (engine) Lock(ctx context.Context, tx *store.Tx, key int64) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, key)
	return err
}

func (e engine) Match(ctx context.Context, r search.Request) (store.Matches, error) {
	return e.db.match(ctx, r)
}

// IsUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func (engine) IsUnique(err error) bool { return pgCode(err) == "23505" }

// IsForeignKey reports whether err is a FOREIGN KEY violation.
func (engine) IsForeignKey(err error) bool { return pgCode(err) == "23503" }

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
