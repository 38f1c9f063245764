package fastpath

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func readResponse(t *testing.T, br *bufio.Reader, method string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// afterHit opens a connection and has the page answered on it once.
func afterHit(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c := dial(t, addr)
	br := bufio.NewReader(c)
	c.Write([]byte(get("")))
	readResponse(t, br, "GET")
	return c, br
}

func TestPipelinedInOrderAndKeepAlive(t *testing.T) {
	fs := startFast(t, nil)
	c := dial(t, fs.addr)
	br := bufio.NewReader(c)
	// Rounds of GET, HEAD and a 304 in one write each: the answers must
	// come in the order asked, on one connection throughout.
	batch := get("") + "HEAD " + pagePath + " HTTP/1.1\r\nHost: x\r\n\r\n" + get("If-None-Match: "+pageETag+"\r\n")
	const rounds = 300
	for range rounds {
		c.Write([]byte(batch))
		for i, want := range []struct {
			method string
			status int
			body   int
		}{{"GET", 200, len(pageBody)}, {"HEAD", 200, 0}, {"GET", 304, 0}} {
			resp, body := readResponse(t, br, want.method)
			if resp.StatusCode != want.status || len(body) != want.body || resp.Close {
				t.Fatalf("answer %d: %s, %d bytes, close=%v; want %d, %d bytes", i, resp.Status, len(body), resp.Close, want.status, want.body)
			}
			if _, err := http.ParseTime(resp.Header.Get("Date")); err != nil {
				t.Fatalf("Date %q: %v", resp.Header.Get("Date"), err)
			}
		}
	}
	if n := fs.hits.Load(); n != 3*rounds {
		t.Errorf("the fast path answered %d, want %d", n, 3*rounds)
	}
	if h := fs.Handoffs(); h != (Handoffs{}) {
		t.Errorf("handoffs %+v, want none", h)
	}
}

func TestHandoffCounts(t *testing.T) {
	fs := startFast(t, nil)
	for _, raw := range []string{
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
		get("X-Big: " + strings.Repeat("a", maxHead) + "\r\n"),
		"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n",
		get("Cookie: session=1\r\n"),
	} {
		exchange(t, fs.addr, raw)
	}
	if got, want := fs.Handoffs(), (Handoffs{Refused: 1, TooLong: 1, Declined: 2}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestSlowloris(t *testing.T) {
	fs := startFast(t, func(s *Server) { s.ReadHeaderTimeout = 300 * time.Millisecond })
	c := dial(t, fs.addr)
	start := time.Now()
	go func() {
		for _, b := range []byte(get("X-Slow: " + strings.Repeat("a", 1000))) {
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	n, err := c.Read(make([]byte, 100))
	if n != 0 || err == nil {
		t.Fatalf("read %d bytes, %v; want the connection closed", n, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the trickled head was still read after 10 s")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("closed after %v, want about 300 ms", d)
	}
	if fs.Handoffs() != (Handoffs{}) {
		t.Errorf("a timed-out head was handed off: %+v", fs.Handoffs())
	}
}

func TestIdleTimeout(t *testing.T) {
	fs := startFast(t, func(s *Server) { s.IdleTimeout = 300 * time.Millisecond })
	_, br := afterHit(t, fs.addr)
	start := time.Now()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: %v, want EOF", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("closed after %v, want about 300 ms", d)
	}
}

// TestShutdown: an idle keep-alive connection is closed at once, while a
// stream on a handed-off connection runs to its end.
func TestShutdown(t *testing.T) {
	fs := startFast(t, nil)
	_, ibr := afterHit(t, fs.addr)

	stream := dial(t, fs.addr)
	sbr := bufio.NewReader(stream)
	stream.Write([]byte("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"))
	resp, err := http.ReadResponse(sbr, nil)
	if err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() { done <- fs.Shutdown(context.Background()) }()
	if _, err := ibr.ReadByte(); err != io.EOF {
		t.Errorf("idle keep-alive connection: %v, want EOF", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || !bytes.Contains(body, []byte("data: tick 2")) {
		t.Errorf("the stream was cut: %q, %v", body, err)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-fs.served; err != http.ErrServerClosed {
		t.Errorf("Serve: %v, want http.ErrServerClosed", err)
	}
}

// TestFallback: a request body and a streamed response pass through the
// handoff intact, after a hit on the same connection.
func TestFallback(t *testing.T) {
	fs := startFast(t, nil)
	c, br := afterHit(t, fs.addr)
	payload := strings.Repeat("0123456789", 50_000)
	c.Write([]byte("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(payload)) + "\r\n\r\n" + payload))
	resp, body := readResponse(t, br, "POST")
	if want := "got 500000 bytes: 01234567890123456789"; resp.StatusCode != 200 || string(body) != want {
		t.Errorf("POST: %s %q, want 200 %q", resp.Status, body, want)
	}

	c.Write([]byte("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"))
	resp, body = readResponse(t, br, "GET")
	if want := "data: tick 0\n\ndata: tick 1\n\ndata: tick 2\n\n"; string(body) != want || resp.TransferEncoding == nil {
		t.Errorf("stream: %q (chunked %v), want %q chunked", body, resp.TransferEncoding, want)
	}
	if fs.hits.Load() != 1 {
		t.Errorf("the fast path answered %d, want 1", fs.hits.Load())
	}
}

// TestCloseAfterHandoff: a handed-off connection closes after its answer,
// and the client's next connection is the fast path's again.
func TestCloseAfterHandoff(t *testing.T) {
	fs := startFast(t, func(s *Server) { s.CloseAfterHandoff = true })
	c := dial(t, fs.addr)
	br := bufio.NewReader(c)
	c.Write([]byte("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi" + get("")))
	resp, _ := readResponse(t, br, "POST")
	if !resp.Close {
		t.Error("the handed-off answer does not close the connection")
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("after the handed-off answer: %v, want EOF", err)
	}
	c2 := dial(t, fs.addr)
	c2.Write([]byte(get("")))
	if resp, _ := readResponse(t, bufio.NewReader(c2), "GET"); resp.StatusCode != 200 || fs.hits.Load() != 1 {
		t.Errorf("next connection: %s, fast path answered %d, want 200 and 1", resp.Status, fs.hits.Load())
	}
}

func TestDate(t *testing.T) {
	fs := startFast(t, nil)
	c := dial(t, fs.addr)
	c.Write([]byte(get("")))
	resp, _ := readResponse(t, bufio.NewReader(c), "GET")
	d, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		t.Fatal(err)
	}
	if off := time.Since(d); off < -time.Second || off > 5*time.Second {
		t.Errorf("Date %v is %v off", d, off)
	}
}

// hitClient returns a function that asks for the page once on a
// keep-alive connection and reads the answer without allocating, so that
// what allocates is the server.
func hitClient(t testing.TB, addr string) func() {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	req := []byte(get("Accept-Encoding: gzip\r\n"))
	br := bufio.NewReaderSize(c, 64<<10)
	prefix := []byte("Content-Length: ")
	return func() {
		c.Write(req)
		n := 0
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				t.Fatal(err)
			}
			if len(line) == 2 {
				break
			}
			if v, ok := bytes.CutPrefix(line, prefix); ok {
				for _, d := range bytes.TrimSpace(v) {
					n = n*10 + int(d-'0')
				}
			}
		}
		br.Discard(n)
	}
}

func TestZeroAllocsPerHit(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	fs := startFast(t, nil)
	hit := hitClient(t, fs.addr)
	for range 100 {
		hit()
	}
	if n := testing.AllocsPerRun(2000, hit); n != 0 {
		t.Errorf("%v allocations per hit, want 0", n)
	}
}

// BenchmarkHit: one keep-alive connection over loopback, request after
// request; ns/op holds both sides and the kernel.
func BenchmarkHit(b *testing.B) {
	fs := startFast(b, nil)
	hit := hitClient(b, fs.addr)
	b.ReportAllocs()
	for b.Loop() {
		hit()
	}
}

func TestHandlerPanicEndsOnlyItsConnection(t *testing.T) {
	logged := &lockedBuffer{}
	fs := startFast(t, func(s *Server) {
		page := s.Handler
		s.Handler = func(req *Request) (Answer, bool) {
			if string(req.Path) == "/boom" {
				panic("boom")
			}
			return page(req)
		}
		s.Fallback.ErrorLog = log.New(logged, "", 0)
	})
	if b := exchange(t, fs.addr, "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n"); len(b) != 0 {
		t.Errorf("a panicking handler's connection got %q, want it closed", b)
	}
	c, br := afterHit(t, fs.addr) // the server still answers
	c.Write([]byte(get("")))
	if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 200 {
		t.Errorf("after a panic: %s", resp.Status)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logged.String(), "boom"); {
		if time.Now().After(deadline) {
			t.Fatalf("log %q does not tell of the panic", logged.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// emfileListener fails its first Accept as a process out of descriptors.
type emfileListener struct {
	net.Listener
	n atomic.Int32
}

func (l *emfileListener) Accept() (net.Conn, error) {
	if l.n.Add(1) == 1 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// Out of descriptors for a moment, the server waits and goes on serving,
// as net/http's does, rather than stop.
func TestAcceptOutOfDescriptorsRetries(t *testing.T) {
	logged := &lockedBuffer{}
	fs := startFast(t, func(s *Server) { s.Fallback.ErrorLog = log.New(logged, "", 0) })
	l := listen(t)
	go fs.Serve(&emfileListener{Listener: l})
	c, br := afterHit(t, l.Addr().String())
	c.Write([]byte(get("")))
	if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 200 {
		t.Errorf("after EMFILE: %s", resp.Status)
	}
	if !strings.Contains(logged.String(), "too many open files") {
		t.Errorf("log %q does not tell of the failed accept", logged.String())
	}
}

// A new connection that sends nothing is closed after the header timeout,
// as net/http closes it, not kept for the idle timeout.
func TestSilentNewConnection(t *testing.T) {
	fs := startFast(t, func(s *Server) {
		s.ReadHeaderTimeout, s.IdleTimeout = 200*time.Millisecond, time.Minute
	})
	c := dial(t, fs.addr)
	start := time.Now()
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Fatalf("read %d bytes, %v", n, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a silent new connection was kept %v, want about 200ms", d)
	}
	// After an answer, the idle timeout applies between requests.
	c, br := afterHit(t, fs.addr)
	time.Sleep(400 * time.Millisecond)
	c.Write([]byte(get("")))
	if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 200 {
		t.Errorf("second request after a pause: %s", resp.Status)
	}
}

// A connection stuck in the middle of a head does not keep net/http's
// shutdown, and its hooks (which end event streams), from starting.
func TestShutdownStartsFallbackAtOnce(t *testing.T) {
	hooked := make(chan struct{})
	var once sync.Once
	fs := startFast(t, func(s *Server) { s.Fallback.RegisterOnShutdown(func() { once.Do(func() { close(hooked) }) }) })
	c := dial(t, fs.addr)
	c.Write([]byte("GET " + pagePath + " HTTP/1.1\r\nHost: x\r\n")) // and no more
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fs.Shutdown(ctx) }()
	select {
	case <-hooked:
	case <-time.After(300 * time.Millisecond):
		t.Fatal("net/http's shutdown hooks had not run while a fast-path connection was busy")
	}
	if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want the deadline passed", err)
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("the stuck connection is still open after Shutdown (%d, %v)", n, err)
	}
}

// Date is never behind the clock, even just after a second begins.
func TestDateNeverBehind(t *testing.T) {
	c := newClock()
	for end := time.Now().Add(1200 * time.Millisecond); time.Now().Before(end); time.Sleep(time.Millisecond) {
		before := time.Now().Truncate(time.Second)
		line := strings.TrimSuffix(strings.TrimPrefix(string(c.dateEnd()), "Date: "), "\r\n\r\n")
		d, err := http.ParseTime(line)
		if err != nil {
			t.Fatal(err)
		}
		if d.Before(before) {
			t.Fatalf("Date %v is behind the clock's %v", d, before)
		}
	}
}
