package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/store/postgres"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/wordpress"
)

// Both engines take a WordPress import.
var (
	_ wordpress.Store = (*sqlite.DB)(nil)
	_ wordpress.Store = (*postgres.DB)(nil)
)

// importWordPress brings a WordPress site across from its export:
//
//	broadsheet import wordpress FILE.xml [--uploads DIR] [--dry-run] [--accounts] [--time-zone ZONE] [--data DIR | --database-url URL]
func importWordPress(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import wordpress", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	var opts wordpress.Options
	var dry bool
	var zone string
	fs.StringVar(&opts.Uploads, "uploads", "", "a copy of the old site's wp-content/uploads directory, where the images are")
	fs.BoolVar(&dry, "dry-run", false, "read the export and say what an import would do, writing nothing")
	fs.BoolVar(&opts.Accounts, "accounts", false, "give each author with an email address a contributor's account without a password")
	fs.StringVar(&zone, "time-zone", "", "the old site's time zone, e.g. Europe/Berlin (default: the site's setting, or UTC)")
	c, err := parseEngineFlags(fs, args)
	if err != nil {
		return err
	}
	if file == "" {
		return usageError{errors.New("import wordpress needs the export FILE, e.g. broadsheet import wordpress site.wordpress.xml --uploads ./uploads")}
	}
	info, err := os.Stat(file)
	if err != nil {
		return err
	}
	if info.IsDir() {
		return fmt.Errorf("%s is a directory, not a WordPress export", file)
	}
	if opts.Uploads != "" {
		if st, err := os.Stat(opts.Uploads); err != nil || !st.IsDir() {
			return fmt.Errorf("--uploads %s is not a directory", opts.Uploads)
		}
	}
	if zone != "" {
		if opts.Location, err = time.LoadLocation(zone); err != nil {
			return usageError{fmt.Errorf("--time-zone %q is not a time zone (e.g. Europe/Berlin)", zone)}
		}
	}
	opts.Size = info.Size()
	bars := newStepBars(stderr, map[string]string{"read": "Reading the export", "media": "Importing images", "import": "Importing posts"},
		map[string]bool{"media": true})
	opts.Progress = bars.progress()
	open := func() (io.ReadCloser, error) { return os.Open(file) }
	start := time.Now()
	if dry {
		s, err := wordpress.Survey(ctx, open, opts)
		bars.finish()
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		writeSummary(stdout, s, file, "", time.Since(start), true)
		return nil
	}
	db, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	st, ok := db.(wordpress.Store)
	if !ok {
		return errors.New("this database cannot take an import") // a new engine must be added above
	}
	if opts.Location == nil {
		site, err := db.Site(ctx)
		if err != nil {
			return err
		}
		if site.TimeZone != "" {
			opts.Location, _ = time.LoadLocation(site.TimeZone)
		}
	}
	s, err := wordpress.Import(ctx, open, st, opts)
	bars.finish()
	if s != nil {
		writeSummary(stdout, s, file, dbName(c), time.Since(start), false)
	}
	if err != nil {
		return fmt.Errorf("the import stopped (what is counted above was written; run it again to go on): %w", err)
	}
	return nil
}

// writeSummary prints what an import did, or a survey found: counts by
// kind, what was left out and why, what changed on the way, and every
// item that could not be taken.
func writeSummary(w io.Writer, s *wordpress.Summary, file, into string, took time.Duration, dry bool) {
	title := s.Title
	if title == "" {
		title = file
	}
	if dry {
		fmt.Fprintf(w, "%s (WXR %s): what an import would bring across (read in %s; nothing was written)\n", title, s.Version, took.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "%s (WXR %s): imported into %s in %s\n", title, s.Version, into, took.Round(time.Millisecond))
	}
	row := func(kind string, n int, detail string) {
		line := fmt.Sprintf("  %-10s %6d", kind, n)
		if !dry {
			line = fmt.Sprintf("  %-10s %6d written", kind, s.Written[kind])
			if b := s.Before[kind]; b > 0 {
				line += fmt.Sprintf(", %d there from an earlier import", b)
			}
		}
		if detail != "" {
			line += "  (" + detail + ")"
		}
		fmt.Fprintln(w, line)
	}
	statuses := func(m map[string]int) string {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if m[k] > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
			}
		}
		return strings.Join(parts, ", ")
	}
	articles, comments := map[string]int{}, map[string]int{}
	total := 0
	for st, n := range s.Articles {
		articles[string(st)] += n
		total += n
	}
	ctotal := 0
	for st, n := range s.Comments {
		comments[string(st)] += n
		ctotal += n
	}
	row("articles", total, statuses(articles))
	row("pages", s.Pages, "")
	row("comments", ctotal, statuses(comments))
	if dry {
		row("images", s.Attachments, "attachments in the export")
	} else {
		row("images", 0, "")
	}
	row("sections", s.Sections, "")
	row("tags", s.Tags, "")
	row("authors", s.Authors, "")
	if !dry && (s.Written["accounts"]+s.Before["accounts"] > 0) {
		row("accounts", 0, "without a password: each sets one through the password-reset link")
	}
	if dry {
		fmt.Fprintf(w, "  %-10s %6d  (old addresses)\n", "redirects", s.OldAddresses)
	} else {
		r := s.Redirects
		fmt.Fprintf(w, "  %-10s %6d added, %d updated, %d unchanged, %d kept as made by hand, %d the same address here\n",
			"redirects", r.Added, r.Updated, r.Unchanged, r.Kept, r.Skipped)
	}
	var left []string
	for _, k := range slices.Sorted(maps.Keys(s.LeftOut)) {
		left = append(left, fmt.Sprintf("%d %s", s.LeftOut[k], k))
	}
	if s.Pingbacks > 0 {
		left = append(left, fmt.Sprintf("%d pingbacks and trackbacks", s.Pingbacks))
	}
	if s.Dropped > 0 {
		left = append(left, fmt.Sprintf("%d characters XML does not allow", s.Dropped))
	}
	list(w, "Left out:", left)
	var changed []string
	if s.ExtraSections > 0 {
		changed = append(changed, fmt.Sprintf("%d categories after a post's first became tags", s.ExtraSections))
	}
	for _, k := range slices.Sorted(maps.Keys(s.Notes)) {
		changed = append(changed, fmt.Sprintf("%d× %s", s.Notes[k], k))
	}
	list(w, "Carried over with a change:", changed)
	var problems []string
	for _, p := range s.Problems {
		problems = append(problems, p.String())
	}
	list(w, fmt.Sprintf("Could not be taken (%d):", len(problems)), problems)
}

func list(w io.Writer, heading string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, heading)
	for _, l := range lines {
		fmt.Fprintln(w, "  "+l)
	}
}
