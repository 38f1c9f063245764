package web

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/store"
	"broadsheet/internal/store/postgres"
	"broadsheet/internal/store/postgres/pgtest"
	"broadsheet/internal/store/sqlite"
)

// BenchmarkArticlePageArchive renders uncached article pages — about 900
// words, bylines, tags, 50 approved comments with replies, More Articles
// and Most read — of many different articles of a big archive, through
// the real handler, on each engine: the figure the storage aims at (p99 ≤ 2 ms on
// SQLite, ≤ 4 ms on PostgreSQL on loopback, at 100,000 articles and
// 1,000,000 comments). It reports the pages' p50, p90, p99 and max, the
// part of each page spent in the storage calls it made (p50 and p99), and
// the statements each page sent to the database. More Articles lists the
// archive lacks, and comments' HTML, are made first, as a running site
// makes them in the background.
//
// Building the archive takes many minutes (the reindex most of them), so
// the benchmark runs only when asked, by naming it in -bench or by setting
// its size:
//
//	go test -run '^$' -bench ArticlePageArchive -benchtime 3000x -timeout 0 ./internal/web/
//	BROADSHEET_BENCH_ARCHIVE_SIZE=5000/50000 go test -run '^$' -bench ArticlePageArchive/sqlite -benchtime 1000x ./internal/web/
//
// BROADSHEET_BENCH_ARCHIVE_SIZE is articles/comments (default
// 100000/1000000; articles alone means ten comments an article).
// BROADSHEET_BENCH_ARCHIVE_SQLITE names a file to keep the SQLite archive
// in, and BROADSHEET_BENCH_ARCHIVE_POSTGRES the URL of an existing
// PostgreSQL database (empty, or holding an archive this benchmark built);
// a run that finds an archive of the size asked there reads it without
// building it again, and one of another size is replaced. Without them
// the archive is built in a temporary file or a throw-away database. The
// PostgreSQL part skips without a server, except in CI.
func BenchmarkArticlePageArchive(b *testing.B) {
	if !archiveAsked() {
		b.Skip("builds an archive of 100,000 articles: name it in -bench or set BROADSHEET_BENCH_ARCHIVE_SIZE")
	}
	z, err := archiveSizeFrom(os.Getenv("BROADSHEET_BENCH_ARCHIVE_SIZE"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sqlite", func(b *testing.B) { benchArchiveSQLite(b, z) })
	b.Run("postgres", func(b *testing.B) { benchArchivePostgres(b, z) })
}

// archiveAsked reports whether the archive benchmark was asked for: by its
// size, or by name in -bench (not by -bench . alone).
func archiveAsked() bool {
	if os.Getenv("BROADSHEET_BENCH_ARCHIVE_SIZE") != "" {
		return true
	}
	f := flag.Lookup("test.bench")
	return f != nil && strings.Contains(f.Value.String(), "Archive")
}

// archiveSizeFrom reads "articles/comments" or "articles"; empty is the
// size the figure is stated for.
func archiveSizeFrom(s string) (archiveSize, error) {
	z := archiveSize{articles: 100_000, comments: 1_000_000}
	if s == "" {
		return z, nil
	}
	a, c, hasComments := strings.Cut(strings.ReplaceAll(s, "_", ""), "/")
	var err error
	if z.articles, err = strconv.Atoi(a); err != nil || z.articles < archiveEvery {
		return z, fmt.Errorf("BROADSHEET_BENCH_ARCHIVE_SIZE=%q: want articles/comments, at least %d articles", s, archiveEvery)
	}
	z.comments = 10 * z.articles
	if hasComments {
		if z.comments, err = strconv.Atoi(c); err != nil {
			return z, fmt.Errorf("BROADSHEET_BENCH_ARCHIVE_SIZE=%q: want articles/comments", s)
		}
	}
	if z.comments < z.measured()*archivePerPage {
		return z, fmt.Errorf("BROADSHEET_BENCH_ARCHIVE_SIZE=%q: %d articles need at least %d comments", s, z.articles, z.measured()*archivePerPage)
	}
	return z, nil
}

// archiveStore is what the benchmark needs of either engine's database.
type archiveStore interface {
	testStore
	Reindex(ctx context.Context, progress func(done, total int)) error
	KeepRelated(ctx context.Context, n int) (int, error)
	RenderStored(ctx context.Context, n int) (int, error)
	Queries() uint64
	Reader() *store.Handle
}

// archiveLog writes to stderr as the build goes: a benchmark's own log is
// shown only at its end.
func archiveLog(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func benchArchiveSQLite(b *testing.B, z archiveSize) {
	ctx := context.Background()
	path := os.Getenv("BROADSHEET_BENCH_ARCHIVE_SQLITE")
	if path == "" {
		path = filepath.Join(b.TempDir(), "archive.db")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	reuse := false
	if _, err := os.Stat(path); err == nil {
		raw, err := sql.Open("sqlite", dsn)
		if err != nil {
			b.Fatal(err)
		}
		marker, n := archiveState(ctx, raw)
		raw.Close()
		switch {
		case marker == z.marker():
			reuse = true
		case strings.Contains(marker, "broadsheet archive"): // ours, of another size or unfinished
			archiveLog("%s holds %q: building %q instead.", path, marker, z.marker())
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		case n > 0:
			b.Fatalf("%s holds %d articles but no archive of this benchmark: name another file", path, n)
		}
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if !reuse {
		raw, err := sql.Open("sqlite", dsn+"&_pragma=synchronous(OFF)&_txlock=immediate")
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		raw.SetMaxOpenConns(1)
		sink := archiveSink{raw: raw, ph: func(int) string { return "?" }, finish: func(ctx context.Context) error {
			_, err := raw.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			return err
		}}
		benchArchiveBuild(b, "SQLite "+path, db, sink, z)
	}
	measureArchive(b, db, z)
}

func benchArchivePostgres(b *testing.B, z archiveSize) {
	ctx := context.Background()
	dbURL := os.Getenv("BROADSHEET_BENCH_ARCHIVE_POSTGRES")
	reuse := false
	if dbURL == "" {
		dbURL = pgtest.Database(b) // skips without a server, except in CI
	} else {
		raw, err := sql.Open("pgx", dbURL)
		if err == nil {
			err = raw.PingContext(ctx)
		}
		if err != nil {
			b.Fatalf("BROADSHEET_BENCH_ARCHIVE_POSTGRES: %v", err)
		}
		marker, n := archiveState(ctx, raw)
		switch {
		case marker == z.marker():
			reuse = true
		case strings.Contains(marker, "broadsheet archive"): // ours, of another size or unfinished
			archiveLog("The database holds %q: building %q instead.", marker, z.marker())
			for _, q := range []string{`DROP SCHEMA public CASCADE`, `CREATE SCHEMA public`} {
				if _, err := raw.ExecContext(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		case n > 0:
			b.Fatalf("BROADSHEET_BENCH_ARCHIVE_POSTGRES holds %d articles but no archive of this benchmark: name another database", n)
		}
		raw.Close()
	}
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if !reuse {
		raw, err := sql.Open("pgx", dbURL)
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		sink := archiveSink{raw: raw, ph: store.Numbered, finish: func(ctx context.Context) error {
			// The rows came with their ids; what is added later takes the
			// next. Then the statistics autovacuum would gather soon after.
			for _, q := range []string{
				`SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles))`,
				`SELECT setval(pg_get_serial_sequence('comments', 'id'), (SELECT max(id) FROM comments))`,
				`ANALYZE`,
			} {
				if _, err := raw.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("%s: %w", q, err)
				}
			}
			return nil
		}}
		benchArchiveBuild(b, "PostgreSQL", db, sink, z)
	}
	measureArchive(b, db, z)
}

// benchArchiveBuild builds the archive and says how long it took.
func benchArchiveBuild(b *testing.B, where string, db archiveStore, sink archiveSink, z archiveSize) {
	archiveLog("Building an archive of %d articles and %d comments in %s; load average %s.", z.articles, z.comments, where, archiveLoad())
	times, err := buildArchive(context.Background(), db, sink, z, archiveLog)
	if err != nil {
		b.Fatal(err)
	}
	archiveLog("Archive built in %s; load average %s.", times.total.Round(time.Second), archiveLoad())
	b.Logf("archive of %d articles and %d comments built in %s: articles %s, comments %s, reindex %s",
		z.articles, z.comments, times.total.Round(time.Second), times.articles.Round(time.Second),
		times.comments.Round(time.Second), times.reindex.Round(time.Second))
}

// measureArchive renders pages of articles drawn at random among the
// measured ones, each with the page cache emptied first.
func measureArchive(b *testing.B, db archiveStore, z archiveSize) {
	ctx := context.Background()
	paths := archivePaths(b, db, z)
	catchUp(b, db)
	timed := &timedArchive{archiveStore: db}
	srv := newServer(b, timed, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	render := func(path string) (*httptest.ResponseRecorder, time.Duration) {
		srv.cache.invalidate([]string{article.KeySite})
		req := httptest.NewRequestWithContext(ctx, "GET", path, nil)
		rec := httptest.NewRecorder()
		t0 := time.Now()
		srv.ServeHTTP(rec, req)
		d := time.Since(t0)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: status %d", path, rec.Code)
		}
		return rec, d
	}
	// Untimed, pages spread over the archive: statements prepared, what
	// surrounds every page loaded, and each checked to be the whole page.
	warm := min(len(paths), 200)
	pageBytes := 0
	for i := range warm {
		rec, _ := render(paths[i*len(paths)/warm])
		page := rec.Body.String()
		pageBytes += len(page)
		if n := strings.Count(page, `<li class="comment depth-`); n != archivePerPage {
			b.Fatalf("%s shows %d comments, want %d", paths[i*len(paths)/warm], n, archivePerPage)
		}
		if !strings.Contains(page, `id="more-heading"`) || !strings.Contains(page, `class="comment-form"`) {
			b.Fatalf("%s lacks More Articles or the comment form", paths[i*len(paths)/warm])
		}
	}
	load := archiveLoad()
	rng := rand.New(rand.NewPCG(13, uint64(z.articles)))
	var times, inStore []time.Duration
	perPage := map[uint64]int{} // pages by the statements they sent
	before := db.Queries()
	for b.Loop() {
		q := db.Queries()
		timed.spent.Store(0)
		_, d := render(paths[rng.IntN(len(paths))])
		times = append(times, d)
		inStore = append(inStore, time.Duration(timed.spent.Load()))
		perPage[db.Queries()-q]++
	}
	b.StopTimer()
	queries := float64(db.Queries()-before) / float64(len(times))
	var spread []string
	for _, n := range slices.Sorted(maps.Keys(perPage)) {
		spread = append(spread, fmt.Sprintf("%d pages %d", perPage[n], n))
	}
	p50, p90, p99, top := archivePct(times, 50), archivePct(times, 90), archivePct(times, 99), slices.Max(times)
	b.ReportMetric(archiveMs(p50), "p50-ms")
	b.ReportMetric(archiveMs(p90), "p90-ms")
	b.ReportMetric(archiveMs(p99), "p99-ms")
	b.ReportMetric(archiveMs(top), "max-ms")
	b.ReportMetric(queries, "queries/page")
	s50, s99 := archivePct(inStore, 50), archivePct(inStore, 99)
	b.ReportMetric(archiveMs(s50), "store-p50-ms")
	b.ReportMetric(archiveMs(s99), "store-p99-ms")
	b.Logf("%d uncached pages (%.0f KB each) of %d articles (of %d, with %d comments in all): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; in storage p50 %.2f ms, p99 %.2f ms; %.2f queries a page (%s); load average %s before, %s after",
		len(times), float64(pageBytes)/float64(warm)/1000, len(paths), z.articles, z.comments, archiveMs(p50), archiveMs(p90), archiveMs(p99), archiveMs(top),
		archiveMs(s50), archiveMs(s99), queries, strings.Join(spread, ", "), load, archiveLoad())
}

// timedArchive adds up the time an article page spends in the storage
// calls it makes (one page at a time): the part of the page the storage
// layer answers for, apart from rendering and compressing. The page reads
// its discussion while it reads More Articles, and both calls count in
// full, so the sum can be more than the page waited for them.
type timedArchive struct {
	archiveStore
	spent atomic.Int64 // nanoseconds
}

func timeIn[T any](spent *atomic.Int64, call func() (T, error)) (T, error) {
	t0 := time.Now()
	v, err := call()
	spent.Add(int64(time.Since(t0)))
	return v, err
}

func (t *timedArchive) ArticleBySlug(ctx context.Context, slug string) (*article.Article, error) {
	return timeIn(&t.spent, func() (*article.Article, error) { return t.archiveStore.ArticleBySlug(ctx, slug) })
}

func (t *timedArchive) Articles(ctx context.Context, q article.Query) (article.List, error) {
	return timeIn(&t.spent, func() (article.List, error) { return t.archiveStore.Articles(ctx, q) })
}

func (t *timedArchive) RelatedArticles(ctx context.Context, id int64, limit int) ([]article.Article, error) {
	return timeIn(&t.spent, func() ([]article.Article, error) { return t.archiveStore.RelatedArticles(ctx, id, limit) })
}

func (t *timedArchive) MostRead(ctx context.Context, since time.Time, limit int) ([]article.Article, error) {
	return timeIn(&t.spent, func() ([]article.Article, error) { return t.archiveStore.MostRead(ctx, since, limit) })
}

func (t *timedArchive) ApprovedCount(ctx context.Context, ids []int64) (map[int64]int, error) {
	return timeIn(&t.spent, func() (map[int64]int, error) { return t.archiveStore.ApprovedCount(ctx, ids) })
}

func (t *timedArchive) Thread(ctx context.Context, q comment.Query) ([]comment.Comment, error) {
	return timeIn(&t.spent, func() ([]comment.Comment, error) { return t.archiveStore.Thread(ctx, q) })
}

// catchUp does what a running site does in the background for an archive
// written straight into its tables: works out every More Articles list it
// lacks, and stores the HTML of every comment and article, saying how long a list
// took (what a page whose list is missing spends on it).
func catchUp(b *testing.B, db archiveStore) {
	ctx := context.Background()
	if made, d := untilNone(b, "More Articles lists made", func() (int, error) { return db.KeepRelated(ctx, 1000) }); made > 0 {
		b.Logf("%d More Articles lists made in %s, %.2f ms each", made, d.Round(time.Second), archiveMs(d/time.Duration(made)))
	}
	untilNone(b, "Comments and articles rendered and stored", func() (int, error) { return db.RenderStored(ctx, 5000) })
}

// untilNone calls step until it does nothing, saying how far it got.
func untilNone(b *testing.B, what string, step func() (int, error)) (int, time.Duration) {
	t0, done, said := time.Now(), 0, time.Now()
	for {
		n, err := step()
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
		done += n
		if time.Since(said) > 10*time.Second {
			archiveLog("%s: %d", what, done)
			said = time.Now()
		}
	}
	d := time.Since(t0)
	if done > 0 {
		archiveLog("%s: %d in %s.", what, done, d.Round(time.Second))
	}
	return done, d
}

// archivePaths lists the measured articles' addresses, checking that the
// archive is whole and each has its comments.
func archivePaths(b *testing.B, db archiveStore, z archiveSize) []string {
	ctx := context.Background()
	var articles, comments int
	if err := db.Reader().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM comments)`).Scan(&articles, &comments); err != nil {
		b.Fatal(err)
	}
	if articles != z.articles || comments != z.comments {
		b.Fatalf("the archive holds %d articles and %d comments, want %d and %d", articles, comments, z.articles, z.comments)
	}
	var paths []string
	err := store.Each(ctx, db.Reader(), fmt.Sprintf(`SELECT a.id, s.slug, a.slug,
		(SELECT count(*) FROM comments c WHERE c.article_id = a.id AND c.status = 'approved')
		FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.id %% %d = 0 ORDER BY a.id`, archiveEvery), nil, func(rows *sql.Rows) error {
		var id int64
		var section, slug string
		var n int
		if err := rows.Scan(&id, &section, &slug, &n); err != nil {
			return err
		}
		if n != archivePerPage {
			return fmt.Errorf("article %d has %d approved comments, want %d", id, n, archivePerPage)
		}
		paths = append(paths, "/"+section+"/"+slug)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(paths) != z.measured() {
		b.Fatalf("%d measured articles, want %d", len(paths), z.measured())
	}
	return paths
}

// archivePct is the p-th percentile of ds, nearest rank.
func archivePct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[max(0, (len(s)*p+99)/100-1)]
}

func archiveMs(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

// archiveLoad is the machine's load over 1, 5 and 15 minutes: other work
// on the same cores shows in the figures.
func archiveLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
