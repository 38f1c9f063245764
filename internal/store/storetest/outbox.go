package storetest

import (
	"context"
	"time"

	"broadsheet/internal/mail"
)

// Outbox is the durable outbox and what fills it: messages queued,
// leased, sent, retried and cancelled; fan-outs that turn one event into
// a message per subscriber; the digest and the moderation notice.
type Outbox interface {
	Enqueue(ctx context.Context, msgs ...mail.Message) error
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]mail.Message, error)
	MarkSent(ctx context.Context, id int64, at time.Time, then func()) error
	Requeue(ctx context.Context, id int64, attempts int, next time.Time, lastErr string, dead bool) error
	Cancel(ctx context.Context, id int64, why string) error
	Retry(ctx context.Context, id int64, now time.Time) (int, error)
	OutboxCounts(ctx context.Context) (map[mail.Status]int, error)
	OutboxList(ctx context.Context, status mail.Status, beforeID int64, limit int) ([]mail.Message, error)
	OutboxMessage(ctx context.Context, id int64) (*mail.Message, error)
	ExpandFanouts(ctx context.Context, now time.Time, batch int) (bool, error)
	QueueDigest(ctx context.Context, day int64, at time.Time) error
	QueueModerationNotice(ctx context.Context, now time.Time, every time.Duration) (int, error)
}
