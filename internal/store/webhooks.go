package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"time"

	"broadsheet/internal/webhook"
)

var (
	_ webhook.Store = (*DB)(nil)
	_ webhook.Queue = (*DB)(nil)
)

// Webhook endpoints, the queue of their deliveries and its log. The
// events themselves are recorded by the writes that cause them
// (webhook_events.go).

const endpointColumns = `e.id, e.url, e.description, e.enabled, e.secret, e.old_secret, e.old_until, e.disabled_reason, e.created_at, e.updated_at`

func scanEndpoint(sc interface{ Scan(...any) error }, extra ...any) (webhook.Endpoint, error) {
	var e webhook.Endpoint
	var oldUntil, created, updated int64
	err := sc.Scan(append([]any{&e.ID, &e.URL, &e.Description, &e.Enabled, &e.Secret, &e.OldSecret, &oldUntil, &e.DisabledReason,
		&created, &updated}, extra...)...)
	e.OldUntil, e.CreatedAt, e.UpdatedAt = fromUnix(sql.NullInt64{Int64: oldUntil, Valid: oldUntil != 0}), time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return e, err
}

// endpointEvents fills the events each endpoint of list wants, in the
// order of webhook.Types.
func endpointEvents(ctx context.Context, q Querier, list []webhook.Endpoint) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*webhook.Endpoint, len(list))
	ids := make([]any, 0, len(list))
	for i := range list {
		byID[list[i].ID] = &list[i]
		ids = append(ids, list[i].ID)
	}
	err := each(ctx, q, `SELECT endpoint_id, event FROM webhook_endpoint_events WHERE endpoint_id IN (`+placeholders(len(ids))+`)`, ids, func(rows *sql.Rows) error {
		var id int64
		var ev string
		err := rows.Scan(&id, &ev)
		byID[id].Events = append(byID[id].Events, ev)
		return err
	})
	for i := range list {
		slices.SortFunc(list[i].Events, func(a, b string) int {
			return cmp.Compare(slices.Index(webhook.Types, a), slices.Index(webhook.Types, b))
		})
	}
	return err
}

// WebhookEndpoints lists every endpoint, oldest first, with its latest
// attempt and how many of its deliveries wait or failed for good.
func (db *DB) WebhookEndpoints(ctx context.Context) ([]webhook.Endpoint, error) {
	var list []webhook.Endpoint
	err := each(ctx, db.read, `SELECT `+endpointColumns+`, a.id, a.at, a.status, a.error, a.duration_ms, a.response
		FROM webhook_endpoints e LEFT JOIN webhook_attempts a ON a.id = (SELECT MAX(id) FROM webhook_attempts WHERE endpoint_id = e.id)
		ORDER BY e.id`, nil, func(rows *sql.Rows) error {
		var aid, at, status, ms sql.NullInt64
		var aerr, resp sql.NullString
		e, err := scanEndpoint(rows, &aid, &at, &status, &aerr, &ms, &resp)
		if aid.Valid {
			e.Last = &webhook.Attempt{ID: aid.Int64, At: time.Unix(at.Int64, 0).UTC(), Status: int(status.Int64), Error: aerr.String,
				Duration: time.Duration(ms.Int64) * time.Millisecond, Response: resp.String}
		}
		list = append(list, e)
		return err
	})
	if err == nil {
		err = endpointEvents(ctx, db.read, list)
	}
	if err == nil && len(list) > 0 {
		err = each(ctx, db.read, `SELECT endpoint_id, status, count(*) FROM webhook_deliveries WHERE status IN ('queued', 'failed')
			GROUP BY endpoint_id, status`, nil, func(rows *sql.Rows) error {
			var id int64
			var status webhook.Status
			var n int
			if err := rows.Scan(&id, &status, &n); err != nil {
				return err
			}
			i := slices.IndexFunc(list, func(e webhook.Endpoint) bool { return e.ID == id })
			if i >= 0 && status == webhook.Queued {
				list[i].Queued = n
			} else if i >= 0 {
				list[i].Failed = n
			}
			return nil
		})
	}
	if err != nil {
		return nil, db.errorf("webhook endpoints: %w", err)
	}
	return list, nil
}

// WebhookEndpoint returns one endpoint with its events.
func (db *DB) WebhookEndpoint(ctx context.Context, id int64) (*webhook.Endpoint, error) {
	e, err := scanEndpoint(db.read.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints e WHERE e.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("webhook endpoint %d: %w", id, webhook.ErrNotFound)
	}
	list := []webhook.Endpoint{e}
	if err == nil {
		err = endpointEvents(ctx, db.read, list)
	}
	if err != nil {
		return nil, db.errorf("webhook endpoint %d: %w", id, err)
	}
	return &list[0], nil
}

// writeEvents replaces the events endpoint id wants.
func writeEvents(ctx context.Context, tx *Tx, id int64, events []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_endpoint_events WHERE endpoint_id = ?`, id); err != nil {
		return err
	}
	for _, ev := range events {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_endpoint_events (endpoint_id, event) VALUES (?, ?)`, id, ev); err != nil {
			return err
		}
	}
	return nil
}

// CreateWebhookEndpoint stores e with its events, setting its id and
// times.
func (db *DB) CreateWebhookEndpoint(ctx context.Context, e *webhook.Endpoint) error {
	now := db.now().UTC().Truncate(time.Second)
	defer db.routes.forget()
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		if err := tx.QueryRowContext(ctx, `INSERT INTO webhook_endpoints (url, description, enabled, secret, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, e.URL, e.Description, e.Enabled, e.Secret, now.Unix(), now.Unix()).Scan(&e.ID); err != nil {
			return nil, err
		}
		return nil, writeEvents(ctx, tx, e.ID, e.Events)
	})
	if err != nil {
		return db.errorf("create webhook endpoint: %w", err)
	}
	e.CreatedAt, e.UpdatedAt = now, now
	return nil
}

// UpdateWebhookEndpoint stores e's address, description, events and
// whether it is enabled, and clears why the site turned it off.
func (db *DB) UpdateWebhookEndpoint(ctx context.Context, e *webhook.Endpoint) error {
	now := db.now().UTC().Truncate(time.Second)
	defer db.routes.forget()
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET url = ?, description = ?, enabled = ?, disabled_reason = '', updated_at = ?
			WHERE id = ?`, e.URL, e.Description, e.Enabled, now.Unix(), e.ID)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, webhook.ErrNotFound
		}
		return nil, writeEvents(ctx, tx, e.ID, e.Events)
	})
	if err != nil {
		return db.errorf("webhook endpoint %d: %w", e.ID, err)
	}
	e.UpdatedAt = now
	return nil
}

// RotateWebhookSecret makes secret endpoint id's; the one it replaces
// signs beside it until oldUntil.
func (db *DB) RotateWebhookSecret(ctx context.Context, id int64, secret string, oldUntil time.Time) error {
	res, err := db.exec(ctx, `UPDATE webhook_endpoints SET old_secret = secret, old_until = ?, secret = ?, updated_at = ? WHERE id = ?`,
		oldUntil.Unix(), secret, db.now().Unix(), id)
	if err != nil {
		return db.errorf("rotate webhook secret %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.errorf("webhook endpoint %d: %w", id, webhook.ErrNotFound)
	}
	return nil
}

// DeleteWebhookEndpoint deletes an endpoint, its deliveries and their log.
// Messages no other endpoint receives go with the next prune.
func (db *DB) DeleteWebhookEndpoint(ctx context.Context, id int64) error {
	defer db.routes.forget()
	res, err := db.exec(ctx, `DELETE FROM webhook_endpoints WHERE id = ?`, id)
	if err != nil {
		return db.errorf("delete webhook endpoint %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.errorf("webhook endpoint %d: %w", id, webhook.ErrNotFound)
	}
	return nil
}

const deliveryColumns = `d.id, d.message_id, m.type, d.endpoint_id, d.status, d.attempts, d.next_at, d.created_at, d.done_at`

func scanDelivery(sc interface{ Scan(...any) error }, extra ...any) (webhook.Delivery, error) {
	var d webhook.Delivery
	var next, created int64
	var done sql.NullInt64
	err := sc.Scan(append([]any{&d.ID, &d.MessageID, &d.Type, &d.EndpointID, &d.Status, &d.Attempts, &next, &created, &done}, extra...)...)
	d.NextAt, d.CreatedAt, d.DoneAt = time.Unix(next, 0).UTC(), time.Unix(created, 0).UTC(), fromUnix(done)
	return d, err
}

// WebhookDeliveries lists an endpoint's deliveries newest first, before
// the delivery beforeID (0: from the newest), each with its attempts.
func (db *DB) WebhookDeliveries(ctx context.Context, endpointID, beforeID int64, limit int) ([]webhook.Delivery, error) {
	if beforeID <= 0 {
		beforeID = math.MaxInt64
	}
	var list []webhook.Delivery
	err := each(ctx, db.read, `SELECT `+deliveryColumns+` FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
		WHERE d.endpoint_id = ? AND d.id < ? ORDER BY d.id DESC LIMIT ?`, []any{endpointID, beforeID, limit}, func(rows *sql.Rows) error {
		d, err := scanDelivery(rows)
		list = append(list, d)
		return err
	})
	if err == nil && len(list) > 0 {
		ids := make([]any, len(list))
		byID := make(map[int64]*webhook.Delivery, len(list))
		for i := range list {
			ids[i], byID[list[i].ID] = list[i].ID, &list[i]
		}
		err = each(ctx, db.read, `SELECT id, delivery_id, at, status, error, duration_ms, response FROM webhook_attempts
			WHERE delivery_id IN (`+placeholders(len(ids))+`) ORDER BY id DESC`, ids, func(rows *sql.Rows) error {
			var a webhook.Attempt
			var at, ms int64
			err := rows.Scan(&a.ID, &a.DeliveryID, &at, &a.Status, &a.Error, &ms, &a.Response)
			a.At, a.Duration = time.Unix(at, 0).UTC(), time.Duration(ms)*time.Millisecond
			byID[a.DeliveryID].Log = append(byID[a.DeliveryID].Log, a)
			return err
		})
	}
	if err != nil {
		return nil, db.errorf("webhook deliveries of %d: %w", endpointID, err)
	}
	return list, nil
}

// ResendWebhook queues delivery deliveryID of endpointID again, due at
// now, with a fresh schedule: the same message, the same id. A worker
// sending it this instant loses its claim, so its outcome does not undo
// this.
func (db *DB) ResendWebhook(ctx context.Context, endpointID, deliveryID int64, now time.Time) error {
	res, err := db.exec(ctx, `UPDATE webhook_deliveries SET status = 'queued', attempts = 0, next_at = ?, lease_until = 0, done_at = NULL
		WHERE id = ? AND endpoint_id = ?`, now.Unix(), deliveryID, endpointID)
	if err != nil {
		return db.errorf("resend webhook delivery %d: %w", deliveryID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.errorf("webhook delivery %d of %d: %w", deliveryID, endpointID, webhook.ErrNotFound)
	}
	return nil
}

// QueueWebhook stores m with one delivery, to endpoint id, due at once.
func (db *DB) QueueWebhook(ctx context.Context, id int64, m webhook.Message) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_messages (id, type, payload, created_at) VALUES (?, ?, ?, ?)`,
			m.ID, m.Type, string(m.Payload), m.CreatedAt.Unix()); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (message_id, endpoint_id, next_at, created_at) VALUES (?, ?, ?, ?)`,
			m.ID, id, m.CreatedAt.Unix(), m.CreatedAt.Unix())
		return nil, err
	})
	if db.eng.IsForeignKey(err) {
		return db.errorf("webhook endpoint %d: %w", id, webhook.ErrNotFound)
	}
	if err != nil {
		return db.errorf("queue webhook %s: %w", m.ID, err)
	}
	return nil
}

// ClaimWebhooks leases due deliveries to enabled endpoints, the longest
// due first, and returns them with their messages and endpoints. Where
// writers run side by side (PostgreSQL), SKIP LOCKED passes over the rows
// another instance is claiming this instant, so that no delivery is
// claimed twice and no instance waits for another; the lease lets
// another instance take the deliveries of one that died.
func (db *DB) ClaimWebhooks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]webhook.Job, error) {
	until := now.Add(lease).Unix()
	var jobs []webhook.Job
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		jobs = jobs[:0]
		var ids []any
		err := each(ctx, tx, `UPDATE webhook_deliveries SET lease_until = ?
			WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'queued' AND next_at <= ? AND lease_until <= ?
				AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE enabled)
				ORDER BY next_at, id LIMIT ?`+db.dialect.SkipLocked+`)
			RETURNING id`, []any{until, now.Unix(), now.Unix(), limit}, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		})
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		return nil, each(ctx, tx, `SELECT `+deliveryColumns+`, m.payload, m.created_at, e.url, e.secret, e.old_secret, e.old_until
			FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id JOIN webhook_endpoints e ON e.id = d.endpoint_id
			WHERE d.id IN (`+placeholders(len(ids))+`) ORDER BY d.next_at, d.id`, ids, func(rows *sql.Rows) error {
			var payload string
			var created, oldUntil int64
			j := webhook.Job{Lease: until}
			d, err := scanDelivery(rows, &payload, &created, &j.Endpoint.URL, &j.Endpoint.Secret, &j.Endpoint.OldSecret, &oldUntil)
			j.Delivery, j.Endpoint.ID, j.Endpoint.OldUntil = d, d.EndpointID, time.Unix(oldUntil, 0).UTC()
			j.Message = webhook.Message{ID: d.MessageID, Type: d.Type, Payload: []byte(payload), CreatedAt: time.Unix(created, 0).UTC()}
			jobs = append(jobs, j)
			return err
		})
	})
	if err != nil {
		return nil, db.errorf("claim webhooks: %w", err)
	}
	return jobs, nil
}

// RecordWebhookAttempt logs attempt a of job's delivery and, while the
// claim holds, leaves the delivery as o says, turning its endpoint off
// when o.Disable says why. A claim lost meanwhile (sent again, or taken
// by another worker after its lease ended) keeps only the log.
func (db *DB) RecordWebhookAttempt(ctx context.Context, job webhook.Job, a webhook.Attempt, o webhook.Outcome) error {
	d := job.Delivery
	next, done := o.NextAt, sql.NullInt64{}
	if o.Status != webhook.Queued {
		next, done = a.At, sql.NullInt64{Int64: a.At.Unix(), Valid: true}
	}
	disabled := false
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, endpoint_id, at, status, error, duration_ms, response)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, d.ID, d.EndpointID, a.At.Unix(), a.Status, a.Error, a.Duration.Milliseconds(), a.Response); err != nil {
			return nil, err
		}
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_at = ?, done_at = ?, lease_until = 0
			WHERE id = ? AND lease_until = ?`, o.Status, next.Unix(), done, d.ID, job.Lease)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 || o.Disable == "" {
			return nil, nil
		}
		disabled = true
		_, err = tx.ExecContext(ctx, `UPDATE webhook_endpoints SET enabled = ?, disabled_reason = ?, updated_at = ? WHERE id = ?`,
			false, o.Disable, a.At.Unix(), d.EndpointID)
		return nil, err
	})
	if disabled {
		db.routes.forget()
	}
	if err != nil {
		return db.errorf("record webhook attempt of %d: %w", d.ID, err)
	}
	return nil
}

// PruneWebhooks deletes the messages created before before whose
// deliveries are all done, with their deliveries and attempts.
func (db *DB) PruneWebhooks(ctx context.Context, before time.Time) (int, error) {
	res, err := db.exec(ctx, `DELETE FROM webhook_messages WHERE created_at < ?
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.message_id = webhook_messages.id AND d.status = 'queued')`, before.Unix())
	if err != nil {
		return 0, db.errorf("prune webhooks: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
