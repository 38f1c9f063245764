package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// ChangesChannel is the channel every write with change-log entries
// notifies, at commit.
const ChangesChannel = "broadsheet_changes"

// Listen tells changed whenever another process (or this one) commits
// change-log entries, until ctx ends. It holds one connection of its own.
// When that connection is lost, notifications sent meanwhile are gone: on
// every reconnect after the first it calls lost, so the caller can drop
// whatever it cached, before listening again. It retries with a growing
// pause, never more than 5 seconds apart.
func (db *DB) Listen(ctx context.Context, changed, lost func()) {
	pause := 100 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		err := db.listenOnce(ctx, changed, func() {
			if !first {
				lost()
			}
			first = false
			pause = 100 * time.Millisecond
		})
		if ctx.Err() != nil {
			return
		}
		_ = err // the connection broke or could not be made: try again
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(pause*2, 5*time.Second)
	}
}

func (db *DB) listenOnce(ctx context.Context, changed, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, db.cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ChangesChannel}.Sanitize()); err != nil {
		return err
	}
	connected()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		changed()
	}
}
