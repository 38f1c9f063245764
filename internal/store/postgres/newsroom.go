package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/article"
)

var _ article.Newsroom = (*DB)(nil)

// AdminArticles lists articles of any status for the newsroom, most
// recently modified first.
func (db *DB) AdminArticles(ctx context.Context, q article.AdminQuery) ([]article.Article, error) {
	var where []string
	var args params
	switch q.Status {
	case "":
	case "review":
		where = append(where, "a.status = 'draft' AND a.submitted_at IS NOT NULL")
	default:
		where = append(where, "a.status = "+args.add(q.Status))
	}
	if q.SectionID != 0 {
		where = append(where, "a.section_id = "+args.add(q.SectionID))
	}
	if q.AuthorID != 0 {
		where = append(where, "a.id IN (SELECT article_id FROM article_authors WHERE author_id = "+args.add(q.AuthorID)+")")
	}
	if q.CreatedBy != 0 {
		where = append(where, "a.created_by = "+args.add(q.CreatedBy))
	}
	for _, word := range strings.Fields(q.Search) {
		// ILIKE (SQLite's LIKE ignores case) with the wildcards of the
		// search text escaped.
		pat := args.add("%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(word) + "%")
		where = append(where, `(a.headline ILIKE `+pat+` ESCAPE '\' OR a.standfirst ILIKE `+pat+` ESCAPE '\' OR a.slug ILIKE `+pat+` ESCAPE '\')`)
	}
	if q.BeforeID != 0 {
		where = append(where, "(a.modified_at, a.id) < (SELECT modified_at, id FROM articles WHERE id = "+args.add(q.BeforeID)+")")
	}
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = 50
	case limit > article.MaxLimit:
		limit = article.MaxLimit
	}
	query := `SELECT ` + articleColumns + ` ` + articleFrom
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY a.modified_at DESC, a.id DESC LIMIT ` + args.add(limit)
	var list []article.Article
	err := each(ctx, db.pool, query, args, func(rows *sql.Rows) error {
		var a article.Article
		if err := scanArticle(rows, &a); err != nil {
			return err
		}
		list = append(list, a)
		return nil
	})
	if err == nil {
		err = db.fillRelations(ctx, db.pool, list, false)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: admin articles: %w", err)
	}
	return list, nil
}

// Tags lists every tag by name.
func (db *DB) Tags(ctx context.Context) ([]article.Tag, error) {
	var ts []article.Tag
	err := each(ctx, db.pool, `SELECT id, slug, name FROM tags ORDER BY name`, nil, func(rows *sql.Rows) error {
		var t article.Tag
		err := rows.Scan(&t.ID, &t.Slug, &t.Name)
		ts = append(ts, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: tags: %w", err)
	}
	return ts, nil
}

// Authors lists every author by name.
func (db *DB) Authors(ctx context.Context) ([]article.Author, error) {
	var as []article.Author
	err := each(ctx, db.pool, `SELECT id, slug, name, role, bio FROM authors ORDER BY name`, nil, func(rows *sql.Rows) error {
		var a article.Author
		err := rows.Scan(&a.ID, &a.Slug, &a.Name, &a.Role, &a.Bio)
		as = append(as, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: authors: %w", err)
	}
	return as, nil
}

func scanRevision(sc interface{ Scan(...any) error }) (*article.Revision, error) {
	var r article.Revision
	var user sql.NullInt64
	var at int64
	var snap string
	if err := sc.Scan(&r.ID, &r.ArticleID, &r.Version, &user, &at, &snap); err != nil {
		return nil, err
	}
	r.UserID, r.CreatedAt = user.Int64, time.Unix(at, 0).UTC()
	if err := json.Unmarshal([]byte(snap), &r.Snapshot); err != nil {
		return nil, fmt.Errorf("revision %d: %w", r.ID, err)
	}
	return &r, nil
}

// Revisions lists an article's revisions, newest first.
func (db *DB) Revisions(ctx context.Context, articleID int64) ([]article.Revision, error) {
	var rs []article.Revision
	err := each(ctx, db.pool, `SELECT id, article_id, version, user_id, created_at, snapshot FROM revisions
		WHERE article_id = $1 ORDER BY version DESC`, []any{articleID}, func(rows *sql.Rows) error {
		r, err := scanRevision(rows)
		if err == nil {
			rs = append(rs, *r)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: revisions of %d: %w", articleID, err)
	}
	return rs, nil
}

// Revision returns one version of an article.
func (db *DB) Revision(ctx context.Context, articleID int64, version int) (*article.Revision, error) {
	r, err := scanRevision(db.pool.QueryRowContext(ctx, `SELECT id, article_id, version, user_id, created_at, snapshot FROM revisions
		WHERE article_id = $1 AND version = $2`, articleID, version))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("postgres: revision %d of %d: %w", version, articleID, article.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: revision %d of %d: %w", version, articleID, err)
	}
	return r, nil
}

// PublishDue publishes scheduled articles whose time has come. The UPDATE
// is the claim: a row changes status once, so each article is published by
// exactly one call even when several instances run the scheduler (a second
// UPDATE waits for the first's row locks, then finds the rows published).
func (db *DB) PublishDue(ctx context.Context, now time.Time) ([]int64, error) {
	var ids []int64
	err := db.inTx(ctx, func(tx *sql.Tx) ([]string, error) {
		rows, err := tx.QueryContext(ctx, `UPDATE articles SET status = 'published', modified_at = $1, version = version + 1
			WHERE status = 'scheduled' AND published_at <= $2 RETURNING id`, now.Unix(), now.Unix())
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		slices.Sort(ids) // RETURNING keeps no order
		var keys []string
		for _, id := range ids {
			a, err := db.articleRelations(ctx, tx, id)
			if err != nil {
				return nil, err
			}
			keys = append(keys, a.Keys()...)
			// The new version gets its revision like any save: the last
			// snapshot with the new status.
			if _, err := tx.ExecContext(ctx, `INSERT INTO revisions (article_id, version, user_id, created_at, snapshot)
				SELECT r.article_id, a.version, NULL, $1::bigint, jsonb_set(r.snapshot::jsonb, '{status}', '"published"')::text
				FROM revisions r JOIN articles a ON a.id = r.article_id
				WHERE r.article_id = $2 ORDER BY r.version DESC LIMIT 1`, now.Unix(), id); err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, action, object_type, object_id, detail) VALUES ($1, 'article.publish', 'article', $2, 'scheduled time reached')`,
				now.Unix(), id); err != nil {
				return nil, err
			}
			if err := announce(ctx, tx, id, now); err != nil {
				return nil, err
			}
			if err := indexArticle(ctx, tx, id); err != nil {
				return nil, err
			}
		}
		return keys, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: publish due: %w", err)
	}
	return ids, nil
}

// NextScheduled returns when the next scheduled article is due.
func (db *DB) NextScheduled(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	if err := db.pool.QueryRowContext(ctx, `SELECT MIN(published_at) FROM articles WHERE status = 'scheduled'`).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("postgres: next scheduled: %w", err)
	}
	return fromUnix(at), at.Valid, nil
}

// AddNote appends a correction or update and sets the article's updated time.
func (db *DB) AddNote(ctx context.Context, n *article.Note) error {
	if n.Kind != article.Correction && n.Kind != article.Update {
		return &article.InvalidError{Problems: []string{"a note is a correction or an update"}}
	}
	if strings.TrimSpace(n.Body) == "" || len(n.Body) > 5000 {
		return &article.InvalidError{Problems: []string{"the note needs text, at most 5,000 characters"}}
	}
	now := db.now()
	n.CreatedAt = now.UTC().Truncate(time.Second)
	err := db.inTx(ctx, func(tx *sql.Tx) ([]string, error) {
		a, err := db.articleRelations(ctx, tx, n.ArticleID)
		if err != nil {
			return nil, err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO article_notes (article_id, kind, body, created_at, user_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			n.ArticleID, n.Kind, n.Body, now.Unix(), nullID(n.UserID)).Scan(&n.ID)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET updated_at = $1, modified_at = $2 WHERE id = $3`, now.Unix(), now.Unix(), n.ArticleID); err != nil {
			return nil, err
		}
		return append(a.Keys(), "corrections"), nil
	})
	if err != nil {
		return fmt.Errorf("postgres: note on article %d: %w", n.ArticleID, err)
	}
	return nil
}

func (db *DB) notes(ctx context.Context, articleID int64) ([]article.Note, error) {
	var ns []article.Note
	err := each(ctx, db.pool, `SELECT id, article_id, kind, body, created_at, COALESCE(user_id, 0) FROM article_notes
		WHERE article_id = $1 ORDER BY created_at, id`, []any{articleID}, func(rows *sql.Rows) error {
		var n article.Note
		var at int64
		err := rows.Scan(&n.ID, &n.ArticleID, &n.Kind, &n.Body, &at, &n.UserID)
		n.CreatedAt = time.Unix(at, 0).UTC()
		ns = append(ns, n)
		return err
	})
	return ns, err
}

// Corrections lists corrections on published articles, newest first.
func (db *DB) Corrections(ctx context.Context, limit int) ([]article.Note, error) {
	var ns []article.Note
	err := each(ctx, db.pool, `SELECT n.id, n.article_id, n.body, n.created_at, a.slug, a.headline, s.slug
		FROM article_notes n JOIN articles a ON a.id = n.article_id JOIN sections s ON s.id = a.section_id
		WHERE n.kind = 'correction' AND a.status = 'published'
		ORDER BY n.created_at DESC, n.id DESC LIMIT $1`, []any{limit}, func(rows *sql.Rows) error {
		n := article.Note{Kind: article.Correction, Article: &article.Article{}}
		var at int64
		err := rows.Scan(&n.ID, &n.ArticleID, &n.Body, &at, &n.Article.Slug, &n.Article.Headline, &n.Article.Section.Slug)
		n.CreatedAt, n.Article.ID = time.Unix(at, 0).UTC(), n.ArticleID
		ns = append(ns, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: corrections: %w", err)
	}
	return ns, nil
}

// Audit appends an entry to the audit log.
func (db *DB) Audit(ctx context.Context, e article.AuditEntry) error {
	if e.At.IsZero() {
		e.At = db.now()
	}
	if _, err := db.exec(ctx, `INSERT INTO audit_log (at, user_id, action, object_type, object_id, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.At.Unix(), nullID(e.UserID), e.Action, e.ObjectType, e.ObjectID, e.Detail); err != nil {
		return fmt.Errorf("postgres: audit: %w", err)
	}
	return nil
}

// AuditLog lists entries newest first, before the entry beforeID (0: from the newest).
func (db *DB) AuditLog(ctx context.Context, beforeID int64, limit int) ([]article.AuditEntry, error) {
	if beforeID == 0 {
		beforeID = 1<<63 - 1
	}
	var es []article.AuditEntry
	err := each(ctx, db.pool, `SELECT l.id, l.at, COALESCE(l.user_id, 0), COALESCE(u.name, ''), l.action, l.object_type, l.object_id, l.detail
		FROM audit_log l LEFT JOIN users u ON u.id = l.user_id WHERE l.id < $1 ORDER BY l.id DESC LIMIT $2`, []any{beforeID, limit}, func(rows *sql.Rows) error {
		var e article.AuditEntry
		var at int64
		err := rows.Scan(&e.ID, &at, &e.UserID, &e.UserName, &e.Action, &e.ObjectType, &e.ObjectID, &e.Detail)
		e.At = time.Unix(at, 0).UTC()
		es = append(es, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	return es, nil
}

// Banner returns the breaking-news banner, zero if none was set.
func (db *DB) Banner(ctx context.Context) (article.Banner, error) {
	var b article.Banner
	var expires string
	err := each(ctx, db.pool, `SELECT key, value FROM settings WHERE key IN ('banner_text', 'banner_url', 'banner_expires')`, nil, func(rows *sql.Rows) error {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		switch k {
		case "banner_text":
			b.Text = v
		case "banner_url":
			b.URL = v
		case "banner_expires":
			expires = v
		}
		return nil
	})
	if err != nil {
		return b, fmt.Errorf("postgres: banner: %w", err)
	}
	if n, err := strconv.ParseInt(expires, 10, 64); err == nil {
		b.Expires = time.Unix(n, 0).UTC()
	}
	return b, nil
}

// SetBanner stores the banner; an empty Text clears it.
func (db *DB) SetBanner(ctx context.Context, b article.Banner) error {
	err := db.inTx(ctx, func(tx *sql.Tx) ([]string, error) {
		return []string{article.KeySite}, setSettings(ctx, tx,
			map[string]string{"banner_text": b.Text, "banner_url": b.URL, "banner_expires": strconv.FormatInt(b.Expires.Unix(), 10)})
	})
	if err != nil {
		return fmt.Errorf("postgres: banner: %w", err)
	}
	return nil
}
