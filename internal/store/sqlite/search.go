package sqlite

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

// Field weights for bm25: a match in the headline or the tags counts most.
const searchWeights = `10.0, 4.0, 1.0, 6.0`

// Search finds published articles by their Go-normalised terms, ranks them
// by relevance blended with recency, and returns one page.
func (db *DB) Search(ctx context.Context, r search.Request) (search.Results, error) {
	var res search.Results
	match, ok := search.Query(r.Lang, r.Text)
	if !ok {
		return res, nil
	}
	res.Terms = search.QueryTerms(r.Lang, r.Text)
	where, args := []string{`article_fts MATCH ?`, `a.status = 'published'`}, []any{match}
	if r.SectionID != 0 {
		where, args = append(where, `a.section_id = ?`), append(args, r.SectionID)
	}
	if r.AuthorID != 0 {
		where, args = append(where, `a.id IN (SELECT article_id FROM article_authors WHERE author_id = ?)`), append(args, r.AuthorID)
	}
	if !r.From.IsZero() {
		where, args = append(where, `a.published_at >= ?`), append(args, r.From.Unix())
	}
	if !r.To.IsZero() {
		where, args = append(where, `a.published_at < ?`), append(args, r.To.Unix())
	}
	type hit struct {
		id    int64
		score float64
	}
	var hits []hit
	now := db.now()
	// Without filters the ranking runs in the index alone (it holds only
	// published articles) and the dates of the best are read after; with
	// filters the articles table takes part from the start.
	query := `SELECT a.id, bm25(article_fts, ` + searchWeights + `), a.published_at
		FROM article_fts JOIN articles a ON a.id = article_fts.rowid
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY bm25(article_fts, ` + searchWeights + `) LIMIT ?`
	if len(where) == 2 {
		query = `SELECT a.id, r.rank, a.published_at FROM (
			SELECT rowid AS id, bm25(article_fts, ` + searchWeights + `) AS rank FROM article_fts
			WHERE article_fts MATCH ? ORDER BY rank LIMIT ?) r
		JOIN articles a ON a.id = r.id WHERE +a.status = 'published'`
		args = []any{match}
	}
	err := each(ctx, db.read, query,
		append(args, search.MaxHits), func(rows *sql.Rows) error {
			var h hit
			var rank float64
			var published int64
			if err := rows.Scan(&h.id, &rank, &published); err != nil {
				return err
			}
			// bm25 is negative, lower is better; a story's news value
			// fades over months, so relevance keeps most of its weight.
			age := now.Sub(time.Unix(published, 0))
			h.score = -rank * (0.7 + 0.3*math.Exp(-float64(age)/float64(90*24*time.Hour)))
			hits = append(hits, h)
			return nil
		})
	if err != nil {
		return res, fmt.Errorf("sqlite: search: %w", err)
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
	res.Total = len(hits)
	if r.Limit <= 0 {
		r.Limit = 10
	}
	var ids []int64
	for _, h := range hits[min(r.Offset, len(hits)):min(r.Offset+r.Limit, len(hits))] {
		ids = append(ids, h.id)
	}
	if res.Articles, err = db.articlesByID(ctx, ids); err != nil {
		return res, fmt.Errorf("sqlite: search: %w", err)
	}
	return res, nil
}
