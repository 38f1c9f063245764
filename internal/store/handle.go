package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Handle is a connection pool as the storage uses it: statements are
// rebound to the engine's placeholders, prepared once and kept, and every
// one is counted and timed for /metrics.
type Handle struct {
	db   *DB
	pool *sql.DB

	mu     sync.RWMutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool // met in transactions, to prepare when the pool is free
	closed bool
}

// maxStatements bounds the prepared statements kept per pool. Statements
// with an IN list of varying length are many; past the bound they run
// unprepared, as before.
const maxStatements = 1000

func newHandle(db *DB, pool *sql.DB) *Handle {
	return &Handle{db: db, pool: pool, stmts: map[string]*sql.Stmt{}}
}

// Pool is the underlying pool, for an engine's own statements.
func (h *Handle) Pool() *sql.DB { return h.pool }

// stmt returns query, as the storage writes it, prepared on the pool, or
// nil when it cannot be kept. Statements are kept by their written text,
// so a kept one is not rebound again.
// The lock is not held while preparing: preparing waits for a connection,
// and on SQLite's writer the one connection may be in a transaction that
// is itself looking a statement up.
func (h *Handle) stmt(ctx context.Context, query string) *sql.Stmt {
	h.mu.RLock()
	s, ok := h.stmts[query]
	full := len(h.stmts) >= maxStatements
	h.mu.RUnlock()
	if ok {
		return s
	}
	if full {
		return nil
	}
	s, err := h.pool.PrepareContext(ctx, h.sql(query))
	if err != nil {
		return nil // run unprepared: the error, if it is one, shows there
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if kept, ok := h.stmts[query]; ok || h.closed {
		s.Close()
		return kept
	}
	h.stmts[query] = s
	return s
}

func (h *Handle) sql(query string) string {
	return rebind(query, h.db.dialect.Placeholder)
}

// QueryContext runs a query that returns rows.
func (h *Handle) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	defer h.db.observe(time.Now())
	if s := h.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return h.pool.QueryContext(ctx, h.sql(query), args...)
}

// QueryRowContext runs a query that returns at most one row.
func (h *Handle) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	defer h.db.observe(time.Now())
	if s := h.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return h.pool.QueryRowContext(ctx, h.sql(query), args...)
}

// ExecContext runs a statement that returns no rows.
func (h *Handle) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	defer h.db.observe(time.Now())
	if s := h.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return h.pool.ExecContext(ctx, h.sql(query), args...)
}

// want records a statement met in a transaction; one goroutine prepares
// what is wanted, waiting for a connection as long as it must.
func (h *Handle) want(q string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.wanted[q] || len(h.stmts)+len(h.wanted) >= maxStatements {
		return
	}
	if h.wanted == nil {
		h.wanted = map[string]bool{}
	}
	h.wanted[q] = true
	if len(h.wanted) == 1 {
		go h.prepareWanted()
	}
}

func (h *Handle) prepareWanted() {
	for {
		h.mu.Lock()
		var q string
		for q = range h.wanted {
			break
		}
		h.mu.Unlock()
		if q == "" {
			return
		}
		h.stmt(context.Background(), q)
		h.mu.Lock()
		delete(h.wanted, q)
		done := len(h.wanted) == 0
		h.mu.Unlock()
		if done {
			return
		}
	}
}

// close releases the prepared statements.
func (h *Handle) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for q, s := range h.stmts {
		s.Close()
		delete(h.stmts, q)
	}
}

// Tx is a write transaction as the storage uses it: statements are bound,
// prepared and counted as on a Handle.
type Tx struct {
	tx *sql.Tx
	h  *Handle
	// indexed is set when the transaction indexed or unindexed an
	// article: once it commits, a list may be missing (see missingWalk).
	indexed bool
}

// prepared is query as a statement of the transaction when the pool has
// it prepared already. A transaction never prepares on the pool: where
// the pool is the transaction's one connection (SQLite's writer), that
// would wait for the transaction to end. It asks for the statement to be
// prepared once the pool is free instead, and runs unprepared this time.
func (t *Tx) prepared(ctx context.Context, query string) *sql.Stmt {
	t.h.mu.RLock()
	s := t.h.stmts[query]
	t.h.mu.RUnlock()
	if s != nil {
		return t.tx.StmtContext(ctx, s)
	}
	t.h.want(query)
	return nil
}

// QueryContext runs a query that returns rows.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	defer t.h.db.observe(time.Now())
	if s := t.prepared(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, t.h.sql(query), args...)
}

// QueryRowContext runs a query that returns at most one row.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	defer t.h.db.observe(time.Now())
	if s := t.prepared(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, t.h.sql(query), args...)
}

// ExecContext runs a statement that returns no rows.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	defer t.h.db.observe(time.Now())
	if s := t.prepared(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, t.h.sql(query), args...)
}

// QueryObserver is told the duration of every statement the storage runs.
type QueryObserver func(engine string, d time.Duration)

// Observe makes fn hear of every statement; nil stops it.
func (db *DB) Observe(fn QueryObserver) {
	if fn == nil {
		db.observer.Store(nil)
		return
	}
	db.observer.Store(&fn)
}

func (db *DB) observe(start time.Time) {
	db.queries.Add(1)
	if fn := db.observer.Load(); fn != nil {
		(*fn)(db.name, time.Since(start))
	}
}

// Queries counts the statements this DB has run, for tests and tools: on
// a database server, its round trips. The BEGIN, COMMIT and change-log
// entry of a transaction of its own count; an engine's group commit
// (SQLite's) adds statements of its own that do not.
func (db *DB) Queries() uint64 { return db.queries.Load() }

// CloseStatements releases the prepared statements; an engine calls it
// before closing its pools.
func (db *DB) CloseStatements() {
	db.read.close()
	db.write.close()
}
