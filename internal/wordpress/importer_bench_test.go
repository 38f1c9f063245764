package wordpress_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/wordpress"
	"broadsheet/internal/wordpress/wxrtest"
)

// BenchmarkImportWordPress imports a generated export of
// BROADSHEET_BENCH_WP_POSTS posts (1,000 unless set; 10,000 for the
// figures in docs/performance.md) with about ten comments each into a new
// site on each engine, then imports it again. It reports the items
// written per second (articles, pages and comments), the peak Go heap
// during the import (flat in the export's size: one item is held at a
// time), and the seconds the second import takes to find nothing new.
func BenchmarkImportWordPress(b *testing.B) {
	posts := 1000
	if s := os.Getenv("BROADSHEET_BENCH_WP_POSTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("BROADSHEET_BENCH_WP_POSTS=%q: want a number of posts", s)
		}
		posts = n
	}
	file := filepath.Join(b.TempDir(), "export.xml")
	// Published posts (about 84 in 100) have 12 comments each: 10,000
	// posts bring about 100,000 comments.
	if err := wxrtest.WriteFile(file, wxrtest.Spec{Posts: posts, CommentsPerPost: 12, Pages: 20, Tags: 200, Attachments: posts / 2, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(file)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("export of %d posts: %.1f MB", posts, float64(info.Size())/1e6)
	for name, open := range engines(b) {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				st := open(b)
				ctx := context.Background()
				opts := wordpress.Options{Size: info.Size()}
				b.StartTimer()
				peak := watchHeap()
				start := time.Now()
				s, err := wordpress.Import(ctx, openFile(file), st, opts)
				took := time.Since(start)
				heap := peak()
				if err != nil {
					b.Fatal(err)
				}
				items := s.Written["articles"] + s.Written["pages"] + s.Written["comments"]
				if s.Written["articles"] < posts*9/10 || s.Written["comments"] < posts*9 || len(s.Problems) != 0 {
					b.Fatalf("wrote %v with problems %v", s.Written, s.Problems[:min(5, len(s.Problems))])
				}
				start = time.Now()
				again, err := wordpress.Import(ctx, openFile(file), st, opts)
				if err != nil {
					b.Fatal(err)
				}
				second := time.Since(start)
				for kind, n := range again.Written {
					if n != 0 {
						b.Fatalf("the second import wrote %d %s", n, kind)
					}
				}
				b.ReportMetric(float64(items)/took.Seconds(), "items/s")
				b.ReportMetric(float64(items), "items")
				b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
				b.ReportMetric(second.Seconds(), "again-s")
				b.Logf("%s: %d items (%d articles, %d comments) in %s; again, nothing new, in %s; peak heap %.1f MiB",
					name, items, s.Written["articles"], s.Written["comments"], took.Round(time.Millisecond), second.Round(time.Millisecond), float64(heap)/(1<<20))
			}
		})
	}
}

// watchHeap samples the Go heap in use until the function it returns is
// called, which gives the largest sample.
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak.Load()
	}
}
