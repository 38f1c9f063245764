package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/mail"
	"broadsheet/internal/markup"
)

// Records brought from another system (a WordPress export) are written
// with the dates, statuses and threads they had there, and the store
// remembers what each became (the imported table), so that a second
// import of the same site brings only what is new. Nothing an import
// writes is announced: subscribers hear of what the newsroom publishes
// here, not of its archive.

// ImportedID is the row the record o became, 0 when none has yet.
func (db *DB) ImportedID(ctx context.Context, o article.Origin) (int64, error) {
	return importedID(ctx, db.read, o)
}

func importedID(ctx context.Context, q Querier, o article.Origin) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT local_id FROM imported WHERE source = ? AND kind = ? AND source_id = ?`, o.Source, o.Kind, o.ID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("imported %s %d: %w", o.Kind, o.ID, err)
	}
	return id, nil
}

// RememberImport records that the record o became row id, written by the
// store's usual methods (a section, a tag, an author, an image).
func (db *DB) RememberImport(ctx context.Context, o article.Origin, id int64) error {
	if _, err := remember(ctx, db.write, o, id, db.now()); err != nil {
		return db.errorf("remember imported %s %d: %w", o.Kind, o.ID, err)
	}
	return nil
}

func remember(ctx context.Context, q interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}, o article.Origin, id int64, now time.Time) (sql.Result, error) {
	return q.ExecContext(ctx, `INSERT INTO imported (source, kind, source_id, local_id, imported_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (source, kind, source_id) DO UPDATE SET local_id = excluded.local_id, imported_at = excluded.imported_at`,
		o.Source, o.Kind, o.ID, id, now.Unix())
}

// ImportArticle writes an imported article with its comments, in one
// transaction: the article as it was (its status and publication time;
// created then, modified now), unless an earlier import wrote it already
// (res.New false: it is left as the newsroom may have changed it since),
// and then those of its comments not imported before, each under the
// comment it replied to. An article of o's that was imported and has
// been deleted since takes no comments. A slug another article has is a
// conflict (article.ErrConflict).
func (db *DB) ImportArticle(ctx context.Context, o article.Origin, a *article.Article, comments []comment.Imported) (article.ImportResult, error) {
	group := []comment.ArticleImport{{Origin: o, Article: a, Comments: comments}}
	if err := db.ImportArticles(ctx, group); err != nil {
		return article.ImportResult{}, err
	}
	return group[0].Result, group[0].Err
}

// ImportArticles writes a group of imported articles, each as
// ImportArticle does, in one transaction: one commit for many articles.
// An article that cannot be written (invalid, or its slug taken) is left
// out of it with its Err set, and the others are written; any other
// failure writes none and is returned.
func (db *DB) ImportArticles(ctx context.Context, group []comment.ArticleImport) error {
	html := make([]string, len(group))
	invalid := make([]error, len(group))
	for i := range group {
		g := &group[i]
		if invalid[i] = g.Article.Validate(); invalid[i] != nil {
			continue
		}
		var err error
		if html[i], err = db.articleHTML(ctx, g.Article.Body); err != nil {
			return err
		}
		for j := range g.Comments {
			var err error
			if g.Comments[j].HTML, err = db.commentHTML(ctx, g.Comments[j].Body); err != nil {
				return err
			}
		}
	}
	now := db.now()
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		var keys []string
		for i := range group {
			g := &group[i]
			g.Result, g.Err = article.ImportResult{}, invalid[i]
			if g.Err != nil {
				continue
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT import_article`); err != nil {
				return nil, err
			}
			k, err := db.importArticle(ctx, tx, g, html[i], now)
			if err != nil && (db.eng.IsUnique(err) || db.eng.IsForeignKey(err)) {
				// This article alone is refused; the group goes on.
				if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_article`); rerr != nil {
					return nil, rerr
				}
				g.Result, g.Err, g.Article.ID = article.ImportResult{}, db.articleWriteError(g.Article.Slug, err), 0
			} else if err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT import_article`); err != nil {
				return nil, err
			}
			keys = append(keys, k...)
		}
		return keys, nil
	})
	if err != nil {
		for i := range group {
			group[i].Result = article.ImportResult{}
		}
		return db.errorf("import articles: %w", err)
	}
	for i := range group {
		g := &group[i]
		if g.Result.New {
			g.Article.Version, g.Article.ModifiedAt, g.Article.BodyHTML = 1, now.UTC().Truncate(1e9), html[i]
		}
	}
	return nil
}

// importArticle writes one article of a group, and returns the keys its
// pages are cached under.
func (db *DB) importArticle(ctx context.Context, tx *Tx, g *comment.ArticleImport, html string, now time.Time) ([]string, error) {
	a := g.Article
	id, err := importedID(ctx, tx, g.Origin)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		if err := db.insertImported(ctx, tx, a, html, now); err != nil {
			return nil, err
		}
		if _, err := remember(ctx, tx, g.Origin, a.ID, now); err != nil {
			return nil, err
		}
		g.Result.New = true
	} else {
		a.ID = id
		err := tx.QueryRowContext(ctx, `SELECT slug, section_id FROM articles WHERE id = ?`, id).Scan(&a.Slug, &a.Section.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil // deleted here since
		}
		if err != nil {
			return nil, err
		}
	}
	if g.Result.Comments, err = db.importComments(ctx, tx, g.Origin.Source, a.ID, !g.Result.New, g.Comments); err != nil {
		return nil, err
	}
	if !g.Result.New && g.Result.Comments == 0 {
		return nil, nil
	}
	return append(a.Keys(), article.KeyComments(a.ID)), nil
}

// ImportComments writes those comments of the article imported as o that
// were not imported before, each under the comment it replied to, in one
// transaction, and says how many it wrote. An article of o's never
// imported, or deleted since, is not found (article.ErrNotFound).
func (db *DB) ImportComments(ctx context.Context, o article.Origin, comments []comment.Imported) (int, error) {
	// Imported again, a post has seldom a new comment: that is known
	// without a transaction.
	done, err := rememberedComments(ctx, db.read, o.Source, comments)
	if err != nil {
		return 0, db.errorf("import comments of %s %d: %w", o.Kind, o.ID, err)
	}
	if len(done) == len(comments) {
		if id, err := importedID(ctx, db.read, o); err != nil || id == 0 {
			return 0, cmp.Or(err, db.errorf("import comments of %s %d: %w", o.Kind, o.ID, article.ErrNotFound))
		}
		return 0, nil
	}
	for i := range comments {
		if comments[i].HTML, err = db.commentHTML(ctx, comments[i].Body); err != nil {
			return 0, err
		}
	}
	var added int
	err = db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		id, err := importedID(ctx, tx, o)
		if err == nil && id != 0 {
			err = tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE id = ?`, id).Scan(&id)
		}
		if errors.Is(err, sql.ErrNoRows) || (err == nil && id == 0) {
			return nil, article.ErrNotFound
		}
		if err != nil {
			return nil, err
		}
		if added, err = db.importComments(ctx, tx, o.Source, id, true, comments); err != nil || added == 0 {
			return nil, err
		}
		return []string{article.KeyArticle(id), article.KeyComments(id)}, nil
	})
	if err != nil {
		return 0, db.errorf("import comments of %s %d: %w", o.Kind, o.ID, err)
	}
	return added, nil
}

// insertImported writes a new imported article: its row, bylines, tags,
// first revision and place in the search index, and takes its slug from
// any old address that had it.
func (db *DB) insertImported(ctx context.Context, tx *Tx, a *article.Article, html string, now time.Time) error {
	created := now
	if !a.PublishedAt.IsZero() && a.PublishedAt.Before(now) {
		created = a.PublishedAt
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO articles
		(slug, headline, standfirst, body, body_html, html_of, section_id, lead_image_id, status, language, published_at, updated_at, created_at, modified_at,
		 version, comments_closed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id`,
		a.Slug, a.Headline, a.Standfirst, a.Body, html, markup.ArticlesVersion, a.Section.ID, imageID(a.LeadImage), a.Status, a.Language,
		unix(a.PublishedAt), unix(a.UpdatedAt), created.Unix(), now.Unix(), a.CommentsClosed).Scan(&a.ID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM slug_redirects WHERE old_slug = ?`, a.Slug); err != nil {
		return err
	}
	a.Version = 1
	if err := writeRelations(ctx, tx, a); err != nil {
		return err
	}
	if err := writeBodyMedia(ctx, tx, a.ID, a.Body); err != nil {
		return err
	}
	if err := writeRevision(ctx, tx, a, created); err != nil {
		return err
	}
	return db.index(ctx, tx, a.ID)
}

// threadRow is where a comment sits in its thread, for the replies
// threaded under it.
type threadRow struct {
	id, root int64
	depth    int
	path     string
	name     string
}

// importComments writes the comments of article id not imported before,
// in the order given (a reply after the comment it replies to). A reply
// whose comment was not imported goes to the top of the thread. again
// says the article was imported before, so that some of its comments may
// have been too.
func (db *DB) importComments(ctx context.Context, tx *Tx, source string, id int64, again bool, comments []comment.Imported) (int, error) {
	if len(comments) == 0 {
		return 0, nil
	}
	now := db.now()
	done := map[int64]bool{} // imported before
	if again {
		var err error
		if done, err = rememberedComments(ctx, tx, source, comments); err != nil {
			return 0, err
		}
	}
	placed := make(map[int64]threadRow, len(comments)) // by id in the source
	// parent finds where the comment from imported as from sits.
	parent := func(from int64) (threadRow, bool, error) {
		if p, ok := placed[from]; ok {
			return p, true, nil
		}
		if !again {
			return threadRow{}, false, nil
		}
		local, err := importedID(ctx, tx, article.Origin{Source: source, Kind: "comment", ID: from})
		if err != nil || local == 0 {
			return threadRow{}, false, err
		}
		p := threadRow{id: local}
		err = tx.QueryRowContext(ctx, `SELECT root_id, depth, path, name FROM comments WHERE id = ? AND article_id = ?`, local, id).
			Scan(&p.root, &p.depth, &p.path, &p.name)
		if errors.Is(err, sql.ErrNoRows) {
			return threadRow{}, false, nil
		}
		return p, err == nil, err
	}
	var todo []*comment.Imported
	for i := range comments {
		c := &comments[i]
		if done[c.From] {
			continue
		}
		if !c.Status.Valid() {
			return 0, db.errorf("imported comment %d: status %q", c.From, c.Status)
		}
		todo = append(todo, c)
	}
	if len(todo) == 0 {
		return 0, nil
	}
	// The ids are drawn first, so that each row is written whole, with its
	// place in its thread: the ids from the top of its thread down to its
	// own, each zero-padded to twelve digits, sort depth-first.
	ids := make([]int64, 0, len(todo))
	err := each(ctx, tx, db.dialect.NextIDs("comments"), []any{len(todo)}, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return 0, err
	}
	if len(ids) != len(todo) {
		return 0, fmt.Errorf("drew %d comment ids for %d comments", len(ids), len(todo))
	}
	const cols = 17
	rows := make([]any, 0, cols*len(todo))
	for i, c := range todo {
		row := threadRow{id: ids[i], root: ids[i], name: c.Name}
		var parentID any
		under := ""
		if c.Parent != 0 {
			p, ok, err := parent(c.Parent)
			if err != nil {
				return 0, err
			}
			if ok {
				var beside bool
				row.depth, c.ReplyToName, beside = comment.ReplyPlace(p.depth, p.name)
				parentID, row.root, under = p.id, p.root, p.path
				if beside {
					under = p.path[:strings.LastIndexByte(p.path, '/')]
				}
			}
		}
		row.path = fmt.Sprintf("%s/%012d", under, row.id)
		placed[c.From] = row
		c.ID, c.ArticleID, c.Depth, c.ParentID = row.id, id, row.depth, 0
		if parentID != nil {
			c.ParentID = parentID.(int64)
		}
		c.Key = "import:" + strconv.FormatInt(c.From, 10)
		rows = append(rows, row.id, id, parentID, row.root, row.path, row.depth, c.ReplyToName, c.Name, c.Email, mail.AddressKey(c.Email), c.URL,
			c.Body, c.HTML, markup.CommentsVersion, c.Status, c.Key, c.CreatedAt.Unix())
	}
	for chunk := range slices.Chunk(rows, cols*500) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO comments (id, article_id, parent_id, root_id, path, depth, reply_to_name, name, email, email_key, url,
			body, html, html_of, status, idem_key, created_at) VALUES `+valueRows("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", len(chunk)/cols), chunk...); err != nil {
			return 0, err
		}
	}
	remembered := make([]any, 0, 5*len(todo))
	for _, c := range todo {
		remembered = append(remembered, source, "comment", c.From, c.ID, now.Unix())
	}
	for chunk := range slices.Chunk(remembered, 5*1000) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO imported (source, kind, source_id, local_id, imported_at) VALUES `+
			valueRows("(?, ?, ?, ?, ?)", len(chunk)/5)+`
			ON CONFLICT (source, kind, source_id) DO UPDATE SET local_id = excluded.local_id, imported_at = excluded.imported_at`, chunk...); err != nil {
			return 0, err
		}
	}
	return len(todo), nil
}

// rememberedComments are those of comments an earlier import wrote, by
// their ids in the source, asked in chunks a statement's parameters hold.
func rememberedComments(ctx context.Context, q Querier, source string, comments []comment.Imported) (map[int64]bool, error) {
	done := map[int64]bool{}
	for chunk := range slices.Chunk(comments, 500) {
		args := []any{source}
		for _, c := range chunk {
			args = append(args, c.From)
		}
		marks := strings.Repeat(", ?", len(chunk))[2:]
		err := each(ctx, q, `SELECT source_id FROM imported WHERE source = ? AND kind = 'comment' AND source_id IN (`+marks+`)`, args, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			done[id] = true
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return done, nil
}

// ImportPage writes an imported static page and remembers it, unless an
// earlier import wrote it (new false). A slug another page has is a
// conflict.
func (db *DB) ImportPage(ctx context.Context, o article.Origin, p *article.Page) (bool, error) {
	if err := article.ValidateSlug(p.Slug); err != nil {
		return false, err
	}
	if p.Language == "" {
		p.Language = "en"
	}
	now := db.now()
	var written bool
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		id, err := importedID(ctx, tx, o)
		if err != nil || id != 0 {
			p.ID, written = id, false
			return nil, err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO pages (slug, title, body, language, modified_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			p.Slug, p.Title, p.Body, p.Language, now.Unix()).Scan(&p.ID); err != nil {
			return nil, err
		}
		written = true
		_, err = remember(ctx, tx, o, p.ID, now)
		return []string{article.KeySite}, err
	})
	if db.eng.IsUnique(err) {
		return false, db.errorf("page %q already exists: %w", p.Slug, article.ErrConflict)
	}
	if err != nil {
		return false, db.errorf("import page %q: %w", p.Slug, err)
	}
	if written {
		p.ModifiedAt = now.UTC().Truncate(1e9)
	}
	return written, nil
}

// Analyze brings the planner's statistics of the tables an import fills
// up to date, so that the queries of the site, and of the next import,
// use their indexes however much was written at once.
func (db *DB) Analyze(ctx context.Context) error {
	for _, table := range []string{"articles", "comments", "imported", "redirects", "article_terms", "term_df", "article_tags", "article_authors", "article_images"} {
		if _, err := db.write.ExecContext(ctx, `ANALYZE `+table); err != nil {
			return db.errorf("analyze %s: %w", table, err)
		}
	}
	return nil
}
