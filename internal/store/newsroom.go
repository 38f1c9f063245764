package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
	var args []any
	switch q.Status {
	case "":
	case "review":
		where = append(where, "a.status = 'draft' AND a.submitted_at IS NOT NULL")
	default:
		where = append(where, "a.status = ?")
		args = append(args, q.Status)
	}
	if q.SectionID != 0 {
		where = append(where, "a.section_id = ?")
		args = append(args, q.SectionID)
	}
	if q.AuthorID != 0 {
		where = append(where, "a.id IN (SELECT article_id FROM article_authors WHERE author_id = ?)")
		args = append(args, q.AuthorID)
	}
	if q.CreatedBy != 0 {
		where = append(where, "a.created_by = ?")
		args = append(args, q.CreatedBy)
	}
	for _, word := range strings.Fields(q.Search) {
		// Case left aside, with the wildcards of the search text escaped.
		pat := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(word)) + "%"
		where = append(where, `(lower(a.headline) LIKE ? ESCAPE '\' OR lower(a.standfirst) LIKE ? ESCAPE '\' OR a.slug LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat, pat)
	}
	if q.BeforeID != 0 {
		where = append(where, "(a.modified_at, a.id) < (SELECT modified_at, id FROM articles WHERE id = ?)")
		args = append(args, q.BeforeID)
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
	query += ` ORDER BY a.modified_at DESC, a.id DESC LIMIT ?`
	var list []article.Article
	err := each(ctx, db.read, query, append(args, limit), func(rows *sql.Rows) error {
		var a article.Article
		if err := scanArticle(rows, &a); err != nil {
			return err
		}
		list = append(list, a)
		return nil
	})
	if err == nil {
		err = db.fillRelations(ctx, db.read, list, 0)
	}
	if err != nil {
		return nil, db.errorf("admin articles: %w", err)
	}
	return list, nil
}

// Tags lists every tag by name.
func (db *DB) Tags(ctx context.Context) ([]article.Tag, error) {
	var ts []article.Tag
	err := each(ctx, db.read, `SELECT id, slug, name FROM tags ORDER BY name`, nil, func(rows *sql.Rows) error {
		var t article.Tag
		err := rows.Scan(&t.ID, &t.Slug, &t.Name)
		ts = append(ts, t)
		return err
	})
	if err != nil {
		return nil, db.errorf("tags: %w", err)
	}
	return ts, nil
}

// Authors lists every author by name.
func (db *DB) Authors(ctx context.Context) ([]article.Author, error) {
	var as []article.Author
	err := each(ctx, db.read, `SELECT id, slug, name, role, bio FROM authors ORDER BY name`, nil, func(rows *sql.Rows) error {
		var a article.Author
		err := rows.Scan(&a.ID, &a.Slug, &a.Name, &a.Role, &a.Bio)
		as = append(as, a)
		return err
	})
	if err != nil {
		return nil, db.errorf("authors: %w", err)
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
	err := each(ctx, db.read, `SELECT id, article_id, version, user_id, created_at, snapshot FROM revisions
		WHERE article_id = ? ORDER BY version DESC`, []any{articleID}, func(rows *sql.Rows) error {
		r, err := scanRevision(rows)
		if err == nil {
			rs = append(rs, *r)
		}
		return err
	})
	if err != nil {
		return nil, db.errorf("revisions of %d: %w", articleID, err)
	}
	return rs, nil
}

// Revision returns one version of an article.
func (db *DB) Revision(ctx context.Context, articleID int64, version int) (*article.Revision, error) {
	r, err := scanRevision(db.read.QueryRowContext(ctx, `SELECT id, article_id, version, user_id, created_at, snapshot FROM revisions
		WHERE article_id = ? AND version = ?`, articleID, version))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("revision %d of %d: %w", version, articleID, article.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("revision %d of %d: %w", version, articleID, err)
	}
	return r, nil
}

// PublishDue publishes scheduled articles whose time has come. The UPDATE
// is the claim: a row changes status once, so each article is published by
// exactly one call even when several processes run the scheduler.
func (db *DB) PublishDue(ctx context.Context, now time.Time) ([]int64, error) {
	var ids []int64
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		rows, err := tx.QueryContext(ctx, `UPDATE articles SET status = 'published', modified_at = ?, version = version + 1
			WHERE status = 'scheduled' AND published_at <= ? RETURNING id`, now.Unix(), now.Unix())
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
		var keys []string
		for _, id := range ids {
			a, err := db.articleRelations(ctx, tx, id)
			if err != nil {
				return nil, err
			}
			keys = append(keys, a.Keys()...)
			// The new version gets its revision like any save: the last
			// snapshot with the new status.
			if err := publishedRevision(ctx, tx, id, now); err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, action, object_type, object_id, detail) VALUES (?, 'article.publish', 'article', ?, 'scheduled time reached')`,
				now.Unix(), id); err != nil {
				return nil, err
			}
			if err := announce(ctx, tx, id, now); err != nil {
				return nil, err
			}
			if err := db.index(ctx, tx, id); err != nil {
				return nil, err
			}
			if err := db.articleChanged(ctx, tx, id, article.Scheduled, article.Published, nil, now); err != nil {
				return nil, err
			}
		}
		return keys, nil
	})
	if err != nil {
		return nil, db.errorf("publish due: %w", err)
	}
	return ids, nil
}

// NextScheduled returns when the next scheduled article is due.
func (db *DB) NextScheduled(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MIN(published_at) FROM articles WHERE status = 'scheduled'`).Scan(&at); err != nil {
		return time.Time{}, false, db.errorf("next scheduled: %w", err)
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
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		a, err := db.articleRelations(ctx, tx, n.ArticleID)
		if err != nil {
			return nil, err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO article_notes (article_id, kind, body, created_at, user_id) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			n.ArticleID, n.Kind, n.Body, now.Unix(), nullID(n.UserID)).Scan(&n.ID)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET updated_at = ?, modified_at = ? WHERE id = ?`, now.Unix(), now.Unix(), n.ArticleID); err != nil {
			return nil, err
		}
		if a.Status == article.Published {
			if err := db.articleNoted(ctx, tx, n, now); err != nil {
				return nil, err
			}
		}
		return append(a.Keys(), article.KeyCorrections), nil
	})
	if err != nil {
		return db.errorf("note on article %d: %w", n.ArticleID, err)
	}
	return nil
}

// Corrections lists corrections on published articles, newest first.
func (db *DB) Corrections(ctx context.Context, limit int) ([]article.Note, error) {
	var ns []article.Note
	err := each(ctx, db.read, `SELECT n.id, n.article_id, n.body, n.created_at, a.slug, a.headline, a.language, s.slug, s.edition
		FROM article_notes n JOIN articles a ON a.id = n.article_id JOIN sections s ON s.id = a.section_id
		WHERE n.kind = 'correction' AND a.status = 'published'
		ORDER BY n.created_at DESC, n.id DESC LIMIT ?`, []any{limit}, func(rows *sql.Rows) error {
		n := article.Note{Kind: article.Correction, Article: &article.Article{}}
		var at int64
		err := rows.Scan(&n.ID, &n.ArticleID, &n.Body, &at, &n.Article.Slug, &n.Article.Headline, &n.Article.Language,
			&n.Article.Section.Slug, &n.Article.Section.Edition)
		n.CreatedAt, n.Article.ID = time.Unix(at, 0).UTC(), n.ArticleID
		ns = append(ns, n)
		return err
	})
	if err != nil {
		return nil, db.errorf("corrections: %w", err)
	}
	return ns, nil
}

// Audit appends an entry to the audit log.
func (db *DB) Audit(ctx context.Context, e article.AuditEntry) error {
	if e.At.IsZero() {
		e.At = db.now()
	}
	if _, err := db.exec(ctx, `INSERT INTO audit_log (at, user_id, action, object_type, object_id, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		e.At.Unix(), nullID(e.UserID), e.Action, e.ObjectType, e.ObjectID, e.Detail); err != nil {
		return db.errorf("audit: %w", err)
	}
	return nil
}

// AuditLog lists entries newest first, before the entry beforeID (0: from the newest).
func (db *DB) AuditLog(ctx context.Context, beforeID int64, limit int) ([]article.AuditEntry, error) {
	if beforeID == 0 {
		beforeID = 1<<63 - 1
	}
	var es []article.AuditEntry
	err := each(ctx, db.read, `SELECT l.id, l.at, COALESCE(l.user_id, 0), COALESCE(u.name, ''), l.action, l.object_type, l.object_id, l.detail
		FROM audit_log l LEFT JOIN users u ON u.id = l.user_id WHERE l.id < ? ORDER BY l.id DESC LIMIT ?`, []any{beforeID, limit}, func(rows *sql.Rows) error {
		var e article.AuditEntry
		var at int64
		err := rows.Scan(&e.ID, &at, &e.UserID, &e.UserName, &e.Action, &e.ObjectType, &e.ObjectID, &e.Detail)
		e.At = time.Unix(at, 0).UTC()
		es = append(es, e)
		return err
	})
	if err != nil {
		return nil, db.errorf("audit log: %w", err)
	}
	return es, nil
}

// Banner returns the breaking-news banner, zero if none was set.
func (db *DB) Banner(ctx context.Context) (article.Banner, error) {
	var b article.Banner
	var expires string
	err := each(ctx, db.read, `SELECT key, value FROM settings WHERE key IN ('banner_text', 'banner_url', 'banner_expires')`, nil, func(rows *sql.Rows) error {
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
		return b, db.errorf("banner: %w", err)
	}
	if n, err := strconv.ParseInt(expires, 10, 64); err == nil {
		b.Expires = time.Unix(n, 0).UTC()
	}
	return b, nil
}

// SetBanner stores the banner; an empty Text clears it.
func (db *DB) SetBanner(ctx context.Context, b article.Banner) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		return []string{article.KeySite}, setSettings(ctx, tx,
			map[string]string{"banner_text": b.Text, "banner_url": b.URL, "banner_expires": strconv.FormatInt(b.Expires.Unix(), 10)})
	})
	if err != nil {
		return db.errorf("banner: %w", err)
	}
	return nil
}

// publishedRevision records the revision of a scheduled article the
// scheduler has just published: its last snapshot, now published.
func publishedRevision(ctx context.Context, tx *Tx, id int64, now time.Time) error {
	var snap string
	var version int64
	err := tx.QueryRowContext(ctx, `SELECT r.snapshot, a.version FROM revisions r JOIN articles a ON a.id = r.article_id
		WHERE r.article_id = ? ORDER BY r.version DESC LIMIT 1`, id).Scan(&snap, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(snap), &fields); err != nil {
		return fmt.Errorf("revision of article %d: %w", id, err)
	}
	fields["status"] = json.RawMessage(`"` + article.Published + `"`)
	b, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO revisions (article_id, version, user_id, created_at, snapshot) VALUES (?, ?, NULL, ?, ?)`,
		id, version, now.Unix(), string(b))
	return err
}
