package fastpath

import (
	"net/http"
	"sync/atomic"
	"time"
)

// clock keeps the Date line formatted once a second, so that an answer
// only reads the time and loads a pointer: formatting the time on every
// answer would cost more than the rest of it. It is formatted again by
// the first answer of each new second, so Date is never behind the clock
// (and never before a page's Last-Modified, taken from the same clock).
type clock struct {
	line atomic.Pointer[dateLine]
}

type dateLine struct {
	sec  int64
	line []byte // "Date: …\r\n\r\n"
}

func newClock() *clock {
	c := &clock{}
	c.dateEnd()
	return c
}

// dateEnd is the Date line and the blank line that ends a head.
func (c *clock) dateEnd() []byte {
	now := time.Now()
	cur := c.line.Load()
	if cur != nil && cur.sec == now.Unix() {
		return cur.line
	}
	d := &dateLine{sec: now.Unix(), line: []byte("Date: " + now.UTC().Format(http.TimeFormat) + "\r\n\r\n")}
	c.line.CompareAndSwap(cur, d) // another answer may have formatted it first: either will do
	return d.line
}
