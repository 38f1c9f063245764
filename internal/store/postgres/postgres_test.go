package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/store"
	"broadsheet/internal/store/storetest"
	"broadsheet/internal/subscription"
)

// The "pgx" driver server() opens is registered by pgx's stdlib, which
// this package imports.

// The tests need a PostgreSQL server where they may create databases:
// BROADSHEET_TEST_DATABASE_URL, or a local server with trust auth. Without
// one they skip, except in CI, where they must run.
const defaultTestURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func testURL() string {
	if u := os.Getenv("BROADSHEET_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return defaultTestURL
}

// server connects to the maintenance database on the test server, to
// create and drop throw-away databases.
func server(t *testing.T) *sql.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", testURL())
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		if os.Getenv("CI") == "" {
			t.Skipf("no PostgreSQL server at %s (set BROADSHEET_TEST_DATABASE_URL): %v", redact(testURL()), err)
		}
		t.Fatalf("PostgreSQL server at %s: %v", redact(testURL()), err)
	}
	return db
}

// freshDatabase creates an empty database, dropped when the test ends, and
// returns its URL.
func freshDatabase(t *testing.T) string {
	t.Helper()
	admin := server(t)
	b := make([]byte, 6)
	rand.Read(b)
	name := "bs_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// Runs after the test's own cleanups (LIFO), which close its pools.
		defer admin.Close()
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(testURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func openTemp(t *testing.T) *DB {
	t.Helper()
	u := freshDatabase(t)
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
	u := freshDatabase(t)
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
	u := freshDatabase(t)
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

// With many writers, a reader that remembers the last change id it saw
// must still see every change: ids become visible in order.
func TestChangeLogOrderUnderConcurrentWriters(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	const writers, each = 8, 15
	done := make(chan struct{})
	seen := map[int64]bool{}
	var last int64
	read := func() {
		cs, err := db.ChangesSince(ctx, last, 1000)
		if err != nil {
			t.Error(err)
			return
		}
		for _, c := range cs {
			seen[c.ID] = true
			last = c.ID
		}
	}
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					tag := article.Tag{Slug: fmt.Sprintf("t-%d-%d", w, i), Name: "T"}
					if err := db.CreateTag(ctx, &tag); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		read()
	}
	read()
	if len(seen) != writers*each {
		t.Errorf("reader saw %d of %d changes", len(seen), writers*each)
	}
}

// The same subscription requested twice at once (a double click) is one
// subscription, and neither request fails.
func TestConcurrentSubscribe(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, err := db.Subscribe(ctx, subscription.Request{Email: "Ana@example.org", Scope: subscription.Scope{Kind: subscription.Site},
				Frequency: subscription.Immediate, Nonce: fmt.Sprint("nonce-", i)})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	s, err := db.SubscriberByEmail(ctx, "ana@example.org")
	if err != nil || len(s.Subs) != 1 {
		t.Fatalf("SubscriberByEmail = %+v, %v; want one subscription", s, err)
	}
}
