package store

import (
	"context"
	"database/sql"

	"broadsheet/internal/markup"
)

// renderedText is a kind of text kept with the HTML it renders to and the
// version of the renderer that made it (html_of): its statements to find
// rows stored without it or by an earlier renderer and to store what they
// render to, and the renderer.
type renderedText struct {
	what    string
	stale   string // id and text of up to n rows whose html_of is below version
	store   string // HTML, version, id, and the text it was rendered from
	version int
	render  func(ctx context.Context, text string) (string, error)
	// also writes what else is found in a row's text when it is stored.
	also func(ctx context.Context, tx *Tx, id int64, text string) error
}

// renderedTexts are the texts stored with their HTML, in the order
// RenderStored renders them.
func (db *DB) renderedTexts() []renderedText {
	return []renderedText{
		{what: "comments", version: markup.CommentsVersion, render: db.commentHTML,
			stale: `SELECT id, body FROM comments WHERE html_of < ? LIMIT ?`,
			store: `UPDATE comments SET html = ?, html_of = ? WHERE id = ? AND body = ?`},
		{what: "articles", version: markup.ArticlesVersion, render: db.articleHTML,
			stale: `SELECT id, body FROM articles WHERE html_of < ? LIMIT ?`,
			store: `UPDATE articles SET body_html = ?, html_of = ? WHERE id = ? AND body = ?`, also: writeBodyMedia},
		// A deleted update has no text to render.
		{what: "live updates", version: markup.ArticlesVersion, render: db.articleHTML,
			stale: `SELECT id, body FROM live_updates WHERE html_of < ? AND deleted_at IS NULL LIMIT ?`,
			store: `UPDATE live_updates SET body_html = ?, html_of = ? WHERE id = ? AND body = ? AND deleted_at IS NULL`,
			also: func(ctx context.Context, tx *Tx, id int64, text string) error {
				return writeMedia(ctx, tx, updateMedia, id, text)
			}},
	}
}

// RenderStored renders and stores the HTML of up to n comments, articles
// and live updates stored without it or by an earlier renderer
// (markup.CommentsVersion, markup.ArticlesVersion), in that order, and
// reports how many it rendered: after an upgrade, `serve` calls it until
// none is left. A comment edited, or an article updated, meanwhile keeps
// what its write stored: the HTML is stored only beside the text it was
// rendered from. Nothing public changes, so no cache key is logged.
func (db *DB) RenderStored(ctx context.Context, n int) (int, error) {
	done := 0
	for _, k := range db.renderedTexts() {
		if done >= n {
			break
		}
		m, err := db.renderStale(ctx, k, n-done)
		if err != nil {
			return 0, err
		}
		done += m
	}
	return done, nil
}

// renderStale renders up to n rows of k outside the write, which then
// only stores what they rendered to.
func (db *DB) renderStale(ctx context.Context, k renderedText, n int) (int, error) {
	type stale struct {
		id         int64
		text, html string
	}
	var list []stale
	err := each(ctx, db.read, k.stale, []any{k.version, n}, func(rows *sql.Rows) error {
		var r stale
		err := rows.Scan(&r.id, &r.text)
		list = append(list, r)
		return err
	})
	if err != nil {
		return 0, db.errorf("render %s: %w", k.what, err)
	}
	if len(list) == 0 {
		return 0, nil
	}
	for i := range list {
		if list[i].html, err = k.render(ctx, list[i].text); err != nil {
			return 0, err
		}
	}
	err = db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		for _, r := range list {
			res, err := tx.ExecContext(ctx, k.store, r.html, k.version, r.id, r.text)
			if err != nil {
				return nil, err
			}
			if n, _ := res.RowsAffected(); n == 1 && k.also != nil {
				if err := k.also(ctx, tx, r.id, r.text); err != nil {
					return nil, err
				}
			}
		}
		return nil, nil
	})
	if err != nil {
		return 0, db.errorf("render %s: %w", k.what, err)
	}
	return len(list), nil
}
