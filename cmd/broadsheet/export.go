package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"broadsheet/internal/progress"
	"broadsheet/internal/store/transfer"
)

// exportSite writes the whole site, on either engine, in the documented
// export format (docs/export-format.md), while the site keeps running:
//
//	broadsheet export --to FILE [--data DIR | --database-url URL]
//
// The file appears under its name only once it is whole: it is written
// beside it under a temporary name first.
func exportSite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	to := fs.String("to", "", "the export file to write, e.g. site-export.zip; - writes to standard output")
	c, err := parseEngineFlags(fs, args)
	if err != nil {
		return err
	}
	if *to == "" {
		return usageError{errors.New("export needs --to FILE, e.g. --to site-$(date +%F).zip")}
	}
	if c.DatabaseURL == "" {
		if _, err := os.Stat(dbPath(c)); err != nil {
			return fmt.Errorf("no site to export: %w", err)
		}
	}
	db, err := openEngine(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	bars := newKindBars(stderr, "Exporting")
	write := func(w io.Writer) (transfer.ExportReport, error) {
		return transfer.Export(ctx, db.Reader().Pool(), db.Name(), w, transfer.ExportOptions{
			Generator: "Broadsheet " + version, Progress: bars.progress})
	}
	var rep transfer.ExportReport
	if *to == "-" {
		rep, err = write(stdout)
		stdout = stderr // the summary must not end up in the archive
	} else {
		err = writeFileAtomically(*to, func(w io.Writer) (err error) {
			rep, err = write(w)
			return err
		})
	}
	bars.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %s to %s: %d records, %d media files (%s) in %s\n",
		dbName(c), *to, rep.Records, rep.Manifest.Media.Files, size(rep.Manifest.Media.Bytes), rep.Elapsed.Round(time.Millisecond))
	return nil
}

// writeFileAtomically writes path through write under a temporary name in
// the same directory, syncs it, and only then renames it into place; on
// failure nothing is left behind.
func writeFileAtomically(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".broadsheet-export-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	tmp := f.Name()
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("export: %w", err)
	}
	// The rename itself lasts once the directory is written out.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// importSite reads an export into a site that holds nothing yet, on
// either engine, then rebuilds its search index:
//
//	broadsheet import broadsheet FILE [--data DIR | --database-url URL]
func importSite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "wordpress" {
		return importWordPress(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "broadsheet" {
		return usageError{errors.New("usage: broadsheet import broadsheet FILE (a file written by broadsheet export) or broadsheet import wordpress FILE.xml (a WordPress export), each with [--data DIR | --database-url URL]")}
	}
	fs := flag.NewFlagSet("import broadsheet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var file string
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		file, rest = rest[0], rest[1:]
	}
	c, err := parseEngineFlags(fs, rest)
	if err != nil {
		return err
	}
	if file == "" {
		return usageError{errors.New("import broadsheet needs the export FILE, e.g. broadsheet import broadsheet site-export.zip")}
	}
	if _, err := os.Stat(file); err != nil {
		return err
	}
	db, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	bars := newKindBars(stderr, "Importing")
	rep, err := transfer.Import(ctx, file, db.Writer().Pool(), db.Name(), transfer.ImportOptions{Progress: bars.progress})
	bars.finish()
	if errors.Is(err, transfer.ErrNotEmpty) {
		return fmt.Errorf("%w\n(nothing was imported: import into a new data directory or an empty database)", err)
	}
	if err != nil {
		return err
	}
	start := time.Now()
	err = db.Reindex(ctx, func(done, total int) { bars.progress(searchIndex, done, total) })
	bars.finish()
	if err != nil {
		return fmt.Errorf("the site was imported, but its search index was not rebuilt (run broadsheet reindex): %w", err)
	}
	fmt.Fprintf(stdout, "imported %s into %s: %d records, %d media files in %s; search index rebuilt in %s\n",
		file, dbName(c), rep.Records, rep.MediaFiles, rep.Elapsed.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return nil
}

// searchIndex is the import's last step, in its progress.
const searchIndex = "search index"

// parseEngineFlags adds to fs the flags naming a site on either engine,
// parses args and returns them as a Config.
func parseEngineFlags(fs *flag.FlagSet, args []string) (Config, error) {
	var c Config
	fs.StringVar(&c.DataDir, "data", env("BROADSHEET_DATA", "./data"), "directory holding the SQLite database (env BROADSHEET_DATA)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("BROADSHEET_DATABASE_URL", ""), "postgres://… when the site runs on PostgreSQL (env BROADSHEET_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return c, usageError{err}
	}
	if fs.NArg() > 0 {
		return c, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if !validDatabaseURL(c.DatabaseURL) {
		return c, usageError{errors.New("--database-url wants postgres://user:pass@host:5432/dbname")}
	}
	return c, nil
}

// kindBars shows one progress bar per table or kind of record, on a
// terminal only: run by cron or a timer, a command writes its summary line
// and nothing else unless it fails.
type kindBars struct {
	w       io.Writer
	label   string // before each bar's kind, e.g. "Copying"
	bar     *progress.Bar
	current string
}

func newKindBars(w io.Writer, label string) *kindBars {
	if f, ok := w.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &kindBars{w: w, label: label}
}

func (b *kindBars) progress(kind string, done, total int) {
	if b == nil {
		return
	}
	if kind != b.current || b.bar == nil {
		b.finish()
		label := b.label + " " + strings.ReplaceAll(kind, "_", " ")
		if kind == searchIndex {
			label = "Rebuilding the search index"
		}
		b.current, b.bar = kind, progress.New(b.w, label, total)
	}
	b.bar.Add(done - b.bar.Done())
}

func (b *kindBars) finish() {
	if b != nil && b.bar != nil {
		b.bar.Finish()
		b.bar = nil
	}
}
