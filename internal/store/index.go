package store

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
)

// The search and More Articles index is kept in the same transaction as
// every article write: an article is findable and related the moment it is
// public, and gone from both the moment it is not. More Articles' terms
// (article_terms, term_df and the count of indexed articles) are the same
// tables on every engine and kept here; the full-text row of an article is
// the engine's (TextIndex).
//
// Writers of the index hold indexLock to the end of their transaction:
// term_df and the article count are shared by every article, and writers
// updating their rows in different orders would deadlock one another.

// indexLock names the index's lock ("bsidx").
const indexLock = 0x6273696478

// TextIndex is an engine's full-text index of public articles.
type TextIndex interface {
	// PutText writes the full-text row of a public article.
	PutText(ctx context.Context, tx *Tx, d *IndexDoc) error
	// TakeText removes article id's row and returns the distinct terms it
	// held, every field's; ok is false when it had none.
	TakeText(ctx context.Context, tx *Tx, id int64) (terms []string, ok bool, err error)
	// ClearText empties the index before a rebuild, and OptimizeText
	// tidies it after one.
	ClearText(ctx context.Context, tx *Tx) error
	OptimizeText(ctx context.Context, db *Handle) error
}

// IndexDoc is a public article as the index sees it.
type IndexDoc struct {
	ID int64
	related.Doc
	Published int64 // Unix seconds
	SectionID int64
	AuthorIDs []int64
}

// Terms is s as the index's terms in the article's language.
func (d *IndexDoc) Terms(s string) string { return strings.Join(search.Terms(d.Lang, s), " ") }

// indexDoc reads what the index needs of an article; ok is false for an
// article that is not public.
func indexDoc(ctx context.Context, q Querier, id int64) (d IndexDoc, ok bool, err error) {
	d.ID = id
	var status string
	var published sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT status, language, headline, standfirst, body, published_at, section_id FROM articles WHERE id = ?`, id).
		Scan(&status, &d.Lang, &d.Headline, &d.Standfirst, &d.Body, &published, &d.SectionID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != "published") {
		return d, false, nil
	}
	if err != nil {
		return d, false, err
	}
	d.Published = published.Int64
	err = each(ctx, q, `SELECT author_id FROM article_authors WHERE article_id = ? ORDER BY position`, []any{id}, func(rows *sql.Rows) error {
		var author int64
		err := rows.Scan(&author)
		d.AuthorIDs = append(d.AuthorIDs, author)
		return err
	})
	if err != nil {
		return d, false, err
	}
	err = each(ctx, q, `SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ?`, []any{id}, func(rows *sql.Rows) error {
		var name string
		err := rows.Scan(&name)
		d.Tags = append(d.Tags, name)
		return err
	})
	return d, err == nil, err
}

// index brings article id's entries up to date: removed when it is not
// public, rewritten when it is.
func (db *DB) index(ctx context.Context, tx *Tx, id int64) error {
	if err := db.unindex(ctx, tx, id); err != nil {
		return err
	}
	d, public, err := indexDoc(ctx, tx, id)
	if err != nil || !public {
		return err
	}
	tf := related.Frequencies(d.Doc)
	df := make(map[string]int, len(tf))
	err = inChunks(slices.Sorted(maps.Keys(tf)), func(part []string) error {
		return each(ctx, tx, `INSERT INTO term_df (term, df) VALUES `+valueRows("(?, 1)", len(part))+`
			ON CONFLICT (term) DO UPDATE SET df = term_df.df + 1 RETURNING term, df`, anys(part), func(rows *sql.Rows) error {
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
	return db.writeIndex(ctx, tx, &d, related.Weigh(tf, func(t string) int { return df[t] }, docs))
}

// writeIndex stores an article's vector and its full-text row.
func (db *DB) writeIndex(ctx context.Context, tx *Tx, d *IndexDoc, vec []related.Term) error {
	err := inChunks(vec, func(part []related.Term) error {
		args := make([]any, 0, 3*len(part))
		for _, t := range part {
			args = append(args, d.ID, t.Word, t.Weight)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO article_terms (article_id, term, weight) VALUES `+valueRows("(?, ?, ?)", len(part)), args...)
		return err
	})
	if err != nil {
		return err
	}
	return db.eng.PutText(ctx, tx, d)
}

// unindex removes an article's entries, if it has any.
func (db *DB) unindex(ctx context.Context, tx *Tx, id int64) error {
	if err := db.eng.Lock(ctx, tx, indexLock); err != nil {
		return err
	}
	// Its More Articles are worked out again from what it holds now: the
	// list is dropped here and made by the next KeepRelated, which walks
	// for missing lists once this transaction has committed.
	tx.indexed = true
	if _, err := tx.ExecContext(ctx, `DELETE FROM related_kept WHERE article_id = ?`, id); err != nil {
		return err
	}
	// Its terms were counted in term_df for every term it held, not only
	// the strongest kept: count them again to take them away.
	terms, ok, err := db.eng.TakeText(ctx, tx, id)
	if err != nil || !ok {
		return err
	}
	err = inChunks(terms, func(part []string) error {
		args := anys(part)
		if _, err := tx.ExecContext(ctx, `UPDATE term_df SET df = df - 1 WHERE term IN (`+placeholders(len(part))+`)`, args...); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM term_df WHERE term IN (`+placeholders(len(part))+`) AND df <= 0`, args...)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_terms WHERE article_id = ?`, id); err != nil {
		return err
	}
	_, err = adjustDocs(ctx, tx, -1)
	return err
}

// adjustDocs changes the count of indexed articles and returns it.
func adjustDocs(ctx context.Context, tx *Tx, by int) (int, error) {
	var n string
	err := tx.QueryRowContext(ctx, `INSERT INTO settings (key, value) VALUES ('index_docs', ?)
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(settings.value AS BIGINT) + ? AS TEXT) RETURNING value`, strconv.Itoa(max(by, 0)), by).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("index size: %w", err)
	}
	return strconv.Atoi(n)
}

// DistinctWords is the distinct words of fields, in order of first use.
func DistinctWords(fields ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fields {
		for _, w := range strings.Fields(f) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
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

// Reindex rebuilds the search and More Articles index from scratch, in two
// passes so that every article is weighed against the final term counts.
// progress, when set, is told how many of total articles are done.
func (db *DB) Reindex(ctx context.Context, progress func(done, total int)) error {
	var ids []int64
	err := each(ctx, db.read, `SELECT id FROM articles WHERE status = 'published' ORDER BY id`, nil, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return db.errorf("reindex: %w", err)
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
		d, ok, err := indexDoc(ctx, db.read, id)
		if err != nil {
			return db.errorf("reindex: %w", err)
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
	err = db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		if err := db.eng.Lock(ctx, tx, indexLock); err != nil {
			return nil, err
		}
		if err := db.eng.ClearText(ctx, tx); err != nil {
			return nil, err
		}
		for _, q := range []string{`DELETE FROM article_terms`, `DELETE FROM term_df`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return nil, err
			}
		}
		if err := setSettings(ctx, tx, map[string]string{"index_docs": strconv.Itoa(len(ids))}); err != nil {
			return nil, err
		}
		return nil, inChunks(slices.Sorted(maps.Keys(df)), func(part []string) error {
			args := make([]any, 0, 2*len(part))
			for _, t := range part {
				args = append(args, t, df[t])
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO term_df (term, df) VALUES `+valueRows("(?, ?)", len(part)), args...)
			return err
		})
	})
	if err != nil {
		return db.errorf("reindex: %w", err)
	}
	const batch = 200
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(start+batch, len(ids))]
		err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
			if err := db.eng.Lock(ctx, tx, indexLock); err != nil {
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
				vec := related.Weigh(related.Frequencies(d.Doc), func(t string) int { return df[t] }, len(ids))
				if err := db.writeIndex(ctx, tx, &d, vec); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		if err != nil {
			return db.errorf("reindex: %w", err)
		}
		report(len(ids) + start + len(part))
	}
	if err := db.eng.OptimizeText(ctx, db.write); err != nil {
		return db.errorf("reindex: optimize: %w", err)
	}
	return nil
}
