package postgres

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"broadsheet/internal/search"
	"broadsheet/internal/store"
)

// searchWeights are ts_rank_cd's weights for D, C, B and A: body,
// standfirst, tags, headline, in the proportions SQLite's bm25 weights
// them (1, 4, 6, 10).
const searchWeights = `'{0.1, 0.4, 0.6, 1.0}'`

// match finds the published articles matching r in the tsvector index,
// by ts_rank_cd.
func (db *DB) match(ctx context.Context, r search.Request) (store.Matches, error) {
	var m store.Matches
	forms := search.QueryForms(r.Text)
	if len(forms) == 0 {
		return m, nil
	}
	// plainto_tsquery ANDs the terms of a form; it is given them as a
	// parameter and splits them with the same 'simple' parser that built
	// the index. The forms are ORed (||).
	var args []any
	var tsq []string
	for _, f := range forms {
		args = append(args, strings.Join(f, " "))
		tsq = append(tsq, `plainto_tsquery('simple', ?)`)
	}
	query := "(" + strings.Join(tsq, " || ") + ")"
	where := []string{`f.doc @@ ` + query, `a.status = 'published'`}
	args = append(args, args...) // the query again, for the rank
	if r.SectionID != 0 {
		where = append(where, `a.section_id = ?`)
		args = append(args, r.SectionID)
	}
	if r.AuthorID != 0 {
		where = append(where, `a.id IN (SELECT article_id FROM article_authors WHERE author_id = ?)`)
		args = append(args, r.AuthorID)
	}
	if len(r.Sections) > 0 {
		where = append(where, `a.section_id IN (`+strings.Repeat(", ?", len(r.Sections))[2:]+`)`)
		for _, id := range r.Sections {
			args = append(args, id)
		}
	}
	if !r.From.IsZero() {
		where = append(where, `a.published_at >= ?`)
		args = append(args, r.From.Unix())
	}
	if !r.To.IsZero() {
		where = append(where, `a.published_at < ?`)
		args = append(args, r.To.Unix())
	}
	// Only the newest matches are ranked when there are more than newest
	// of them (one more is read to tell).
	newest := r.Ranks()
	args = append(args, newest+1)
	var oldest int64
	err := store.Each(ctx, db.Reader(), `SELECT a.id, ts_rank_cd(`+searchWeights+`, f.doc, `+query+`) AS rank, a.published_at
		FROM article_fts f JOIN articles a ON a.id = f.article_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY a.published_at DESC, a.id DESC LIMIT ?`,
		args, func(rows *sql.Rows) error {
			var h store.Hit
			var published sql.NullInt64
			if err := rows.Scan(&h.ID, &h.Relevance, &published); err != nil {
				return err
			}
			if len(m.Hits) == newest {
				m.Window = true
				return nil
			}
			h.Published = time.Unix(published.Int64, 0)
			m.Hits = append(m.Hits, h)
			oldest = published.Int64
			return nil
		})
	if m.Window {
		m.Before = time.Unix(oldest, 0)
	}
	return m, err
}
