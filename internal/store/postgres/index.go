package postgres

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"broadsheet/internal/related"
	"broadsheet/internal/store"
)

// PostgreSQL's full-text index is article_fts: one row per public article,
// its fields as the index's terms, and a tsvector of them (doc) that the
// table computes itself.

// PutText writes the full-text row of a public article.
func (engine) PutText(ctx context.Context, tx *store.Tx, d *store.IndexDoc) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO article_fts (article_id, headline, standfirst, body, tags) VALUES (?, ?, ?, ?, ?)`,
		d.ID, d.Terms(d.Headline), d.Terms(d.Standfirst), d.Terms(related.PlainText(d.Body)), d.Terms(strings.Join(d.Tags, " ; ")))
	return err
}

// TakeText removes an article's row and returns its terms.
func (engine) TakeText(ctx context.Context, tx *store.Tx, id int64) ([]string, bool, error) {
	var h, s, b, t string
	err := tx.QueryRowContext(ctx, `DELETE FROM article_fts WHERE article_id = ? RETURNING headline, standfirst, body, tags`, id).Scan(&h, &s, &b, &t)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return store.DistinctWords(h, s, b, t), true, nil
}

// ClearText empties the index.
func (engine) ClearText(ctx context.Context, tx *store.Tx) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM article_fts`)
	return err
}

// OptimizeText has nothing to do: a GIN index stays merged.
func (engine) OptimizeText(context.Context, *store.Handle) error { return nil }
