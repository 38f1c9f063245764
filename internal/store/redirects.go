package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/errs"
	"broadsheet/internal/redirect"
)

// Redirects from old addresses. Every write keeps one rule: no redirect
// leads to the address another answers, so a reader is never sent more
// than one hop. A redirect whose target is another's address leads to
// that one's target instead, and redirects that led to its own address
// lead on to its target (see chain). Writers take turns (redirectsLock)
// because each reads the redirects it chains with before it writes.

// redirectsLock is the lock redirect writers take in turn (on SQLite,
// whose writer is one, it costs nothing).
const redirectsLock = 0x6273726472

const redirectColumns = `id, from_path, to_url, off_site, status, source, created_at, COALESCE(created_by, 0), hits, last_hit_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanRedirect(row rowScanner) (*redirect.Redirect, error) {
	var r redirect.Redirect
	var created int64
	var last sql.NullInt64
	if err := row.Scan(&r.ID, &r.FromPath, &r.ToURL, &r.OffSite, &r.Status, &r.Source, &created, &r.CreatedBy, &r.Hits, &last); err != nil {
		return nil, err
	}
	r.CreatedAt = fromUnix(sql.NullInt64{Int64: created, Valid: true})
	r.LastHitAt = fromUnix(last)
	return &r, nil
}

// CreateRedirect stores a redirect made by hand, after redirect.Validate,
// and sets its ID and CreatedAt. Its ToURL is what it leads to once
// chains are resolved. An address that has a redirect already is a
// conflict, naming that redirect.
func (db *DB) CreateRedirect(ctx context.Context, r *redirect.Redirect) error {
	if err := redirect.Validate(r); err != nil {
		return err
	}
	r.ID, r.Hits, r.LastHitAt = 0, 0, time.Time{}
	r.CreatedAt = db.now().UTC().Truncate(1e9)
	return db.saveByHand(ctx, r, "create", nil)
}

// UpdateRedirect changes redirect r.ID to r, after redirect.Validate. A
// change in the newsroom makes a redirect one made by hand (Source ""),
// so that a later import leaves it as it is; its hits and creation stay.
func (db *DB) UpdateRedirect(ctx context.Context, r *redirect.Redirect) error {
	r.Source = redirect.ByHand
	if err := redirect.Validate(r); err != nil {
		return err
	}
	return db.saveByHand(ctx, r, "update", func(ctx context.Context, tx *Tx) error {
		old, err := scanRedirect(tx.QueryRowContext(ctx, `SELECT `+redirectColumns+` FROM redirects WHERE id = ?`, r.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return redirect.ErrNotFound
		}
		if err == nil {
			r.CreatedAt, r.CreatedBy, r.Hits, r.LastHitAt = old.CreatedAt, old.CreatedBy, old.Hits, old.LastHitAt
		}
		return err
	})
}

// saveByHand writes a redirect made by hand, new (ID 0) or changed, in
// turn with other writers: first what load reads of it, then the refusal
// of an address another redirect answers, then its chain.
func (db *DB) saveByHand(ctx context.Context, r *redirect.Redirect, what string, load func(ctx context.Context, tx *Tx) error) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		if err := db.eng.Lock(ctx, tx, redirectsLock); err != nil {
			return nil, err
		}
		if load != nil {
			if err := load(ctx, tx); err != nil {
				return nil, err
			}
		}
		if other, err := redirectAt(ctx, tx, r.FromPath); err == nil && other.ID != r.ID {
			return nil, taken(other)
		} else if err != nil && !errors.Is(err, redirect.ErrNotFound) {
			return nil, err
		}
		if err := db.chain(ctx, tx, r); err != nil {
			return nil, err
		}
		return []string{redirect.CacheKey}, db.writeRedirect(ctx, tx, r)
	})
	if db.eng.IsUnique(err) {
		return db.errorf("redirect %s: %w", r.FromPath, errs.Shown(errs.Conflict, redirect.Display(r.FromPath)+" has a redirect already"))
	}
	if err != nil {
		return db.errorf("%s redirect %s: %w", what, r.FromPath, err)
	}
	return nil
}

// taken is the conflict of an address that other answers already.
func taken(other *redirect.Redirect) error {
	msg := fmt.Sprintf("%s already redirects to %s: change that redirect instead", redirect.Display(other.FromPath), redirect.Display(other.ToURL))
	return &errs.Error{Kind: errs.Conflict, Message: msg, Fields: []errs.Problem{{Field: "from_path", Message: msg}}}
}

// redirectAt is the redirect stored at an address, in a transaction.
func redirectAt(ctx context.Context, tx *Tx, from string) (*redirect.Redirect, error) {
	r, err := scanRedirect(tx.QueryRowContext(ctx, `SELECT `+redirectColumns+` FROM redirects WHERE from_path = ?`, from))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, redirect.ErrNotFound
	}
	return r, err
}

// chain makes r lead straight on where its target's own redirect leads,
// if its target has one, and refuses a redirect that would come back to
// its own address. One step is enough: what is stored has no chain.
func (db *DB) chain(ctx context.Context, tx *Tx, r *redirect.Redirect) error {
	key := redirect.TargetKey(r.ToURL, r.OffSite)
	if key == "" {
		return nil
	}
	next, err := redirectAt(ctx, tx, key)
	if errors.Is(err, redirect.ErrNotFound) || err == nil && next.ID == r.ID {
		return nil
	}
	if err != nil {
		return err
	}
	if redirect.TargetKey(next.ToURL, next.OffSite) == r.FromPath {
		return errs.InvalidKey("to_url", "problem.redirect_circle", redirect.Display(next.FromPath), redirect.Display(r.FromPath))
	}
	r.ToURL, r.OffSite = next.ToURL, next.OffSite
	return nil
}

// writeRedirect inserts r (ID 0) or rewrites it, and makes every other
// redirect that led to r's address lead where r leads.
func (db *DB) writeRedirect(ctx context.Context, tx *Tx, r *redirect.Redirect) error {
	key := redirect.TargetKey(r.ToURL, r.OffSite)
	var err error
	if r.ID == 0 {
		err = tx.QueryRowContext(ctx, `INSERT INTO redirects (from_path, to_url, to_key, off_site, status, source, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.FromPath, r.ToURL, key, r.OffSite, r.Status, r.Source, r.CreatedAt.Unix(), nullID(r.CreatedBy)).Scan(&r.ID)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE redirects SET from_path = ?, to_url = ?, to_key = ?, off_site = ?, status = ?, source = ? WHERE id = ?`,
			r.FromPath, r.ToURL, key, r.OffSite, r.Status, r.Source, r.ID)
	}
	if err != nil {
		return err
	}
	// to_key <> '' lets the engines use the partial index on to_key.
	_, err = tx.ExecContext(ctx, `UPDATE redirects SET to_url = ?, to_key = ?, off_site = ? WHERE to_key = ? AND to_key <> '' AND id <> ?`,
		r.ToURL, key, r.OffSite, r.FromPath, r.ID)
	return err
}

// DeleteRedirect deletes one redirect.
func (db *DB) DeleteRedirect(ctx context.Context, id int64) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM redirects WHERE id = ?`, id)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, redirect.ErrNotFound
		}
		return []string{redirect.CacheKey}, nil
	})
	if err != nil {
		return db.errorf("delete redirect %d: %w", id, err)
	}
	return nil
}

// RedirectByID returns one redirect.
func (db *DB) RedirectByID(ctx context.Context, id int64) (*redirect.Redirect, error) {
	r, err := scanRedirect(db.read.QueryRowContext(ctx, `SELECT `+redirectColumns+` FROM redirects WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("redirect %d: %w", id, redirect.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("redirect %d: %w", id, err)
	}
	return r, nil
}

// RedirectFor returns the redirect that answers a request for target, a
// path with an optional query as requested (redirect.Key reads it).
func (db *DB) RedirectFor(ctx context.Context, target string) (*redirect.Redirect, error) {
	key, err := redirect.Key(target)
	if err != nil {
		return nil, redirect.ErrNotFound
	}
	r, err := scanRedirect(db.read.QueryRowContext(ctx, `SELECT `+redirectColumns+` FROM redirects WHERE from_path = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, redirect.ErrNotFound
	}
	if err != nil {
		return nil, db.errorf("redirect for %s: %w", key, err)
	}
	return r, nil
}

// Redirects lists redirects, newest first, a page at a time.
func (db *DB) Redirects(ctx context.Context, q redirect.Query) ([]redirect.Redirect, error) {
	var where []string
	var args []any
	if q.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, q.BeforeID)
	}
	switch q.Made {
	case redirect.MadeByHand:
		where = append(where, "source = ''")
	case redirect.MadeByImport:
		where = append(where, "source <> ''")
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		// As typed, and as stored (a Persian slug is stored escaped), in
		// any case: stored addresses are ASCII, which LOWER folds alike on
		// every engine.
		if len(s) > 1 {
			s = strings.TrimSuffix(s, "/") // as keys are stored
		}
		forms := []string{strings.ToLower(s)}
		if e := strings.ToLower(redirect.Escaped(s)); e != forms[0] {
			forms = append(forms, e)
		}
		var any []string
		for _, f := range forms {
			any = append(any, `LOWER(from_path) LIKE ? ESCAPE '\'`, `LOWER(to_url) LIKE ? ESCAPE '\'`)
			like := "%" + likeEscape(f) + "%"
			args = append(args, like, like)
		}
		where = append(where, "("+strings.Join(any, " OR ")+")")
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	query := `SELECT ` + redirectColumns + ` FROM redirects`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	var out []redirect.Redirect
	err := each(ctx, db.read, query+` ORDER BY id DESC LIMIT ?`, append(args, q.Limit), func(rows *sql.Rows) error {
		r, err := scanRedirect(rows)
		if err == nil {
			out = append(out, *r)
		}
		return err
	})
	if err != nil {
		return nil, db.errorf("redirects: %w", err)
	}
	return out, nil
}

// AddRedirectHits adds hits counted in memory to their redirects, in one
// statement; redirects deleted since are skipped. Writers of hits take
// the redirects' lock, so instances flushing at once take turns rather
// than deadlock.
func (db *DB) AddRedirectHits(ctx context.Context, hits map[int64]redirect.Hit) error {
	if len(hits) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(hits))
	args := make([]any, 0, 3*len(ids))
	for _, id := range ids {
		args = append(args, id, hits[id].N, hits[id].Last.Unix())
	}
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		if err := db.eng.Lock(ctx, tx, redirectsLock); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, `UPDATE redirects SET hits = redirects.hits + v.column2,
			last_hit_at = CASE WHEN redirects.last_hit_at IS NULL OR redirects.last_hit_at < v.column3 THEN v.column3 ELSE redirects.last_hit_at END
			FROM (VALUES `+valueRows("(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))", len(ids))+`) AS v
			WHERE redirects.id = v.column1`, args...)
		return nil, err
	})
	if err != nil {
		return db.errorf("add redirect hits: %w", err)
	}
	return nil
}

// putBatch writes a batch of valid imported redirects as PutRedirects
// says, reading first, in a few statements, every stored redirect the
// batch may meet — at its addresses, at its targets, and leading to its
// addresses — then working out in memory what each becomes, then writing
// the new ones in a few statements and each changed one in its own.
func (db *DB) putBatch(ctx context.Context, tx *Tx, batch []redirect.Redirect, now time.Time) (redirect.PutResult, error) {
	var counts redirect.PutResult
	at := map[string]*redirect.Redirect{}               // by address: stored, then the batch's
	leading := map[string]map[*redirect.Redirect]bool{} // by the address they lead to
	follow := func(r *redirect.Redirect, key string) {
		if key == "" {
			return
		}
		if leading[key] == nil {
			leading[key] = map[*redirect.Redirect]bool{}
		}
		leading[key][r] = true
	}
	var addrs, targets []any
	for _, r := range batch {
		addrs = append(addrs, r.FromPath)
		if k := redirect.TargetKey(r.ToURL, r.OffSite); k != "" {
			targets = append(targets, k)
		}
	}
	load := func(where string, keys []any) error {
		for chunk := range slices.Chunk(keys, 500) {
			err := each(ctx, tx, `SELECT `+redirectColumns+` FROM redirects WHERE `+where+` IN (`+strings.Repeat(", ?", len(chunk))[2:]+`)`, chunk,
				func(rows *sql.Rows) error {
					r, err := scanRedirect(rows)
					if err != nil {
						return err
					}
					if _, ok := at[r.FromPath]; !ok {
						at[r.FromPath] = r
						follow(r, redirect.TargetKey(r.ToURL, r.OffSite))
					}
					return nil
				})
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := load("from_path", append(addrs, targets...)); err != nil {
		return counts, err
	}
	// to_key <> '' lets the engines use the partial index on to_key.
	if err := load("to_key <> '' AND to_key", addrs); err != nil {
		return counts, err
	}
	changed := map[*redirect.Redirect]bool{}
	var added []*redirect.Redirect
	newID := int64(0) // the batch's new redirects are told apart by ids below zero until written
	for _, r := range batch {
		old := at[r.FromPath]
		if old != nil && !old.Imported() {
			counts.Kept++
			continue
		}
		r := r
		if old != nil {
			r.ID, r.CreatedAt, r.CreatedBy, r.Hits, r.LastHitAt = old.ID, old.CreatedAt, old.CreatedBy, old.Hits, old.LastHitAt
		} else {
			newID--
			r.ID, r.CreatedAt = newID, now
		}
		// Where its target leads on, it leads straight there; never round
		// a circle.
		if key := redirect.TargetKey(r.ToURL, r.OffSite); key != "" {
			if next := at[key]; next != nil && next.ID != r.ID {
				if redirect.TargetKey(next.ToURL, next.OffSite) == r.FromPath {
					counts.Skipped++
					continue
				}
				r.ToURL, r.OffSite = next.ToURL, next.OffSite
			}
		}
		if old != nil && old.ToURL == r.ToURL && old.OffSite == r.OffSite && old.Status == r.Status && old.Source == r.Source {
			counts.Unchanged++
			continue
		}
		stored := &r
		if old != nil {
			if old.ID > 0 { // stored before; else added earlier in the batch
				counts.Updated++
				changed[old] = true
			}
			delete(leading[redirect.TargetKey(old.ToURL, old.OffSite)], old)
			*old = r
			stored = old
		} else {
			counts.Added++
			at[r.FromPath] = stored
			added = append(added, stored)
		}
		key := redirect.TargetKey(stored.ToURL, stored.OffSite)
		follow(stored, key)
		// Those that led to its address lead where it leads.
		for other := range leading[stored.FromPath] {
			if other == stored {
				continue
			}
			other.ToURL, other.OffSite = stored.ToURL, stored.OffSite
			delete(leading[stored.FromPath], other)
			follow(other, key)
			if other.ID > 0 {
				changed[other] = true
			}
		}
	}
	const cols = 8
	rows := make([]any, 0, cols*len(added))
	for _, r := range added {
		rows = append(rows, r.FromPath, r.ToURL, redirect.TargetKey(r.ToURL, r.OffSite), r.OffSite, r.Status, r.Source, r.CreatedAt.Unix(), nullID(r.CreatedBy))
	}
	for chunk := range slices.Chunk(rows, cols*500) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO redirects (from_path, to_url, to_key, off_site, status, source, created_at, created_by) VALUES `+
			valueRows("(?, ?, ?, ?, ?, ?, ?, ?)", len(chunk)/cols), chunk...); err != nil {
			return counts, err
		}
	}
	for r := range changed {
		if _, err := tx.ExecContext(ctx, `UPDATE redirects SET to_url = ?, to_key = ?, off_site = ?, status = ?, source = ? WHERE id = ?`,
			r.ToURL, redirect.TargetKey(r.ToURL, r.OffSite), r.OffSite, r.Status, r.Source, r.ID); err != nil {
			return counts, err
		}
	}
	return counts, nil
}

// PutRedirects stores imported redirects (each with its importer's
// Source) in one transaction: a new address is added, one imported before
// is updated, and one that has a redirect made by hand keeps it. Chains
// are resolved as CreateRedirect resolves them, in the order given, so
// "/a" → "/b" and "/b" → "/c" store "/a" → "/c" whichever comes first; a
// redirect to its own address, or round a circle, is skipped. Any other
// invalid redirect refuses the whole batch, naming each (at most ten).
func (db *DB) PutRedirects(ctx context.Context, rs []redirect.Redirect) (redirect.PutResult, error) {
	var res redirect.PutResult
	inv := &errs.InvalidError{}
	batch := make([]redirect.Redirect, 0, len(rs))
	for i, r := range rs {
		if r.Source == redirect.ByHand {
			inv.Add("source", fmt.Sprintf("redirect %d (%s): an imported redirect names its importer", i+1, r.FromPath))
			continue
		}
		err := redirect.Validate(&r)
		var bad *errs.InvalidError
		switch {
		case err == nil:
			batch = append(batch, r)
		case errors.As(err, &bad) && len(bad.Problems) == 1 && bad.Field(0) == "to_url" && redirect.TargetKey(r.ToURL, r.OffSite) == r.FromPath:
			res.Skipped++ // to its own address
		case bad == nil:
			inv.Add("", fmt.Sprintf("redirect %d (%s): %v", i+1, rs[i].FromPath, err))
		default:
			for j, p := range bad.Problems {
				inv.Add(bad.Field(j), fmt.Sprintf("redirect %d (%s): %s", i+1, rs[i].FromPath, p))
			}
		}
		if len(inv.Problems) >= 10 {
			break
		}
	}
	if err := inv.OrNil(); err != nil {
		return redirect.PutResult{}, err
	}
	now := db.now().UTC().Truncate(1e9)
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		if err := db.eng.Lock(ctx, tx, redirectsLock); err != nil {
			return nil, err
		}
		counts, err := db.putBatch(ctx, tx, batch, now)
		if err != nil {
			return nil, err
		}
		counts.Skipped += res.Skipped
		res = counts
		if counts.Added+counts.Updated == 0 {
			return nil, nil
		}
		return []string{redirect.CacheKey}, nil
	})
	if err != nil {
		return redirect.PutResult{}, db.errorf("put redirects: %w", err)
	}
	return res, nil
}
