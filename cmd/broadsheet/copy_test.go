package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/demo"
	"broadsheet/internal/store/postgres"
	"broadsheet/internal/store/postgres/pgtest"
	"broadsheet/internal/store/sqlite"
)

// broadsheet copy moves the demo site into PostgreSQL, refuses to do it
// twice, and the copy serves the same articles.
func TestCopyCommand(t *testing.T) {
	ctx := context.Background()
	target := pgtest.Database(t)
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
