package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/related"
)

// postingsPerTerm bounds how many articles one of the source's terms
// brings in as candidates: its strongest holders.
const postingsPerTerm = 400

// candidatePool is how many of the most similar candidates are ranked.
const candidatePool = 100

// keptRelated is how many ranked ids a kept list holds: a page shows
// fewer, and the rest stand in for any withdrawn since it was made.
const keptRelated = 12

// RelatedMaxAge is how long a kept More Articles list is trusted before it
// is worked out again. A list that may lack a newer article is worked out
// again sooner: when the newer article's own list is made (see
// keepRelated). Until then pages show the list they have; KeepRelated
// works the old ones out in the background.
const RelatedMaxAge = 7 * 24 * time.Hour

// RelatedArticles returns an article's More Articles: the published
// articles most like it (never itself), ranked with time and section, and
// filled up with the latest of its section, then of the site, so that
// there are limit of them whenever the site has that many. The ranking is
// kept by KeepRelated: an article without a list since it was last
// indexed has it worked out here (and not kept: a page does not wait for
// a write), and an old list is shown until KeepRelated replaces it.
func (db *DB) RelatedArticles(ctx context.Context, id int64, limit int) ([]article.Article, error) {
	src, err := db.relatedSource(ctx, id, false)
	if err != nil {
		return nil, db.errorf("related to %d: %w", id, err)
	}
	ids := src.kept
	if src.missing {
		if ids, err = db.rankRelated(ctx, id, src); err != nil {
			return nil, db.errorf("related to %d: %w", id, err)
		}
	}
	// The best of the list that are still published: usually its first
	// limit, and the spares after them for any withdrawn.
	var list []article.Article
	for lo := 0; len(list) < limit && lo < len(ids); {
		hi := min(lo+limit-len(list), len(ids))
		more, err := db.articlesByID(ctx, ids[lo:hi])
		if err != nil {
			return nil, db.errorf("related to %d: %w", id, err)
		}
		list, lo = append(list, more...), hi
	}
	// Fill up: the latest of the section, then of the site.
	for _, q := range []article.Query{{SectionID: src.sectionID}, {}} {
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

// relatedSource is what ranking an article's More Articles starts from.
type relatedSource struct {
	sectionID int64
	published sql.NullInt64
	modified  int64   // when the article was last written, Unix seconds
	kept      []int64 // its kept list, best first
	fresh     bool    // whether the kept list is recent enough to trust
	missing   bool    // no list since the article was last indexed
	terms     []related.Term
}

// relatedSource reads an article's section, time and kept list, and, when
// the list is missing (or, with old, too old), the article's strongest
// terms to rank with: one row without a term when it has none, no row
// when there is no such article.
func (db *DB) relatedSource(ctx context.Context, id int64, old bool) (relatedSource, error) {
	var src relatedSource
	found := false
	trusted := db.now().Add(-RelatedMaxAge).Unix()
	stale := int64(math.MinInt64)
	if old {
		stale = trusted
	}
	err := each(ctx, db.read, `SELECT a.section_id, a.published_at, a.modified_at, k.ids, k.made_at, t.term, t.weight FROM articles a
		LEFT JOIN related_kept k ON k.article_id = a.id
		LEFT JOIN (SELECT term, weight FROM article_terms WHERE article_id = ? ORDER BY weight DESC LIMIT ?) t
			ON k.article_id IS NULL OR k.made_at <= ?
		WHERE a.id = ? ORDER BY t.weight DESC`, []any{id, related.QueryTerms, stale, id},
		func(rows *sql.Rows) error {
			var kept, word sql.NullString
			var madeAt sql.NullInt64
			var weight sql.NullFloat64
			if err := rows.Scan(&src.sectionID, &src.published, &src.modified, &kept, &madeAt, &word, &weight); err != nil {
				return err
			}
			src.missing, src.fresh = !kept.Valid, madeAt.Int64 > trusted
			if !found && kept.String != "" {
				for f := range strings.SplitSeq(kept.String, ",") {
					if n, err := strconv.ParseInt(f, 10, 64); err == nil {
						src.kept = append(src.kept, n)
					}
				}
			}
			found = true
			if word.Valid {
				src.terms = append(src.terms, related.Term{Word: word.String, Weight: weight.Float64})
			}
			return nil
		})
	if err == nil && !found {
		err = article.ErrNotFound
	}
	return src, err
}

// rankRelated works out an article's More Articles: its best keptRelated
// candidates, best first.
func (db *DB) rankRelated(ctx context.Context, id int64, src relatedSource) ([]int64, error) {
	if len(src.terms) == 0 {
		return nil, nil
	}
	// One statement gathers the strongest holders of each source term,
	// adds up the products, and returns the best of them with what
	// ranking needs: a hundred rows cross to Go, not thousands.
	parts := make([]string, len(src.terms))
	var args []any
	for i, t := range src.terms {
		parts[i] = `SELECT article_id, weight * ? AS s FROM (SELECT article_id, weight FROM article_terms WHERE term = ? ORDER BY weight DESC LIMIT ?) AS h`
		args = append(args, t.Weight, t.Word, postingsPerTerm)
	}
	args = append(args, id, candidatePool)
	// Unindexed status: look the ids up by primary key; an index on
	// status would walk every public article instead.
	var cands []related.Candidate
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
		return nil, err
	}
	return related.Rank(cands, src.sectionID, time.Unix(src.published.Int64, 0), keptRelated), nil
}

// keepRelated keeps an article's ranked list, replacing src's. An
// article's first list since it was last indexed (published, or changed)
// marks the lists of the articles most like it that were made before that
// write for working out again: they cannot hold it as it is now. Marked,
// not dropped, so that working them out marks no others in turn. A list that replaces a
// different one is announced under KeyRelated, for the pages showing it.
func (db *DB) keepRelated(ctx context.Context, id int64, ids []int64, src relatedSource) error {
	return db.batch(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		kept := make([]string, len(ids))
		for i, n := range ids {
			kept[i] = strconv.FormatInt(n, 10)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO related_kept (article_id, ids, made_at) VALUES (?, ?, ?)
			ON CONFLICT (article_id) DO UPDATE SET ids = excluded.ids, made_at = excluded.made_at`,
			id, strings.Join(kept, ","), db.now().Unix())
		if err != nil {
			return nil, err
		}
		if !src.missing {
			if slices.Equal(ids, src.kept) {
				return nil, nil
			}
			return []string{article.KeyRelated(id)}, nil
		}
		if len(ids) == 0 {
			return nil, nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE related_kept SET made_at = 0 WHERE article_id IN (`+placeholders(len(ids))+`) AND made_at <= ?`,
			append(anys(ids), src.modified)...)
		return nil, err
	})
}

// RelatedRecheck is how long KeepRelated trusts a walk that found no
// missing list. This DB's own writes make the walk due at once (see
// missingWalk); the recheck finds the lists dropped by another process
// that did not make them itself — another instance on PostgreSQL stopped
// before it did, `broadsheet import wordpress` run beside the site.
// Meanwhile a page whose list is missing works it out as it shows it.
const RelatedRecheck = 5 * time.Minute

// missingWalk is whether KeepRelated must walk the published articles for
// those without a kept list. A list goes missing when its article is
// indexed (published, changed, re-indexed): the walk is due after every
// commit of this DB that indexed or unindexed an article, when the DB
// opens, and RelatedRecheck after the last walk that found none. Between
// those, an idle site reads only the index of old lists.
type missingWalk struct {
	mu  sync.Mutex
	gen uint64 // commits that indexed or unindexed an article
	// clean is set when a walk that began at generation cleanGen, at
	// cleanAt, found no missing list.
	clean    bool
	cleanGen uint64
	cleanAt  time.Time
}

// indexed records a commit that indexed or unindexed an article.
func (w *missingWalk) indexed() {
	w.mu.Lock()
	w.gen++
	w.mu.Unlock()
}

// due reports whether a walk is due at now, and the generation it walks.
func (w *missingWalk) due(now time.Time) (gen uint64, due bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gen, !w.clean || w.cleanGen != w.gen || !now.Before(w.cleanAt.Add(RelatedRecheck))
}

// none records a walk that began at generation gen and time at and found
// no missing list. A commit since it began may have dropped one the walk
// could not see: then the walk proves nothing, and the next is due.
func (w *missingWalk) none(gen uint64, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gen == gen {
		w.clean, w.cleanGen, w.cleanAt = true, gen, at
	}
}

// KeepRelated works out the More Articles of up to n published articles,
// newest first, and reports how many it made: first those whose list is
// missing, then those whose list is older than RelatedMaxAge (or marked
// by a newer article). A site keeps every list ready by calling it now and
// then, so that pages only read theirs. On an idle site a call reads the
// index of old lists and nothing else: the published articles are walked
// for missing lists only when one may be missing (see missingWalk).
func (db *DB) KeepRelated(ctx context.Context, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	ids, err := db.missingRelated(ctx, n)
	if err != nil {
		return 0, db.errorf("keep related: missing lists: %w", err)
	}
	if len(ids) < n {
		// Unindexed status: start from the index of old lists, usually
		// empty; the index on status would walk every public article.
		old, err := db.relatedIDs(ctx, `SELECT k.article_id FROM related_kept k JOIN articles a ON a.id = k.article_id
			WHERE k.made_at <= ? AND `+db.dialect.Unindexed("a.status")+` = 'published'
			ORDER BY a.published_at DESC, a.id DESC LIMIT ?`, db.now().Add(-RelatedMaxAge).Unix(), n-len(ids))
		if err != nil {
			return 0, db.errorf("keep related: old lists: %w", err)
		}
		for _, id := range old {
			if !slices.Contains(ids, id) { // made, then marked, between the two reads
				ids = append(ids, id)
			}
		}
	}
	for i, id := range ids {
		src, err := db.relatedSource(ctx, id, true)
		if errors.Is(err, article.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return i, db.errorf("keep related: %w", err)
		}
		if src.fresh && !src.missing {
			continue // made meanwhile
		}
		list, err := db.rankRelated(ctx, id, src)
		if err == nil {
			err = db.keepRelated(ctx, id, list, src)
		}
		if err != nil && !db.eng.IsForeignKey(err) {
			return i, db.errorf("keep related to %d: %w", id, err)
		}
	}
	return len(ids), nil
}

// missingRelated returns up to n published articles without a kept list,
// newest first, walking them only when a list may be missing.
func (db *DB) missingRelated(ctx context.Context, n int) ([]int64, error) {
	now := db.now()
	gen, due := db.missing.due(now)
	if !due {
		return nil, nil
	}
	ids, err := db.relatedIDs(ctx, `SELECT a.id FROM articles a
		WHERE a.status = 'published' AND NOT EXISTS (SELECT 1 FROM related_kept k WHERE k.article_id = a.id)
		ORDER BY a.published_at DESC, a.id DESC LIMIT ?`, n)
	if err == nil && len(ids) == 0 {
		db.missing.none(gen, now)
	}
	return ids, err
}

// relatedIDs runs a query for article ids.
func (db *DB) relatedIDs(ctx context.Context, query string, args ...any) ([]int64, error) {
	var ids []int64
	err := each(ctx, db.read, query, args, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	return ids, err
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

// SitemapArticles calls fn with each of an edition's published articles in
// the order they were made, page by page, for its sitemaps: offset is how
// many to skip. Each holds what a sitemap says of an article — its id,
// slug, section's slug and edition, times and translation group — and no
// more, and none is kept: a sitemap of 50,000 articles had held all of
// them in full while it was written, tens of megabytes.
func (db *DB) SitemapArticles(ctx context.Context, edition string, offset, limit int, fn func(article.Article) error) error {
	err := each(ctx, db.read, `SELECT a.id, a.slug, a.published_at, a.updated_at, COALESCE(a.translation_of, 0), s.id, s.slug, s.edition
		FROM articles a JOIN sections s ON s.id = a.section_id
		WHERE a.status = 'published' AND s.edition = ? ORDER BY a.id LIMIT ? OFFSET ?`, []any{edition, limit, offset},
		func(rows *sql.Rows) error {
			a := article.Article{Status: article.Published}
			var pub, upd sql.NullInt64
			if err := rows.Scan(&a.ID, &a.Slug, &pub, &upd, &a.TranslationOf, &a.Section.ID, &a.Section.Slug, &a.Section.Edition); err != nil {
				return err
			}
			a.PublishedAt, a.UpdatedAt = fromUnix(pub), fromUnix(upd)
			return fn(a)
		})
	if err != nil {
		return db.errorf("sitemap articles: %w", err)
	}
	return nil
}

// PublishedCount counts an edition's published articles.
func (db *DB) PublishedCount(ctx context.Context, edition string) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM articles
		WHERE status = 'published' AND section_id IN (SELECT id FROM sections WHERE edition = ?)`, edition).Scan(&n); err != nil {
		return 0, db.errorf("count articles: %w", err)
	}
	return n, nil
}
