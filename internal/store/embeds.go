package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/embed"
)

// Embeds: what providers said of the embeds of article bodies, by the
// address a body writes (internal/embed). Records are written outside
// the article's write, before it: a page rendered from the article then
// finds them.

const embedColumns = `url, provider, provider_name, title, author, frame, width, height, thumbnail_url, COALESCE(thumbnail_id, 0), complete, fetched_at`

func scanEmbed(row rowScanner) (embed.Record, error) {
	var r embed.Record
	var at int64
	err := row.Scan(&r.URL, &r.ProviderKey, &r.Provider, &r.Title, &r.Author, &r.Frame, &r.Width, &r.Height, &r.ThumbnailURL, &r.ThumbnailID, &r.Complete, &at)
	r.FetchedAt = time.Unix(at, 0).UTC()
	r.FrameOrigin = embed.Origin(r.Frame)
	return r, err
}

// Embed returns the record of one address; article.ErrNotFound when none
// is kept.
func (db *DB) Embed(ctx context.Context, url string) (embed.Record, error) {
	r, err := scanEmbed(db.read.QueryRowContext(ctx, `SELECT `+embedColumns+` FROM embeds WHERE url = ?`, url))
	if errors.Is(err, sql.ErrNoRows) {
		return embed.Record{}, db.errorf("embed %q: %w", url, article.ErrNotFound)
	}
	if err != nil {
		return embed.Record{}, db.errorf("embed %q: %w", url, err)
	}
	return r, nil
}

// EmbedsByURL returns the records kept of the addresses, by address;
// addresses without one are absent.
func (db *DB) EmbedsByURL(ctx context.Context, urls []string) (map[string]embed.Record, error) {
	out := make(map[string]embed.Record, len(urls))
	for len(urls) > 0 {
		part := urls[:min(len(urls), 500)]
		urls = urls[len(part):]
		err := each(ctx, db.read, `SELECT `+embedColumns+` FROM embeds WHERE url IN (`+placeholders(len(part))+`)`, anys(part), func(rows *sql.Rows) error {
			r, err := scanEmbed(rows)
			out[r.URL] = r
			return err
		})
		if err != nil {
			return nil, db.errorf("embeds: %w", err)
		}
	}
	return out, nil
}

// SaveEmbed stores a record in place of the one kept of its address,
// unless that one is complete and this one is not: a provider that did
// not answer one save takes nothing away from what it told another.
func (db *DB) SaveEmbed(ctx context.Context, r *embed.Record) error {
	if r.URL == "" || r.ProviderKey == "" || r.FetchedAt.IsZero() || r.Frame != "" && embed.Origin(r.Frame) == "" {
		return db.errorf("embed %q: %w", r.URL, &article.InvalidError{Problems: []string{"an embed needs an address, a provider, a time and an https frame or none"}})
	}
	_, err := db.exec(ctx, `INSERT INTO embeds (url, provider, provider_name, title, author, frame, width, height, thumbnail_url, thumbnail_id, complete, fetched_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET provider = excluded.provider, provider_name = excluded.provider_name, title = excluded.title,
			author = excluded.author, frame = excluded.frame, width = excluded.width, height = excluded.height,
			thumbnail_url = excluded.thumbnail_url, thumbnail_id = excluded.thumbnail_id, complete = excluded.complete, fetched_at = excluded.fetched_at
		WHERE excluded.complete OR NOT embeds.complete`,
		r.URL, r.ProviderKey, r.Provider, r.Title, r.Author, r.Frame, r.Width, r.Height, r.ThumbnailURL, nullID(r.ThumbnailID), r.Complete, r.FetchedAt.Unix())
	if db.eng.IsForeignKey(err) {
		return db.errorf("embed %q: %w", r.URL, &article.InvalidError{Problems: []string{"the thumbnail is not in the media library"}})
	}
	if err != nil {
		return db.errorf("embed %q: %w", r.URL, err)
	}
	return nil
}
