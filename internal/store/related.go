package store

import (
	"context"
	"database/sql"
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
	// The article's section and time come with its strongest terms: one
	// row without a term when it has none, no row when there is no such
	// article.
	var sectionID int64
	var published sql.NullInt64
	var source []related.Term
	found := false
	err := each(ctx, db.read, `SELECT a.section_id, a.published_at, t.term, t.weight FROM articles a
		LEFT JOIN (SELECT term, weight FROM article_terms WHERE article_id = ? ORDER BY weight DESC LIMIT ?) t ON TRUE
		WHERE a.id = ? ORDER BY t.weight DESC`, []any{id, related.QueryTerms, id},
		func(rows *sql.Rows) error {
			var word sql.NullString
			var weight sql.NullFloat64
			if err := rows.Scan(&sectionID, &published, &word, &weight); err != nil {
				return err
			}
			found = true
			if word.Valid {
				source = append(source, related.Term{Word: word.String, Weight: weight.Float64})
			}
			return nil
		})
	if err != nil {
		return nil, db.errorf("related to %d: %w", id, err)
	}
	if !found {
		return nil, db.errorf("related to %d: %w", id, article.ErrNotFound)
	}
	// One statement gathers the strongest holders of each source term,
	// adds up the products, and returns the best of them with what
	// ranking needs: a hundred rows cross to Go, not thousands.
	var cands []related.Candidate
	if len(source) > 0 {
		parts := make([]string, len(source))
		var args []any
		for i, t := range source {
			parts[i] = `SELECT article_id, weight * ? AS s FROM (SELECT article_id, weight FROM article_terms WHERE term = ? ORDER BY weight DESC LIMIT ?) AS h`
			args = append(args, t.Weight, t.Word, postingsPerTerm)
		}
		args = append(args, id, candidatePool)
		// Unindexed status: look the ids up by primary key; an index on
		// status would walk every public article instead.
		err := each(ctx, db.read, `SELECT p.article_id, p.sim, a.section_id, a.published_at FROM (
				SELECT article_id, sum(s) AS sim FROM (`+strings.Join(parts, " UNION ALL ")+`) AS u
				WHERE article_id <> ? GROUP BY article_id ORDER BY sim DESC, article_id DESC LIMIT ?) p
			JOIN articles a ON a.id = p.article_id WHERE `+db.dialect.Unindexed("a.status")+` = 'published'`, args,
			func(rows *sql.Rows) error {
				var c related.Candidate
				var at sql.NullInt64
				err := rows.Scan(&c.ID, &c.Similarity, &c.SectionID, &at)
				c.PublishedAt = time.Unix(at.Int64, 0)
				cands = append(cands, c)
				return err
			})
		if err != nil {
			return nil, db.errorf("related to %d: %w", id, err)
		}
	}
	ids := related.Rank(cands, sectionID, time.Unix(published.Int64, 0), limit)
	list, err := db.articlesByID(ctx, ids)
	if err != nil {
		return nil, db.errorf("related to %d: %w", id, err)
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
	err := each(ctx, db.read, `SELECT `+articleColumns+` `+articleFrom+` WHERE `+db.dialect.Unindexed("a.status")+` = 'published' AND a.id IN (`+placeholders(len(ids))+`)`, args,
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
	if err := db.fillRelations(ctx, db.read, out, 0); err != nil {
		return nil, err
	}
	return out, nil
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
		return nil, db.errorf("sitemap articles: %w", err)
	}
	return out, nil
}

// PublishedCount counts published articles.
func (db *DB) PublishedCount(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE status = 'published'`).Scan(&n); err != nil {
		return 0, db.errorf("count articles: %w", err)
	}
	return n, nil
}
