package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"broadsheet/internal/related"
	"broadsheet/internal/search"
	"broadsheet/internal/store"
)

// The search and More Articles index is kept in the same transaction as
// every article write: an article is findable and related the moment it is
// public, and gone from both the moment it is not.
//
// Writers of the index take indexLock for the rest of their transaction:
// term_df and the article count are shared by every article, and writers
// updating their rows in different orders would deadlock one another.

// indexLock is the advisory lock key of the index. Any constant works;
// this one spells "bsidx".
const indexLock = 0x6273696478

// indexDoc reads what the index needs of an article; ok is false for an
// article that is not public.
func indexDoc(ctx context.Context, tx store.Querier, id int64) (related.Doc, bool, error) {
	var d related.Doc
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status, language, headline, standfirst, body FROM articles WHERE id = $1`, id).
		Scan(&status, &d.Lang, &d.Headline, &d.Standfirst, &d.Body)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != "published") {
		return d, false, nil
	}
	if err != nil {
		return d, false, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = $1`, id)
	if err != nil {
		return d, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return d, false, err
		}
		d.Tags = append(d.Tags, name)
	}
	return d, true, rows.Err()
}

// indexArticle brings article id's entries up to date: removed when it is
// not public, rewritten when it is.
func indexArticle(ctx context.Context, tx *store.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, indexLock); err != nil {
		return err
	}
	if err := unindex(ctx, tx, id); err != nil {
		return err
	}
	d, public, err := indexDoc(ctx, tx, id)
	if err != nil || !public {
		return err
	}
	tf := related.Frequencies(d)
	df := make(map[string]int, len(tf))
	terms := make([]string, 0, len(tf))
	for t := range tf {
		terms = append(terms, t)
	}
	err = store.Each(ctx, tx, `INSERT INTO term_df (term, df) SELECT unnest($1::text[]), 1
		ON CONFLICT (term) DO UPDATE SET df = term_df.df + 1 RETURNING term, df`, []any{terms}, func(rows *sql.Rows) error {
		var t string
		var n int
		err := rows.Scan(&t, &n)
		df[t] = n
		return err
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
func writeIndex(ctx context.Context, tx *store.Tx, id int64, d related.Doc, vec []related.Term) error {
	words, weights := make([]string, len(vec)), make([]float64, len(vec))
	for i, t := range vec {
		words[i], weights[i] = t.Word, t.Weight
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_terms (article_id, term, weight)
		SELECT $1::bigint, * FROM unnest($2::text[], $3::float8[])`, id, words, weights); err != nil {
		return err
	}
	terms := func(s string) string { return strings.Join(search.Terms(d.Lang, s), " ") }
	_, err := tx.ExecContext(ctx, `INSERT INTO article_fts (article_id, headline, standfirst, body, tags) VALUES ($1, $2, $3, $4, $5)`,
		id, terms(d.Headline), terms(d.Standfirst), terms(related.PlainText(d.Body)), terms(strings.Join(d.Tags, " ; ")))
	return err
}

// unindex removes an article's entries, if it has any.
func unindex(ctx context.Context, tx *store.Tx, id int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM article_fts WHERE article_id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	// Its terms were counted in term_df for every term it held, not only
	// the strongest kept: count them again to take them away.
	d, _, err := oldDoc(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE term_df SET df = df - 1 WHERE term = ANY($1)`, d); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM term_df WHERE term = ANY($1) AND df <= 0`, d); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_terms WHERE article_id = $1`, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_fts WHERE article_id = $1`, id); err != nil {
		return err
	}
	_, err = adjustDocs(ctx, tx, -1)
	return err
}

// oldDoc returns the distinct terms an indexed article was counted with,
// from its search row (which holds every term of every field).
func oldDoc(ctx context.Context, tx *store.Tx, id int64) ([]string, bool, error) {
	var h, s, b, t string
	if err := tx.QueryRowContext(ctx, `SELECT headline, standfirst, body, tags FROM article_fts WHERE article_id = $1`, id).Scan(&h, &s, &b, &t); err != nil {
		return nil, false, err
	}
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.Fields(h + " " + s + " " + b + " " + t) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out, true, nil
}

// adjustDocs changes the count of indexed articles and returns it.
func adjustDocs(ctx context.Context, tx *store.Tx, by int) (int, error) {
	var n string
	err := tx.QueryRowContext(ctx, `INSERT INTO settings (key, value) VALUES ('index_docs', $1)
		ON CONFLICT (key) DO UPDATE SET value = (settings.value::bigint + $2)::text RETURNING value`, strconv.Itoa(max(by, 0)), by).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("index size: %w", err)
	}
	return strconv.Atoi(n)
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
		return fmt.Errorf("postgres: reindex: %w", err)
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
			return fmt.Errorf("postgres: reindex: %w", err)
		}
		if ok {
			for t := range related.Frequencies(d) {
				df[t]++
			}
		}
		if i%100 == 0 {
			report(i)
		}
	}
	// Pass 2: write everything, a batch of articles per transaction.
	err = db.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, indexLock); err != nil {
			return nil, err
		}
		for _, q := range []string{`DELETE FROM article_fts`, `DELETE FROM article_terms`, `DELETE FROM term_df`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('index_docs', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			fmt.Sprint(len(ids))); err != nil {
			return nil, err
		}
		// One statement for every term: unnest pairs the two arrays.
		terms, counts := make([]string, 0, len(df)), make([]int64, 0, len(df))
		for t, n := range df {
			terms, counts = append(terms, t), append(counts, int64(n))
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO term_df (term, df) SELECT * FROM unnest($1::text[], $2::bigint[])`, terms, counts)
		return nil, err
	})
	if err != nil {
		return fmt.Errorf("postgres: reindex: %w", err)
	}
	const batch = 200
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(start+batch, len(ids))]
		err := db.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, indexLock); err != nil {
				return nil, err
			}
			for _, id := range part {
				d, ok, err := indexDoc(ctx, tx, id)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
				vec := related.Weigh(related.Frequencies(d), func(t string) int { return df[t] }, len(ids))
				if err := writeIndex(ctx, tx, id, d, vec); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		if err != nil {
			return fmt.Errorf("postgres: reindex: %w", err)
		}
		report(len(ids) + start + len(part))
	}
	return nil
}
