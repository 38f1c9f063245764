package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"broadsheet/internal/store/postgres/pgtest"
)

// BenchmarkLiveFanout measures a live blog's fan-out with the real
// binary: readers hold the demo live blog's event stream open, an editor
// posts updates one at a time through the newsroom's composer, and an
// update's latency for a reader is the time from just before its POST to
// the moment that reader's stream has its event. Every reader must hear
// every update: one that has not within fanoutRoundTimeout is a miss, and
// a miss fails the benchmark.
//
// OneInstance is one `serve` on SQLite holding every stream. TwoInstances
// is two on one PostgreSQL database (pgtest), the streams split between
// them and the updates posted through the first, so that half the readers
// hear of them through the change log and LISTEN/NOTIFY.
//
// Each reports the latency of a reader's event (p50, p99 and max over
// every update and reader, in ms), the time until the last reader had an
// update (p99 over the updates), the streams opened and those that heard
// every update, and what a stream costs the servers: resident memory
// (VmRSS of /proc/PID/status), Go heap, goroutine stacks and goroutines
// (/metrics) once the streams are open, less before, divided by their
// number.
//
// Readers connect from many loopback addresses (127.0.0.0/8), four
// streams to an address, within the site's bound per client address,
// which stays as it is. BROADSHEET_BENCH_STREAMS sets how many streams
// (500 unless set); the updates are -benchtime's count:
//
//	BROADSHEET_BENCH_STREAMS=10000 go test -run '^$' -bench LiveFanout -benchtime 20x -timeout 20m ./cmd/broadsheet/
func BenchmarkLiveFanout(b *testing.B) {
	n := 500
	if v := os.Getenv("BROADSHEET_BENCH_STREAMS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("BROADSHEET_BENCH_STREAMS=%q: want a whole number of streams", v)
		}
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Skip("go is not on PATH: cannot build the binary")
	}
	bin := filepath.Join(b.TempDir(), "broadsheet")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	b.Run("OneInstance", func(b *testing.B) {
		raiseFileLimit(b, n)
		data := b.TempDir()
		site := &fanoutSite{}
		site.addEditor(b, bin, "--data", data)
		site.start(b, bin, "A", n, "--data", data, "--demo")
		site.measure(b, n)
	})
	b.Run("TwoInstances", func(b *testing.B) {
		raiseFileLimit(b, n)
		pgtest.Server(b).Close() // skip (or fail in CI) before starting anything
		dbURL := pgtest.Database(b)
		site := &fanoutSite{}
		site.addEditor(b, bin, "--database-url", dbURL)
		site.start(b, bin, "A", (n+1)/2, "--database-url", dbURL, "--demo") // B starts once A has loaded the demo
		site.start(b, bin, "B", (n+1)/2, "--database-url", dbURL)
		site.measure(b, n)
	})
}

const (
	fanoutSlug         = "storm-hesper-clean-up-live" // the demo's live blog
	fanoutPerAddress   = 4                            // readers behind one address, fewer than the site's bound
	fanoutRoundTimeout = 10 * time.Second             // an update not heard by then is a miss
	fanoutEditor       = "desk@example.org"
	fanoutPassword     = "harbour lights at low tide"
)

// raiseFileLimit makes sure this process may hold n client connections
// and the servers it starts (which inherit the limit, and raise their own
// soft limit to the hard one) theirs, or skips.
func raiseFileLimit(b *testing.B, n int) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	need := uint64(n) + 512
	if lim.Max < need {
		b.Skipf("%d streams need %d open files; the hard limit is %d (ulimit -Hn)", n, need, lim.Max)
	}
	if lim.Cur < need {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			b.Fatal(err)
		}
	}
}

// fanoutSite is the site under measure: its instances, and the editor's
// session on the first, through which updates are posted.
type fanoutSite struct {
	instances []*fanoutInstance
	client    *http.Client // from 127.0.0.1, redirects not followed
	session   string
	articleID int64
	path      string // the live blog's page
}

type fanoutInstance struct {
	name string
	addr string // 127.0.0.1:PORT
	p    *broadsheetProcess
	// Its memory before and after the streams were opened.
	mem [2]fanoutMemory
}

// fanoutMemory is what an instance holds: its resident memory, and from
// its /metrics its Go heap (live and not yet collected), its goroutines'
// stacks and their number.
type fanoutMemory struct {
	rss, heap, stack, goroutines int64
}

func (s *fanoutSite) addEditor(b *testing.B, bin string, db ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := append([]string{"user", "add"}, db...)
	args = append(args, "--email", fanoutEditor, "--name", "Dora Desk", "--role", "editor", "--password-stdin")
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader(fanoutPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("broadsheet user add: %v\n%s", err, out)
	}
}

// start starts an instance bounded to streams streams, and waits until it
// serves.
func (s *fanoutSite) start(b *testing.B, bin, name string, streams int, extra ...string) {
	addr := freeLoopbackAddr(b)
	args := append([]string{"serve", "--addr", addr, "--log-level", "warn", "--live-streams", strconv.Itoa(streams)}, extra...)
	in := &fanoutInstance{name: name, addr: addr, p: startBroadsheet(b, bin, args)}
	waitServing(b, in.p, "http://"+addr, 2*time.Minute)
	s.instances = append(s.instances, in)
}

// measure opens n streams spread over the instances, posts b.N updates
// and reports what the readers heard.
func (s *fanoutSite) measure(b *testing.B, n int) {
	s.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer s.client.CloseIdleConnections()
	s.signIn(b)
	s.findLiveBlog(b)
	// One update before measuring, so that every instance has read and
	// rendered one and memory is counted after the code's first use.
	if err := s.post("An update before the readers come."); err != nil {
		b.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	since := s.seq(b)
	for _, in := range s.instances {
		in.mem[0] = in.memory(b, s.client)
	}

	f := newFanout(n)
	defer f.close()
	opened := time.Now()
	if err := f.open(s, since); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d streams open in %s", n, time.Since(opened).Round(time.Millisecond))
	time.Sleep(2 * time.Second) // what opening left settles
	for _, in := range s.instances {
		in.mem[1] = in.memory(b, s.client)
	}

	// Per update: until the POST was answered, and until its first and
	// its last reader heard it.
	var answered, first, reach []time.Duration
	cpu := make([]time.Duration, len(s.instances)+1) // the instances', then the readers'
	for i, in := range s.instances {
		cpu[i] = -cpuTime(b, in.p.cmd.Process.Pid)
	}
	cpu[len(s.instances)] = -cpuTime(b, os.Getpid())
	seq := since
	for b.Loop() {
		seq++
		r := f.begin(seq)
		if err := s.post(fmt.Sprintf("Update %d: the harbour road is clear to the lighthouse.", seq)); err != nil {
			b.Fatal(err)
		}
		answered = append(answered, time.Since(r.start))
		select {
		case <-r.done:
		case <-time.After(fanoutRoundTimeout):
		}
		soonest, last := f.end(r)
		first, reach = append(first, soonest), append(reach, last)
	}
	b.StopTimer()
	for i, in := range s.instances {
		cpu[i] += cpuTime(b, in.p.cmd.Process.Pid)
	}
	cpu[len(s.instances)] += cpuTime(b, os.Getpid())

	s.report(b, f, reach)
	b.Logf("medians over the updates: the POST answered in %s, its first reader heard it in %s, its last in %s",
		median(answered), median(first), median(reach))
	var spent []string
	for i, in := range s.instances {
		spent = append(spent, fmt.Sprintf("%s %s", in.name, cpu[i]/time.Duration(len(reach))))
	}
	b.Logf("processor time per update: %s; the readers' side %s", strings.Join(spent, ", "), cpu[len(s.instances)]/time.Duration(len(reach)))
	for _, in := range s.instances {
		m, after := in.mem, in.memory(b, s.client)
		b.Logf("%s: before the streams, with them, after the updates: resident %.1f, %.1f, %.1f MiB; Go heap %.1f, %.1f, %.1f MiB; stacks %.1f, %.1f, %.1f MiB; %d, %d, %d goroutines",
			in.name, mib(m[0].rss), mib(m[1].rss), mib(after.rss), mib(m[0].heap), mib(m[1].heap), mib(after.heap),
			mib(m[0].stack), mib(m[1].stack), mib(after.stack), m[0].goroutines, m[1].goroutines, after.goroutines)
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// cpuTime is the processor time process pid has used, user and system
// (/proc/PID/stat, in clock ticks of 10 ms).
func cpuTime(b *testing.B, pid int) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The fields after the command's name, which is in parentheses.
	_, rest, _ := bytes.Cut(stat, []byte(") "))
	fields := strings.Fields(string(rest))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func median(list []time.Duration) time.Duration {
	if len(list) == 0 {
		return 0
	}
	sorted := slices.Sorted(slices.Values(list))
	return sorted[len(sorted)/2].Round(100 * time.Microsecond)
}

// report reports the figures, and fails the benchmark for every miss.
func (s *fanoutSite) report(b *testing.B, f *fanout, reach []time.Duration) {
	lat := f.latencies()
	slices.Sort(lat)
	slices.Sort(reach)
	pct := func(list []time.Duration, p float64) float64 {
		if len(list) == 0 {
			return 0
		}
		return float64(list[min(len(list)-1, int(p*float64(len(list))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(lat, 0.50), "p50-ms")
	b.ReportMetric(pct(lat, 0.99), "p99-ms")
	b.ReportMetric(pct(lat, 1), "max-ms")
	b.ReportMetric(pct(reach, 0.99), "all-p99-ms")
	b.ReportMetric(float64(f.n), "streams")
	b.ReportMetric(float64(f.reachedAll(len(reach))), "reached")
	var grown fanoutMemory
	for _, in := range s.instances {
		grown.rss += in.mem[1].rss - in.mem[0].rss
		grown.heap += in.mem[1].heap - in.mem[0].heap
		grown.stack += in.mem[1].stack - in.mem[0].stack
		grown.goroutines += in.mem[1].goroutines - in.mem[0].goroutines
	}
	b.ReportMetric(float64(grown.rss)/float64(f.n), "rss-B/stream")
	b.ReportMetric(float64(grown.heap)/float64(f.n), "heap-B/stream")
	b.ReportMetric(float64(grown.stack)/float64(f.n), "stack-B/stream")
	b.ReportMetric(float64(grown.goroutines)/float64(f.n), "goroutines/stream")
	if len(s.instances) > 1 {
		// The readers of the instances the updates were not posted through.
		var far []time.Duration
		for i := range f.n {
			if i%len(s.instances) != 0 {
				far = append(far, f.heardBy(i)...)
			}
		}
		slices.Sort(far)
		b.ReportMetric(pct(far, 0.99), "other-p99-ms")
	}
	if m := f.misses.Load(); m > 0 {
		b.Errorf("%d times a reader did not hear an update within %s (of %d streams × %d updates)", m, fanoutRoundTimeout, f.n, len(reach))
	}
	if r := f.reloads.Load(); r > 0 {
		b.Errorf("readers were told to reload %d times", r)
	}
	if e := f.ended.Load(); e > 0 {
		b.Errorf("%d streams ended before the benchmark did", e)
	}
}

// signIn signs the editor in on the first instance, through the form.
func (s *fanoutSite) signIn(b *testing.B) {
	in := s.instances[0]
	form := url.Values{"email": {fanoutEditor}, "password": {fanoutPassword}, "next": {"/admin"}}
	resp, err := s.client.PostForm("http://"+in.addr+"/admin/login", form)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-broadsheet_session" {
			s.session = c.Value
		}
	}
	if resp.StatusCode != http.StatusSeeOther || s.session == "" {
		b.Fatalf("sign-in: %s, no session cookie:\n%s", resp.Status, body)
	}
}

// findLiveBlog reads the demo live blog's id and address from the Content API.
func (s *fanoutSite) findLiveBlog(b *testing.B) {
	var a struct {
		ID      int64 `json:"id"`
		Section struct {
			Slug string `json:"slug"`
		} `json:"section"`
	}
	resp, err := s.client.Get("http://" + s.instances[0].addr + "/api/v1/articles/by-slug/" + fanoutSlug)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != http.StatusOK || a.ID == 0 {
		b.Fatalf("the demo live blog: %s, %v", resp.Status, err)
	}
	s.articleID, s.path = a.ID, "/"+a.Section.Slug+"/"+fanoutSlug
}

var dataSeq = regexp.MustCompile(`data-seq="(\d+)"`)

// seq is the live blog's change number as its page on the first instance
// shows it.
func (s *fanoutSite) seq(b *testing.B) int64 {
	resp, err := s.client.Get("http://" + s.instances[0].addr + s.path)
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := dataSeq.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		b.Fatalf("%s: %s, and no data-seq", s.path, resp.Status)
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// post posts an update with the composer's form, on the first instance.
func (s *fanoutSite) post(text string) error {
	path := fmt.Sprintf("/admin/articles/%d/live", s.articleID)
	req, err := http.NewRequest(http.MethodPost, "http://"+s.instances[0].addr+path, strings.NewReader(url.Values{"body": {text}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "__Host-broadsheet_session", Value: s.session})
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("POST %s = %s:\n%.2000s", path, resp.Status, body)
	}
	return nil
}

// memory is what the instance holds now.
func (in *fanoutInstance) memory(b *testing.B, client *http.Client) fanoutMemory {
	var m fanoutMemory
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", in.p.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			m.rss = n << 10
		}
	}
	resp, err := client.Get("http://" + in.addr + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for line := range strings.Lines(string(metrics)) {
		name, value, _ := strings.Cut(strings.TrimSpace(line), " ")
		f, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "go_memstats_heap_alloc_bytes":
			m.heap = int64(f)
		case "go_memstats_stack_inuse_bytes":
			m.stack = int64(f)
		case "go_goroutines":
			m.goroutines = int64(f)
		}
	}
	if m.rss == 0 || m.heap == 0 || m.stack == 0 {
		b.Fatalf("%s: resident memory, heap or stacks not found: %+v", in.name, m)
	}
	return m
}

// fanout is the readers' side: n streams, and the update being waited for.
type fanout struct {
	n     int
	conns []net.Conn
	wg    sync.WaitGroup
	cur   atomic.Pointer[fanoutRound]
	// Per stream, when it heard each update (after its round began).
	mu    sync.Mutex
	heard [][]time.Duration
	// What went wrong: updates a stream did not hear in time, reload
	// events, streams that ended.
	misses, reloads, ended atomic.Int64
	closing                atomic.Bool
}

// fanoutRound is one update being waited for.
type fanoutRound struct {
	seq   int64
	start time.Time
	at    []atomic.Int64 // per stream: its latency in ns, 0 until heard
	left  atomic.Int64
	done  chan struct{}
}

func newFanout(n int) *fanout {
	return &fanout{n: n, conns: make([]net.Conn, n), heard: make([][]time.Duration, n)}
}

// open opens the n streams, a few at a time, stream i on instance i mod
// the instances', from address 127.x.y.z shared by four streams.
func (f *fanout) open(s *fanoutSite, since int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sem := make(chan struct{}, 32)
	errs := make(chan error, f.n)
	var opening sync.WaitGroup
	for i := range f.n {
		in := s.instances[i%len(s.instances)]
		k := i / fanoutPerAddress
		local := net.IPv4(127, byte(1+k/(250*250)), byte(k/250%250), byte(k%250+1))
		opening.Add(1)
		sem <- struct{}{}
		go func() {
			body, err := f.dial(ctx, i, in.addr, local, s.path, since)
			<-sem
			opening.Done()
			if err != nil {
				errs <- fmt.Errorf("stream %d to %s from %s: %w", i, in.name, local, err)
				return
			}
			f.wg.Add(1)
			go f.read(i, body)
		}()
	}
	opening.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if len(all) > 0 {
		return fmt.Errorf("%d of %d streams failed to open; the first: %w", len(all), f.n, all[0])
	}
	return nil
}

// dial opens stream i: its request, and the answer's headers.
func (f *fanout) dial(ctx context.Context, i int, addr string, local net.IP, path string, since int64) (*bufio.Reader, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: local}, Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	f.conns[i] = conn
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := fmt.Fprintf(conn, "GET %s/updates/live?since=%d HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", path, since, addr); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(conn, 2048)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return nil, fmt.Errorf("%s, %s: %s", resp.Status, resp.Header.Get("Content-Type"), body)
	}
	// The first thing sent is the reconnection delay: the stream has
	// joined the live blog by then.
	body := bufio.NewReaderSize(resp.Body, 2048)
	if line, err := body.ReadString('\n'); err != nil || !strings.HasPrefix(line, "retry:") {
		return nil, fmt.Errorf("stream began %q, %v", line, err)
	}
	conn.SetDeadline(time.Time{})
	return body, nil
}

// read reads stream i's events until it ends.
func (f *fanout) read(i int, body *bufio.Reader) {
	defer f.wg.Done()
	var event string
	var id int64
	long := false // in a line longer than the buffer
	for {
		line, err := body.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = true
			continue
		}
		if err != nil {
			if !f.closing.Load() {
				f.ended.Add(1)
			}
			return
		}
		if long {
			long = false // the end of a long data line
			continue
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		switch {
		case len(line) == 0:
			switch event {
			case "update":
				f.hear(i, id)
			case "reload":
				f.reloads.Add(1)
			}
			event, id = "", 0
		case bytes.HasPrefix(line, []byte("id: ")):
			id, _ = strconv.ParseInt(string(line[4:]), 10, 64)
		case bytes.HasPrefix(line, []byte("event: ")):
			event = string(line[7:])
		}
	}
}

// hear counts update seq heard by stream i, if it is the one waited for.
func (f *fanout) hear(i int, seq int64) {
	r := f.cur.Load()
	if r == nil || seq != r.seq {
		return
	}
	d := max(time.Since(r.start), 1)
	if r.at[i].CompareAndSwap(0, int64(d)) && r.left.Add(-1) == 0 {
		close(r.done)
	}
}

// begin starts waiting for update seq, timed from now.
func (f *fanout) begin(seq int64) *fanoutRound {
	r := &fanoutRound{seq: seq, at: make([]atomic.Int64, f.n), done: make(chan struct{})}
	r.left.Store(int64(f.n))
	r.start = time.Now()
	f.cur.Store(r)
	return r
}

// end stops waiting for r's update, counts who missed it, and returns how
// long its first and its last reader took.
func (f *fanout) end(r *fanoutRound) (first, last time.Duration) {
	f.cur.Store(nil)
	first = fanoutRoundTimeout
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.n {
		d := time.Duration(r.at[i].Load())
		if d == 0 {
			f.misses.Add(1)
			last = fanoutRoundTimeout
			continue
		}
		f.heard[i] = append(f.heard[i], d)
		first, last = min(first, d), max(last, d)
	}
	return first, last
}

// latencies are every update's latency for every reader that heard it.
func (f *fanout) latencies() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []time.Duration
	for _, h := range f.heard {
		all = append(all, h...)
	}
	return all
}

func (f *fanout) heardBy(i int) []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.heard[i])
}

// reachedAll counts the streams that heard every one of the updates.
func (f *fanout) reachedAll(updates int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, h := range f.heard {
		if len(h) == updates {
			n++
		}
	}
	return n
}

// close ends every stream and waits for their readers.
func (f *fanout) close() {
	f.closing.Store(true)
	for _, c := range f.conns {
		if c != nil {
			c.Close()
		}
	}
	f.wg.Wait()
}
