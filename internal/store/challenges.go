package store

import (
	"context"
	"database/sql"
	"time"
)

// MarkUsed records a solved challenge until it expires and reports whether
// this was its first use. The primary key makes the check and the record
// one atomic step, so two simultaneous submissions cannot both pass.
func (db *DB) MarkUsed(ctx context.Context, id string, expires time.Time) (bool, error) {
	first, err := markUsed(ctx, db.write, id, expires)
	if err != nil {
		return false, db.errorf("used challenge: %w", err)
	}
	return first, nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func markUsed(ctx context.Context, x execer, id string, expires time.Time) (bool, error) {
	res, err := x.ExecContext(ctx, `INSERT INTO used_challenges (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, id, expires.Unix())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// PruneUsedChallenges forgets challenges that expired before now: an
// expired challenge fails on its expiry alone.
func (db *DB) PruneUsedChallenges(ctx context.Context, now time.Time) error {
	if _, err := db.exec(ctx, `DELETE FROM used_challenges WHERE expires_at < ?`, now.Unix()); err != nil {
		return db.errorf("prune used challenges: %w", err)
	}
	return nil
}
