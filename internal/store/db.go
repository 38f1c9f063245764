package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"broadsheet/internal/markup"
	"broadsheet/internal/search"
	"broadsheet/internal/webhook"
)

// DB is Broadsheet's storage, written once over database/sql for every
// engine. Statements are written with ? placeholders in SQL both engines
// speak; where the dialects differ, the difference is a named field of
// Dialect beside the statement that needs it. What an engine does its own
// way — connecting, the write path, the search index — it supplies as an
// Engine.
type DB struct {
	name    string // "sqlite" or "postgres": errors and metrics say which
	read    *Handle
	write   *Handle
	eng     Engine
	dialect Dialect
	now     func() time.Time
	// articles and comments render bodies and comments as they are stored.
	articles, comments *markup.Renderer

	observer atomic.Pointer[QueryObserver]
	queries  atomic.Uint64

	mu        sync.Mutex
	listeners []func(keys []string)
	// site names pages in webhook events; routes are the events some
	// endpoint wants (webhook_events.go).
	site   webhook.Site
	routes routes

	// missing is whether a More Articles list may be missing (related.go).
	missing missingWalk
}

// Engine is what one database engine does its own way.
type Engine interface {
	// LogChange appends a write's cache keys to the change log inside its
	// transaction, last before the commit.
	LogChange(ctx context.Context, tx *sql.Tx, keys []string) error
	// IsUnique reports whether err is a UNIQUE or PRIMARY KEY violation,
	// IsForeignKey whether it is a FOREIGN KEY violation.
	IsUnique(err error) bool
	IsForeignKey(err error) bool
	// TextIndex is the engine's full-text index.
	TextIndex
	// Match asks the engine's search index for the articles matching r.
	Match(ctx context.Context, r search.Request) (Matches, error)
	// Lock holds the lock named key until tx ends, so that writers doing
	// the same read-then-write take turns. An engine with one writer at a
	// time needs do nothing.
	Lock(ctx context.Context, tx *Tx, key int64) error
}

// Batcher is an engine that gathers concurrent writes into one commit
// (group commit): Batch runs fn as part of a shared transaction and
// returns the cache keys it logged once that has committed. after, when
// not nil, runs as soon as fn's work is durable, before any other writer
// of the batch learns of its own commit; it must be quick and must not
// write.
type Batcher interface {
	Batch(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) ([]string, error), after func()) ([]string, error)
}

// Dialect holds the few statement fragments the two engines write
// differently. Each is named for what it means where it is used.
type Dialect struct {
	// Placeholder is the n-th (1-based) parameter: "?" or "$n".
	Placeholder func(n int) string
	// SkipLocked ends a SELECT that claims rows for this writer: rows
	// another writer is claiming this instant are passed over (" FOR
	// UPDATE SKIP LOCKED"); empty where writers take turns anyway.
	SkipLocked string
	// FirstWord is the text of a column up to its first space.
	FirstWord func(col string) string
	// Unindexed wraps a column so that the planner does not pick an index
	// on it, where the engine's planner needs telling ("+col" in SQLite).
	Unindexed func(col string) string
	// NextID draws the id the next row of table takes, for an insert that
	// also writes the id into other columns of the row: the table's
	// sequence; in SQLite, which writes one transaction at a time, one
	// more than the largest id, as SQLite itself would choose.
	NextID func(table string) string
	// NextIDs is a query drawing the ids the next rows of table take, as
	// many as its one parameter says, for an insert of several rows that
	// writes each id into other columns of its row.
	NextIDs func(table string) string
	// WriteWith is set where a statement may begin WITH a data-modifying
	// query whose rows the rest of it reads (PostgreSQL): two writes that
	// depend on one another are then one statement, one round trip.
	// Elsewhere (SQLite) they run one after the other in a transaction.
	WriteWith bool
}

// Config is what an engine hands to New.
type Config struct {
	Name    string
	Read    *sql.DB // readers
	Write   *sql.DB // the one-statement writes outside Engine.Update
	Engine  Engine
	Dialect Dialect
}

// migrator is an open database that can bring its schema up to date.
type migrator interface {
	Migrate(ctx context.Context) (int, error)
	Close() error
}

// Migrated is what an engine's Open returns: db, opened without changing
// its schema, with its migrations applied, or closed and the error.
func Migrated[D migrator](ctx context.Context, db D, err error) (D, error) {
	if err != nil {
		return db, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		var zero D
		return zero, err
	}
	return db, nil
}

// New returns the storage over an engine's connections.
func New(c Config) *DB {
	db := &DB{name: c.Name, eng: c.Engine, dialect: c.Dialect, now: time.Now, comments: markup.NewComments()}
	db.articles = markup.New(markup.WithLookup(db.MarkupLookup()))
	if db.dialect.Placeholder == nil {
		db.dialect.Placeholder = func(int) string { return "?" }
	}
	if db.dialect.Unindexed == nil {
		db.dialect.Unindexed = func(col string) string { return col }
	}
	db.read = newHandle(db, c.Read)
	db.write = db.read
	if c.Write != c.Read {
		db.write = newHandle(db, c.Write)
	}
	return db
}

// Name is the engine's name.
func (db *DB) Name() string { return db.name }

// Now is the storage's clock.
func (db *DB) Now() time.Time { return db.now() }

// SetClock replaces the clock used for timestamps (tests only).
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// Reader is the pool reads go through, for an engine's own queries.
func (db *DB) Reader() *Handle { return db.read }

// Writer is the pool writes go through: on SQLite its one connection.
func (db *DB) Writer() *Handle { return db.write }

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return db.errorf("ping: %w", err)
	}
	return nil
}

// errorf is fmt.Errorf with the engine's name in front.
func (db *DB) errorf(format string, args ...any) error {
	return fmt.Errorf(db.name+": "+format, args...)
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
	if len(keys) == 0 {
		return
	}
	db.mu.Lock()
	ls := db.listeners
	db.mu.Unlock()
	for _, fn := range ls {
		fn(keys)
	}
}

// update runs fn in a write transaction of its own, logs the cache keys it
// returns in the change log, and tells listeners once it has committed.
func (db *DB) update(ctx context.Context, fn func(ctx context.Context, tx *Tx) ([]string, error)) error {
	return db.run(ctx, false, fn, nil)
}

// Update is update for an engine's own writes.
func (db *DB) Update(ctx context.Context, fn func(ctx context.Context, tx *Tx) ([]string, error)) error {
	return db.update(ctx, fn)
}

// batch is update for writes that may share a commit with others arriving
// at the same moment: readers posting comments under a busy story.
func (db *DB) batch(ctx context.Context, fn func(ctx context.Context, tx *Tx) ([]string, error)) error {
	return db.run(ctx, true, fn, nil)
}

func (db *DB) run(ctx context.Context, shared bool, fn func(ctx context.Context, tx *Tx) ([]string, error), after func()) error {
	var t *Tx
	wrapped := func(ctx context.Context, tx *sql.Tx) ([]string, error) {
		t = &Tx{tx: tx, h: db.write}
		return fn(ctx, t)
	}
	var keys []string
	var err error
	if b, ok := db.eng.(Batcher); ok && shared {
		keys, err = b.Batch(ctx, wrapped, after)
	} else {
		keys, err = db.transact(ctx, wrapped, after)
	}
	if err != nil {
		return err
	}
	if t != nil && t.indexed {
		// Told after the commit, not during the transaction: a walk for
		// missing lists that began in between, and so could not see this
		// write, must not be taken for the last word.
		db.missing.indexed()
	}
	db.notify(keys)
	return nil
}

// transact runs fn in a write transaction of its own, logs the cache keys
// it returns, commits, and runs after. Its BEGIN, COMMIT and change-log
// entry are counted and timed as statements: on a database server each is
// a round trip.
func (db *DB) transact(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) ([]string, error), after func()) ([]string, error) {
	start := time.Now()
	tx, err := db.write.pool.BeginTx(ctx, nil)
	db.observe(start)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	keys, err := fn(ctx, tx)
	if err != nil {
		return nil, err
	}
	keys = Dedupe(keys)
	if len(keys) > 0 {
		start := time.Now()
		err := db.eng.LogChange(ctx, tx, keys)
		db.observe(start)
		if err != nil {
			return nil, err
		}
	}
	start = time.Now()
	err = tx.Commit()
	db.observe(start)
	if err != nil {
		return nil, err
	}
	if after != nil {
		after()
	}
	return keys, nil
}

// exec runs one write statement outside any transaction of ours.
func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(ctx, query, args...)
}

// ChangesSince returns change-log entries with an id above after, oldest
// first, at most limit of them.
func (db *DB) ChangesSince(ctx context.Context, after int64, limit int) ([]Change, error) {
	var cs []Change
	err := each(ctx, db.read, `SELECT id, keys FROM changes WHERE id > ? ORDER BY id LIMIT ?`, []any{after, limit}, func(rows *sql.Rows) error {
		var c Change
		var keys string
		if err := rows.Scan(&c.ID, &keys); err != nil {
			return err
		}
		c.Keys = strings.Fields(keys)
		cs = append(cs, c)
		return nil
	})
	if err != nil {
		return nil, db.errorf("changes: %w", err)
	}
	return cs, nil
}

// LastChange returns the id of the newest change-log entry, 0 if none.
func (db *DB) LastChange(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MAX(id) FROM changes`).Scan(&id); err != nil {
		return 0, db.errorf("changes: %w", err)
	}
	return id.Int64, nil
}

// PruneChanges deletes change-log entries older than before.
func (db *DB) PruneChanges(ctx context.Context, before time.Time) error {
	if _, err := db.exec(ctx, `DELETE FROM changes WHERE at < ?`, before.Unix()); err != nil {
		return db.errorf("prune changes: %w", err)
	}
	return nil
}

// Dedupe drops repeated keys, keeping the first of each.
func Dedupe(keys []string) []string {
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

// Querier is what reads need: the reader pool or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// each runs query and calls fn for every row, closing the rows whatever
// happens.
func each(ctx context.Context, q Querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// placeholders is n parameters, for an IN list.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// anys is xs as query arguments.
func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
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

// nullID is id as a nullable reference: 0 means none.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullString is s, or NULL when empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// rebind turns ? placeholders into the dialect's. Statements hold no ?
// inside string literals, so every ? is a parameter.
func rebind(query string, placeholder func(int) string) string {
	if placeholder(1) == "?" || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString(placeholder(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// Numbered is the PostgreSQL placeholder style: $1, $2, …
func Numbered(n int) string { return "$" + strconv.Itoa(n) }

// Each, Placeholders and Args serve an engine's own statements as each,
// placeholders and anys serve the shared ones.
func Each(ctx context.Context, q Querier, query string, args []any, fn func(*sql.Rows) error) error {
	return each(ctx, q, query, args, fn)
}

// Placeholders is n parameters, for an IN list.
func Placeholders(n int) string { return placeholders(n) }

// Args is xs as query arguments.
func Args[T any](xs []T) []any { return anys(xs) }
