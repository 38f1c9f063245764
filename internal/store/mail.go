package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strconv"
	"time"

	"broadsheet/internal/mail"
)

var _ mail.Outbox = (*DB)(nil)

const outboxColumns = `id, key, recipient, kind, object_id, data, status, attempts, next_at, last_error, created_at, sent_at`

func scanMessage(sc interface{ Scan(...any) error }) (mail.Message, error) {
	var m mail.Message
	var next, created int64
	var sent sql.NullInt64
	err := sc.Scan(&m.ID, &m.Key, &m.To, &m.Kind, &m.ObjectID, &m.Data, &m.Status, &m.Attempts, &next, &m.LastError, &created, &sent)
	m.NextAt, m.CreatedAt, m.SentAt = time.Unix(next, 0).UTC(), time.Unix(created, 0).UTC(), fromUnix(sent)
	return m, err
}

// enqueue queues msgs inside tx; a key already in the outbox is skipped.
func enqueue(ctx context.Context, tx *Tx, now time.Time, msgs ...mail.Message) error {
	for _, m := range msgs {
		next := m.NextAt
		if next.IsZero() {
			next = now
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (key, recipient, recipient_key, kind, object_id, data, next_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			m.Key, m.To, mail.AddressKey(m.To), m.Kind, m.ObjectID, m.Data, next.Unix(), now.Unix()); err != nil {
			return err
		}
	}
	return nil
}

// Enqueue queues messages on their own.
func (db *DB) Enqueue(ctx context.Context, msgs ...mail.Message) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		return nil, enqueue(ctx, tx, db.now(), msgs...)
	})
	if err != nil {
		return db.errorf("enqueue: %w", err)
	}
	return nil
}

// Claim leases due messages, oldest first. Where writers run side by side,
// SKIP LOCKED passes over rows another instance is claiming this instant,
// so no message is claimed twice and no instance waits for another.
func (db *DB) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]mail.Message, error) {
	var out []mail.Message
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		out = out[:0]
		return nil, each(ctx, tx, `UPDATE outbox SET lease_until = ?
			WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_at <= ? AND lease_until <= ?
				ORDER BY next_at, id LIMIT ?`+db.dialect.SkipLocked+`)
			RETURNING `+outboxColumns,
			[]any{now.Add(lease).Unix(), now.Unix(), now.Unix(), limit}, func(rows *sql.Rows) error {
				m, err := scanMessage(rows)
				out = append(out, m)
				return err
			})
	})
	if err != nil {
		return nil, db.errorf("claim mail: %w", err)
	}
	// RETURNING keeps no order.
	slices.SortFunc(out, func(a, b mail.Message) int {
		if c := a.NextAt.Compare(b.NextAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// MarkSent records a message as sent and runs then the moment the record
// is durable. Messages being sent at once share a commit.
func (db *DB) MarkSent(ctx context.Context, id int64, at time.Time, then func()) error {
	err := db.run(ctx, true, func(ctx context.Context, tx *Tx) ([]string, error) {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, lease_until = 0 WHERE id = ?`, at.Unix(), id)
		return nil, err
	}, then)
	if err != nil {
		return db.errorf("mark mail %d sent: %w", id, err)
	}
	return nil
}

// Requeue records a failed attempt.
func (db *DB) Requeue(ctx context.Context, id int64, attempts int, next time.Time, lastErr string, dead bool) error {
	status := mail.Queued
	if dead {
		status = mail.Failed
	}
	if len(lastErr) > 1000 {
		lastErr = lastErr[:1000]
	}
	if _, err := db.exec(ctx, `UPDATE outbox SET status = ?, attempts = ?, next_at = ?, last_error = ?, lease_until = 0, sent_at = NULL WHERE id = ?`,
		status, attempts, next.Unix(), lastErr, id); err != nil {
		return db.errorf("requeue mail %d: %w", id, err)
	}
	return nil
}

// Cancel marks a message that has nothing left to say.
func (db *DB) Cancel(ctx context.Context, id int64, why string) error {
	if _, err := db.exec(ctx, `UPDATE outbox SET status = 'cancelled', last_error = ?, lease_until = 0 WHERE id = ? AND status = 'queued'`, why, id); err != nil {
		return db.errorf("cancel mail %d: %w", id, err)
	}
	return nil
}

// ExpandFanouts queues up to batch messages of the oldest due fan-out that
// no other instance is expanding this instant (SKIP LOCKED).
// Each batch commits with the fan-out's cursor, so a restart resumes after
// the last committed subscriber; the outbox's unique key makes a repeated
// batch harmless anyway.
func (db *DB) ExpandFanouts(ctx context.Context, now time.Time, batch int) (bool, error) {
	more := false
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		var id, object, cursor int64
		var kind string
		err := tx.QueryRowContext(ctx, `SELECT id, kind, object_id, cursor FROM fanouts WHERE done_at IS NULL AND not_before <= ?
			ORDER BY not_before, id LIMIT 1`+db.dialect.SkipLocked,
			now.Unix()).Scan(&id, &kind, &object, &cursor)
		if err == sql.ErrNoRows {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		more = true
		done := func() ([]string, error) {
			_, err := tx.ExecContext(ctx, `UPDATE fanouts SET done_at = ? WHERE id = ?`, now.Unix(), id)
			return nil, err
		}
		switch kind {
		case string(mail.Comment):
			return db.expandComment(ctx, tx, id, object, cursor, batch, now, done)
		case string(mail.Digest):
			return db.expandDigest(ctx, tx, id, object, cursor, batch, now, done)
		}
		if kind != string(mail.Article) {
			return done() // a kind this version does not know
		}
		var status, edition string
		var section int64
		var published sql.NullInt64
		err = tx.QueryRowContext(ctx, `SELECT a.status, a.section_id, a.published_at, s.edition FROM articles a JOIN sections s ON s.id = a.section_id
			WHERE a.id = ?`, object).Scan(&status, &section, &published, &edition)
		if err == sql.ErrNoRows || status != "published" || !published.Valid || now.Sub(time.Unix(published.Int64, 0)) > mail.AnnounceWindow {
			return done()
		}
		if err != nil {
			return nil, err
		}
		// Subscribers to the site (its main edition's articles) or the
		// article's section, once each, in id order after the cursor.
		const match = `FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
			WHERE sub.status = 'active' AND sub.frequency = 'immediate'
			AND ((sub.scope_kind = 'site' AND ? = '') OR (sub.scope_kind = 'section' AND sub.scope_id = ?)) AND s.id > ?`
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM (SELECT s.id `+match+` GROUP BY s.id ORDER BY s.id LIMIT ?) AS page`,
			edition, section, cursor, batch).Scan(&last); err != nil {
			return nil, err
		}
		if !last.Valid {
			return done()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO outbox (key, recipient, recipient_key, kind, object_id, data, next_at, created_at)
			SELECT s.email_key || '|article|' || CAST(? AS TEXT), s.email, s.email_key, 'article', CAST(? AS BIGINT), string_agg(CAST(sub.id AS TEXT), ',' ORDER BY sub.id) || ' ' || s.id, CAST(? AS BIGINT), CAST(? AS BIGINT) `+match+` AND s.id <= ?
			GROUP BY s.id ORDER BY s.id
			ON CONFLICT (key) DO NOTHING`,
			strconv.FormatInt(object, 10), object, now.Unix(), now.Unix(), edition, section, cursor, last.Int64)
		if err != nil {
			return nil, err
		}
		n, _ := res.RowsAffected()
		_, err = tx.ExecContext(ctx, `UPDATE fanouts SET cursor = ?, queued = queued + ? WHERE id = ?`, last.Int64, n, id)
		return nil, err
	})
	if err != nil {
		return false, db.errorf("fan-out: %w", err)
	}
	return more, nil
}

// announce records that article id went live: its fan-out runs once,
// whatever happens to the article later.
func announce(ctx context.Context, tx *Tx, id int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO fanouts (kind, object_id, not_before) VALUES ('article', ?, ?) ON CONFLICT (kind, object_id) DO NOTHING`,
		id, at.Unix())
	return err
}

// OutboxCounts counts messages by status.
func (db *DB) OutboxCounts(ctx context.Context) (map[mail.Status]int, error) {
	counts := map[mail.Status]int{}
	err := each(ctx, db.read, `SELECT status, count(*) FROM outbox GROUP BY status`, nil, func(rows *sql.Rows) error {
		var s mail.Status
		var n int
		err := rows.Scan(&s, &n)
		counts[s] = n
		return err
	})
	if err != nil {
		return nil, db.errorf("outbox counts: %w", err)
	}
	return counts, nil
}

// expandComment queues the mail a newly public comment causes: a reply
// notification to the author of the comment it answers, if they asked,
// and a message to everyone following the discussion, never to the
// comment's own author.
func (db *DB) expandComment(ctx context.Context, tx *Tx, id, commentID, cursor int64, batch int, now time.Time, done func() ([]string, error)) ([]string, error) {
	var articleID int64
	var key, status string
	var parentEmail, parentKey sql.NullString
	var parentNotify sql.NullBool
	var parentID sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT c.article_id, c.email_key, c.status, p.id, p.email, p.email_key, p.notify
		FROM comments c LEFT JOIN comments p ON p.id = c.parent_id AND p.status = 'approved' WHERE c.id = ?`, commentID).
		Scan(&articleID, &key, &status, &parentID, &parentEmail, &parentKey, &parentNotify)
	if err == sql.ErrNoRows || (err == nil && status != "approved") {
		return done()
	}
	if err != nil {
		return nil, err
	}
	object := strconv.FormatInt(commentID, 10)
	if cursor == 0 && parentNotify.Bool && parentEmail.String != "" && parentKey.String != key {
		if err := enqueue(ctx, tx, now, mail.Message{Key: mail.Key(parentEmail.String, mail.Reply, object), To: parentEmail.String,
			Kind: mail.Reply, ObjectID: commentID, Data: strconv.FormatInt(parentID.Int64, 10)}); err != nil {
			return nil, err
		}
	}
	const match = `FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
		WHERE sub.status = 'active' AND sub.scope_kind = 'article' AND sub.scope_id = ? AND s.id > ? AND s.email_key != ?`
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM (SELECT s.id `+match+` ORDER BY s.id LIMIT ?) AS page`, articleID, cursor, key, batch).Scan(&last); err != nil {
		return nil, err
	}
	if !last.Valid {
		return done()
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (key, recipient, recipient_key, kind, object_id, data, next_at, created_at)
		SELECT s.email_key || '|comment|' || CAST(? AS TEXT), s.email, s.email_key, 'comment', CAST(? AS BIGINT), sub.id || ' ' || s.id, CAST(? AS BIGINT), CAST(? AS BIGINT) `+match+` AND s.id <= ?
		ORDER BY s.id ON CONFLICT (key) DO NOTHING`,
		object, commentID, now.Unix(), now.Unix(), articleID, cursor, key, last.Int64)
	if err != nil {
		return nil, err
	}
	n, _ := res.RowsAffected()
	_, err = tx.ExecContext(ctx, `UPDATE fanouts SET cursor = ?, queued = queued + ? WHERE id = ?`, last.Int64, n, id)
	return nil, err
}

var _ mail.Admin = (*DB)(nil)

// OutboxList lists messages with one status, newest first.
func (db *DB) OutboxList(ctx context.Context, status mail.Status, beforeID int64, limit int) ([]mail.Message, error) {
	if beforeID <= 0 {
		beforeID = math.MaxInt64
	}
	var out []mail.Message
	err := each(ctx, db.read, `SELECT `+outboxColumns+` FROM outbox WHERE status = ? AND id < ? ORDER BY id DESC LIMIT ?`,
		[]any{status, beforeID, limit}, func(rows *sql.Rows) error {
			m, err := scanMessage(rows)
			out = append(out, m)
			return err
		})
	if err != nil {
		return nil, db.errorf("outbox: %w", err)
	}
	return out, nil
}

// OutboxMessage returns one message.
func (db *DB) OutboxMessage(ctx context.Context, id int64) (*mail.Message, error) {
	m, err := scanMessage(db.read.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("message %d: %w", id, mail.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("message %d: %w", id, err)
	}
	return &m, nil
}

// Retry queues failed or cancelled messages again.
func (db *DB) Retry(ctx context.Context, id int64, now time.Time) (int, error) {
	q, args := `UPDATE outbox SET status = 'queued', attempts = 0, next_at = ?, lease_until = 0 WHERE status = 'failed'`, []any{now.Unix()}
	if id != 0 {
		q, args = `UPDATE outbox SET status = 'queued', attempts = 0, next_at = ?, lease_until = 0 WHERE id = ? AND status IN ('failed', 'cancelled')`, []any{now.Unix(), id}
	}
	res, err := db.exec(ctx, q, args...)
	if err != nil {
		return 0, db.errorf("retry mail: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// QueueModerationNotice mails every editor and admin about the comments
// held since the last notice: one mail for all of them, at most once per
// every. It returns how many comments the notice names.
// noticeLock names the lock of the moderation notice ("bsntc").
const noticeLock = 0x62736e7463

func (db *DB) QueueModerationNotice(ctx context.Context, now time.Time, every time.Duration) (int, error) {
	count := 0
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		// One instance at a time reads and moves the notice's mark.
		if err := db.eng.Lock(ctx, tx, noticeLock); err != nil {
			return nil, err
		}
		var lastID, lastAt int64
		err := each(ctx, tx, `SELECT key, value FROM settings WHERE key IN ('moderation_notice_id', 'moderation_notice_at')`, nil, func(rows *sql.Rows) error {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			n, _ := strconv.ParseInt(v, 10, 64)
			if k == "moderation_notice_id" {
				lastID = n
			} else {
				lastAt = n
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if now.Sub(time.Unix(lastAt, 0)) < every {
			return nil, nil
		}
		var maxID sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT count(*), MAX(id) FROM comments WHERE status = 'pending' AND id > ?`, lastID).Scan(&count, &maxID); err != nil {
			return nil, err
		}
		if count == 0 {
			return nil, nil
		}
		var to []string
		err = each(ctx, tx, `SELECT email FROM users WHERE role IN ('editor', 'admin') AND NOT disabled ORDER BY id`, nil, func(rows *sql.Rows) error {
			var e string
			err := rows.Scan(&e)
			to = append(to, e)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, e := range to {
			if err := enqueue(ctx, tx, now, mail.Message{Key: mail.KeyID(e, mail.Moderation, maxID.Int64), To: e, Kind: mail.Moderation,
				ObjectID: maxID.Int64, Data: strconv.Itoa(count)}); err != nil {
				return nil, err
			}
		}
		return nil, setSettings(ctx, tx, map[string]string{"moderation_notice_id": strconv.FormatInt(maxID.Int64, 10),
			"moderation_notice_at": strconv.FormatInt(now.Unix(), 10)})
	})
	if err != nil {
		return 0, db.errorf("moderation notice: %w", err)
	}
	return count, nil
}

// QueueDigest starts the daily digest of day (YYYYMMDD) once, whoever asks
// and however often.
func (db *DB) QueueDigest(ctx context.Context, day int64, at time.Time) error {
	if _, err := db.exec(ctx, `INSERT INTO fanouts (kind, object_id, not_before) VALUES ('digest', ?, ?) ON CONFLICT (kind, object_id) DO NOTHING`,
		day, at.Unix()); err != nil {
		return db.errorf("queue digest %d: %w", day, err)
	}
	return nil
}

// expandDigest queues one digest per daily subscriber, naming the scopes
// it covers; the letter lists what was published in them that day.
func (db *DB) expandDigest(ctx context.Context, tx *Tx, id, day, cursor int64, batch int, now time.Time, done func() ([]string, error)) ([]string, error) {
	const match = `FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
		WHERE sub.status = 'active' AND sub.frequency = 'daily' AND sub.scope_kind IN ('site', 'section') AND s.id > ?`
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM (SELECT s.id `+match+` GROUP BY s.id ORDER BY s.id LIMIT ?) AS page`, cursor, batch).Scan(&last); err != nil {
		return nil, err
	}
	if !last.Valid {
		return done()
	}
	object := strconv.FormatInt(day, 10)
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (key, recipient, recipient_key, kind, object_id, data, next_at, created_at)
		SELECT s.email_key || '|digest|' || CAST(? AS TEXT), s.email, s.email_key, 'digest', CAST(? AS BIGINT),
			string_agg(CAST(sub.id AS TEXT), ',' ORDER BY sub.id) || ' ' || s.id || ' ' || string_agg(sub.scope_kind || ':' || sub.scope_id, ',' ORDER BY sub.id), CAST(? AS BIGINT), CAST(? AS BIGINT) `+match+` AND s.id <= ?
		GROUP BY s.id ORDER BY s.id ON CONFLICT (key) DO NOTHING`,
		object, day, now.Unix(), now.Unix(), cursor, last.Int64)
	if err != nil {
		return nil, err
	}
	n, _ := res.RowsAffected()
	_, err = tx.ExecContext(ctx, `UPDATE fanouts SET cursor = ?, queued = queued + ? WHERE id = ?`, last.Int64, n, id)
	return nil, err
}
