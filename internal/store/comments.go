package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/mail"
	"broadsheet/internal/markup"
	"broadsheet/internal/webhook"
)

var _ comment.Store = (*DB)(nil)

const commentColumns = `id, article_id, COALESCE(parent_id, 0), depth, reply_to_name, name, email, body, status, pinned,
	COALESCE(user_id, 0), notify, ip_hash, idem_key, edit_hash, reports, held_reason, created_at, edited_at, html, html_of, url`

func scanComment(sc interface{ Scan(...any) error }, extra ...any) (*comment.Comment, error) {
	var c comment.Comment
	var created int64
	var edited sql.NullInt64
	var html string
	var htmlOf int
	err := sc.Scan(append([]any{&c.ID, &c.ArticleID, &c.ParentID, &c.Depth, &c.ReplyToName, &c.Name, &c.Email, &c.Body, &c.Status, &c.Pinned,
		&c.UserID, &c.Notify, &c.IPHash, &c.Key, &c.EditHash, &c.Reports, &c.HeldReason, &created, &edited, &html, &htmlOf, &c.URL}, extra...)...)
	if err != nil {
		return nil, err
	}
	c.CreatedAt, c.EditedAt = time.Unix(created, 0).UTC(), fromUnix(edited)
	if htmlOf == markup.CommentsVersion {
		c.HTML = html
	}
	return &c, nil
}

// commentHTML renders a comment's text as it is stored with it.
func (db *DB) commentHTML(ctx context.Context, body string) (string, error) {
	html, err := db.comments.Render(ctx, body)
	if err != nil {
		return "", db.errorf("comment text: %w", err)
	}
	return html, nil
}

// CreateComment stores c in its thread and spends its anti-bot check, if
// it carries one, in the same write: a comment refused leaves its check
// unspent. The keys touched are the article's, so a page showing it is
// rebuilt once the comment is public.
//
// Each statement is a round trip to a database server, so a comment makes
// few: the comment it replies to is read before the write; the row is
// written with its thread position in one statement, which spends the
// check too where the engine allows (Dialect.WriteWith); and a held
// comment, which changes nothing public, needs no transaction around its
// one statement.
func (db *DB) CreateComment(ctx context.Context, c *comment.Comment) error {
	if !c.Status.Valid() {
		return db.errorf("comment status %q", c.Status)
	}
	now := db.now()
	c.CreatedAt = now.UTC().Truncate(time.Second)
	var err error
	if c.HTML, err = db.commentHTML(ctx, c.Body); err != nil {
		return err
	}
	root, under, err := db.threadPlace(ctx, c)
	if err != nil {
		return err
	}
	// Written only while the same submission is not stored — sent again (a
	// double click, a retry after a lost answer), it finds the first, and
	// nothing is written, nothing spent — and while the comment it replies
	// to is still shown.
	ready, readyArgs := `NOT EXISTS (SELECT 1 FROM comments WHERE article_id = ? AND idem_key = ?)`, []any{c.ArticleID, c.Key}
	if c.ParentID != 0 {
		ready += ` AND EXISTS (SELECT 1 FROM comments WHERE id = ? AND status NOT IN ('trash', 'spam'))`
		readyArgs = append(readyArgs, c.ParentID)
	}
	// The id is drawn first, so that the row's thread position is written
	// with it: the ids from the top of its thread down to its own, each
	// zero-padded to twelve digits, sort depth-first.
	insert := `INSERT INTO comments (id, article_id, parent_id, root_id, path, depth, reply_to_name, name, email, email_key, body, html, html_of, status, pinned,
			user_id, notify, ip_hash, idem_key, edit_hash, held_reason, created_at)
		SELECT n.id, ?, ?, COALESCE(?, n.id), CAST(? AS TEXT) || '/' || substr('000000000000' || n.id, length(CAST(n.id AS TEXT)) + 1),
			?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		FROM (SELECT ` + db.dialect.NextID("comments") + ` AS id) n WHERE ` + ready
	args := append([]any{c.ArticleID, nullID(c.ParentID), nullID(root), under, c.Depth, c.ReplyToName, c.Name, c.Email, mail.AddressKey(c.Email),
		c.Body, c.HTML, markup.CommentsVersion, c.Status, c.Pinned,
		nullID(c.UserID), c.Notify, c.IPHash, c.Key, c.EditHash, c.HeldReason, now.Unix()}, readyArgs...)
	var spend string
	var spendArgs []any
	if c.Check.ID != "" {
		spend = `INSERT INTO used_challenges (id, expires_at) SELECT ?, ? WHERE ` + ready + ` ON CONFLICT (id) DO NOTHING RETURNING id`
		spendArgs = append([]any{c.Check.ID, c.Check.Expires.Unix()}, readyArgs...)
		if db.dialect.WriteWith {
			insert = `WITH spent AS (` + spend + `) ` + insert + ` AND EXISTS (SELECT 1 FROM spent)`
			args = append(spendArgs, args...)
			spend = ""
		}
	}
	insert += ` ON CONFLICT (article_id, idem_key) DO NOTHING RETURNING id`
	// write reports whether it stored the comment.
	write := func(ctx context.Context, q Querier) (bool, error) {
		if spend != "" {
			var id string
			if err := q.QueryRowContext(ctx, spend, spendArgs...).Scan(&id); errors.Is(err, sql.ErrNoRows) {
				return false, nil // spent already: nothing is written
			} else if err != nil {
				return false, err
			}
		}
		err := q.QueryRowContext(ctx, insert, args...).Scan(&c.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	// A comment someone's webhook awaits is written with its event, in a
	// transaction.
	hooked, err := db.wants(ctx, db.read, webhook.CommentCreated)
	var stored bool
	if _, gathers := db.eng.(Batcher); c.Status != comment.Approved && spend == "" && !gathers && !hooked && err == nil {
		// Held, the comment changes nothing public: its one statement
		// commits on its own.
		stored, err = write(ctx, db.write)
	} else {
		// Readers post at once under a busy story: where the engine has
		// one writer, comments share commits.
		err = db.batch(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
			var err error
			if stored, err = write(ctx, tx); err != nil || !stored {
				return nil, err
			}
			if err := db.commentEvents(ctx, tx, c, now); err != nil {
				return nil, err
			}
			if c.Status != comment.Approved {
				return nil, nil // a held comment changes nothing public
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO fanouts (kind, object_id, not_before) VALUES ('comment', ?, ?)
				ON CONFLICT (kind, object_id) DO NOTHING`, c.ID, now.Unix()); err != nil {
				return nil, err
			}
			return []string{article.KeyArticle(c.ArticleID), article.KeyComments(c.ArticleID)}, nil
		})
	}
	switch {
	case err == nil && stored:
		return nil
	case err == nil, db.eng.IsUnique(err):
		return db.notStored(ctx, c, err)
	case db.eng.IsForeignKey(err):
		return db.errorf("comment on article %d: %w", c.ArticleID, article.ErrNotFound)
	default:
		return db.errorf("create comment: %w", err)
	}
}

// threadPlace places c under the comment it replies to, if any: its depth
// and the name it replies to, and the root and path of its thread above it
// (0 and "" at the top). A parent that is gone, on another article or not
// shown is a field error.
func (db *DB) threadPlace(ctx context.Context, c *comment.Comment) (root int64, under string, err error) {
	c.Depth, c.ReplyToName = 0, ""
	if c.ParentID == 0 {
		return 0, "", nil
	}
	var p struct {
		article int64
		depth   int
		path    string
		root    int64
		name    string
		status  comment.Status
	}
	err = db.read.QueryRowContext(ctx, `SELECT article_id, depth, path, root_id, name, status FROM comments WHERE id = ?`, c.ParentID).
		Scan(&p.article, &p.depth, &p.path, &p.root, &p.name, &p.status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (p.article != c.ArticleID || p.status == comment.Trash || p.status == comment.Spam)) {
		return 0, "", comment.FieldErrors{"parent": "The comment you replied to is no longer available."}
	} else if err != nil {
		return 0, "", db.errorf("comment %d: %w", c.ParentID, err)
	}
	var beside bool
	c.Depth, c.ReplyToName, beside = comment.ReplyPlace(p.depth, p.name)
	under = p.path
	if beside { // after the parent, under the parent's own parent
		under = p.path[:strings.LastIndexByte(p.path, '/')]
	}
	return p.root, under, nil
}

// notStored says why the write of c stored nothing (cause, when it
// failed): the same submission is stored already, perhaps by another
// writer meanwhile; the comment it replies to went; or its check was
// spent.
func (db *DB) notStored(ctx context.Context, c *comment.Comment, cause error) error {
	existing, err := scanComment(db.read.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM comments WHERE article_id = ? AND idem_key = ?`, c.ArticleID, c.Key))
	switch {
	case err == nil:
		return &comment.DuplicateError{Existing: existing}
	case !errors.Is(err, sql.ErrNoRows):
		return db.errorf("create comment: %w", err)
	case cause != nil:
		return db.errorf("create comment: %w", cause)
	}
	if _, _, err := db.threadPlace(ctx, c); err != nil {
		return err
	}
	if c.Check.ID != "" {
		return comment.ErrCheckSpent
	}
	return db.errorf("create comment %q: nothing written", c.Key)
}

// CommentByID returns one comment.
func (db *DB) CommentByID(ctx context.Context, id int64) (*comment.Comment, error) {
	c, err := scanComment(db.read.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM comments WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("comment %d: %w", id, comment.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("comment %d: %w", id, err)
	}
	return c, nil
}

// Thread returns one page of an article's discussion: top-level comments
// in the chosen order (pinned first on the first page), each followed by
// its replies depth-first.
func (db *DB) Thread(ctx context.Context, q comment.Query) ([]comment.Comment, error) {
	limit := q.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	// Unindexed status: an index on status would walk every approved
	// comment of the site; the thread's own indexes find these.
	status := db.dialect.Unindexed("status")
	visible := status + " = 'approved'"
	args := []any{q.ArticleID}
	if len(q.OwnEditHashes) > 0 {
		visible = "(" + status + " = 'approved' OR (" + status + " = 'pending' AND edit_hash IN (" + placeholders(len(q.OwnEditHashes)) + ")))"
		for _, h := range q.OwnEditHashes {
			args = append(args, h)
		}
	}
	order, cmp := "ASC", ">"
	if q.Newest {
		order, cmp = "DESC", "<"
	}
	where := "article_id = ? AND depth = 0 AND " + visible
	pinned := ""
	if q.AfterID == 0 {
		pinned = "pinned DESC, "
	} else {
		where += " AND NOT pinned AND (created_at, id) " + cmp + " (SELECT created_at, id FROM comments WHERE id = ?)"
		args = append(args, q.AfterID)
	}
	// One query: the page of top-level comments, numbered in their order,
	// and the replies under them in thread order.
	args = append(args, limit)
	args = append(args, args[1:1+len(q.OwnEditHashes)]...)
	var out []comment.Comment
	err := each(ctx, db.read, `WITH page AS (
			SELECT id AS top, ROW_NUMBER() OVER (ORDER BY `+pinned+`created_at `+order+`, id `+order+`) AS n
			FROM comments WHERE `+where+` ORDER BY `+pinned+`created_at `+order+`, id `+order+` LIMIT ?)
		SELECT `+commentColumns+`, n, path FROM comments JOIN page ON id = top
		UNION ALL
		SELECT `+commentColumns+`, n, path FROM comments JOIN page ON root_id = top WHERE depth > 0 AND `+visible+`
		ORDER BY n, path`, args, func(rows *sql.Rows) error {
		var n int64
		var path string
		c, err := scanComment(rows, &n, &path)
		if err == nil {
			out = append(out, *c)
		}
		return err
	})
	if err != nil {
		return nil, db.errorf("thread of %d: %w", q.ArticleID, err)
	}
	return out, nil
}

// ApprovedCount counts public comments per article.
func (db *DB) ApprovedCount(ctx context.Context, articleIDs []int64) (map[int64]int, error) {
	counts := map[int64]int{}
	if len(articleIDs) == 0 {
		return counts, nil
	}
	args := anys(articleIDs)
	err := each(ctx, db.read, `SELECT article_id, count(*) FROM comments WHERE `+db.dialect.Unindexed("status")+` = 'approved' AND article_id IN (`+placeholders(len(args))+`) GROUP BY article_id`, args,
		func(rows *sql.Rows) error {
			var id int64
			var n int
			err := rows.Scan(&id, &n)
			counts[id] = n
			return err
		})
	if err != nil {
		return nil, db.errorf("comment counts: %w", err)
	}
	return counts, nil
}

// Returning reports whether the holder of a commenter token has an
// approved comment sent with email.
func (db *DB) Returning(ctx context.Context, email, editHash string) (bool, error) {
	if email == "" || editHash == "" {
		return false, nil
	}
	var one int
	err := db.read.QueryRowContext(ctx, `SELECT 1 FROM comments WHERE email_key = ? AND status = 'approved' AND edit_hash = ? LIMIT 1`,
		mail.AddressKey(email), editHash).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, db.errorf("approved commenter: %w", err)
	}
	return true, nil
}

// ModerationQueue lists comments with status, newest first.
func (db *DB) ModerationQueue(ctx context.Context, status comment.Status, beforeID int64, limit int) ([]comment.Queued, error) {
	return db.Comments(ctx, comment.QueueQuery{Status: status, BeforeID: beforeID, Limit: limit})
}

// Comments lists the comments q selects for moderators, newest first, with
// the headline and address of their article.
func (db *DB) Comments(ctx context.Context, q comment.QueueQuery) ([]comment.Queued, error) {
	if q.BeforeID == 0 {
		q.BeforeID = 1<<63 - 1
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	where, args := []string{"c.id < ?"}, []any{q.BeforeID}
	if q.Status != "" {
		where, args = append(where, "c.status = ?"), append(args, q.Status)
	}
	if q.ArticleID != 0 {
		where, args = append(where, "c.article_id = ?"), append(args, q.ArticleID)
	}
	var qs []comment.Queued
	err := each(ctx, db.read, `SELECT c.id, c.article_id, COALESCE(c.parent_id, 0), c.depth, c.reply_to_name, c.name, c.email, c.body, c.status, c.pinned,
		COALESCE(c.user_id, 0), c.notify, c.ip_hash, c.idem_key, c.edit_hash, c.reports, c.held_reason, c.created_at, c.edited_at, c.url,
		a.headline, CASE WHEN s.edition = '' THEN '' ELSE '/' || s.edition END || '/' || s.slug || '/' || a.slug
		FROM comments c JOIN articles a ON a.id = c.article_id JOIN sections s ON s.id = a.section_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY c.id DESC LIMIT ?`, append(args, q.Limit), func(rows *sql.Rows) error {
		var q comment.Queued
		var created int64
		var edited sql.NullInt64
		c := &q.Comment
		err := rows.Scan(&c.ID, &c.ArticleID, &c.ParentID, &c.Depth, &c.ReplyToName, &c.Name, &c.Email, &c.Body, &c.Status, &c.Pinned,
			&c.UserID, &c.Notify, &c.IPHash, &c.Key, &c.EditHash, &c.Reports, &c.HeldReason, &created, &edited, &c.URL, &q.ArticleHeadline, &q.ArticlePath)
		c.CreatedAt, c.EditedAt = time.Unix(created, 0).UTC(), fromUnix(edited)
		qs = append(qs, q)
		return err
	})
	if err != nil {
		return nil, db.errorf("moderation queue: %w", err)
	}
	return qs, nil
}

// SetCommentStatus moves comments to status; the pages of their articles
// are rebuilt.
// StopReplies turns off reply notifications for a comment: the one-click
// unsubscribe of a reply notification.
func (db *DB) StopReplies(ctx context.Context, id int64) error {
	if _, err := db.exec(ctx, `UPDATE comments SET notify = FALSE WHERE id = ?`, id); err != nil {
		return db.errorf("stop replies to %d: %w", id, err)
	}
	return nil
}

func (db *DB) SetCommentStatus(ctx context.Context, ids []int64, status comment.Status) error {
	if !status.Valid() {
		return db.errorf("comment status %q", status)
	}
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, status)
	for _, id := range ids {
		args = append(args, id)
	}
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		// Which comments become public, for the webhooks that await them.
		var approved []int64
		if hooked, err := db.wants(ctx, tx, webhook.CommentApproved); err != nil {
			return nil, err
		} else if hooked && status == comment.Approved {
			err := each(ctx, tx, `SELECT id FROM comments WHERE id IN (`+placeholders(len(ids))+`) AND status != 'approved'`, args[1:], func(rows *sql.Rows) error {
				var id int64
				err := rows.Scan(&id)
				approved = append(approved, id)
				return err
			})
			if err != nil {
				return nil, err
			}
		}
		rows, err := tx.QueryContext(ctx, `UPDATE comments SET status = ? WHERE id IN (`+placeholders(len(ids))+`) RETURNING article_id`, args...)
		if err != nil {
			return nil, err
		}
		var keys []string
		for rows.Next() {
			var aid int64
			if err := rows.Scan(&aid); err != nil {
				rows.Close()
				return nil, err
			}
			keys = append(keys, article.KeyArticle(aid), article.KeyComments(aid))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if status == comment.Approved {
			// Newly public comments are mailed to who follows them, once.
			if _, err := tx.ExecContext(ctx, `INSERT INTO fanouts (kind, object_id, not_before)
				SELECT 'comment', id, CAST(? AS BIGINT) FROM comments WHERE id IN (`+placeholders(len(ids))+`)
				ON CONFLICT (kind, object_id) DO NOTHING`, append([]any{db.now().Unix()}, args[1:]...)...); err != nil {
				return nil, err
			}
		}
		return keys, db.commentsEvent(ctx, tx, []string{webhook.CommentApproved}, approved, db.now())
	})
	if err != nil {
		return db.errorf("set comment status: %w", err)
	}
	return nil
}

// SetCommentPinned pins or unpins one comment.
func (db *DB) SetCommentPinned(ctx context.Context, id int64, pinned bool) error {
	return db.changeComment(ctx, "pin", id, `UPDATE comments SET pinned = ? WHERE id = ? RETURNING article_id`, pinned, id)
}

// changeComment runs query, an UPDATE of comment id RETURNING its
// article_id, and rebuilds that article's pages.
func (db *DB) changeComment(ctx context.Context, what string, id int64, query string, args ...any) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		var aid int64
		err := tx.QueryRowContext(ctx, query, args...).Scan(&aid)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, comment.ErrNotFound
		}
		if err != nil {
			return nil, err
		}
		return []string{article.KeyArticle(aid), article.KeyComments(aid)}, nil
	})
	if err != nil {
		return db.errorf("%s comment %d: %w", what, id, err)
	}
	return nil
}

// ownComment runs change on comment id if it belongs to editHash and is
// still within its edit window.
func (db *DB) ownComment(ctx context.Context, id int64, editHash string, now time.Time, change string, args ...any) error {
	if editHash == "" {
		return comment.ErrNotFound
	}
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		var aid int64
		var status comment.Status
		err := tx.QueryRowContext(ctx, `SELECT article_id, status FROM comments WHERE id = ? AND edit_hash = ? AND created_at > ? AND status IN ('pending', 'approved')`,
			id, editHash, now.Add(-comment.EditWindow).Unix()).Scan(&aid, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, comment.ErrNotFound
		}
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, change, append(args, id)...); err != nil {
			return nil, err
		}
		if status != comment.Approved {
			return nil, nil
		}
		return []string{article.KeyArticle(aid), article.KeyComments(aid)}, nil
	})
	if err != nil {
		return db.errorf("own comment %d: %w", id, err)
	}
	return nil
}

// EditOwnComment replaces the text of the author's recent comment, and
// holds it for a moderator when hold says why.
func (db *DB) EditOwnComment(ctx context.Context, id int64, editHash, body, hold string, now time.Time) error {
	html, err := db.commentHTML(ctx, body)
	if err != nil {
		return err
	}
	if hold != "" {
		return db.ownComment(ctx, id, editHash, now, `UPDATE comments SET body = ?, html = ?, html_of = ?, edited_at = ?, status = 'pending', held_reason = ? WHERE id = ?`,
			body, html, markup.CommentsVersion, now.Unix(), hold)
	}
	return db.ownComment(ctx, id, editHash, now, `UPDATE comments SET body = ?, html = ?, html_of = ?, edited_at = ? WHERE id = ?`,
		body, html, markup.CommentsVersion, now.Unix())
}

// DeleteOwnComment moves the author's recent comment to the trash.
func (db *DB) DeleteOwnComment(ctx context.Context, id int64, editHash string, now time.Time) error {
	return db.ownComment(ctx, id, editHash, now, `UPDATE comments SET status = 'trash' WHERE id = ?`)
}

// ReportComment counts a report and sends a much-reported comment back to
// moderation.
func (db *DB) ReportComment(ctx context.Context, id int64) (int, error) {
	var n int
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		var aid int64
		var status comment.Status
		err := tx.QueryRowContext(ctx, `UPDATE comments SET reports = reports + 1 WHERE id = ? AND status = 'approved' RETURNING reports, article_id, status`, id).
			Scan(&n, &aid, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, comment.ErrNotFound
		}
		if err != nil {
			return nil, err
		}
		if n < comment.ReportThreshold {
			return nil, nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET status = 'pending', held_reason = ? WHERE id = ?`, comment.HeldReported, id); err != nil {
			return nil, err
		}
		return []string{article.KeyArticle(aid), article.KeyComments(aid)}, nil
	})
	if err != nil {
		return 0, db.errorf("report comment %d: %w", id, err)
	}
	return n, nil
}

// ForgetAddresses clears network hashes older than before.
func (db *DB) ForgetAddresses(ctx context.Context, before time.Time) (int, error) {
	res, err := db.exec(ctx, `UPDATE comments SET ip_hash = '' WHERE ip_hash <> '' AND created_at < ?`, before.Unix())
	if err != nil {
		return 0, db.errorf("forget addresses: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// CommentsByEmail lists an address's comments, oldest first.
func (db *DB) CommentsByEmail(ctx context.Context, email string) ([]comment.Comment, error) {
	var cs []comment.Comment
	if email == "" {
		return nil, nil
	}
	err := each(ctx, db.read, `SELECT `+commentColumns+` FROM comments WHERE email_key = ? ORDER BY id`, []any{mail.AddressKey(email)}, func(rows *sql.Rows) error {
		c, err := scanComment(rows)
		if err == nil {
			cs = append(cs, *c)
		}
		return err
	})
	if err != nil {
		return nil, db.errorf("comments by email: %w", err)
	}
	return cs, nil
}

// EraseCommenter deletes every comment of an address. Others' replies to
// them are kept for moderators but leave the public thread with them.
func (db *DB) EraseCommenter(ctx context.Context, email string) (int, error) {
	if email == "" {
		return 0, nil
	}
	var n int
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		rows, err := tx.QueryContext(ctx, `DELETE FROM comments WHERE email_key = ? RETURNING article_id`, mail.AddressKey(email))
		if err != nil {
			return nil, err
		}
		var keys []string
		for rows.Next() {
			var aid int64
			if err := rows.Scan(&aid); err != nil {
				rows.Close()
				return nil, err
			}
			n++
			keys = append(keys, article.KeyArticle(aid), article.KeyComments(aid))
		}
		rows.Close()
		return keys, rows.Err()
	})
	if err != nil {
		return 0, db.errorf("erase commenter: %w", err)
	}
	return n, nil
}

// Blocklist returns the comment blocklist, one entry a line.
func (db *DB) Blocklist(ctx context.Context) ([]string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'comment_blocklist'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.errorf("blocklist: %w", err)
	}
	return strings.Fields(v), nil
}

// SetBlocklist stores the comment blocklist.
func (db *DB) SetBlocklist(ctx context.Context, entries []string) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		// Logged, so that every instance's comment rules hear of it.
		return []string{comment.KeyRules}, setSettings(ctx, tx, map[string]string{"comment_blocklist": strings.Join(entries, "\n")})
	})
	if err != nil {
		return db.errorf("blocklist: %w", err)
	}
	return nil
}

// EditComment replaces a comment's text for a moderator.
func (db *DB) EditComment(ctx context.Context, id int64, body string, now time.Time) error {
	html, err := db.commentHTML(ctx, body)
	if err != nil {
		return err
	}
	return db.changeComment(ctx, "edit", id, `UPDATE comments SET body = ?, html = ?, html_of = ?, edited_at = ? WHERE id = ? RETURNING article_id`,
		body, html, markup.CommentsVersion, now.Unix(), id)
}
