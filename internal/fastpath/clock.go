package fastpath

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// clock keeps the Date line formatted once a second, so that a hit only
// loads a pointer: formatting the time on every answer would cost more
// than the rest of it.
type clock struct {
	line atomic.Pointer[[]byte]
	quit chan struct{}
	once sync.Once
}

func newClock() *clock {
	c := &clock{quit: make(chan struct{})}
	c.set(time.Now())
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				c.set(now)
			case <-c.quit:
				return
			}
		}
	}()
	return c
}

func (c *clock) set(now time.Time) {
	b := []byte("Date: " + now.UTC().Format(http.TimeFormat) + "\r\n\r\n")
	c.line.Store(&b)
}

// dateEnd is the Date line and the blank line that ends a head.
func (c *clock) dateEnd() []byte { return *c.line.Load() }

func (c *clock) stop() { c.once.Do(func() { close(c.quit) }) }
