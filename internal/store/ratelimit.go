package store

import (
	"context"
	"time"
)

// CountEvent records one event for key in the fixed window holding now and
// returns how many the window holds, and when it began.
func (db *DB) CountEvent(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error) {
	start := now.Truncate(window)
	var n int
	err := db.write.QueryRowContext(ctx, `INSERT INTO rate_events (key, window_start, n) VALUES (?, ?, 1)
		ON CONFLICT (key, window_start) DO UPDATE SET n = rate_events.n + 1 RETURNING n`, key, start.Unix()).Scan(&n)
	if err != nil {
		return 0, start, db.errorf("rate limit: %w", err)
	}
	return n, start, nil
}

// UncountEvent takes back one event for key from the window holding now:
// an event that, once judged, should not have counted (a sign-in that
// succeeded). A window never goes below zero.
func (db *DB) UncountEvent(ctx context.Context, key string, window time.Duration, now time.Time) error {
	if _, err := db.exec(ctx, `UPDATE rate_events SET n = n - 1 WHERE key = ? AND window_start = ? AND n > 0`,
		key, now.Truncate(window).Unix()); err != nil {
		return db.errorf("take back a rate limit event: %w", err)
	}
	return nil
}

// PruneRateEvents forgets windows that began before before.
func (db *DB) PruneRateEvents(ctx context.Context, before time.Time) error {
	if _, err := db.exec(ctx, `DELETE FROM rate_events WHERE window_start < ?`, before.Unix()); err != nil {
		return db.errorf("prune rate limits: %w", err)
	}
	return nil
}
