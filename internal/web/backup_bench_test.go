package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/backup"
	"broadsheet/internal/challenge"
	"broadsheet/internal/store/sqlite"
)

// BenchmarkBackupUnderCommentLoad takes a backup (internal/backup's
// Snapshot, what `broadsheet backup` and scheduled backups run) while 32
// readers post comments through the real handler, as
// BenchmarkPostCommentConcurrent does, and one more reads uncached article
// pages. It reports how long the backup took, and for the writes and
// reads that overlapped it the longest and the p99, beside the same
// figures for the seconds before it: the stall a backup causes.
//
// By default the site is a small new one, where a backup takes a moment.
// BROADSHEET_BENCH_BACKUP_DB names a database to copy and work on instead,
// e.g. the 100,000-article archive BenchmarkArticlePageArchive keeps in
// BROADSHEET_BENCH_ARCHIVE_SQLITE:
//
//	BROADSHEET_BENCH_BACKUP_DB=/tmp/archbench/archive-100k.db go test -run '^$' -bench BackupUnderCommentLoad -benchtime 1x -timeout 0 ./internal/web/
func BenchmarkBackupUnderCommentLoad(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	path := filepath.Join(dir, sqlite.FileName)
	if src := os.Getenv("BROADSHEET_BENCH_BACKUP_DB"); src != "" {
		archiveLog("Copying %s to %s.", src, path)
		copyFile(b, src, path)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	srv := newServer(b, db, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		built{cost: challenge.Cost{Iterations: 1, MinCounter: 1, MaxCounter: 2}, minFill: -1})
	for _, l := range srv.comments.Limiters() {
		l.Max = 1 << 30
	}
	a := loadTarget(b, db)
	shown := srv.comments.Stamp(a.ID)
	page := "/" + a.Section.Slug + "/" + a.Slug

	for i := 0; b.Loop(); i++ {
		var (
			mu     sync.Mutex
			writes []timed
			reads  []timed
			stop   atomic.Bool
			wg     sync.WaitGroup
			n      atomic.Int64
		)
		for range 32 {
			wg.Go(func() {
				for !stop.Load() {
					k := n.Add(1)
					payload := solved(b, srv)
					start := time.Now()
					rec := sendComment(srv, a, url.Values{"email": {fmt.Sprintf("r%d@example.org", k)}, "key": {fmt.Sprintf("%d-%d", i, k)},
						"shown": {shown}, "altcha": {payload}}, fmt.Sprintf("10.%d.%d.%d", k>>16&255, k>>8&255, k&255))
					end := time.Now()
					if rec.Code != http.StatusSeeOther {
						b.Errorf("comment %d = %d", k, rec.Code)
						return
					}
					mu.Lock()
					writes = append(writes, timed{start, end})
					mu.Unlock()
				}
			})
		}
		wg.Go(func() {
			req := httptest.NewRequest("GET", page, nil)
			for !stop.Load() {
				srv.cache.invalidate([]string{article.KeySite})
				start := time.Now()
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				end := time.Now()
				if rec.Code != http.StatusOK {
					b.Errorf("page = %d", rec.Code)
					return
				}
				mu.Lock()
				reads = append(reads, timed{start, end})
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		})
		const before = 5 * time.Second
		time.Sleep(before)
		from := time.Now()
		var copied, compressing time.Time // the ends of the copy and of its check
		info, err := backup.Snapshot(ctx, path, filepath.Join(dir, fmt.Sprintf("backup-%d.db.zst", i)), func(step string, done, total int64) {
			switch {
			case step == "copying" && done == total && copied.IsZero():
				copied = time.Now()
			case step == "compressing" && compressing.IsZero():
				compressing = time.Now()
			}
		})
		to := time.Now()
		time.Sleep(time.Second)
		stop.Store(true)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		wb, wd := overlapping(writes, from.Add(-before), from), overlapping(writes, from, to)
		rb, rd := overlapping(reads, from.Add(-before), from), overlapping(reads, from, to)
		b.ReportMetric(to.Sub(from).Seconds(), "backup-s")
		b.ReportMetric(float64(info.DatabaseSize)/(1<<20), "db-MiB")
		b.ReportMetric(float64(len(wd))/to.Sub(from).Seconds(), "comments/s-during")
		b.ReportMetric(float64(len(wb))/before.Seconds(), "comments/s-before")
		b.ReportMetric(ms(slices.Max(wd)), "write-max-ms-during")
		b.ReportMetric(ms(pct(wd, 99)), "write-p99-ms-during")
		b.ReportMetric(ms(slices.Max(wb)), "write-max-ms-before")
		b.ReportMetric(ms(pct(wb, 99)), "write-p99-ms-before")
		b.ReportMetric(ms(slices.Max(rd)), "read-max-ms-during")
		b.ReportMetric(ms(pct(rd, 99)), "read-p99-ms-during")
		b.ReportMetric(ms(slices.Max(rb)), "read-max-ms-before")
		// Where in the backup the longest writes fell: the copy (VACUUM
		// INTO), the check of the copy, the compression.
		if !copied.IsZero() && !compressing.IsZero() {
			b.ReportMetric(ms(slices.Max(overlapping(writes, from, copied))), "write-max-ms-copy")
			b.ReportMetric(ms(slices.Max(overlapping(writes, copied, compressing))), "write-max-ms-check")
			b.ReportMetric(ms(slices.Max(overlapping(writes, compressing, to))), "write-max-ms-compress")
			b.ReportMetric(copied.Sub(from).Seconds(), "copy-s")
			b.ReportMetric(compressing.Sub(copied).Seconds(), "check-s")
		}
	}
}

// timed is one request's start and end.
type timed struct{ start, end time.Time }

// overlapping returns the durations of the requests that ran at any time
// in [from, to), sorted.
func overlapping(list []timed, from, to time.Time) []time.Duration {
	var out []time.Duration
	for _, r := range list {
		if r.start.Before(to) && r.end.After(from) {
			out = append(out, r.end.Sub(r.start))
		}
	}
	if len(out) == 0 {
		out = append(out, 0)
	}
	slices.Sort(out)
	return out
}

func pct(sorted []time.Duration, p int) time.Duration { return sorted[(len(sorted)-1)*p/100] }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loadTarget is the newest published article of db, or a new one in a new
// section on an empty site.
func loadTarget(tb testing.TB, db *sqlite.DB) *article.Article {
	ctx := context.Background()
	var slug string
	err := db.Reader().Pool().QueryRow(`SELECT slug FROM articles WHERE status = 'published' ORDER BY published_at DESC LIMIT 1`).Scan(&slug)
	if err == nil {
		a, err := db.ArticleBySlug(ctx, slug)
		must(tb, err)
		return a
	}
	sec := article.Section{Slug: "city", Name: "City"}
	must(tb, db.CreateSection(ctx, &sec))
	a := &article.Article{Slug: "story", Headline: "Story", Section: sec, Status: article.Published, Language: "en", PublishedAt: time.Now()}
	must(tb, db.CreateArticle(ctx, a))
	return a
}

func copyFile(tb testing.TB, src, dst string) {
	in, err := os.Open(src)
	must(tb, err)
	defer in.Close()
	out, err := os.Create(dst)
	must(tb, err)
	_, err = io.Copy(out, in)
	must(tb, err)
	must(tb, out.Close())
}
