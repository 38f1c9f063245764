package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"

	"broadsheet/internal/store"
	"broadsheet/internal/store/postgres/pgtest"
	"broadsheet/internal/store/storetest"
)

func openTemp(t *testing.T) *DB {
	t.Helper()
	u := pgtest.Database(t)
	db, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTemp(t) })
}

// The upgrades run in a database under the C locale, where CITEXT folded
// ASCII letters only, as SQLite's NOCASE did: there, as there, addresses
// that differ only in case outside ASCII were two, and lower() keys them
// wrongly.
func TestUpgrades(t *testing.T) {
	storetest.RunUpgrades(t, func(t *testing.T, migration string) storetest.Upgrade {
		ctx := context.Background()
		db, err := OpenNoMigrate(ctx, pgtest.DatabaseInLocale(t, "C"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		storetest.MigrateBefore(t, store.Migrator{DB: db.pool, Bind: store.Numbered, Now: db.Now}, migrationFS, migration)
		return storetest.Upgrade{Store: db, DB: db.pool, Migrate: db.Migrate}
	})
}

func TestMigrateIsIdempotent(t *testing.T) {
	db := openTemp(t)
	n, err := db.Migrate(context.Background())
	if err != nil || n != 0 {
		t.Errorf("second Migrate = %d, %v; want 0, nil", n, err)
	}
}

// Two instances starting at once on a new database: both open, and the
// advisory lock lets exactly one of them apply each migration.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	u := pgtest.Database(t)
	ms, err := store.LoadMigrations(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	applied := make([]int, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			db, err := OpenNoMigrate(ctx, u)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			applied[i], errs[i] = db.Migrate(ctx)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	if applied[0]+applied[1] != len(ms) || min(applied[0], applied[1]) != 0 {
		t.Errorf("instances applied %v migrations, want %d by one and 0 by the other", applied, len(ms))
	}
	db, err := OpenNoMigrate(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, max int
	if err := db.pool.QueryRowContext(ctx, `SELECT count(*), MAX(version) FROM schema_migrations`).Scan(&rows, &max); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) || max != len(ms) {
		t.Errorf("schema_migrations has %d rows up to %d, want %d", rows, max, len(ms))
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	u := pgtest.Database(t)
	ctx := context.Background()
	db, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, u); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open(newer schema) err = %v, want ErrSchemaTooNew", err)
	}
}

func TestRedact(t *testing.T) {
	got := redact("postgres://bs:secret@db.example/news?sslmode=require")
	if got != "postgres://bs:xxxxx@db.example/news?sslmode=require" {
		t.Errorf("redact = %q", got)
	}
	if got := redact("host=db password=secret"); got != "(connection string)" {
		t.Errorf("redact(key=value) = %q", got)
	}
	if got := redact("postgres://db.example/news"); got != "postgres://db.example/news" {
		t.Errorf("redact(no user) = %q", got)
	}
}
