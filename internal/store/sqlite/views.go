package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"broadsheet/internal/article"
)

// AddViews adds counted page views to their hour, one transaction for the
// whole batch. Articles are named by id, which a change of slug between
// the count and the flush leaves alone; articles no longer published are
// skipped.
func (db *DB) AddViews(ctx context.Context, byID map[int64]int, at time.Time) error {
	hour := at.Truncate(time.Hour).Unix()
	err := db.inTx(ctx, func(tx *sql.Tx) ([]string, error) {
		for id, n := range byID {
			if _, err := tx.ExecContext(ctx, `INSERT INTO article_views (article_id, hour, views)
				SELECT id, ?, ? FROM articles WHERE id = ? AND status = 'published'
				ON CONFLICT (article_id, hour) DO UPDATE SET views = views + excluded.views`, hour, n, id); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: add views: %w", err)
	}
	return nil
}

// MostRead returns the published articles read most since a time, most
// read first.
func (db *DB) MostRead(ctx context.Context, since time.Time, limit int) ([]article.Article, error) {
	var ids []int64
	err := each(ctx, db.read, `SELECT v.article_id FROM article_views v JOIN articles a ON a.id = v.article_id
		WHERE v.hour >= ? AND a.status = 'published'
		GROUP BY v.article_id ORDER BY SUM(v.views) DESC, v.article_id DESC LIMIT ?`,
		[]any{since.Truncate(time.Hour).Unix(), limit}, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: most read: %w", err)
	}
	out := make([]article.Article, 0, len(ids))
	for _, id := range ids {
		a, err := db.ArticleByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("sqlite: most read: %w", err)
		}
		out = append(out, *a)
	}
	return out, nil
}

// PruneViews forgets view counts older than before.
func (db *DB) PruneViews(ctx context.Context, before time.Time) error {
	if _, err := db.exec(ctx, `DELETE FROM article_views WHERE hour < ?`, before.Unix()); err != nil {
		return fmt.Errorf("sqlite: prune views: %w", err)
	}
	return nil
}
