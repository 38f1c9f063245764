package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"broadsheet/internal/related"
	"broadsheet/internal/store"
)

// SQLite's full-text index is FTS5: article_fts, one row per public
// article, keyed as searchKey says, and article_fts_keys, which remembers
// each article's key.

// An article's section and authors are words of the index's facets
// column, so that search filters by them without reading the articles
// table. The index's tokenizer keeps "_" inside words, and search.Terms
// never makes a term with one, so no reader's word matches a facet.
func sectionFacet(id int64) string { return "s_" + strconv.FormatInt(id, 10) }
func authorFacet(id int64) string  { return "a_" + strconv.FormatInt(id, 10) }

// The search index keys each article's row by its publication time, in
// seconds, above the article's id in the low keyIDBits bits. FTS5 walks
// the articles holding a term in rowid order, so the newest matches of a
// query come first without reading the articles table, and a date range
// is a rowid range. article_fts_keys remembers each article's key, since
// its publication time may change before it is next indexed.
const keyIDBits = 30

// Publication times beyond these (October 1697 and March 2242) are taken
// as them, so that every key fits in 64 bits.
const (
	keyMinTime = -1 << (63 - keyIDBits)
	keyMaxTime = 1<<(63-keyIDBits) - 1
)

// errKeyID means an article's id is too large for the search index.
var errKeyID = fmt.Errorf("article ids from %d up do not fit the search index", 1<<keyIDBits)

// searchKey is the index row of article id, published at the Unix time
// published.
func searchKey(id, published int64) (int64, error) {
	if id < 0 || id >= 1<<keyIDBits {
		return 0, fmt.Errorf("article %d: %w", id, errKeyID)
	}
	return timeKey(published) | id, nil
}

// timeKey is the smallest key of an article published at Unix time t.
func timeKey(t int64) int64 { return min(max(t, keyMinTime), keyMaxTime) << keyIDBits }

// keyID and keyTime take a key apart.
func keyID(key int64) int64   { return key & (1<<keyIDBits - 1) }
func keyTime(key int64) int64 { return key >> keyIDBits }

// PutText writes the FTS5 row of a public article.
func (engine) PutText(ctx context.Context, tx *store.Tx, d *store.IndexDoc) error {
	key, err := searchKey(d.ID, d.Published)
	if err != nil {
		return err
	}
	facets := []string{sectionFacet(d.SectionID)}
	for _, a := range d.AuthorIDs {
		facets = append(facets, authorFacet(a))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_fts_keys (article_id, key) VALUES (?, ?)`, d.ID, key); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO article_fts (rowid, headline, standfirst, body, tags, facets) VALUES (?, ?, ?, ?, ?, ?)`,
		key, d.Terms(d.Headline), d.Terms(d.Standfirst), d.Terms(related.PlainText(d.Body)), d.Terms(strings.Join(d.Tags, " ; ")), strings.Join(facets, " "))
	return err
}

// TakeText removes an article's FTS5 row and returns its terms. A key whose
// row is missing (a damaged index) has nothing to give back, and must not
// stop the article from being saved.
func (engine) TakeText(ctx context.Context, tx *store.Tx, id int64) ([]string, bool, error) {
	var key int64
	err := tx.QueryRowContext(ctx, `SELECT key FROM article_fts_keys WHERE article_id = ?`, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var h, s, b, t string
	err = tx.QueryRowContext(ctx, `SELECT headline, standfirst, body, tags FROM article_fts WHERE rowid = ?`, key).Scan(&h, &s, &b, &t)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, false, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_fts WHERE rowid = ?`, key); err != nil {
		return nil, false, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_fts_keys WHERE article_id = ?`, id); err != nil {
		return nil, false, err
	}
	return store.DistinctWords(h, s, b, t), true, nil
}

// ClearText empties the index.
func (engine) ClearText(ctx context.Context, tx *store.Tx) error {
	for _, q := range []string{`DELETE FROM article_fts`, `DELETE FROM article_fts_keys`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// OptimizeText merges the index: written a batch at a time, it is many
// segments, and every query would merge them.
func (engine) OptimizeText(ctx context.Context, db *store.Handle) error {
	_, err := db.ExecContext(ctx, `INSERT INTO article_fts (article_fts) VALUES ('optimize')`)
	return err
}
