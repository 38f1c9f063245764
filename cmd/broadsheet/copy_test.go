package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"broadsheet/internal/demo"
	"broadsheet/internal/store/postgres"
	"broadsheet/internal/store/sqlite"
)

// freshPostgres makes a throw-away database and returns its URL; without a
// server it skips, except in CI.
func freshPostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv("BROADSHEET_TEST_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	admin, err := sql.Open("pgx", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no PostgreSQL at %s: %v", base, err)
		}
		t.Fatalf("no PostgreSQL at %s: %v", base, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "bs_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// broadsheet copy moves the demo site into PostgreSQL, refuses to do it
// twice, and the copy serves the same articles.
func TestCopyCommand(t *testing.T) {
	ctx := context.Background()
	target := freshPostgres(t)
	path := filepath.Join(t.TempDir(), "broadsheet.db")
	src, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, src, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	src.Close()

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"copy", "--from", "sqlite:" + path, "--to", target}, nil, &out, &errOut); err != nil {
		t.Fatalf("copy: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "every table's count matches") {
		t.Errorf("copy said %q", out.String())
	}
	err = run(ctx, []string{"copy", "--from", "sqlite:" + path, "--to", target}, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("a second copy = %v, want a refusal naming --force", err)
	}
	if err := run(ctx, []string{"copy", "--from", path, "--to", target}, nil, &out, &errOut); exitCode(err) != 2 {
		t.Errorf("copy without sqlite: = exit %d, want 2", exitCode(err))
	}
	db, err := postgres.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := db.ArticleBySlug(ctx, "half-marathon-route-kestrel-hill")
	if err != nil || !a.Visible() || len(a.Authors) == 0 {
		t.Errorf("the copied article: %+v, %v", a, err)
	}
	if _, err := db.ArticleBySlug(ctx, "no-such-story"); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("an unknown slug on the copy: %v", err)
	}
}
