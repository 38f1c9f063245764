package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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
	if err := db.pool.QueryRowContext(ctx, `SELECT section_id, published_at FROM articles WHERE id = $1`, id).Scan(&sectionID, &published); err != nil {
		if err == sql.ErrNoRows {
			return nil, fmt.Errorf("postgres: related to %d: %w", id, article.ErrNotFound)
		}
		return nil, fmt.Errorf("postgres: related to %d: %w", id, err)
	}
	var source []related.Term
	err := each(ctx, db.pool, `SELECT term, weight FROM article_terms WHERE article_id = $1 ORDER BY weight DESC LIMIT $2`, []any{id, related.QueryTerms},
		func(rows *sql.Rows) error {
			var t related.Term
			err := rows.Scan(&t.Word, &t.Weight)
			source = append(source, t)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: related to %d: %w", id, err)
	}
	// One statement gathers the strongest holders of each source term,
	// adds up the products, and returns the best of them with what
	// ranking needs: one round trip, a hundred rows.
	var cands []related.Candidate
	if len(source) > 0 {
		words, weights := make([]string, len(source)), make([]float64, len(source))
		for i, t := range source {
			words[i], weights[i] = t.Word, t.Weight
		}
		err := each(ctx, db.pool, `SELECT p.article_id, p.sim, a.section_id, a.published_at FROM (
				SELECT h.article_id, sum(h.weight * s.weight) AS sim
				FROM unnest($1::text[], $2::float8[]) AS s (term, weight)
				CROSS JOIN LATERAL (SELECT article_id, weight FROM article_terms WHERE term = s.term ORDER BY weight DESC LIMIT $3) h
				WHERE h.article_id <> $4
				GROUP BY h.article_id ORDER BY sim DESC, h.article_id DESC LIMIT $5) p
			JOIN articles a ON a.id = p.article_id WHERE a.status = 'published'`,
			[]any{words, weights, postingsPerTerm, id, candidatePool},
			func(rows *sql.Rows) error {
				var c related.Candidate
				var at sql.NullInt64
				err := rows.Scan(&c.ID, &c.Similarity, &c.SectionID, &at)
				c.PublishedAt = time.Unix(at.Int64, 0)
				cands = append(cands, c)
				return err
			})
		if err != nil {
			return nil, fmt.Errorf("postgres: related to %d: %w", id, err)
		}
	}
	ids := related.Rank(cands, sectionID, time.Unix(published.Int64, 0), limit)
	list, err := db.articlesByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: related to %d: %w", id, err)
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
	byID := map[int64]article.Article{}
	err := each(ctx, db.pool, `SELECT `+articleColumns+` `+articleFrom+` WHERE a.status = 'published' AND a.id = ANY($1)`, []any{ids},
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
	if err := db.fillRelations(ctx, db.pool, out, false); err != nil {
		return nil, err
	}
	return out, nil
}

// Reindex rebuilds the search and More Articles index from scratch, in two
// passes so that every article is weighed against the final term counts.
// progress, when set, is told how many of total articles are done.
func (db *DB) Reindex(ctx context.Context, progress func(done, total int)) error {
	var ids []int64
	err := each(ctx, db.pool, `SELECT id FROM articles WHERE status = 'published' ORDER BY id`, nil, func(rows *sql.Rows) error {
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
		d, ok, err := indexDoc(ctx, db.pool, id)
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
	err = db.inTx(ctx, func(tx *sql.Tx) ([]string, error) {
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
		err := db.inTx(ctx, func(tx *sql.Tx) ([]string, error) {
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

// SitemapArticles lists published articles in the order they were made,
// page by page, for sitemaps: offset is how many to skip.
func (db *DB) SitemapArticles(ctx context.Context, offset, limit int) ([]article.Article, error) {
	var out []article.Article
	err := each(ctx, db.pool, `SELECT `+articleColumns+` `+articleFrom+` WHERE a.status = 'published' ORDER BY a.id LIMIT $1 OFFSET $2`,
		[]any{limit, offset}, func(rows *sql.Rows) error {
			var a article.Article
			err := scanArticle(rows, &a)
			out = append(out, a)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: sitemap articles: %w", err)
	}
	return out, nil
}

// PublishedCount counts published articles.
func (db *DB) PublishedCount(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE status = 'published'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count articles: %w", err)
	}
	return n, nil
}
