// Package pgtest makes throw-away PostgreSQL databases for tests. Only
// tests import it.
//
// The tests need a PostgreSQL server where they may create databases:
// BROADSHEET_TEST_DATABASE_URL, or a local server with trust auth. Without
// one they skip, except in CI, where they must run.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// DefaultURL is the test server when BROADSHEET_TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL is the test server's maintenance database, where the throw-away
// databases are created.
func URL() string {
	if u := os.Getenv("BROADSHEET_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Redacted is URL() with its password hidden, for messages.
func Redacted() string {
	u, err := url.Parse(URL())
	if err != nil {
		return "(connection string)"
	}
	return u.Redacted()
}

// Server connects to the test server's maintenance database; the caller
// closes it. Without a server the test skips, except in CI, where it fails.
func Server(tb testing.TB) *sql.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", URL())
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		if os.Getenv("CI") == "" {
			tb.Skipf("no PostgreSQL server at %s (set BROADSHEET_TEST_DATABASE_URL): %v", Redacted(), err)
		}
		tb.Fatalf("PostgreSQL server at %s: %v", Redacted(), err)
	}
	return db
}

// Database creates an empty database, bs_test_<random>, on the test server
// and returns its URL: the server's URL with the database's name as its
// path. It is dropped when the test ends, after the cleanups registered
// later (which close the pools and stop the processes using it).
func Database(tb testing.TB) string {
	tb.Helper()
	return create(tb, "")
}

// DatabaseInLocale is Database with its own locale, such as "C", rather
// than the server's default.
func DatabaseInLocale(tb testing.TB, locale string) string {
	tb.Helper()
	return create(tb, ` TEMPLATE template0 LOCALE '`+locale+`'`)
}

// create makes the database, with options for CREATE DATABASE.
func create(tb testing.TB, options string) string {
	tb.Helper()
	base, err := url.Parse(URL())
	if err != nil || (base.Scheme != "postgres" && base.Scheme != "postgresql") {
		tb.Fatalf("BROADSHEET_TEST_DATABASE_URL must be a postgres:// URL, not %s", Redacted())
	}
	admin := Server(tb)
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "bs_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+options); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() { drop(tb, name) })
	base.Path = "/" + name
	return base.String()
}

// drop removes a throw-away database, closing what still uses it. It
// connects afresh, as the server may have restarted during the test, and
// tries again for a while if the server is not back yet.
func drop(tb testing.TB, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", URL())
	if err != nil {
		tb.Errorf("drop database %s: %v", name, err)
		return
	}
	defer db.Close()
	for {
		_, err = db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		if err == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		tb.Errorf("drop database %s: %v", name, err)
	}
}
