package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/subscription"
	"broadsheet/internal/webhook"
)

// Webhook events are recorded by the writes that cause them, in their
// transaction: publishing, updating, withdrawing and correcting an
// article, an update posted to a live blog, a comment written or
// approved, a subscription confirmed. The
// change and its message commit together or not at all, so a receiver
// never hears of a change that was rolled back and never misses one that
// was made. An event is one message, its body composed as the change
// left things, and one delivery per enabled endpoint that wants its type
// (internal/webhook delivers them).
//
// Most sites have no endpoints, or few events wanted: which events some
// endpoint wants is kept in memory (routes), so that a write nobody
// listens to costs no statement. This process's changes to endpoints
// update it at once; other instances' at the worker's next refresh, a
// second later (RefreshWebhookRoutes).

// routes are the events some enabled endpoint wants.
type routes struct {
	mu     sync.Mutex
	gen    uint64 // counts forget calls: a read begun before one is not kept
	loaded bool
	wanted map[string]bool
}

// forget drops what is known, after a change of the endpoints.
func (r *routes) forget() {
	r.mu.Lock()
	r.gen++
	r.loaded = false
	r.mu.Unlock()
}

// readRoutes asks the database which events some enabled endpoint wants.
func readRoutes(ctx context.Context, q Querier) (map[string]bool, error) {
	wanted := map[string]bool{}
	err := each(ctx, q, `SELECT DISTINCT v.event FROM webhook_endpoint_events v JOIN webhook_endpoints e ON e.id = v.endpoint_id
		WHERE e.enabled`, nil, func(rows *sql.Rows) error {
		var ev string
		err := rows.Scan(&ev)
		wanted[ev] = true
		return err
	})
	return wanted, err
}

// refresh reads the routes through q and keeps them unless they changed
// meanwhile.
func (r *routes) refresh(ctx context.Context, q Querier) (map[string]bool, error) {
	r.mu.Lock()
	gen := r.gen
	r.mu.Unlock()
	wanted, err := readRoutes(ctx, q)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.gen == gen {
		r.wanted, r.loaded = wanted, true
	}
	r.mu.Unlock()
	return wanted, nil
}

// RefreshWebhookRoutes reads again which events some enabled endpoint
// wants: the delivery worker calls it every round, so that an endpoint
// another instance changed is heard of within a second.
func (db *DB) RefreshWebhookRoutes(ctx context.Context) error {
	if _, err := db.routes.refresh(ctx, db.read); err != nil {
		return db.errorf("webhook routes: %w", err)
	}
	return nil
}

// wants reports whether some enabled endpoint wants any of types,
// reading the routes through q the first time.
func (db *DB) wants(ctx context.Context, q Querier, types ...string) (bool, error) {
	db.routes.mu.Lock()
	wanted, loaded := db.routes.wanted, db.routes.loaded
	db.routes.mu.Unlock()
	if !loaded {
		var err error
		if wanted, err = db.routes.refresh(ctx, q); err != nil {
			return false, err
		}
	}
	return slices.ContainsFunc(types, func(t string) bool { return wanted[t] }), nil
}

// SetWebhookSite sets the site's public address, by which events name its
// pages. Until it is set events carry paths; serve sets it at start-up.
func (db *DB) SetWebhookSite(s webhook.Site) {
	db.mu.Lock()
	db.site = s
	db.mu.Unlock()
}

func (db *DB) webhookSite() webhook.Site {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.site
}

// record writes message m, in tx, for every enabled endpoint that wants
// its type: nothing when none does.
func record(ctx context.Context, tx *Tx, m webhook.Message) error {
	const wanting = `FROM webhook_endpoints e JOIN webhook_endpoint_events v ON v.endpoint_id = e.id WHERE e.enabled AND v.event = ?`
	res, err := tx.ExecContext(ctx, `INSERT INTO webhook_messages (id, type, payload, created_at)
		SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT) WHERE EXISTS (SELECT 1 `+wanting+`)`,
		m.ID, m.Type, string(m.Payload), m.CreatedAt.Unix(), m.Type)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (message_id, endpoint_id, next_at, created_at)
		SELECT CAST(? AS TEXT), e.id, CAST(? AS BIGINT), CAST(? AS BIGINT) `+wanting,
		m.ID, m.CreatedAt.Unix(), m.CreatedAt.Unix(), m.Type)
	return err
}

// recordEvent records an event of typ that happened at at, its body made
// by compose, in tx, when some endpoint wants it.
func (db *DB) recordEvent(ctx context.Context, tx *Tx, typ string, at time.Time, compose func(webhook.Site) ([]byte, error)) error {
	if ok, err := db.wants(ctx, tx, typ); !ok || err != nil {
		return err
	}
	body, err := compose(db.webhookSite())
	if err != nil {
		return err
	}
	return record(ctx, tx, webhook.Message{ID: webhook.NewMessageID(at), Type: typ, Payload: body, CreatedAt: at})
}

// eventArticle reads article id as an event names it, in tx: with its
// section, bylines, tags and lead image's widths.
func (db *DB) eventArticle(ctx context.Context, tx *Tx, id int64) (*article.Article, error) {
	var a article.Article
	if err := scanArticle(tx.QueryRowContext(ctx, `SELECT `+articleColumns+` `+articleFrom+` WHERE a.id = ?`, id), &a); err != nil {
		return nil, err
	}
	list := []article.Article{a}
	if err := db.fillRelations(ctx, tx, list, withTags); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// articleChanged records what a write that took article id from status
// was to status is means (webhook.ArticleChange), with before its
// section and bylines before the write when it was an update.
func (db *DB) articleChanged(ctx context.Context, tx *Tx, id int64, was, is article.Status, before *article.Article, now time.Time) error {
	typ := webhook.ArticleChange(was, is)
	if typ == "" {
		return nil
	}
	return db.recordEvent(ctx, tx, typ, now, func(site webhook.Site) ([]byte, error) {
		ev := webhook.ArticleEvent{Before: before}
		var err error
		if ev.Article, err = db.eventArticle(ctx, tx, id); err != nil {
			return nil, err
		}
		if r := ev.Article.ReplacedBy; r != 0 && typ == webhook.ArticleUnpublished {
			if ev.Replacement, err = db.eventArticle(ctx, tx, r); errors.Is(err, sql.ErrNoRows) {
				err = nil
			}
		}
		if err != nil {
			return nil, err
		}
		return site.Article(typ, now, ev)
	})
}

// articleNoted records article.corrected or article.updated for note n
// on a published article.
func (db *DB) articleNoted(ctx context.Context, tx *Tx, n *article.Note, now time.Time) error {
	typ := webhook.ArticleUpdated
	if n.Kind == article.Correction {
		typ = webhook.ArticleCorrected
	}
	return db.recordEvent(ctx, tx, typ, now, func(site webhook.Site) ([]byte, error) {
		a, err := db.eventArticle(ctx, tx, n.ArticleID)
		if err != nil {
			return nil, err
		}
		return site.Article(typ, now, webhook.ArticleEvent{Article: a, Note: n})
	})
}

// liveUpdatePosted records liveblog.update_posted for update u, just
// posted, when its live blog is published: a draft's updates, or a
// withdrawn live blog's, are nobody's business yet. keys are those the
// post logs, whose tags name the pages it changes.
func (db *DB) liveUpdatePosted(ctx context.Context, tx *Tx, u *liveblog.Update, keys []string, now time.Time) error {
	if ok, err := db.wants(ctx, tx, webhook.LiveblogUpdatePosted); !ok || err != nil {
		return err
	}
	a := article.Article{ID: u.ArticleID}
	err := tx.QueryRowContext(ctx, `SELECT a.slug, a.headline, a.status, s.id, s.slug, s.edition
		FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.id = ?`, u.ArticleID).Scan(&a.Slug, &a.Headline, &a.Status,
		&a.Section.ID, &a.Section.Slug, &a.Section.Edition)
	if err != nil || !a.Visible() {
		return err
	}
	// The bylines as stored, each with its slug and name.
	posted := *u
	posted.Authors = nil
	err = each(ctx, tx, `SELECT au.id, au.slug, au.name FROM live_update_authors ua JOIN authors au ON au.id = ua.author_id
		WHERE ua.update_id = ? ORDER BY ua.position`, []any{u.ID}, func(rows *sql.Rows) error {
		var au article.Author
		err := rows.Scan(&au.ID, &au.Slug, &au.Name)
		posted.Authors = append(posted.Authors, au)
		return err
	})
	if err != nil {
		return err
	}
	return db.recordEvent(ctx, tx, webhook.LiveblogUpdatePosted, now, func(site webhook.Site) ([]byte, error) {
		return site.LiveUpdate(now, &posted, &a, keys)
	})
}

// commentEvents records comment.created for comment c just written, and
// comment.approved too when it is public at once.
func (db *DB) commentEvents(ctx context.Context, tx *Tx, c *comment.Comment, now time.Time) error {
	types := []string{webhook.CommentCreated}
	if c.Status == comment.Approved {
		types = append(types, webhook.CommentApproved)
	}
	return db.commentsEvent(ctx, tx, types, []int64{c.ID}, now)
}

// commentsEvent records an event of each of types for each comment of
// ids, as they stand in tx.
func (db *DB) commentsEvent(ctx context.Context, tx *Tx, types []string, ids []int64, now time.Time) error {
	if ok, err := db.wants(ctx, tx, types...); !ok || err != nil || len(ids) == 0 {
		return err
	}
	type pair struct {
		c comment.Comment
		a article.Article
	}
	var list []pair
	err := each(ctx, tx, `SELECT c.id, c.article_id, COALESCE(c.parent_id, 0), c.name, c.body, c.status, COALESCE(c.user_id, 0), c.created_at,
			a.slug, a.headline, s.id, s.slug, s.edition
		FROM comments c JOIN articles a ON a.id = c.article_id JOIN sections s ON s.id = a.section_id
		WHERE c.id IN (`+placeholders(len(ids))+`) ORDER BY c.id`, anys(ids), func(rows *sql.Rows) error {
		var p pair
		var created int64
		err := rows.Scan(&p.c.ID, &p.c.ArticleID, &p.c.ParentID, &p.c.Name, &p.c.Body, &p.c.Status, &p.c.UserID, &created,
			&p.a.Slug, &p.a.Headline, &p.a.Section.ID, &p.a.Section.Slug, &p.a.Section.Edition)
		p.c.CreatedAt, p.a.ID = time.Unix(created, 0).UTC(), p.c.ArticleID
		list = append(list, p)
		return err
	})
	if err != nil {
		return err
	}
	for _, typ := range types {
		for _, p := range list {
			if err := db.recordEvent(ctx, tx, typ, now, func(site webhook.Site) ([]byte, error) {
				return site.Comment(typ, now, &p.c, &p.a)
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// subscriptionConfirmed records subscriber.confirmed for s, just
// confirmed; first says its address was confirmed for the first time.
func (db *DB) subscriptionConfirmed(ctx context.Context, tx *Tx, s *subscription.Subscription, first bool, now time.Time) error {
	return db.recordEvent(ctx, tx, webhook.SubscriberConfirmed, now, func(site webhook.Site) ([]byte, error) {
		name, path := "", "/"
		var err error
		switch s.Scope.Kind {
		case subscription.Section:
			var sec article.Section
			err = tx.QueryRowContext(ctx, `SELECT slug, name, edition FROM sections WHERE id = ?`, s.Scope.ID).Scan(&sec.Slug, &sec.Name, &sec.Edition)
			name, path = sec.Name, sec.Path()
		case subscription.Article:
			var a article.Article
			err = tx.QueryRowContext(ctx, `SELECT a.slug, a.headline, s.slug, s.edition FROM articles a JOIN sections s ON s.id = a.section_id
				WHERE a.id = ?`, s.Scope.ID).Scan(&a.Slug, &a.Headline, &a.Section.Slug, &a.Section.Edition)
			name, path = a.Headline, a.Path()
		}
		if errors.Is(err, sql.ErrNoRows) {
			err = nil // gone since: the event names no page
		}
		if err != nil {
			return nil, err
		}
		return site.Subscription(now, s, name, path, first)
	})
}
