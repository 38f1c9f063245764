package postgres

import (
	"context"
	"fmt"
	"time"
)

// CountEvent records one event for key in the fixed window holding now and
// returns how many the window holds, and when it began. One statement, so
// concurrent instances count together.
func (db *DB) CountEvent(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error) {
	start := now.Truncate(window)
	var n int
	err := db.pool.QueryRowContext(ctx, `INSERT INTO rate_events (key, window_start, n) VALUES ($1, $2, 1)
		ON CONFLICT (key, window_start) DO UPDATE SET n = rate_events.n + 1 RETURNING n`, key, start.Unix()).Scan(&n)
	if err != nil {
		return 0, start, fmt.Errorf("postgres: rate limit: %w", err)
	}
	return n, start, nil
}

// UncountEvent takes back one event for key from the window holding now:
// an event that, once judged, should not have counted (a sign-in that
// succeeded). A window never goes below zero.
func (db *DB) UncountEvent(ctx context.Context, key string, window time.Duration, now time.Time) error {
	if _, err := db.pool.ExecContext(ctx, `UPDATE rate_events SET n = n - 1 WHERE key = $1 AND window_start = $2 AND n > 0`,
		key, now.Truncate(window).Unix()); err != nil {
		return fmt.Errorf("postgres: take back a rate limit event: %w", err)
	}
	return nil
}

// PruneRateEvents forgets windows that began before before.
func (db *DB) PruneRateEvents(ctx context.Context, before time.Time) error {
	if _, err := db.pool.ExecContext(ctx, `DELETE FROM rate_events WHERE window_start < $1`, before.Unix()); err != nil {
		return fmt.Errorf("postgres: prune rate limits: %w", err)
	}
	return nil
}
