package sqlite

import (
	"context"
	"database/sql"
	"math"
	"strings"
	"time"

	"broadsheet/internal/search"
	"broadsheet/internal/store"
)

// Field weights for bm25: a match in the headline or the tags counts most;
// the facets (section and authors) only filter.
const searchWeights = `10.0, 4.0, 1.0, 6.0, 0.0`

// match finds the published articles matching r in the FTS5 index, by
// bm25 (negated: higher is better).
func (db *DB) match(ctx context.Context, r search.Request) (store.Matches, error) {
	var m store.Matches
	match, ok := search.MatchAny(r.Text)
	if !ok {
		return m, nil
	}
	// A date range is a range of index keys (see searchKey).
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !r.From.IsZero() {
		lo = timeKey(r.From.Unix())
	}
	if !r.To.IsZero() {
		hi = timeKey(r.To.Unix())
	}
	// Section and author are words of the facets column: every filter is
	// answered by the index alone, which holds only published articles
	// and whose keys hold each article's id and publication time.
	if r.SectionID != 0 {
		match += ` AND "` + sectionFacet(r.SectionID) + `"`
	}
	if r.AuthorID != 0 {
		match += ` AND "` + authorFacet(r.AuthorID) + `"`
	}
	if len(r.Sections) > 0 {
		any := make([]string, len(r.Sections))
		for i, id := range r.Sections {
			any[i] = `"` + sectionFacet(id) + `"`
		}
		match += ` AND (` + strings.Join(any, " OR ") + `)`
	}
	// When more than newest articles match, only the newest of them are
	// ranked; finding where they begin reads that many keys, where
	// ranking every match could score tens of thousands.
	newest := r.Ranks()
	var keys []int64
	err := store.Each(ctx, db.Reader(), `SELECT rowid FROM article_fts
		WHERE article_fts MATCH ? AND rowid >= ? AND rowid < ? ORDER BY rowid DESC LIMIT 2 OFFSET ?`,
		[]any{match, lo, hi, newest - 1}, func(rows *sql.Rows) error {
			var k int64
			err := rows.Scan(&k)
			keys = append(keys, k)
			return err
		})
	if err != nil {
		return m, err
	}
	if len(keys) == 2 { // more than newest match
		m.Window, m.Before, lo = true, time.Unix(keyTime(keys[0]), 0), keys[0]
	}
	err = store.Each(ctx, db.Reader(), `SELECT rowid, bm25(article_fts, `+searchWeights+`) AS rank FROM article_fts
		WHERE article_fts MATCH ? AND rowid >= ? AND rowid < ? ORDER BY rank LIMIT ?`,
		[]any{match, lo, hi, search.MaxHits}, func(rows *sql.Rows) error {
			var key int64
			var rank float64
			if err := rows.Scan(&key, &rank); err != nil {
				return err
			}
			m.Hits = append(m.Hits, store.Hit{ID: keyID(key), Relevance: -rank, Published: time.Unix(keyTime(key), 0)})
			return nil
		})
	return m, err
}
