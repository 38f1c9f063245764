// Package progress draws a one-line progress bar for long-running commands
// (demo load, reindex, import) when the output is a terminal, and writes a
// few plain lines when it is not, so logs stay readable.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Bar reports progress of a job of known size. It is safe for concurrent use.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	total    int
	done     int
	tty      bool
	start    time.Time
	lastDraw time.Time
	lastPct  int
}

// New returns a bar writing to w. It draws in place only when w is a terminal.
func New(w io.Writer, label string, total int) *Bar {
	return &Bar{w: w, label: label, total: total, tty: isTerminal(w), start: time.Now(), lastPct: -1}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Add records n more items done.
func (b *Bar) Add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = min(b.done+n, b.total)
	b.draw(false)
}

// Done is how many items are done so far.
func (b *Bar) Done() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.done
}

// Finish draws the final state and ends the line.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.draw(true)
	if b.tty {
		fmt.Fprintln(b.w)
	}
}

func (b *Bar) draw(final bool) {
	pct := 100
	if b.total > 0 {
		pct = b.done * 100 / b.total
	}
	if b.tty {
		if !final && time.Since(b.lastDraw) < 50*time.Millisecond && b.done != b.total {
			return
		}
		b.lastDraw = time.Now()
		const width = 30
		filled := width * pct / 100
		fmt.Fprintf(b.w, "\r%s [%s%s] %3d%% %d/%d %s", b.label, strings.Repeat("█", filled), strings.Repeat("·", width-filled),
			pct, b.done, b.total, time.Since(b.start).Round(100*time.Millisecond))
		return
	}
	// Not a terminal: a line at every quarter, and at the end.
	if final || pct/25 > b.lastPct/25 || b.lastPct < 0 {
		if final && b.lastPct == 100 {
			return
		}
		b.lastPct = pct
		fmt.Fprintf(b.w, "%s: %d/%d (%d%%)\n", b.label, b.done, b.total, pct)
	}
}
