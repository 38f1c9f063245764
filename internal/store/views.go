package store

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"time"

	"broadsheet/internal/article"
)

// AddViews adds counted page views to their hour, one statement for the
// whole batch. Articles are named by id, which a change of slug between
// the count and the flush leaves alone; articles no longer published are
// skipped. Rows are written in article order, so instances flushing at
// once cannot deadlock on them.
func (db *DB) AddViews(ctx context.Context, byID map[int64]int, at time.Time) error {
	hour := at.Truncate(time.Hour).Unix()
	if len(byID) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(byID))
	args := make([]any, 0, 1+2*len(ids))
	args = append(args, hour)
	for _, id := range ids {
		args = append(args, id, byID[id])
	}
	// WHERE, not ON, holds the condition: SQLite reads "ON CONFLICT"
	// after a join's ON otherwise.
	_, err := db.exec(ctx, `INSERT INTO article_views (article_id, hour, views)
		SELECT a.id, CAST(? AS BIGINT), v.column2 FROM (VALUES `+valueRows("(CAST(? AS BIGINT), CAST(? AS BIGINT))", len(ids))+`) AS v
		JOIN articles a ON a.id = v.column1 WHERE a.status = 'published'
		ORDER BY a.id
		ON CONFLICT (article_id, hour) DO UPDATE SET views = article_views.views + excluded.views`, args...)
	if err != nil {
		return db.errorf("add views: %w", err)
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
		return nil, db.errorf("most read: %w", err)
	}
	out, err := db.articlesByID(ctx, ids)
	if err != nil {
		return nil, db.errorf("most read: %w", err)
	}
	return out, nil
}

// PruneViews forgets view counts older than before.
func (db *DB) PruneViews(ctx context.Context, before time.Time) error {
	if _, err := db.exec(ctx, `DELETE FROM article_views WHERE hour < ?`, before.Unix()); err != nil {
		return db.errorf("prune views: %w", err)
	}
	return nil
}
