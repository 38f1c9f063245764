package store

import (
	"context"
	"database/sql"
	"strings"

	"broadsheet/internal/mail"
	"broadsheet/internal/subscription"
)

var _ subscription.Admin = (*DB)(nil)

// SubscriberStats counts subscribers and active subscriptions by scope.
func (db *DB) SubscriberStats(ctx context.Context) (subscription.Stats, error) {
	st := subscription.Stats{ByScope: map[subscription.Scope]int{}}
	if err := db.read.QueryRowContext(ctx, `SELECT count(*), count(confirmed_at) FROM subscribers`).Scan(&st.Subscribers, &st.Confirmed); err != nil {
		return st, db.errorf("subscriber stats: %w", err)
	}
	err := each(ctx, db.read, `SELECT scope_kind, scope_id, count(*) FROM subscriptions WHERE status = 'active' GROUP BY scope_kind, scope_id`, nil,
		func(rows *sql.Rows) error {
			var sc subscription.Scope
			var n int
			err := rows.Scan(&sc.Kind, &sc.ID, &n)
			st.ByScope[sc] = n
			return err
		})
	if err != nil {
		return st, db.errorf("subscriber stats: %w", err)
	}
	return st, nil
}

// Subscribers lists subscribers in id order, with their subscriptions.
func (db *DB) Subscribers(ctx context.Context, q subscription.Query) ([]subscription.Subscriber, error) {
	where, args := []string{"id > ?"}, []any{q.AfterID}
	if q.Search != "" {
		where = append(where, `email_key LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(mail.AddressKey(q.Search))+"%")
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	args = append(args, q.Limit)
	var out []subscription.Subscriber
	index := map[int64]int{}
	err := each(ctx, db.read, `SELECT id, email, confirmed_at, consent, created_at FROM subscribers WHERE `+strings.Join(where, " AND ")+` ORDER BY id LIMIT ?`, args,
		func(rows *sql.Rows) error {
			var s subscription.Subscriber
			var confirmed sql.NullInt64
			var created int64
			err := rows.Scan(&s.ID, &s.Email, &confirmed, &s.Consent, &created)
			s.ConfirmedAt, s.CreatedAt = fromUnix(confirmed), fromUnix(sql.NullInt64{Int64: created, Valid: true})
			index[s.ID] = len(out)
			out = append(out, s)
			return err
		})
	if err != nil || len(out) == 0 {
		if err != nil {
			err = db.errorf("subscribers: %w", err)
		}
		return out, err
	}
	ids := make([]any, 0, len(out))
	for _, s := range out {
		ids = append(ids, s.ID)
	}
	err = each(ctx, db.read, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE subscriber_id IN (`+placeholders(len(ids))+`) ORDER BY id`, ids,
		func(rows *sql.Rows) error {
			sub, err := scanSubscription(rows)
			if i, ok := index[sub.SubscriberID]; ok {
				out[i].Subs = append(out[i].Subs, sub)
			}
			return err
		})
	if err != nil {
		return nil, db.errorf("subscribers: %w", err)
	}
	return out, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ImportSubscribers adds confirmed subscribers and subscriptions in one
// transaction: an import is all or nothing.
func (db *DB) ImportSubscribers(ctx context.Context, rows []subscription.Import) (int, error) {
	now := db.now().Unix()
	added := 0
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, email_key, confirmed_at, consent, created_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (email_key) DO UPDATE SET confirmed_at = COALESCE(subscribers.confirmed_at, excluded.confirmed_at)`, r.Email, mail.AddressKey(r.Email), now, r.Consent, now); err != nil {
				return nil, err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (subscriber_id, scope_kind, scope_id, frequency, status, created_at)
				SELECT id, CAST(? AS TEXT), CAST(? AS BIGINT), 'immediate', 'active', CAST(? AS BIGINT) FROM subscribers WHERE email_key = ?
				ON CONFLICT (subscriber_id, scope_kind, scope_id) DO NOTHING`, r.Scope.Kind, r.Scope.ID, now, mail.AddressKey(r.Email))
			if err != nil {
				return nil, err
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return nil, nil
	})
	if err != nil {
		return 0, db.errorf("import subscribers: %w", err)
	}
	return added, nil
}

// EraseSubscriber deletes an address and everything sent or queued to it.
func (db *DB) EraseSubscriber(ctx context.Context, email string) (bool, error) {
	found := false
	key := mail.AddressKey(email)
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM subscribers WHERE email_key = ?`, key)
		if err != nil {
			return nil, err
		}
		n, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE recipient_key = ?`, key)
		if err != nil {
			return nil, err
		}
		m, _ := res.RowsAffected()
		found = n+m > 0
		return nil, nil
	})
	if err != nil {
		return false, db.errorf("erase subscriber: %w", err)
	}
	return found, nil
}
