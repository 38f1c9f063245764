package mail

import (
	"context"
	"errors"
	"log/slog"
	"net/textproto"
	"sync"
	"time"

	"github.com/wneessen/go-mail/smtp"
)

// Composer writes a message's letter.
type Composer interface {
	Compose(ctx context.Context, m Message) (*Letter, error)
}

// Defaults of a Worker.
const (
	DefaultConns       = 4
	DefaultMaxAttempts = 8
	claimBatch         = 400
	fanoutBatch        = 2000
	// lease is how long claimed messages are this worker's alone. It is
	// short, so that messages held by a worker that died go out again
	// soon; a worker never starts sending a message whose lease is about
	// to end (leaseMargin), so two workers never send the same one.
	lease       = 20 * time.Second
	leaseMargin = 5 * time.Second
)

// Worker delivers the outbox: it expands due fan-outs into messages,
// claims due messages, and sends them over a few SMTP connections. A
// failed attempt waits longer each time (30 s, 1 min, 2 min … 6 h); after
// MaxAttempts the message is a dead letter, shown to admins, who can retry
// it. Without SMTP it still expands fan-outs, and messages wait in the
// outbox, readable in the newsroom.
type Worker struct {
	Outbox      Outbox
	Letters     Composer
	SMTP        *SMTP // nil: nothing is sent
	From        string
	Log         *slog.Logger
	Now         func() time.Time
	Conns       int
	MaxAttempts int

	wakeOnce sync.Once
	wake     chan struct{}
}

func (w *Worker) init() {
	w.wakeOnce.Do(func() {
		w.wake = make(chan struct{}, 1)
		if w.Now == nil {
			w.Now = time.Now
		}
		if w.Log == nil {
			w.Log = slog.Default()
		}
		if w.Conns <= 0 {
			w.Conns = DefaultConns
		}
		if w.MaxAttempts <= 0 {
			w.MaxAttempts = DefaultMaxAttempts
		}
	})
}

// Wake asks a running worker to look at the outbox now rather than at its
// next tick: something was just queued.
func (w *Worker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends, looking at the outbox every interval and
// whenever woken.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	w.init()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		busy, err := w.Step(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("mail outbox", "err", err)
		}
		if busy && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// Step does one round — a batch of fan-out and a batch of messages — and
// reports whether more work is waiting.
func (w *Worker) Step(ctx context.Context) (busy bool, err error) {
	w.init()
	more, err := w.Outbox.ExpandFanouts(ctx, w.Now(), fanoutBatch)
	if err != nil {
		return false, err
	}
	if w.SMTP == nil {
		return more, nil
	}
	claimed := w.Now()
	msgs, err := w.Outbox.Claim(ctx, claimed, lease, claimBatch)
	if err != nil {
		return more, err
	}
	if len(msgs) > 0 {
		w.deliver(ctx, msgs, claimed.Add(lease-leaseMargin))
	}
	return more || len(msgs) == claimBatch, nil
}

// deliver shares msgs among the connections. No message is started after
// stop: its lease may lapse, and another worker may take it.
func (w *Worker) deliver(ctx context.Context, msgs []Message, stop time.Time) {
	n := min(w.Conns, len(msgs))
	var wg sync.WaitGroup
	for i := range n {
		var share []Message
		for j := i; j < len(msgs); j += n {
			share = append(share, msgs[j])
		}
		wg.Go(func() { w.deliverOn(ctx, share, stop) })
	}
	wg.Wait()
}

// deliverOn sends msgs one after another on one connection, opening a new
// one when the server drops it.
func (w *Worker) deliverOn(ctx context.Context, msgs []Message, stop time.Time) {
	var c *smtp.Client
	defer func() {
		if c != nil {
			c.Quit()
		}
	}()
	for i, m := range msgs {
		if ctx.Err() != nil || !w.Now().Before(stop) {
			return // the lease lapses and another round takes them
		}
		if c == nil {
			var err error
			if c, err = w.SMTP.dial(ctx); err != nil {
				// The server is unreachable: this share waits its turn.
				for _, m := range msgs[i:] {
					w.failed(ctx, m, err)
				}
				return
			}
		}
		if err := w.deliverOne(ctx, c, m); err != nil {
			var te *textproto.Error
			if errors.As(err, &te) && c.Reset() == nil {
				continue // the server refused this one; the connection is fine
			}
			c.Close()
			c = nil
		}
	}
}

// deliverOne composes and sends m, and records the outcome.
func (w *Worker) deliverOne(ctx context.Context, c *smtp.Client, m Message) error {
	l, err := w.Letters.Compose(ctx, m)
	if errors.Is(err, ErrSkip) {
		if err := w.Outbox.Cancel(ctx, m.ID, "nothing to send any more"); err != nil {
			w.Log.Error("mail: cancel", "id", m.ID, "err", err)
		}
		return nil
	}
	if err != nil {
		w.failed(ctx, m, err)
		return nil
	}
	now := w.Now()
	msg, err := build(w.From, w.SMTP.host, m, l, now)
	if err != nil {
		w.failed(ctx, m, err)
		return nil
	}
	err = send(c, envelopeFrom(w.From), m.To, msg, func(then func()) error { return w.Outbox.MarkSent(ctx, m.ID, now, then) })
	if err != nil {
		w.failed(ctx, m, err)
		return err
	}
	return nil
}

// failed records a failed attempt and when to try again.
func (w *Worker) failed(ctx context.Context, m Message, cause error) {
	attempts := m.Attempts + 1
	dead := attempts >= w.MaxAttempts
	next := w.Now().Add(Backoff(attempts))
	w.Log.Warn("mail not sent", "id", m.ID, "to", m.To, "kind", m.Kind, "attempt", attempts, "dead", dead, "permanent", permanent(cause), "err", cause)
	if err := w.Outbox.Requeue(ctx, m.ID, attempts, next, cause.Error(), dead); err != nil {
		w.Log.Error("mail: requeue", "id", m.ID, "err", err)
	}
}

// Backoff is the wait after the given number of failed attempts.
func Backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}
