package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/search"
)

var _ search.Searcher = (*DB)(nil)

// searchWeights are ts_rank_cd's weights for D, C, B and A: body,
// standfirst, tags, headline, in the proportions SQLite's bm25 weights
// them (1, 4, 6, 10).
const searchWeights = `'{0.1, 0.4, 0.6, 1.0}'`

// Search finds published articles by their Go-normalised terms, ranks them
// by relevance blended with recency, and returns one page.
func (db *DB) Search(ctx context.Context, r search.Request) (search.Results, error) {
	var res search.Results
	forms := search.QueryForms(r.Text)
	if len(forms) == 0 {
		return res, nil
	}
	res.Terms = search.FormTerms(forms)
	// plainto_tsquery ANDs the terms of a form; it is given them as a
	// parameter and splits them with the same 'simple' parser that built
	// the index. The forms are ORed (||).
	var args params
	var tsq []string
	for _, f := range forms {
		tsq = append(tsq, `plainto_tsquery('simple', `+args.add(strings.Join(f, " "))+`)`)
	}
	query := "(" + strings.Join(tsq, " || ") + ")"
	where := []string{`f.doc @@ ` + query, `a.status = 'published'`}
	if r.SectionID != 0 {
		where = append(where, `a.section_id = `+args.add(r.SectionID))
	}
	if r.AuthorID != 0 {
		where = append(where, `a.id IN (SELECT article_id FROM article_authors WHERE author_id = `+args.add(r.AuthorID)+`)`)
	}
	if !r.From.IsZero() {
		where = append(where, `a.published_at >= `+args.add(r.From.Unix()))
	}
	if !r.To.IsZero() {
		where = append(where, `a.published_at < `+args.add(r.To.Unix()))
	}
	type hit struct {
		id    int64
		score float64
	}
	var hits []hit
	now := db.now()
	// Only the newest matches are ranked when there are more than newest
	// of them (one more is read to tell).
	newest := r.Ranks()
	var oldest int64
	err := each(ctx, db.pool, `SELECT a.id, ts_rank_cd(`+searchWeights+`, f.doc, `+query+`) AS rank, a.published_at
		FROM article_fts f JOIN articles a ON a.id = f.article_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY a.published_at DESC, a.id DESC LIMIT `+args.add(newest+1),
		args, func(rows *sql.Rows) error {
			var h hit
			var rank float64
			var published sql.NullInt64
			if err := rows.Scan(&h.id, &rank, &published); err != nil {
				return err
			}
			if len(hits) == newest {
				res.Window = true
				return nil
			}
			// Higher ranks are better; a story's news value fades over
			// months, so relevance keeps most of its weight.
			age := now.Sub(time.Unix(published.Int64, 0))
			h.score = rank * (0.7 + 0.3*math.Exp(-float64(age)/float64(90*24*time.Hour)))
			hits = append(hits, h)
			oldest = published.Int64
			return nil
		})
	if err != nil {
		return res, fmt.Errorf("postgres: search: %w", err)
	}
	if res.Window {
		res.Before = time.Unix(oldest, 0)
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return int(b.id - a.id)
	})
	hits = hits[:min(len(hits), search.MaxHits)]
	res.Total = len(hits)
	if r.Limit <= 0 {
		r.Limit = 10
	}
	var ids []int64
	for _, h := range hits[min(r.Offset, len(hits)):min(r.Offset+r.Limit, len(hits))] {
		ids = append(ids, h.id)
	}
	if res.Articles, err = db.articlesByID(ctx, ids); err != nil {
		return res, fmt.Errorf("postgres: search: %w", err)
	}
	return res, nil
}
