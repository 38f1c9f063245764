package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"broadsheet/internal/mail"
	"broadsheet/internal/subscription"
)

var _ subscription.Store = (*DB)(nil)

// Subscribe records a reader's request and queues its mail in the same
// transaction: a confirmation for an address never confirmed, a notice
// for one that was.
func (db *DB) Subscribe(ctx context.Context, r subscription.Request) (subscription.Outcome, error) {
	now := db.now()
	var out subscription.Outcome
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, email_key, consent, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (email_key) DO NOTHING`,
			r.Email, mail.AddressKey(r.Email), r.Consent, now.Unix()); err != nil {
			return nil, err
		}
		var subscriberID int64
		var email string
		var confirmed sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT id, email, confirmed_at FROM subscribers WHERE email_key = ?`, mail.AddressKey(r.Email)).Scan(&subscriberID, &email, &confirmed); err != nil {
			return nil, err
		}
		var id int64
		var status subscription.Status
		var freq subscription.Frequency
		const find = `SELECT id, status, frequency FROM subscriptions WHERE subscriber_id = ? AND scope_kind = ? AND scope_id = ?`
		err := tx.QueryRowContext(ctx, find, subscriberID, r.Scope.Kind, r.Scope.ID).Scan(&id, &status, &freq)
		created := false
		if errors.Is(err, sql.ErrNoRows) {
			status = subscription.Pending
			var nonce any = r.Nonce
			if confirmed.Valid {
				status, nonce = subscription.Active, nil
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO subscriptions (subscriber_id, scope_kind, scope_id, frequency, status, nonce, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subscriber_id, scope_kind, scope_id) DO NOTHING RETURNING id`,
				subscriberID, r.Scope.Kind, r.Scope.ID, r.Frequency, status, nonce, now.Unix()).Scan(&id)
			created = err == nil
			if errors.Is(err, sql.ErrNoRows) {
				// The same request, sent twice at once, committed first:
				// answer as if it had come before.
				err = tx.QueryRowContext(ctx, find, subscriberID, r.Scope.Kind, r.Scope.ID).Scan(&id, &status, &freq)
			}
		}
		switch {
		case err != nil:
			return nil, err
		case created:
		case status == subscription.Active:
			out = subscription.Unchanged
			if freq != r.Frequency {
				_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET frequency = ? WHERE id = ?`, r.Frequency, id)
			}
			return nil, err
		default: // pending: a fresh link, the old one stops working
			if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET nonce = ?, frequency = ? WHERE id = ?`, r.Nonce, r.Frequency, id); err != nil {
				return nil, err
			}
		}
		if status == subscription.Active {
			out = subscription.Added
			return nil, enqueue(ctx, tx, now, mail.Message{Key: mail.KeyID(email, mail.Subscribed, id), To: email, Kind: mail.Subscribed, ObjectID: id,
				Data: strconv.FormatInt(id, 10) + " " + strconv.FormatInt(subscriberID, 10) + " " + mail.WithLanguage(r.Language, r.Label)})
		}
		out = subscription.Confirming
		expires := now.Add(subscription.ConfirmLifetime)
		return nil, enqueue(ctx, tx, now, mail.Message{Key: mail.Key(email, mail.Confirm, strconv.FormatInt(id, 10)+"."+r.Nonce), To: email, Kind: mail.Confirm, ObjectID: id,
			Data: r.Nonce + " " + strconv.FormatInt(expires.Unix(), 10) + " " + mail.WithLanguage(r.Language, r.Label)})
	})
	if err != nil {
		return 0, db.errorf("subscribe: %w", err)
	}
	return out, nil
}

const subscriptionColumns = `id, subscriber_id, scope_kind, scope_id, frequency, status, COALESCE(nonce, ''), created_at`

func scanSubscription(sc interface{ Scan(...any) error }) (subscription.Subscription, error) {
	var s subscription.Subscription
	var created int64
	err := sc.Scan(&s.ID, &s.SubscriberID, &s.Scope.Kind, &s.Scope.ID, &s.Frequency, &s.Status, &s.Nonce, &created)
	s.CreatedAt = fromUnix(sql.NullInt64{Int64: created, Valid: true})
	return s, err
}

// Confirm activates a pending subscription whose nonce matches.
func (db *DB) Confirm(ctx context.Context, id int64, nonce string) (*subscription.Subscription, error) {
	now := db.now()
	var s subscription.Subscription
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		var err error
		s, err = scanSubscription(tx.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, subscription.ErrBadLink
		}
		if err != nil {
			return nil, err
		}
		if s.Status == subscription.Active {
			return nil, nil // confirmed already: the second click is welcome too
		}
		if s.Nonce == "" || s.Nonce != nonce {
			return nil, subscription.ErrBadLink // an older link, replaced by a newer one
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'active', nonce = NULL WHERE id = ?`, id); err != nil {
			return nil, err
		}
		s.Status, s.Nonce = subscription.Active, ""
		res, err := tx.ExecContext(ctx, `UPDATE subscribers SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL`, now.Unix(), s.SubscriberID)
		if err != nil {
			return nil, err
		}
		first, _ := res.RowsAffected()
		return nil, db.subscriptionConfirmed(ctx, tx, &s, first > 0, now)
	})
	if errors.Is(err, subscription.ErrBadLink) {
		return nil, err
	}
	if err != nil {
		return nil, db.errorf("confirm subscription %d: %w", id, err)
	}
	return &s, nil
}

// Subscriber returns a subscriber with every subscription.
func (db *DB) Subscriber(ctx context.Context, id int64) (*subscription.Subscriber, error) {
	return db.subscriberWhere(ctx, `id = ?`, id)
}

// SubscriberByEmail returns the subscriber with that address.
func (db *DB) SubscriberByEmail(ctx context.Context, email string) (*subscription.Subscriber, error) {
	return db.subscriberWhere(ctx, `email_key = ?`, mail.AddressKey(email))
}

func (db *DB) subscriberWhere(ctx context.Context, where string, arg any) (*subscription.Subscriber, error) {
	var s subscription.Subscriber
	var confirmed sql.NullInt64
	var created int64
	err := db.read.QueryRowContext(ctx, `SELECT id, email, confirmed_at, consent, created_at FROM subscribers WHERE `+where, arg).
		Scan(&s.ID, &s.Email, &confirmed, &s.Consent, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("subscriber %v: %w", arg, subscription.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("subscriber %v: %w", arg, err)
	}
	s.ConfirmedAt, s.CreatedAt = fromUnix(confirmed), fromUnix(sql.NullInt64{Int64: created, Valid: true})
	err = each(ctx, db.read, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE subscriber_id = ? ORDER BY scope_kind DESC, id`, []any{s.ID}, func(rows *sql.Rows) error {
		sub, err := scanSubscription(rows)
		s.Subs = append(s.Subs, sub)
		return err
	})
	if err != nil {
		return nil, db.errorf("subscriber %d: %w", s.ID, err)
	}
	return &s, nil
}

// SetFrequency changes one subscription's frequency.
func (db *DB) SetFrequency(ctx context.Context, subscriberID, id int64, f subscription.Frequency) error {
	if !f.Valid() {
		return db.errorf("frequency %q", f)
	}
	res, err := db.exec(ctx, `UPDATE subscriptions SET frequency = ? WHERE id = ? AND subscriber_id = ? AND scope_kind != 'article'`, f, id, subscriberID)
	if err != nil {
		return db.errorf("set frequency: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.errorf("subscription %d: %w", id, subscription.ErrNotFound)
	}
	return nil
}

// Unsubscribe ends one subscription, or all; mail they queued and not yet
// sent is cancelled with them.
func (db *DB) Unsubscribe(ctx context.Context, subscriberID, id int64) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		var key string
		err := tx.QueryRowContext(ctx, `SELECT email_key FROM subscribers WHERE id = ?`, subscriberID).Scan(&key)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil // erased: nothing left to end
		}
		if err != nil {
			return nil, err
		}
		if id == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE subscriber_id = ?`, subscriberID); err != nil {
				return nil, err
			}
			_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'cancelled', last_error = 'unsubscribed'
				WHERE recipient_key = ? AND status = 'queued' AND kind IN ('article', 'digest', 'comment', 'subscribed', 'confirm')`, key)
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = ? AND subscriber_id = ?`, id, subscriberID); err != nil {
			return nil, err
		}
		// data begins with the comma-separated subscriptions that caused
		// the message.
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'cancelled', last_error = 'unsubscribed'
			WHERE recipient_key = ? AND status = 'queued' AND kind IN ('article', 'digest', 'comment', 'subscribed')
			AND ',' || `+db.dialect.FirstWord("data")+` || ',' LIKE ?`, key, "%,"+strconv.FormatInt(id, 10)+",%")
		return nil, err
	})
	if err != nil {
		return db.errorf("unsubscribe: %w", err)
	}
	return nil
}
