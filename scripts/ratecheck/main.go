// Command ratecheck sends GET requests at a constant rate and reports
// latency percentiles. wrk sends as fast as the server answers, so it
// measures peak throughput but not the latency a reader sees at a given
// load: a slow response there delays the requests behind it, which then
// go unmeasured (coordinated omission). ratecheck keeps an open-loop
// schedule instead (request i is due at start + i/rate) and times each
// response from when it was due, not from when it was sent, so a stall
// counts against every request it held up.
//
// It speaks HTTP/1.1 over a fixed set of keep-alive connections and uses
// only the standard library.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

type result struct {
	latencies []time.Duration
	errors    int
	status    map[int]int
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("ratecheck: ")
	rate := flag.Float64("rate", 1000, "requests per second")
	duration := flag.Duration("d", 10*time.Second, "how long to send")
	conns := flag.Int("c", 32, "keep-alive connections")
	want := flag.Int("status", http.StatusOK, "the status every response should have")
	grace := flag.Duration("grace", 5*time.Second, "how long to wait for answers after the last request is due")
	timeout := flag.Duration("timeout", 5*time.Second, "a response slower than this counts as an error")
	var hdrs headers
	flag.Var(&hdrs, "H", `a request header, "Name: value" (repeatable)`)
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: ratecheck [flags] URL")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *rate <= 0 || *conns <= 0 || *duration <= 0 || *timeout <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	u, err := url.Parse(flag.Arg(0))
	if err != nil || u.Scheme != "http" {
		log.Fatalf("%q: want an http:// URL", flag.Arg(0))
	}
	req := request(u, hdrs)

	total := int(*rate * duration.Seconds())
	due := make(chan time.Time, total)
	var wg sync.WaitGroup
	results := make([]result, *conns)
	ready := make([]net.Conn, *conns)
	for i := range ready {
		if ready[i], err = net.Dial("tcp", u.Host); err != nil {
			log.Fatalf("connecting to %s: %v", u.Host, err)
		}
	}
	var stop atomic.Bool
	for i := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = worker(ready[i], u.Host, req, *timeout, due, &stop)
		}()
	}

	// How late the schedule released each request: the generator's own
	// error, reported beside the latencies it is part of.
	late := make([]time.Duration, 0, total)
	start := time.Now()
	interval := time.Duration(float64(time.Second) / *rate)
	for n := 0; n < total; {
		now := time.Now()
		// Release every request that is due by now; sleeping between single
		// requests would drift at high rates.
		for ; n < total; n++ {
			at := start.Add(time.Duration(n) * interval)
			if at.After(now) {
				break
			}
			due <- at
			late = append(late, now.Sub(at))
		}
		if n < total {
			time.Sleep(time.Until(start.Add(time.Duration(n) * interval)))
		}
	}
	close(due)
	sent := time.Now()
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(*grace):
		// Requests still queued count as unanswered, not as latencies;
		// those in flight end within the timeout.
		stop.Store(true)
		<-finished
	}
	elapsed := time.Since(start)

	var all []time.Duration
	errs, wrong := 0, 0
	statuses := map[int]int{}
	for _, r := range results {
		all = append(all, r.latencies...)
		errs += r.errors
		for s, n := range r.status {
			statuses[s] += n
			if s != *want {
				wrong += n
			}
		}
	}
	slices.Sort(all)
	slices.Sort(late)
	fmt.Printf("ratecheck %s rate=%.0f/s for %s, %d connections; last request due after %s\n",
		u, *rate, *duration, *conns, sent.Sub(start).Round(time.Millisecond))
	fmt.Printf("  due %d, answered %d %v, wrong status %d, errors %d, unanswered %d; achieved %.0f/s\n",
		total, len(all), statuses, wrong, errs, total-len(all)-errs, float64(len(all))/elapsed.Seconds())
	if len(all) == 0 {
		os.Exit(1)
	}
	fmt.Printf("  latency from due time: p50 %s  p90 %s  p99 %s  max %s\n",
		ms(pct(all, 50)), ms(pct(all, 90)), ms(pct(all, 99)), ms(all[len(all)-1]))
	fmt.Printf("  the schedule's own lateness: p50 %s  p99 %s  max %s\n",
		ms(pct(late, 50)), ms(pct(late, 99)), ms(late[len(late)-1]))
	fmt.Printf("LATENCY target=%.0f achieved=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f sched_p99_ms=%.3f due=%d answered=%d wrong_status=%d errors=%d\n",
		*rate, float64(len(all))/elapsed.Seconds(), msf(pct(all, 50)), msf(pct(all, 90)), msf(pct(all, 99)), msf(all[len(all)-1]), msf(pct(late, 99)), total, len(all), wrong, errs)
}

// request is the bytes of one GET, sent unchanged on every connection.
func request(u *url.URL, hdrs headers) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: ratecheck\r\n", u.RequestURI(), u.Host)
	for _, h := range hdrs {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

// worker sends one request at a time on its connection, as each falls due,
// reconnecting after an error.
func worker(c net.Conn, host string, req []byte, timeout time.Duration, due <-chan time.Time, stop *atomic.Bool) result {
	r := result{status: map[int]int{}}
	br := bufio.NewReaderSize(c, 64<<10)
	for at := range due {
		if stop.Load() {
			continue
		}
		if c == nil {
			var err error
			if c, err = net.DialTimeout("tcp", host, time.Second); err != nil {
				r.errors++
				continue
			}
			br.Reset(c)
		}
		c.SetDeadline(time.Now().Add(timeout))
		status, err := roundTrip(c, br, req)
		if err != nil {
			r.errors++
			c.Close()
			c = nil
			continue
		}
		r.latencies = append(r.latencies, time.Since(at))
		r.status[status]++
	}
	if c != nil {
		c.Close()
	}
	return r
}

// roundTrip sends req and reads one answer: its status and, by its
// Content-Length, its body. It reads no more than it must, so that the
// generator's own work per request stays well below the server's: an
// answer that needs more (chunked, or a body read to the close) is an
// error here, not something to parse.
func roundTrip(c net.Conn, br *bufio.Reader, req []byte) (int, error) {
	if _, err := c.Write(req); err != nil {
		return 0, err
	}
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	length := 0
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(line) <= 2 {
			break // the blank line that ends the head
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		switch {
		case !ok:
			return 0, fmt.Errorf("bad header line %q", line)
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(bytes.TrimSpace(value))); err != nil || length < 0 {
				return 0, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, fmt.Errorf("a %s body: only Content-Length is read", bytes.TrimSpace(value))
		}
	}
	if status == http.StatusNotModified || status == http.StatusNoContent {
		length = 0
	}
	_, err = br.Discard(length)
	return status, err
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", msf(d)) }
func msf(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
