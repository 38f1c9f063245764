package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"broadsheet/internal/store/transfer"
)

// copySite moves a whole site from SQLite to PostgreSQL:
//
//	broadsheet copy --from sqlite:PATH --to postgres://… [--force]
//
// with a progress bar per table on a terminal, and the row counts of both
// sides compared before anything is committed.
func copySite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the site to copy: sqlite:PATH of its database file")
	to := fs.String("to", env("BROADSHEET_DATABASE_URL", ""), "the PostgreSQL database to copy into, postgres://… (env BROADSHEET_DATABASE_URL)")
	force := fs.Bool("force", false, "replace what the target already holds")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	path, ok := strings.CutPrefix(*from, "sqlite:")
	if !ok || path == "" {
		return usageError{errors.New("copy needs --from sqlite:PATH (the SQLite database file)")}
	}
	if *to == "" || !validDatabaseURL(*to) {
		return usageError{errors.New("copy needs --to postgres://user:pass@host:5432/dbname")}
	}
	bars := newKindBars(stderr, "Copying")
	report, err := transfer.CopyFile(ctx, path, *to, transfer.Options{Force: *force, Progress: bars.progress})
	bars.finish()
	if errors.Is(err, transfer.ErrNotEmpty) {
		return fmt.Errorf("%w\n(the copy was not made; give --force to replace what the target holds)", err)
	}
	if err != nil {
		return err
	}
	for _, t := range report.Tables {
		fmt.Fprintf(stdout, "%-22s %8d rows\n", t.Name, t.Target)
	}
	fmt.Fprintf(stdout, "copied %d rows in %s; every table's count matches\n", report.Rows, report.Elapsed.Round(time.Millisecond))
	return nil
}
