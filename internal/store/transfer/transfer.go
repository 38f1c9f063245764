// Package transfer moves a whole Broadsheet site from a SQLite database
// into a PostgreSQL one: every table the two engines share, row for row,
// with the same ids, in one transaction on the target, so a copy either
// arrives whole or leaves the target as it was.
//
// It owns the copy and nothing else. Both schemas belong to their engines
// (internal/store/sqlite, internal/store/postgres): transfer reads them
// from the databases themselves — which tables exist, which columns and of
// what type, which foreign keys — so a table added by a later migration is
// copied without a change here, and a column one engine has and the other
// lacks stops the copy instead of being dropped.
//
// Everything a running site keeps is copied: content, media bytes, users
// with their sessions and API tokens (nobody is signed out), settings with
// the signing key (links in mails already sent keep working), comments
// with their ids and thread paths, subscribers, the whole outbox with each
// message's status, fan-outs, page views and rate-limit counters.
//
// What is not copied: the change log (a new database's caches start empty,
// so its log starts empty too), schema_migrations (each engine records its
// own) and the SQLite engine's internal tables (FTS5's shadow tables,
// sqlite_sequence). The search index is copied, not rebuilt: both engines
// store the same Go-normalised terms (internal/search) in article_fts,
// term_df and article_terms, and PostgreSQL computes its tsvector column
// from them.
package transfer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/store/postgres"
	"broadsheet/internal/store/sqlite"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Options change how Copy works.
type Options struct {
	// Force replaces whatever the target holds. Without it, a target with
	// a row in any table to be copied is refused with ErrNotEmpty.
	Force bool
	// Progress, when set, is told for each table, in copy order, how many
	// of its total rows have been copied: first with done = 0, last with
	// done = total. Calls come one at a time.
	Progress func(table string, done, total int)
}

// Table is one copied table and its row counts, read after the copy in
// the same source snapshot and the same target transaction.
type Table struct {
	Name   string
	Source int64
	Target int64
}

// Report says what a copy did.
type Report struct {
	Tables  []Table  // in the order copied: referenced tables first
	Skipped []string // source tables deliberately left behind
	Rows    int64    // rows copied in all
	Elapsed time.Duration
}

// ErrNotEmpty means the target already holds a site (or part of one) and
// Options.Force was not set.
var ErrNotEmpty = errors.New("transfer: the target database is not empty")

// notCopied are tables a copy leaves alone, and why: some both engines
// have, some only SQLite.
var notCopied = map[string]string{
	"schema_migrations": "each engine records its own migrations",
	"changes":           "the change log of a new database starts empty",
	"article_fts_keys":  "the SQLite search index's own row keys; PostgreSQL's index is keyed by article id",
	"_litestream_seq":   "Litestream's, on a site replicated by serve --replicate-to: nothing of the site",
	"_litestream_lock":  "Litestream's, on a site replicated by serve --replicate-to: nothing of the site",
}

// notCopiedColumn are columns only the source has, and why.
var notCopiedColumn = map[string]string{
	"article_fts.facets": "SQLite's search index filters by section and author words; PostgreSQL joins the articles",
}

// sourceColumn names the SQLite expression for a target column that the
// source keeps under another name: FTS5 keys its rows by rowid, which
// holds the article id in its low 30 bits (see the SQLite engine's
// searchKey).
var sourceColumn = map[string]string{
	"article_fts.article_id": "rowid & 1073741823",
}

// Copy copies every Broadsheet table from src, an open SQLite database
// with the current schema, into dst, a PostgreSQL database (opened with
// the "pgx" driver) migrated by the PostgreSQL engine. Ids are kept, and
// every identity is moved past the largest copied id. The copy runs in
// one transaction on dst and reads one snapshot of src, so a site that
// is being written to is copied as it stood at one instant. Before
// committing, rows are counted on both sides; any difference is an error
// naming the table, and nothing is committed.
func Copy(ctx context.Context, src, dst *sql.DB, opts Options) (Report, error) {
	start := time.Now()
	var rep Report
	stx, err := src.BeginTx(ctx, nil)
	if err != nil {
		return rep, fmt.Errorf("transfer: source: %w", err)
	}
	defer stx.Rollback()
	conn, err := dst.Conn(ctx)
	if err != nil {
		return rep, fmt.Errorf("transfer: target: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("transfer: the target is not a PostgreSQL database opened with the pgx driver (got %T)", dc)
		}
		return copyTx(ctx, stx, sc.Conn(), opts, &rep)
	})
	rep.Elapsed = time.Since(start)
	return rep, err
}

// copyTx does the copy in one transaction on pc.
func copyTx(ctx context.Context, src *sql.Tx, pc *pgx.Conn, opts Options, rep *Report) error {
	tx, err := pc.Begin(ctx)
	if err != nil {
		return fmt.Errorf("transfer: target: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	p, err := makePlan(ctx, src, tx)
	if err != nil {
		return err
	}
	rep.Skipped = p.skipped
	if err := prepareTarget(ctx, tx, p.tables, opts.Force); err != nil {
		return err
	}
	for _, t := range p.tables {
		n, err := count(ctx, src, t.name)
		if err != nil {
			return fmt.Errorf("transfer: source: %s: %w", t.name, err)
		}
		copied, err := copyTable(ctx, src, tx, t, int(n), opts.Progress)
		if err != nil {
			return fmt.Errorf("transfer: %s: %w", t.name, err)
		}
		rep.Tables = append(rep.Tables, Table{Name: t.name, Source: n})
		rep.Rows += copied
	}
	if err := resetIdentities(ctx, tx, p.tables); err != nil {
		return err
	}
	// Verify: count again on both sides. The source is one snapshot, so any
	// difference is rows lost or added on the way.
	var bad []string
	for i := range rep.Tables {
		t := &rep.Tables[i]
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+quote(t.Name)).Scan(&t.Target); err != nil {
			return fmt.Errorf("transfer: target: count %s: %w", t.Name, err)
		}
		if t.Target != t.Source {
			bad = append(bad, fmt.Sprintf("%s has %d rows in the source and %d in the target", t.Name, t.Source, t.Target))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("transfer: verification failed, nothing was committed: %s", strings.Join(bad, "; "))
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("transfer: target: commit: %w", err)
	}
	return nil
}

// prepareTarget refuses a target that holds rows in any table to copy, or
// with force empties those tables.
func prepareTarget(ctx context.Context, tx pgx.Tx, tables []table, force bool) error {
	// The tables people know a site by come first in the message.
	known := []string{"articles", "pages", "users", "subscribers", "comments", "images"}
	tables = slices.Clone(tables)
	slices.SortStableFunc(tables, func(a, b table) int {
		rank := func(t table) int {
			if i := slices.Index(known, t.name); i >= 0 {
				return i
			}
			return len(known)
		}
		return rank(a) - rank(b)
	})
	var full []string
	for _, t := range tables {
		var n int64
		// Counting a large table only to refuse it would be slow: a few
		// rows say enough.
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+quote(t.name)+` LIMIT 1000) s`).Scan(&n); err != nil {
			return fmt.Errorf("transfer: target: %s: %w", t.name, err)
		}
		switch {
		case n == 1:
			full = append(full, t.name+" (1 row)")
		case n == 1000:
			full = append(full, t.name+" (1000 rows or more)")
		case n > 0:
			full = append(full, fmt.Sprintf("%s (%d rows)", t.name, n))
		}
	}
	if len(full) == 0 {
		return nil
	}
	if !force {
		if len(full) > 5 {
			full = append(full[:5], fmt.Sprintf("%d more tables", len(full)-5))
		}
		return fmt.Errorf("%w: it holds %s; copy into a newly created database, or force the copy to replace what it holds", ErrNotEmpty, strings.Join(full, ", "))
	}
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = quote(t.name)
	}
	if _, err := tx.Exec(ctx, `TRUNCATE `+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("transfer: target: empty it: %w", err)
	}
	return nil
}

// resetIdentities moves every identity or serial sequence of the copied
// tables past the largest id copied, so the next row inserted does not
// collide with a copied one; on an empty table the next id is 1.
func resetIdentities(ctx context.Context, tx pgx.Tx, tables []table) error {
	for _, t := range tables {
		for _, c := range t.cols {
			if !c.sequence {
				continue
			}
			if err := resetIdentity(ctx, tx, t.name, c.name); err != nil {
				return fmt.Errorf("transfer: target: %w", err)
			}
		}
	}
	return nil
}

// resetIdentity moves the sequence of table.col, if it has one, past the
// column's largest value.
func resetIdentity(ctx context.Context, tx pgx.Tx, table, col string) error {
	q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(%s), 0) + 1, false) FROM %s`, quote(col), quote(table))
	if _, err := tx.Exec(ctx, q, quote(table), col); err != nil {
		return fmt.Errorf("%s.%s identity: %w", table, col, err)
	}
	return nil
}

func count(ctx context.Context, src *sql.Tx, name string) (int64, error) {
	var n int64
	err := src.QueryRowContext(ctx, `SELECT count(*) FROM `+quote(name)).Scan(&n)
	return n, err
}

// quote makes name an SQL identifier; both engines quote alike.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// CopyFile copies the SQLite site at srcPath into the PostgreSQL database
// at dstURL: it brings both schemas up to date with their engines (as
// starting Broadsheet on each would), then reads the source through a
// read-only handle and calls Copy.
func CopyFile(ctx context.Context, srcPath, dstURL string, opts Options) (Report, error) {
	if _, err := os.Stat(srcPath); err != nil {
		return Report{}, fmt.Errorf("transfer: source: %w", err)
	}
	s, err := sqlite.Open(ctx, srcPath)
	if err != nil {
		return Report{}, fmt.Errorf("transfer: source: %w", err)
	}
	s.Close()
	p, err := postgres.Open(ctx, dstURL)
	if err != nil {
		return Report{}, fmt.Errorf("transfer: target: %w", err)
	}
	p.Close()
	src, err := OpenSource(ctx, srcPath)
	if err != nil {
		return Report{}, err
	}
	defer src.Close()
	dst, err := sql.Open("pgx", dstURL)
	if err != nil {
		return Report{}, fmt.Errorf("transfer: target: %w", err)
	}
	defer dst.Close()
	return Copy(ctx, src, dst, opts)
}

// OpenSource opens the SQLite database at path read-only, for Copy.
func OpenSource(ctx context.Context, path string) (*sql.DB, error) {
	name := "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=ro&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", name)
	if err != nil {
		return nil, fmt.Errorf("transfer: source %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("transfer: source %s: %w", path, err)
	}
	return db, nil
}
