package fastpath

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// Handoffs counts connections handed to net/http, by reason. A rising
// Refused or TooLong share means clients send what the parser does not
// take; Declined counts the Handler's misses.
type Handoffs struct {
	Refused  uint64 // a head the parser does not take, or cut short
	TooLong  uint64 // a head longer than the fast path reads
	Declined uint64 // the Handler returned ok=false
}

type handoffCounts struct {
	Refused, TooLong, Declined atomic.Uint64
}

// Handoffs returns the counts so far.
func (s *Server) Handoffs() Handoffs {
	return Handoffs{
		Refused:  s.counts.Refused.Load(),
		TooLong:  s.counts.TooLong.Load(),
		Declined: s.counts.Declined.Load(),
	}
}

// handoffListener is the net.Listener Fallback serves: its connections
// come from the fast path, not from the network.
type handoffListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
	addr atomic.Value // net.Addr of the listener the fast path serves
}

func newHandoffListener() *handoffListener {
	return &handoffListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *handoffListener) Addr() net.Addr {
	if a, ok := l.addr.Load().(net.Addr); ok {
		return a
	}
	return &net.TCPAddr{}
}

func (l *handoffListener) setAddr(a net.Addr) { l.addr.CompareAndSwap(nil, a) }

// hand gives c to Fallback, or reports false once it accepts no more.
func (l *handoffListener) hand(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

// replayConn gives net/http the bytes the fast path read before the rest.
type replayConn struct {
	net.Conn
	pending []byte
}

func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// CloseWrite keeps net/http's lingering close, and ReadFrom its sendfile,
// which it finds by asserting on the connection.
func (c *replayConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}

func (c *replayConn) ReadFrom(r io.Reader) (int64, error) { return io.Copy(c.Conn, r) }
