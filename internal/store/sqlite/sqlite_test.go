package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"broadsheet/internal/store"
	"broadsheet/internal/store/storetest"
)

func openTemp(t *testing.T) *DB {
	return openTempAt(t, filepath.Join(t.TempDir(), "broadsheet.db"))
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTemp(t) })
}

func TestMigrateIsIdempotent(t *testing.T) {
	db := openTemp(t)
	n, err := db.Migrate(context.Background())
	if err != nil || n != 0 {
		t.Errorf("second Migrate = %d, %v; want 0, nil", n, err)
	}
}

// SchemaVersion is the version a database opened by this program is at,
// which a backup's schema is compared with.
func TestSchemaVersionIsWhatOpenRecords(t *testing.T) {
	db := openTemp(t)
	var got int
	if err := db.read.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	want, err := SchemaVersion()
	if err != nil || got != want || want < 15 {
		t.Errorf("schema_migrations is at %d; SchemaVersion() = %d, %v", got, want, err)
	}
}

func TestPragmas(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for _, tt := range []struct {
		pragma, want string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
		{"mmap_size", "0"}, // mapped reads slow writing (docs/performance.md)
	} {
		for _, conn := range []*sql.DB{db.write, db.read} {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
			}
		}
	}
	if _, err := db.read.ExecContext(ctx, `INSERT INTO tags (slug, name) VALUES ('x', 'x')`); err == nil {
		t.Error("reader pool accepted a write")
	}
}

func TestOpenRefusesNonDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.db")
	junk := []byte(strings.Repeat("this is not a database\n", 200))
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "not a SQLite database") {
		t.Fatalf("Open(junk) err = %v, want 'not a SQLite database'", err)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(junk) {
		t.Error("Open changed a file that is not a database")
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broadsheet.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(context.Background(), path)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open(newer schema) err = %v, want ErrSchemaTooNew", err)
	}
}

// Writes that arrive together share a commit, each in its own savepoint:
// one failing loses only itself, and every one that succeeded is on disk
// when the database is opened again.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "broadsheet.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var ids sync.Map
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			err := db.inBatchErr(ctx, func(ctx context.Context, tx *sql.Tx) ([]string, error) {
				if i%10 == 0 {
					if _, err := tx.ExecContext(ctx, `INSERT INTO used_challenges (id, expires_at) VALUES (?, 0)`, fmt.Sprint("doomed-", i)); err != nil {
						return nil, err
					}
					return nil, errors.New("refused")
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO used_challenges (id, expires_at) VALUES (?, 0)`, fmt.Sprint("kept-", i))
				return nil, err
			})
			ids.Store(i, err)
		})
	}
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.inBatchErr(ctx, func(context.Context, *sql.Tx) ([]string, error) { return nil, nil }); !errors.Is(err, errClosed) {
		t.Errorf("write after Close = %v, want errClosed", err)
	}
	db = openTempAt(t, path)
	for i := range 200 {
		v, _ := ids.Load(i)
		err, _ := v.(error)
		var n int
		if e := db.read.QueryRowContext(ctx, `SELECT count(*) FROM used_challenges WHERE id IN (?, ?)`, fmt.Sprint("kept-", i), fmt.Sprint("doomed-", i)).Scan(&n); e != nil {
			t.Fatal(e)
		}
		if wantErr := i%10 == 0; (err != nil) != wantErr || (n == 1) == wantErr {
			t.Errorf("write %d: err = %v and %d rows on disk", i, err, n)
		}
	}
}

func openTempAt(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// inBatchErr is inBatch for tests that need only its error.
func (db *DB) inBatchErr(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) ([]string, error)) error {
	_, err := db.inBatch(ctx, fn, nil)
	return err
}

func TestUpgrades(t *testing.T) {
	storetest.RunUpgrades(t, func(t *testing.T, migration string) storetest.Upgrade {
		db, _ := openBefore(t, migration)
		return storetest.Upgrade{Store: db, DB: db.write, Migrate: db.Migrate}
	})
}

// openBefore opens a new database migrated up to, and not including, the
// migration named, and says how many migrations remain.
func openBefore(t *testing.T, migration string) (*DB, int) {
	t.Helper()
	ctx := context.Background()
	db, err := OpenNoMigrate(ctx, filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, storetest.MigrateBefore(t, store.Migrator{DB: db.write, Bind: func(int) string { return "?" }, Now: db.Now}, migrationFS, migration)
}
