// Package store holds what every storage engine shares: the embedded
// migration runner and the change log that tells caches what to drop.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"time"
)

// Migration is one numbered schema change, applied once, in order.
type Migration struct {
	Version int
	Name    string
	SQL     string
	// Then, when set, runs after SQL in the same transaction: the part of
	// the change that SQL cannot do alike on every engine. See steps.
	Then Step
}

// Step is the Go part of a migration. bind turns a statement's ?
// placeholders into the engine's.
type Step func(ctx context.Context, tx *sql.Tx, bind func(query string) string) error

// steps are the Go parts of migrations, by the migration's name: every
// engine has a migration of that name, and its step runs after it.
var steps = map[string]Step{
	"email_keys": keyAddresses,
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// LoadMigrations reads dir in fsys. Files are named NNNN_name.sql; numbers
// must start at 1 and have no gaps, so a missing file is caught at start-up
// rather than by a half-built schema.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration file %q is not named NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: m[2], SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: migration %04d_%s: expected version %d", m.Version, m.Name, i+1)
		}
	}
	for name, step := range steps {
		i := slices.IndexFunc(ms, func(m Migration) bool { return m.Name == name })
		if i < 0 {
			// A step without its migration would never run on this engine.
			return nil, fmt.Errorf("store: migrations: no NNNN_%s.sql, which the step of that name follows", name)
		}
		ms[i].Then = step
	}
	return ms, nil
}

// ErrSchemaTooNew means the database was migrated by a newer Broadsheet.
var ErrSchemaTooNew = errors.New("database schema is newer than this program")

// Migrator applies migrations to one database. Bind returns the engine's
// placeholder for the n-th (1-based) parameter.
type Migrator struct {
	DB   *sql.DB
	Bind func(n int) string
	// Now is the clock used for applied_at; nil means time.Now.
	Now func() time.Time
}

// Apply runs every migration not yet recorded, each in its own transaction
// together with its record, and returns how many it applied. A failing
// migration leaves the database as the previous one left it.
func (m Migrator) Apply(ctx context.Context, ms []Migration) (int, error) {
	if _, err := m.DB.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return 0, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	var current sql.NullInt64
	if err := m.DB.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	if int(current.Int64) > len(ms) {
		return 0, fmt.Errorf("store: %w: database is at version %d, this program knows %d", ErrSchemaTooNew, current.Int64, len(ms))
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	applied := 0
	for _, mig := range ms[current.Int64:] {
		if err := m.apply(ctx, mig, now()); err != nil {
			return applied, err
		}
		applied++
	}
	return applied, nil
}

func (m Migrator) apply(ctx context.Context, mig Migration, at time.Time) error {
	tx, err := m.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migration %04d_%s: %w", mig.Version, mig.Name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, mig.SQL); err != nil {
		return fmt.Errorf("store: migration %04d_%s: %w", mig.Version, mig.Name, err)
	}
	if mig.Then != nil {
		bind := func(query string) string { return rebind(query, m.Bind) }
		if err := mig.Then(ctx, tx, bind); err != nil {
			return fmt.Errorf("store: migration %04d_%s: %w", mig.Version, mig.Name, err)
		}
	}
	insert := fmt.Sprintf(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)`, m.Bind(1), m.Bind(2), m.Bind(3))
	if _, err := tx.ExecContext(ctx, insert, mig.Version, mig.Name, at.Unix()); err != nil {
		return fmt.Errorf("store: record migration %04d_%s: %w", mig.Version, mig.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit migration %04d_%s: %w", mig.Version, mig.Name, err)
	}
	return nil
}

// Change is one entry of the change log: the cache keys a write affected.
// Entries have increasing IDs, so a reader that remembers the last ID it saw
// misses nothing, whichever process wrote them.
type Change struct {
	ID   int64
	Keys []string
}
