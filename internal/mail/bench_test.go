package mail_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"broadsheet/internal/article"
	bmail "broadsheet/internal/mail"
	"broadsheet/internal/progress"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/subscription"
)

// BenchmarkFanout publishes one article to every confirmed site subscriber
// and times the worker from the first Step until every subscriber has the
// mail exactly once, over loopback SMTP to a server that only counts. It
// reports messages per second, CPU time per message, the peak Go heap and
// process RSS during the run, and how many attempts failed and were
// retried; the two list sizes show whether memory grows with the list.
// Building the list is not timed. One iteration is a whole fan-out, so
// run it with -benchtime 1x (docs/performance.md has the figures):
//
//	go test -run '^$' -bench Fanout -benchtime 1x -benchmem -count 3 ./internal/mail/
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, conns := range []int{bmail.DefaultConns, 8} {
			b.Run(fmt.Sprintf("subscribers=%d/conns=%d", n, conns), func(b *testing.B) { benchFanout(b, n, conns) })
		}
	}
}

func benchFanout(b *testing.B, n, conns int) {
	var elapsed, cpu time.Duration
	var peak memPeak
	retries := 0
	b.StopTimer()
	for range b.N {
		db := fanoutDB(b, n)
		srv := startCounter(b, n)
		letters, err := bmail.NewLetters(db, "https://news.example.org",
			subscription.Links{Key: []byte("a signing key of at least thirty-two bytes")})
		if err != nil {
			b.Fatal(err)
		}
		sender, err := bmail.ParseSMTP("smtp://" + srv.addr)
		if err != nil {
			b.Fatal(err)
		}
		logs := &firstLines{max: 5}
		w := &bmail.Worker{Outbox: db, Letters: letters, SMTP: sender, From: "The Courier <news@courier.example>",
			Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})), Conns: conns}
		// A whole fan-out must finish well inside this, even at a tenth of
		// the goal; a stuck worker fails the benchmark instead of hanging.
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(n/100+60)*time.Second)
		maxSteps := 4*n/400 + 100

		runtime.GC()
		debug.FreeOSMemory()
		stop := peak.sample(50 * time.Millisecond)
		cpu0 := processCPU()
		start := time.Now()
		b.StartTimer()
		steps := 0
		for ; steps < maxSteps; steps++ {
			busy, err := w.Step(ctx)
			if err != nil {
				b.Fatalf("step %d: %v", steps, err)
			}
			if !busy {
				break
			}
		}
		b.StopTimer()
		elapsed += time.Since(start)
		cpu += processCPU() - cpu0
		stop()
		cancel()

		if logs.n > 0 {
			// A failed attempt is retried after its backoff, and the
			// counts below still decide; but the figures are then not
			// those of the plain path, so say so.
			retries += logs.n
			b.Logf("the worker logged %d warnings, the first:\n%s", logs.n, logs.buf.String())
		}
		srv.check(b, n)
		counts, err := db.OutboxCounts(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if counts[bmail.Sent] != n || len(counts) != 1 {
			b.Fatalf("after %d steps the outbox holds %v, want %d sent and nothing else", steps, counts, n)
		}
		srv.close()
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "msgs/s")
	// CPU time (worker, SQLite and the receiving server together) varies
	// far less than elapsed time on a machine shared with other work.
	b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/msg")
	b.ReportMetric(float64(peak.heap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak.rss)/(1<<20), "peak-rss-MiB")
	b.ReportMetric(float64(retries), "retries")
}

// fanoutDB makes a database with n confirmed site subscribers and one
// article just published, its fan-out queued.
func fanoutDB(b *testing.B, n int) *sqlite.DB {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "fanout.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := insertSubscribers(ctx, path, n); err != nil {
		b.Fatal(err)
	}
	sec := article.Section{Slug: "city", Name: "City"}
	if err := db.CreateSection(ctx, &sec); err != nil {
		b.Fatal(err)
	}
	a := &article.Article{Slug: "harbour-wall-gives-way", Headline: "Harbour wall gives way", Standfirst: "What happened, in a sentence.",
		Section: sec, Status: article.Published, Language: "en", PublishedAt: time.Now().UTC()}
	if err := db.CreateArticle(ctx, a); err != nil {
		b.Fatal(err)
	}
	return db
}

// insertSubscribers writes n confirmed site subscribers in one transaction
// on a connection of its own: through Subscribe and Confirm it would be
// two commits each.
func insertSubscribers(ctx context.Context, path string, n int) error {
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	subscriber, err := tx.PrepareContext(ctx, `INSERT INTO subscribers (id, email, email_key, confirmed_at, consent, created_at) VALUES (?, ?, ?, ?, 'benchmark', ?)`)
	if err != nil {
		return err
	}
	sub, err := tx.PrepareContext(ctx, `INSERT INTO subscriptions (subscriber_id, scope_kind, scope_id, frequency, status, nonce, created_at)
		VALUES (?, 'site', 0, 'immediate', 'active', NULL, ?)`)
	if err != nil {
		return err
	}
	now := time.Now().Unix()
	bar := progress.New(os.Stderr, fmt.Sprintf("%d subscribers", n), n)
	shown := 0
	for i := 1; i <= n; i++ {
		if _, err := subscriber.ExecContext(ctx, i, readerAddr(i), readerAddr(i), now, now); err != nil {
			return err
		}
		if _, err := sub.ExecContext(ctx, i, now); err != nil {
			return err
		}
		if i%1000 == 0 || i == n {
			bar.Add(i - shown)
			shown = i
		}
	}
	bar.Finish()
	return tx.Commit()
}

func readerAddr(i int) string { return fmt.Sprintf("reader%07d@example.org", i) }

// readerIndex is readerAddr's inverse; 0 for any other address.
func readerIndex(addr string) int {
	s, ok := strings.CutPrefix(strings.ToLower(addr), "reader")
	if !ok {
		return 0
	}
	s, ok = strings.CutSuffix(s, "@example.org")
	if !ok {
		return 0
	}
	i, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return i
}

// counter is an SMTP server that reads every message to the end, throws it
// away and counts it against its recipient: a byte per subscriber, so its
// own memory stays small beside the worker's.
type counter struct {
	addr string
	srv  *smtp.Server

	mu     sync.Mutex
	got    []uint8 // messages per subscriber, by id
	total  int
	others []string // recipients that are no subscriber
}

func startCounter(b *testing.B, n int) *counter {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	c := &counter{addr: l.Addr().String(), got: make([]uint8, n+1)}
	c.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &countSession{c: c}, nil }))
	c.srv.Domain = "localhost"
	c.srv.ReadTimeout = 30 * time.Second
	c.srv.WriteTimeout = 30 * time.Second
	c.srv.MaxMessageBytes = 1 << 20
	c.srv.MaxRecipients = 1
	go c.srv.Serve(l)
	b.Cleanup(c.close)
	return c
}

func (c *counter) close() { c.srv.Close() }

func (c *counter) received(to string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	if i := readerIndex(to); i > 0 && i < len(c.got) {
		if c.got[i] < 255 {
			c.got[i]++
		}
		return
	}
	if len(c.others) < 5 {
		c.others = append(c.others, to)
	}
}

// check fails b unless each of the n subscribers received exactly one
// message, and nobody else any.
func (c *counter) check(b *testing.B, n int) {
	b.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	missing, twice := 0, 0
	first := ""
	for i := 1; i <= n; i++ {
		switch {
		case c.got[i] == 0:
			missing++
		case c.got[i] > 1:
			twice++
		default:
			continue
		}
		if first == "" {
			first = fmt.Sprintf("%s received %d", readerAddr(i), c.got[i])
		}
	}
	if c.total != n || missing > 0 || twice > 0 || len(c.others) > 0 {
		b.Fatalf("%d messages arrived for %d subscribers: %d received none, %d more than one (%s), strangers %q",
			c.total, n, missing, twice, first, c.others)
	}
}

type countSession struct {
	c  *counter
	to string
}

func (s *countSession) Mail(string, *smtp.MailOptions) error { return nil }

func (s *countSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}

func (s *countSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.c.received(s.to)
	return nil
}

func (s *countSession) Reset()        { s.to = "" }
func (s *countSession) Logout() error { return nil }

// memPeak is the most memory seen while sampling: the Go heap in use and
// the process's resident set, which also holds SQLite's page cache
// (allocated outside the Go heap).
type memPeak struct {
	mu        sync.Mutex
	heap, rss uint64
}

// sample records the peak every interval until the returned stop is
// called.
func (p *memPeak) sample(interval time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			p.record()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		p.record()
	}
}

func (p *memPeak) record() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss := residentBytes()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.heap = max(p.heap, ms.HeapInuse)
	p.rss = max(p.rss, rss)
}

// residentBytes is the process's resident set size, from Linux's
// /proc/self/statm; 0 elsewhere.
func residentBytes() uint64 {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

// processCPU is the user and system time the process has used so far,
// from Linux's /proc/self/stat (in ticks of 1/100 s); 0 elsewhere.
func processCPU() time.Duration {
	raw, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may
	// hold spaces: utime and stime are the 12th and 13th.
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	user, err1 := strconv.ParseInt(f[11], 10, 64)
	sys, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(user+sys) * 10 * time.Millisecond
}

// firstLines keeps the first few log lines and counts them all.
type firstLines struct {
	mu  sync.Mutex
	max int
	n   int
	buf bytes.Buffer
}

func (f *firstLines) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n < f.max {
		f.buf.Write(p)
	}
	f.n++
	return len(p), nil
}
