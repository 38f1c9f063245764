// Package fastpath answers cache hits at the speed of a static file server
// and leaves everything else to net/http.
//
// It owns the accept loop in front of an http.Server. It reads each
// request head with an allocation-free parser that takes only a strict
// subset of HTTP/1.1: bodiless GET and HEAD with an origin-form target and
// no field whose meaning it would have to guess. A Handler answers those
// from pre-rendered bytes, keep-alive and pipelined, with one write for
// every answer ready. The first request the parser refuses or the Handler
// declines hands the connection, with the bytes already read, to the
// Fallback http.Server, which then owns it to the end. Whatever the fast
// path answers, net/http would have answered with the same bytes but Date;
// the differential test holds it to that.
package fastpath

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Handler answers a request the parser understood, or returns ok=false to
// hand the connection to net/http. It runs on the connection's goroutine,
// so it must be quick: a cache lookup, not a render.
type Handler func(req *Request) (ans Answer, ok bool)

// Answer is a response rendered ahead of time.
type Answer struct {
	// Head is the status line and the header fields, each line ending
	// CRLF, without Date and without the blank line: the server adds them.
	Head []byte
	// Body is sent as it is (nil for HEAD and 304); Head's Content-Length
	// must say its length.
	Body []byte
}

// Server is the fast path in front of Fallback.
type Server struct {
	Handler Handler
	// Fallback serves every connection handed off. Serve starts it on an
	// internal listener and Shutdown shuts it down; its own timeouts and
	// MaxHeaderBytes apply there.
	Fallback *http.Server
	// CloseAfterHandoff makes Fallback answer every handed-off request with
	// "Connection: close", so a client that posted once comes back on a new
	// connection, which starts on the fast path again. Off, a handed-off
	// connection stays net/http's, exactly as if there were no fast path.
	CloseAfterHandoff bool
	// As in http.Server. ReadHeaderTimeout runs from a head's first byte,
	// IdleTimeout while no byte of the next request has come. Idle and
	// write deadlines are moved only when they would move by more than an
	// eighth of the timeout (at most a second), so a busy connection
	// rarely touches its timers; they may fire that much early.
	IdleTimeout, ReadHeaderTimeout, WriteTimeout time.Duration

	init     sync.Once
	handoff  *handoffListener
	clock    *clock
	counts   handoffCounts
	shutting atomic.Bool
	mu       sync.Mutex
	lns      map[net.Listener]struct{}
	conns    map[*conn]struct{}
}

// maxHead is the longest head the fast path reads; a longer one goes to
// net/http, whose MaxHeaderBytes is larger.
const maxHead = 8 << 10

const tooLong = -2

var readerPool sync.Pool

func (s *Server) start() {
	s.init.Do(func() {
		s.lns = map[net.Listener]struct{}{}
		s.conns = map[*conn]struct{}{}
		s.clock = newClock()
		s.handoff = newHandoffListener()
		if s.CloseAfterHandoff {
			next := s.Fallback.Handler
			if next == nil {
				next = http.DefaultServeMux
			}
			s.Fallback.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Connection", "close")
				next.ServeHTTP(w, r)
			})
		}
		// Its error needs no report: it only ends when the handoff
		// listener closes, and a connection handed off after that is
		// closed instead.
		go s.Fallback.Serve(s.handoff)
	})
}

// Serve accepts connections on l until Shutdown, then returns
// http.ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	s.start()
	s.handoff.setAddr(l.Addr())
	s.mu.Lock()
	if s.shutting.Load() {
		s.mu.Unlock()
		l.Close()
		return http.ErrServerClosed
	}
	s.lns[l] = struct{}{}
	s.mu.Unlock()
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.shutting.Load() {
				return http.ErrServerClosed
			}
			if retryable(err) {
				// As net/http does: out of descriptors or buffers, wait
				// and try again rather than stop serving.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				logf(s.Fallback.ErrorLog, "fastpath: accept: %v; retrying in %v", err, backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("fastpath: accept: %w", err)
		}
		backoff = 0
		c := &conn{Conn: nc, s: s, accepted: time.Now()}
		s.mu.Lock()
		if s.shutting.Load() {
			s.mu.Unlock()
			nc.Close()
			return http.ErrServerClosed
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		go c.serve()
	}
}

// Shutdown stops accepting, closes idle connections, lets each busy one
// finish the answer at hand (sent with "Connection: close"), and shuts
// Fallback down at the same time, which owns every connection handed off
// (its RegisterOnShutdown hooks run at once). When ctx ends first, the
// connections still busy are closed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.start()
	s.mu.Lock()
	s.shutting.Store(true)
	for l := range s.lns {
		l.Close()
	}
	s.mu.Unlock()
	fallback := make(chan error, 1)
	go func() { fallback <- s.Fallback.Shutdown(ctx) }()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	var err error
	for {
		s.mu.Lock()
		for c := range s.conns {
			if err != nil || c.state.CompareAndSwap(stateIdle, stateClosed) {
				c.state.Store(stateClosed)
				c.Conn.Close()
				delete(s.conns, c)
			}
		}
		n := len(s.conns)
		s.mu.Unlock()
		if n == 0 {
			break
		}
		select {
		case <-ctx.Done():
			err = fmt.Errorf("fastpath: shutdown: %w", ctx.Err())
		case <-t.C:
		}
	}
	err = errors.Join(err, <-fallback)
	s.handoff.Close()
	return err
}

// retryable reports whether an accept error passes: a timeout, or the
// process or system out of descriptors, buffers or memory for a moment.
func retryable(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func logf(l *log.Logger, format string, args ...any) {
	if l == nil {
		l = log.Default()
	}
	l.Printf(format, args...)
}

func (s *Server) forget(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// A connection is active from its first byte of a request until it has
// answered; only an idle one may be closed by Shutdown.
const (
	stateActive int32 = iota
	stateIdle
	stateClosed
)

type conn struct {
	net.Conn
	s     *Server
	state atomic.Int32
	br    *bufio.Reader
	req   Request

	// Answers wait in out until the client has no further request
	// buffered, then leave in one writev.
	store   [32][]byte
	out     [][]byte
	bufs    net.Buffers // a field, so WriteTo does not move it to the heap per call
	readDL  time.Time
	writeDL time.Time
	// accepted is when the connection came; answered says it has had an
	// answer, after which the idle timeout applies between requests.
	accepted time.Time
	answered bool
}

var connClose = []byte("Connection: close\r\n")

func (c *conn) serve() {
	s := c.s
	c.br, _ = readerPool.Get().(*bufio.Reader)
	if c.br == nil {
		c.br = bufio.NewReaderSize(c.Conn, maxHead)
	} else {
		c.br.Reset(c.Conn)
	}
	defer func() {
		c.br.Reset(nil)
		readerPool.Put(c.br)
	}()
	defer func() {
		// As net/http does: a Handler's panic ends its connection, not the
		// program.
		if v := recover(); v != nil {
			logf(s.Fallback.ErrorLog, "fastpath: panic serving %v: %v\n%s", c.RemoteAddr(), v, debug.Stack())
			c.close()
		}
	}()
	c.out = c.store[:0]
	for {
		n, ok := c.readHead()
		if !ok {
			c.close()
			return
		}
		reason := &s.counts.Refused
		if n == tooLong {
			reason = &s.counts.TooLong
		}
		if n > 0 {
			head, _ := c.br.Peek(n)
			if parse(head, &c.req) {
				reason = &s.counts.Declined
				c.req.Remote = c.Conn.RemoteAddr()
				if ans, ok := s.Handler(&c.req); ok {
					closing := c.req.close || s.shutting.Load()
					c.queue(ans, closing)
					c.answered = true
					c.br.Discard(n)
					if closing {
						c.flush()
						c.lingerClose()
						return
					}
					if len(c.out) > len(c.store)-4 && c.flush() != nil {
						c.close()
						return
					}
					continue
				}
			}
		}
		reason.Add(1)
		c.handOff()
		return
	}
}

// readHead waits until the buffer holds a whole head and returns its
// length; -1 when the fast path will not take what it holds (including a
// head cut short by the client, which net/http answers with 400); tooLong
// when the buffer is full before the head ends.
// Answers queued are sent before it blocks. false means the connection is
// finished: closed by the client or by Shutdown, timed out, or broken.
func (c *conn) readHead() (n int, ok bool) {
	s := c.s
	var headFrom time.Time
	for {
		buf, _ := c.br.Peek(c.br.Buffered())
		if n = headEnd(buf); n != 0 {
			return n, true
		}
		if len(buf) == maxHead {
			return tooLong, true
		}
		if c.flush() != nil {
			return 0, false
		}
		now := time.Now()
		if len(buf) == 0 {
			if !c.state.CompareAndSwap(stateActive, stateIdle) {
				return 0, false // Shutdown came while the last answer went out
			}
			switch {
			case !c.answered && s.ReadHeaderTimeout > 0:
				// As net/http: a new connection has the header timeout,
				// from its accept, to send its first request.
				if c.readDL.IsZero() {
					c.readDL = c.accepted.Add(s.ReadHeaderTimeout)
					c.Conn.SetReadDeadline(c.readDL)
				}
			case s.IdleTimeout > 0:
				c.readDL = moveDeadline(c.Conn.SetReadDeadline, c.readDL, now, s.IdleTimeout)
			}
		} else if s.ReadHeaderTimeout > 0 && c.answered {
			if headFrom.IsZero() {
				// A head in pieces is rare; the slowloris clock starts.
				headFrom = now
				c.readDL = headFrom.Add(s.ReadHeaderTimeout)
				c.Conn.SetReadDeadline(c.readDL)
			}
		}
		_, err := c.br.Peek(len(buf) + 1)
		if len(buf) == 0 && !c.state.CompareAndSwap(stateIdle, stateActive) {
			return 0, false // Shutdown closed the connection as bytes came
		}
		if err != nil && c.br.Buffered() <= len(buf) {
			// net/http answers a truncated head with 400; after a timeout
			// or a reset it only closes.
			var ne net.Error
			if len(buf) > 0 && errors.Is(err, io.EOF) && !errors.As(err, &ne) {
				return -1, true
			}
			return 0, false
		}
	}
}

// moveDeadline sets a deadline d from now, unless the one already set is
// close enough: a timer reset on every request costs more than the answer.
func moveDeadline(set func(time.Time) error, cur, now time.Time, d time.Duration) time.Time {
	want := now.Add(d)
	slack := min(d/8, time.Second)
	if diff := want.Sub(cur); diff < -slack || diff > slack {
		set(want)
		return want
	}
	return cur
}

func (c *conn) queue(ans Answer, closing bool) {
	c.out = append(c.out, ans.Head)
	if closing {
		c.out = append(c.out, connClose)
	}
	c.out = append(c.out, c.s.clock.dateEnd())
	if len(ans.Body) > 0 {
		c.out = append(c.out, ans.Body)
	}
}

// flush sends every queued answer in one writev.
func (c *conn) flush() error {
	if len(c.out) == 0 {
		return nil
	}
	if d := c.s.WriteTimeout; d > 0 {
		c.writeDL = moveDeadline(c.Conn.SetWriteDeadline, c.writeDL, time.Now(), d)
	}
	c.bufs = c.out
	_, err := c.bufs.WriteTo(c.Conn)
	clear(c.out)
	c.out = c.store[:0]
	return err
}

// handOff sends what is queued and gives net/http the connection, the
// bytes read so far first.
func (c *conn) handOff() {
	if c.flush() != nil {
		c.close()
		return
	}
	c.s.forget(c)
	buffered, _ := c.br.Peek(c.br.Buffered())
	rc := &replayConn{Conn: c.Conn, pending: append([]byte(nil), buffered...)}
	c.Conn.SetDeadline(time.Time{})
	if !c.s.handoff.hand(rc) {
		c.Conn.Close() // shutting down: net/http accepts no more
	}
}

func (c *conn) close() {
	c.state.Store(stateClosed)
	c.Conn.Close()
	c.s.forget(c)
}

// lingerClose is net/http's closeWriteAndWait: half-close, then read a
// little, so that the client reads the last answer before a reset (sent
// when unread bytes are discarded on close) could destroy it.
func (c *conn) lingerClose() {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		c.Conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		io.Copy(io.Discard, io.LimitReader(c.Conn, 256<<10))
	}
	c.close()
}
