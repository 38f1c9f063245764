package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"broadsheet/internal/article"
)

// AddViews adds counted page views to their hour, one statement for the
// whole batch. Articles are named by id, which a change of slug between
// the count and the flush leaves alone; articles no longer published are
// skipped. Rows are written in article order, so instances flushing at
// once cannot deadlock on them.
func (db *DB) AddViews(ctx context.Context, byID map[int64]int, at time.Time) error {
	if len(byID) == 0 {
		return nil
	}
	hour := at.Truncate(time.Hour).Unix()
	ids := make([]int64, 0, len(byID))
	counts := make([]int64, 0, len(byID))
	for id, n := range byID {
		ids, counts = append(ids, id), append(counts, int64(n))
	}
	_, err := db.pool.ExecContext(ctx, `INSERT INTO article_views (article_id, hour, views)
		SELECT a.id, $1::bigint, v.n FROM unnest($2::bigint[], $3::bigint[]) AS v (id, n)
		JOIN articles a ON a.id = v.id AND a.status = 'published'
		ORDER BY a.id
		ON CONFLICT (article_id, hour) DO UPDATE SET views = article_views.views + excluded.views`, hour, ids, counts)
	if err != nil {
		return fmt.Errorf("postgres: add views: %w", err)
	}
	return nil
}

// MostRead returns the published articles read most since a time, most
// read first.
func (db *DB) MostRead(ctx context.Context, since time.Time, limit int) ([]article.Article, error) {
	var ids []int64
	err := each(ctx, db.pool, `SELECT v.article_id FROM article_views v JOIN articles a ON a.id = v.article_id
		WHERE v.hour >= $1 AND a.status = 'published'
		GROUP BY v.article_id ORDER BY SUM(v.views) DESC, v.article_id DESC LIMIT $2`,
		[]any{since.Truncate(time.Hour).Unix(), limit}, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: most read: %w", err)
	}
	out := make([]article.Article, 0, len(ids))
	for _, id := range ids {
		a, err := db.ArticleByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("postgres: most read: %w", err)
		}
		out = append(out, *a)
	}
	return out, nil
}

// PruneViews forgets view counts older than before.
func (db *DB) PruneViews(ctx context.Context, before time.Time) error {
	if _, err := db.exec(ctx, `DELETE FROM article_views WHERE hour < $1`, before.Unix()); err != nil {
		return fmt.Errorf("postgres: prune views: %w", err)
	}
	return nil
}
