package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"broadsheet/internal/related"
	"broadsheet/internal/search"
	"broadsheet/internal/store"
)

// The search and More Articles index is kept in the same transaction as
// every article write: an article is findable and related the moment it is
// public, and gone from both the moment it is not.

// indexDoc reads what the index needs of an article; ok is false for an
// article that is not public.
func indexDoc(ctx context.Context, tx store.Querier, id int64) (d indexed, ok bool, err error) {
	var status string
	var published sql.NullInt64
	var section int64
	err = tx.QueryRowContext(ctx, `SELECT status, language, headline, standfirst, body, published_at, section_id FROM articles WHERE id = ?`, id).
		Scan(&status, &d.Lang, &d.Headline, &d.Standfirst, &d.Body, &published, &section)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != "published") {
		return d, false, nil
	}
	if err != nil {
		return d, false, err
	}
	if d.key, err = searchKey(id, published.Int64); err != nil {
		return d, false, err
	}
	facets := []string{sectionFacet(section)}
	err = store.Each(ctx, tx, `SELECT author_id FROM article_authors WHERE article_id = ? ORDER BY position`, []any{id}, func(rows *sql.Rows) error {
		var author int64
		err := rows.Scan(&author)
		facets = append(facets, authorFacet(author))
		return err
	})
	if err != nil {
		return d, false, err
	}
	d.facets = strings.Join(facets, " ")
	err = store.Each(ctx, tx, `SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ?`, []any{id}, func(rows *sql.Rows) error {
		var name string
		err := rows.Scan(&name)
		d.Tags = append(d.Tags, name)
		return err
	})
	return d, err == nil, err
}

// indexed is an article as the index sees it.
type indexed struct {
	related.Doc
	key    int64  // its row in article_fts
	facets string // its section and authors, as sectionFacet and authorFacet
}

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

// indexArticle brings article id's entries up to date: removed when it is
// not public, rewritten when it is.
func indexArticle(ctx context.Context, tx *store.Tx, id int64) error {
	if err := unindex(ctx, tx, id); err != nil {
		return err
	}
	d, public, err := indexDoc(ctx, tx, id)
	if err != nil || !public {
		return err
	}
	tf := related.Frequencies(d.Doc)
	df := make(map[string]int, len(tf))
	err = inChunks(slices.Sorted(maps.Keys(tf)), func(part []string) error {
		return store.Each(ctx, tx, `INSERT INTO term_df (term, df) VALUES `+rowsOf("(?, 1)", len(part))+`
			ON CONFLICT (term) DO UPDATE SET df = df + 1 RETURNING term, df`, store.Args(part), func(rows *sql.Rows) error {
			var t string
			var n int
			err := rows.Scan(&t, &n)
			df[t] = n
			return err
		})
	})
	if err != nil {
		return err
	}
	docs, err := adjustDocs(ctx, tx, 1)
	if err != nil {
		return err
	}
	return writeIndex(ctx, tx, id, d, related.Weigh(tf, func(t string) int { return df[t] }, docs))
}

// writeIndex stores an article's vector and its search row.
func writeIndex(ctx context.Context, tx *store.Tx, id int64, d indexed, vec []related.Term) error {
	err := inChunks(vec, func(part []related.Term) error {
		args := make([]any, 0, 3*len(part))
		for _, t := range part {
			args = append(args, id, t.Word, t.Weight)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO article_terms (article_id, term, weight) VALUES `+rowsOf("(?, ?, ?)", len(part)), args...)
		return err
	})
	if err != nil {
		return err
	}
	terms := func(s string) string { return strings.Join(search.Terms(d.Lang, s), " ") }
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_fts_keys (article_id, key) VALUES (?, ?)`, id, d.key); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO article_fts (rowid, headline, standfirst, body, tags, facets) VALUES (?, ?, ?, ?, ?, ?)`,
		d.key, terms(d.Headline), terms(d.Standfirst), terms(related.PlainText(d.Body)), terms(strings.Join(d.Tags, " ; ")), d.facets)
	return err
}

// unindex removes an article's entries, if it has any.
func unindex(ctx context.Context, tx *store.Tx, id int64) error {
	var key int64
	err := tx.QueryRowContext(ctx, `SELECT key FROM article_fts_keys WHERE article_id = ?`, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	// Its terms were counted in term_df for every term it held, not only
	// the strongest kept: count them again to take them away. A key whose
	// row is missing (a damaged index) has nothing to take away, and must
	// not stop the article from being saved.
	d, err := oldDoc(ctx, tx, key)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	err = inChunks(d, func(part []string) error {
		args := store.Args(part)
		if _, err := tx.ExecContext(ctx, `UPDATE term_df SET df = df - 1 WHERE term IN (`+store.Placeholders(len(part))+`)`, args...); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM term_df WHERE term IN (`+store.Placeholders(len(part))+`) AND df <= 0`, args...)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_terms WHERE article_id = ?`, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_fts WHERE rowid = ?`, key); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_fts_keys WHERE article_id = ?`, id); err != nil {
		return err
	}
	_, err = adjustDocs(ctx, tx, -1)
	return err
}

// oldDoc returns the distinct terms an indexed article was counted with,
// from its search row, key (which holds every term of every field).
func oldDoc(ctx context.Context, tx *store.Tx, key int64) ([]string, error) {
	var h, s, b, t string
	if err := tx.QueryRowContext(ctx, `SELECT headline, standfirst, body, tags FROM article_fts WHERE rowid = ?`, key).Scan(&h, &s, &b, &t); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.Fields(h + " " + s + " " + b + " " + t) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out, nil
}

// adjustDocs changes the count of indexed articles and returns it.
func adjustDocs(ctx context.Context, tx *store.Tx, by int) (int, error) {
	var n string
	err := tx.QueryRowContext(ctx, `INSERT INTO settings (key, value) VALUES ('index_docs', ?)
		ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + ? RETURNING value`, strconv.Itoa(max(by, 0)), by).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("index size: %w", err)
	}
	return strconv.Atoi(n)
}

// chunk is how many rows one statement writes: far below SQLite's limit of
// 32,766 parameters, and one statement where a row each would be hundreds.
const chunk = 500

// inChunks calls fn with successive parts of list, each at most chunk long.
func inChunks[T any](list []T, fn func(part []T) error) error {
	for lo := 0; lo < len(list); lo += chunk {
		if err := fn(list[lo:min(lo+chunk, len(list))]); err != nil {
			return err
		}
	}
	return nil
}

// rowsOf is n copies of a VALUES row, such as "(?, ?)", joined by commas.
func rowsOf(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// Reindex rebuilds the search and More Articles index from scratch, in two
// passes so that every article is weighed against the final term counts.
// progress, when set, is told how many of total articles are done.
func (db *DB) Reindex(ctx context.Context, progress func(done, total int)) error {
	var ids []int64
	err := store.Each(ctx, db.Reader(), `SELECT id FROM articles WHERE status = 'published' ORDER BY id`, nil, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: reindex: %w", err)
	}
	total := 2 * len(ids)
	report := func(done int) {
		if progress != nil {
			progress(done, total)
		}
	}
	report(0)
	// Pass 1: count in how many articles each term occurs.
	df := map[string]int{}
	for i, id := range ids {
		d, ok, err := indexDoc(ctx, db.Reader(), id)
		if err != nil {
			return fmt.Errorf("sqlite: reindex: %w", err)
		}
		if ok {
			for t := range related.Frequencies(d.Doc) {
				df[t]++
			}
		}
		if i%100 == 0 {
			report(i)
		}
	}
	// Pass 2: write everything, a batch of articles per transaction.
	err = db.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
		for _, q := range []string{`DELETE FROM article_fts`, `DELETE FROM article_fts_keys`, `DELETE FROM article_terms`, `DELETE FROM term_df`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('index_docs', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			fmt.Sprint(len(ids))); err != nil {
			return nil, err
		}
		terms := slices.Sorted(maps.Keys(df))
		return nil, inChunks(terms, func(part []string) error {
			args := make([]any, 0, 2*len(part))
			for _, t := range part {
				args = append(args, t, df[t])
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO term_df (term, df) VALUES `+rowsOf("(?, ?)", len(part)), args...)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("sqlite: reindex: %w", err)
	}
	const batch = 200
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(start+batch, len(ids))]
		err := db.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
			for _, id := range part {
				d, ok, err := indexDoc(ctx, tx, id)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
				vec := related.Weigh(related.Frequencies(d.Doc), func(t string) int { return df[t] }, len(ids))
				if err := writeIndex(ctx, tx, id, d, vec); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		if err != nil {
			return fmt.Errorf("sqlite: reindex: %w", err)
		}
		report(len(ids) + start + len(part))
	}
	// Written a batch at a time, the search index is many segments, and
	// every query would merge them: make it one.
	if _, err := db.write.ExecContext(ctx, `INSERT INTO article_fts (article_fts) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("sqlite: reindex: optimize: %w", err)
	}
	return nil
}
