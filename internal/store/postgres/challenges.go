package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// MarkUsed records a solved challenge until it expires and reports whether
// this was its first use. The primary key makes the check and the record
// one atomic step, so two simultaneous submissions cannot both pass.
func (db *DB) MarkUsed(ctx context.Context, id string, expires time.Time) (bool, error) {
	first, err := markUsed(ctx, db.pool, id, expires)
	if err != nil {
		return false, fmt.Errorf("postgres: used challenge: %w", err)
	}
	return first, nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func markUsed(ctx context.Context, x execer, id string, expires time.Time) (bool, error) {
	res, err := x.ExecContext(ctx, `INSERT INTO used_challenges (id, expires_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, id, expires.Unix())
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
	if _, err := db.exec(ctx, `DELETE FROM used_challenges WHERE expires_at < $1`, now.Unix()); err != nil {
		return fmt.Errorf("postgres: prune used challenges: %w", err)
	}
	return nil
}
