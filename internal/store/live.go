package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/markup"
)

var _ liveblog.Store = (*DB)(nil)

// updateColumns is what every query of live updates selects, in
// scanUpdate's order.
const updateColumns = `u.id, u.article_id, u.seq, u.headline, u.body, u.body_html, u.html_of, u.pinned, u.key_event, u.version,
	COALESCE(u.created_by, 0), u.created_at, u.edited_at, u.deleted_at`

func scanUpdate(sc interface{ Scan(...any) error }) (liveblog.Update, error) {
	var u liveblog.Update
	var html string
	var htmlOf int
	var created int64
	var edited, deleted sql.NullInt64
	err := sc.Scan(&u.ID, &u.ArticleID, &u.Seq, &u.Headline, &u.Body, &html, &htmlOf, &u.Pinned, &u.KeyEvent, &u.Version,
		&u.CreatedBy, &created, &edited, &deleted)
	if htmlOf == markup.ArticlesVersion {
		u.BodyHTML = html
	}
	u.CreatedAt, u.EditedAt, u.DeletedAt = time.Unix(created, 0).UTC(), fromUnix(edited), fromUnix(deleted)
	return u, err
}

// liveKeys are the change-log keys of a write to update id of the live
// blog articleID: its pages and feed, and the streams of its readers.
func liveKeys(articleID, id int64) []string {
	return []string{article.KeyLiveBlog(articleID), liveblog.Key(articleID, id)}
}

// errStaleUpdate is an edit of a version someone else has saved over.
var errStaleUpdate = errors.New("stale live update version")

// nextLiveSeq takes the live blog's next change number. The UPDATE locks
// the article's row until the transaction ends, so the writes to one live
// blog's updates are made one at a time, each reading what the one before
// committed, and commit in the order of their numbers: a reader's stream
// that has heard number n has heard every number before it.
func nextLiveSeq(ctx context.Context, tx *Tx, articleID int64) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `UPDATE articles SET live_seq = live_seq + 1 WHERE id = ? AND live_blog RETURNING live_seq`, articleID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, liveArticleError(ctx, tx, articleID)
	}
	return seq, err
}

// liveArticleError says why the article articleID took no live write:
// there is none, or it is not a live blog.
func liveArticleError(ctx context.Context, tx *Tx, articleID int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM articles WHERE id = ?`, articleID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return article.ErrNotFound
	case err != nil:
		return err
	}
	return liveblog.ErrNotLive
}

// PostLiveUpdate stores u as an update of its live blog, at its
// CreatedAt, or now when that is zero. Its body is stored with the HTML it
// renders to, rendered before the write begins.
func (db *DB) PostLiveUpdate(ctx context.Context, u *liveblog.Update) error {
	if err := u.Validate(); err != nil {
		return err
	}
	html, err := db.articleHTML(ctx, u.Body)
	if err != nil {
		return err
	}
	now := u.CreatedAt
	if now.IsZero() {
		now = db.now()
	}
	err = db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		seq, err := nextLiveSeq(ctx, tx, u.ArticleID)
		if err != nil {
			return nil, err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO live_updates (article_id, seq, headline, body, body_html, html_of, pinned, key_event,
			version, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			u.ArticleID, seq, u.Headline, u.Body, html, markup.ArticlesVersion, u.Pinned, u.KeyEvent, nullID(u.CreatedBy), now.Unix()).Scan(&u.ID)
		if err != nil {
			return nil, err
		}
		u.Seq = seq
		if err := writeUpdateRest(ctx, tx, u); err != nil {
			return nil, err
		}
		keys := liveKeys(u.ArticleID, u.ID)
		posted := *u
		posted.CreatedAt = now
		return keys, db.liveUpdatePosted(ctx, tx, &posted, keys, db.now())
	})
	if err != nil {
		return db.liveWriteError(u.ArticleID, err)
	}
	u.Version, u.BodyHTML, u.CreatedAt = 1, html, now.UTC().Truncate(time.Second)
	return nil
}

// writeUpdateRest writes an update's bylines and the media its body
// shows, in place of those it held.
func writeUpdateRest(ctx context.Context, tx *Tx, u *liveblog.Update) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM live_update_authors WHERE update_id = ?`, u.ID); err != nil {
		return err
	}
	for i, au := range u.Authors {
		if _, err := tx.ExecContext(ctx, `INSERT INTO live_update_authors (update_id, author_id, position) VALUES (?, ?, ?)`, u.ID, au.ID, i); err != nil {
			return err
		}
	}
	return writeMedia(ctx, tx, updateMedia, u.ID, u.Body)
}

// EditLiveUpdate saves u over the version it names, keeping that version
// as a revision.
func (db *DB) EditLiveUpdate(ctx context.Context, u *liveblog.Update) error {
	if err := u.Validate(); err != nil {
		return err
	}
	html, err := db.articleHTML(ctx, u.Body)
	if err != nil {
		return err
	}
	now := db.now()
	err = db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		seq, err := nextLiveSeq(ctx, tx, u.ArticleID)
		if err != nil {
			return nil, err
		}
		if err := keepRevision(ctx, tx, u); err != nil {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, `UPDATE live_updates SET seq = ?, headline = ?, body = ?, body_html = ?, html_of = ?, pinned = ?, key_event = ?,
			version = version + 1, edited_by = ?, edited_at = ? WHERE id = ?`,
			seq, u.Headline, u.Body, html, markup.ArticlesVersion, u.Pinned, u.KeyEvent, nullID(u.EditorID), now.Unix(), u.ID)
		if err != nil {
			return nil, err
		}
		u.Seq = seq
		return liveKeys(u.ArticleID, u.ID), writeUpdateRest(ctx, tx, u)
	})
	if errors.Is(err, errStaleUpdate) {
		current, cerr := db.LiveUpdate(ctx, u.ID)
		if cerr != nil {
			return cerr
		}
		return &liveblog.ConflictError{Current: current, Sent: u.Version}
	}
	if err != nil {
		return db.liveWriteError(u.ArticleID, err)
	}
	u.Version++
	u.BodyHTML, u.EditedAt = html, now.UTC().Truncate(time.Second)
	return nil
}

// keepRevision checks that update u, as stored, is the version u names,
// and keeps it as a revision. The live blog's row is locked (nextLiveSeq),
// so the version read is the one the edit replaces.
func keepRevision(ctx context.Context, tx *Tx, u *liveblog.Update) error {
	var version int
	var deleted sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT version, deleted_at FROM live_updates WHERE id = ? AND article_id = ?`, u.ID, u.ArticleID).Scan(&version, &deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows) || (err == nil && deleted.Valid):
		return liveblog.ErrNotFound
	case err != nil:
		return err
	case version != u.Version:
		return errStaleUpdate
	}
	var ids []string
	err = each(ctx, tx, `SELECT author_id FROM live_update_authors WHERE update_id = ? ORDER BY position`, []any{u.ID}, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		ids = append(ids, strconv.FormatInt(id, 10))
		return err
	})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO live_update_revisions (update_id, version, user_id, saved_at, headline, body, pinned, key_event, author_ids)
		SELECT id, version, COALESCE(edited_by, created_by), COALESCE(edited_at, created_at), headline, body, pinned, key_event, ?
		FROM live_updates WHERE id = ?`, strings.Join(ids, " "), u.ID)
	return err
}

// DeleteLiveUpdate deletes an update's text, bylines, revisions and
// media, and marks its row deleted.
func (db *DB) DeleteLiveUpdate(ctx context.Context, articleID, id, userID int64) error {
	now := db.now()
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		seq, err := nextLiveSeq(ctx, tx, articleID)
		if err != nil {
			return nil, err
		}
		res, err := tx.ExecContext(ctx, `UPDATE live_updates SET seq = ?, headline = '', body = '', body_html = '', pinned = ?, key_event = ?,
			version = version + 1, edited_by = ?, edited_at = ?, deleted_at = ? WHERE id = ? AND article_id = ? AND deleted_at IS NULL`,
			seq, false, false, nullID(userID), now.Unix(), now.Unix(), id, articleID)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, liveblog.ErrNotFound
		}
		for _, table := range []string{"live_update_authors", "live_update_revisions", "live_update_images", "live_update_documents"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE update_id = ?`, id); err != nil {
				return nil, err
			}
		}
		return liveKeys(articleID, id), nil
	})
	if err != nil {
		return db.liveWriteError(articleID, err)
	}
	return nil
}

// liveWriteError says what a refused live write means.
func (db *DB) liveWriteError(articleID int64, err error) error {
	switch {
	case errors.Is(err, liveblog.ErrNotLive):
		return liveblog.ErrNotLive
	case db.eng.IsForeignKey(err):
		return &article.InvalidError{Problems: []string{"an author of the update does not exist"}, Fields: []string{"authors"}}
	}
	return db.errorf("live blog %d: %w", articleID, err)
}

// SetCoverage sets when a live blog's coverage opened and closed. Its
// pages, lists and readers' streams hear of it.
func (db *DB) SetCoverage(ctx context.Context, articleID int64, start, end time.Time) error {
	now := db.now()
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		res, err := tx.ExecContext(ctx, `UPDATE articles SET coverage_start = ?, coverage_end = ?, modified_at = ? WHERE id = ? AND live_blog`,
			unix(start), unix(end), now.Unix(), articleID)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, liveArticleError(ctx, tx, articleID)
		}
		a, err := db.articleRelations(ctx, tx, articleID)
		if err != nil {
			return nil, err
		}
		return append(a.Keys(), liveKeys(articleID, 0)...), nil
	})
	if err != nil {
		return db.liveWriteError(articleID, err)
	}
	return nil
}

// LiveUpdate returns update id, a deleted one too, with its bylines.
func (db *DB) LiveUpdate(ctx context.Context, id int64) (*liveblog.Update, error) {
	u, err := scanUpdate(db.read.QueryRowContext(ctx, `SELECT `+updateColumns+` FROM live_updates u WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("live update %d: %w", id, liveblog.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("live update %d: %w", id, err)
	}
	list := []liveblog.Update{u}
	if err := db.fillUpdateAuthors(ctx, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// LiveUpdates returns one page of a live blog's updates, in keyset order
// of their time and id, from q.From when it is set.
func (db *DB) LiveUpdates(ctx context.Context, q liveblog.Query) (liveblog.Page, error) {
	var page liveblog.Page
	where, args := "u.article_id = ? AND u.deleted_at IS NULL", []any{q.ArticleID}
	if !q.Pinned {
		where += " AND NOT u.pinned"
	}
	forward, back, order, reverse := "<=", ">", "DESC", "ASC"
	if q.Oldest {
		forward, back, order, reverse = ">=", "<", "ASC", "DESC"
	}
	limit := q.PageSize()
	from := where
	fromArgs := args
	var at int64
	if q.From != 0 {
		err := db.read.QueryRowContext(ctx, `SELECT created_at FROM live_updates WHERE id = ? AND article_id = ?`, q.From, q.ArticleID).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			return page, db.errorf("live update %d of article %d: %w", q.From, q.ArticleID, liveblog.ErrNotFound)
		}
		if err != nil {
			return page, db.errorf("live updates of %d: %w", q.ArticleID, err)
		}
		from += " AND (u.created_at, u.id) " + forward + " (?, ?)"
		fromArgs = append(slices.Clip(args), at, q.From)
	}
	list, err := db.updatesWhere(ctx, from+` ORDER BY u.created_at `+order+`, u.id `+order+` LIMIT ?`, append(fromArgs, limit+1))
	if err != nil {
		return page, err
	}
	if len(list) > limit {
		page.Next = list[limit].ID
		list = list[:limit]
	}
	if q.From != 0 {
		// The page before begins limit updates back, or is the first.
		before, err := db.updatesWhere(ctx, where+` AND (u.created_at, u.id) `+back+` (?, ?) ORDER BY u.created_at `+reverse+`, u.id `+reverse+` LIMIT ?`,
			append(slices.Clip(args), at, q.From, limit+1))
		if err != nil {
			return page, err
		}
		page.HasPrev = len(before) > 0
		if len(before) > limit {
			page.Prev = before[limit-1].ID
		}
	}
	if err := db.fillUpdateAuthors(ctx, list); err != nil {
		return page, err
	}
	page.Updates = list
	return page, nil
}

// maxHighlights bounds the pinned updates and key events a page shows.
const maxHighlights = 100

// LiveHighlights returns a live blog's pinned updates and its key events,
// each newest first.
func (db *DB) LiveHighlights(ctx context.Context, articleID int64) (liveblog.Highlights, error) {
	var h liveblog.Highlights
	list, err := db.updatesWhere(ctx, `u.article_id = ? AND u.deleted_at IS NULL AND (u.pinned OR u.key_event)
		ORDER BY u.created_at DESC, u.id DESC LIMIT ?`, []any{articleID, 2 * maxHighlights})
	if err != nil {
		return h, err
	}
	if err := db.fillUpdateAuthors(ctx, list); err != nil {
		return h, err
	}
	for _, u := range list {
		if u.Pinned && len(h.Pinned) < maxHighlights {
			h.Pinned = append(h.Pinned, u)
		}
		if u.KeyEvent && len(h.KeyEvents) < maxHighlights {
			h.KeyEvents = append(h.KeyEvents, u)
		}
	}
	return h, nil
}

// LiveChanges returns the updates of a live blog changed after seq, in
// the order of their changes.
func (db *DB) LiveChanges(ctx context.Context, articleID, seq int64, limit int) ([]liveblog.Update, error) {
	list, err := db.updatesWhere(ctx, `u.article_id = ? AND u.seq > ? ORDER BY u.seq LIMIT ?`, []any{articleID, seq, limit})
	if err != nil {
		return nil, err
	}
	if err := db.fillUpdateAuthors(ctx, list); err != nil {
		return nil, err
	}
	return list, nil
}

// LiveRevisions returns an update's earlier versions, newest first.
func (db *DB) LiveRevisions(ctx context.Context, id int64) ([]liveblog.Revision, error) {
	var rs []liveblog.Revision
	err := each(ctx, db.read, `SELECT update_id, version, COALESCE(user_id, 0), saved_at, headline, body, pinned, key_event, author_ids
		FROM live_update_revisions WHERE update_id = ? ORDER BY version DESC`, []any{id}, func(rows *sql.Rows) error {
		var r liveblog.Revision
		var saved int64
		var authors string
		if err := rows.Scan(&r.UpdateID, &r.Version, &r.UserID, &saved, &r.Headline, &r.Body, &r.Pinned, &r.KeyEvent, &authors); err != nil {
			return err
		}
		r.SavedAt = time.Unix(saved, 0).UTC()
		for _, f := range strings.Fields(authors) {
			if id, err := strconv.ParseInt(f, 10, 64); err == nil {
				r.AuthorIDs = append(r.AuthorIDs, id)
			}
		}
		rs = append(rs, r)
		return nil
	})
	if err != nil {
		return nil, db.errorf("revisions of live update %d: %w", id, err)
	}
	return rs, nil
}

// updatesWhere lists the updates a condition (and its ORDER BY and LIMIT)
// selects, without their bylines.
func (db *DB) updatesWhere(ctx context.Context, where string, args []any) ([]liveblog.Update, error) {
	var list []liveblog.Update
	err := each(ctx, db.read, `SELECT `+updateColumns+` FROM live_updates u WHERE `+where, args, func(rows *sql.Rows) error {
		u, err := scanUpdate(rows)
		list = append(list, u)
		return err
	})
	if err != nil {
		return nil, db.errorf("live updates: %w", err)
	}
	return list, nil
}

// fillUpdateAuthors loads the bylines of every update of list in one query.
func (db *DB) fillUpdateAuthors(ctx context.Context, list []liveblog.Update) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*liveblog.Update, len(list))
	ids := make([]any, 0, len(list))
	for i := range list {
		byID[list[i].ID] = &list[i]
		ids = append(ids, list[i].ID)
	}
	err := each(ctx, db.read, `SELECT ua.update_id, au.id, au.slug, au.name, au.role, au.bio
		FROM live_update_authors ua JOIN authors au ON au.id = ua.author_id
		WHERE ua.update_id IN (`+placeholders(len(ids))+`) ORDER BY ua.update_id, ua.position`, ids, func(rows *sql.Rows) error {
		var owner int64
		var au article.Author
		if err := rows.Scan(&owner, &au.ID, &au.Slug, &au.Name, &au.Role, &au.Bio); err != nil {
			return err
		}
		byID[owner].Authors = append(byID[owner].Authors, au)
		return nil
	})
	if err != nil {
		return db.errorf("live update bylines: %w", err)
	}
	return nil
}
