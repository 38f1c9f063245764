package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"time"

	"broadsheet/internal/search"
)

var _ search.Searcher = (*DB)(nil)

// Field weights for bm25: a match in the headline or the tags counts most;
// the facets (section and authors) only filter.
const searchWeights = `10.0, 4.0, 1.0, 6.0, 0.0`

// Search finds published articles by their Go-normalised terms, ranks them
// by relevance blended with recency, and returns one page.
func (db *DB) Search(ctx context.Context, r search.Request) (search.Results, error) {
	var res search.Results
	match, ok := search.MatchAny(r.Text)
	if !ok {
		return res, nil
	}
	res.Terms = search.FormTerms(search.QueryForms(r.Text))
	// A date range is a range of index keys (see searchKey).
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !r.From.IsZero() {
		lo = timeKey(r.From.Unix())
	}
	if !r.To.IsZero() {
		hi = timeKey(r.To.Unix())
	}
	type hit struct {
		id    int64
		score float64
	}
	var hits []hit
	now := db.now()
	// Section and author are words of the facets column: every filter is
	// answered by the index alone, which holds only published articles
	// and whose keys hold each article's id and publication time.
	if r.SectionID != 0 {
		match += ` AND "` + sectionFacet(r.SectionID) + `"`
	}
	if r.AuthorID != 0 {
		match += ` AND "` + authorFacet(r.AuthorID) + `"`
	}
	// When more than newest articles match, only the newest of them are
	// ranked; finding where they begin reads that many keys, where
	// ranking every match could score tens of thousands.
	newest := r.Ranks()
	var keys []int64
	err := each(ctx, db.read, `SELECT rowid FROM article_fts
		WHERE article_fts MATCH ? AND rowid >= ? AND rowid < ? ORDER BY rowid DESC LIMIT 2 OFFSET ?`,
		[]any{match, lo, hi, newest - 1}, func(rows *sql.Rows) error {
			var k int64
			err := rows.Scan(&k)
			keys = append(keys, k)
			return err
		})
	if err != nil {
		return res, fmt.Errorf("sqlite: search: %w", err)
	}
	if len(keys) == 2 { // more than newest match
		res.Window, res.Before, lo = true, time.Unix(keyTime(keys[0]), 0), keys[0]
	}
	err = each(ctx, db.read, `SELECT rowid, bm25(article_fts, `+searchWeights+`) AS rank FROM article_fts
		WHERE article_fts MATCH ? AND rowid >= ? AND rowid < ? ORDER BY rank LIMIT ?`,
		[]any{match, lo, hi, search.MaxHits}, func(rows *sql.Rows) error {
			var key int64
			var rank float64
			if err := rows.Scan(&key, &rank); err != nil {
				return err
			}
			// bm25 is negative, lower is better; a story's news value
			// fades over months, so relevance keeps most of its weight.
			age := now.Sub(time.Unix(keyTime(key), 0))
			hits = append(hits, hit{keyID(key), -rank * (0.7 + 0.3*math.Exp(-float64(age)/float64(90*24*time.Hour)))})
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
