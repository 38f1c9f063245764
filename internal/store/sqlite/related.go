package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/related"
)

// postingsPerTerm bounds how many articles one of the source's terms
// brings in as candidates: its strongest holders.
const postingsPerTerm = 400

// candidatePool is how many of the most similar candidates are ranked.
const candidatePool = 100

// RelatedArticles returns an article's More Articles: the published
// articles most like it (never itself), ranked with time and section, and
// filled up with the latest of its section, then of the site, so that
// there are limit of them whenever the site has that many.
func (db *DB) RelatedArticles(ctx context.Context, id int64, limit int) ([]article.Article, error) {
	var sectionID int64
	var published sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT section_id, published_at FROM articles WHERE id = ?`, id).Scan(&sectionID, &published); err != nil {
		if err == sql.ErrNoRows {
			return nil, fmt.Errorf("sqlite: related to %d: %w", id, article.ErrNotFound)
		}
		return nil, fmt.Errorf("sqlite: related to %d: %w", id, err)
	}
	var source []related.Term
	err := each(ctx, db.read, `SELECT term, weight FROM article_terms WHERE article_id = ? ORDER BY weight DESC LIMIT ?`, []any{id, related.QueryTerms},
		func(rows *sql.Rows) error {
			var t related.Term
			err := rows.Scan(&t.Word, &t.Weight)
			source = append(source, t)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: related to %d: %w", id, err)
	}
	// One statement gathers the strongest holders of each source term,
	// adds up the products, and returns the best of them with what
	// ranking needs: a hundred rows cross to Go, not thousands.
	var cands []related.Candidate
	if len(source) > 0 {
		parts := make([]string, len(source))
		var args []any
		for i, t := range source {
			parts[i] = `SELECT article_id, weight * ? AS s FROM (SELECT article_id, weight FROM article_terms WHERE term = ? ORDER BY weight DESC LIMIT ?)`
			args = append(args, t.Weight, t.Word, postingsPerTerm)
		}
		args = append(args, id, candidatePool)
		// "+status": look the ids up by primary key; an index on status
		// would walk every public article instead.
		err := each(ctx, db.read, `SELECT p.article_id, p.sim, a.section_id, a.published_at FROM (
				SELECT article_id, sum(s) AS sim FROM (`+strings.Join(parts, " UNION ALL ")+`)
				WHERE article_id != ? GROUP BY article_id ORDER BY sim DESC, article_id DESC LIMIT ?) p
			JOIN articles a ON a.id = p.article_id WHERE +a.status = 'published'`, args,
			func(rows *sql.Rows) error {
				var c related.Candidate
				var at int64
				err := rows.Scan(&c.ID, &c.Similarity, &c.SectionID, &at)
				c.PublishedAt = time.Unix(at, 0)
				cands = append(cands, c)
				return err
			})
		if err != nil {
			return nil, fmt.Errorf("sqlite: related to %d: %w", id, err)
		}
	}
	ids := related.Rank(cands, sectionID, time.Unix(published.Int64, 0), limit)
	list, err := db.articlesByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: related to %d: %w", id, err)
	}
	// Fill up: the latest of the section, then of the site.
	for _, q := range []article.Query{{SectionID: sectionID}, {}} {
		if len(list) >= limit {
			break
		}
		q.ExcludeID, q.Limit = id, limit+len(list)
		more, err := db.Articles(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, a := range more.Articles {
			if len(list) < limit && !slices.ContainsFunc(list, func(b article.Article) bool { return b.ID == a.ID }) {
				list = append(list, a)
			}
		}
	}
	return list, nil
}

// articlesByID loads published articles in the order given.
func (db *DB) articlesByID(ctx context.Context, ids []int64) ([]article.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := anys(ids)
	byID := map[int64]article.Article{}
	err := each(ctx, db.read, `SELECT `+articleColumns+` `+articleFrom+` WHERE +a.status = 'published' AND a.id IN (`+placeholders(len(ids))+`)`, args,
		func(rows *sql.Rows) error {
			var a article.Article
			err := scanArticle(rows, &a)
			byID[a.ID] = a
			return err
		})
	if err != nil {
		return nil, err
	}
	out := make([]article.Article, 0, len(ids))
	for _, id := range ids {
		if a, ok := byID[id]; ok {
			out = append(out, a)
		}
	}
	if err := db.fillRelations(ctx, db.read, out, false); err != nil {
		return nil, err
	}
	return out, nil
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
		d, ok, err := indexDoc(ctx, db.read, id)
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
	err = db.inTx(ctx, func(tx *sql.Tx) ([]string, error) {
		for _, q := range []string{`DELETE FROM article_fts`, `DELETE FROM article_fts_keys`, `DELETE FROM article_terms`, `DELETE FROM term_df`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('index_docs', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			fmt.Sprint(len(ids))); err != nil {
			return nil, err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO term_df (term, df) VALUES (?, ?)`)
		if err != nil {
			return nil, err
		}
		defer stmt.Close()
		for t, n := range df {
			if _, err := stmt.ExecContext(ctx, t, n); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: reindex: %w", err)
	}
	const batch = 200
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(start+batch, len(ids))]
		err := db.inTx(ctx, func(tx *sql.Tx) ([]string, error) {
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

// SitemapArticles lists published articles in the order they were made,
// page by page, for sitemaps: offset is how many to skip.
func (db *DB) SitemapArticles(ctx context.Context, offset, limit int) ([]article.Article, error) {
	var out []article.Article
	err := each(ctx, db.read, `SELECT `+articleColumns+` `+articleFrom+` WHERE a.status = 'published' ORDER BY a.id LIMIT ? OFFSET ?`,
		[]any{limit, offset}, func(rows *sql.Rows) error {
			var a article.Article
			err := scanArticle(rows, &a)
			out = append(out, a)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: sitemap articles: %w", err)
	}
	return out, nil
}

// PublishedCount counts published articles.
func (db *DB) PublishedCount(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE status = 'published'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count articles: %w", err)
	}
	return n, nil
}
