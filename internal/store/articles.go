package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/embed"
	"broadsheet/internal/markup"
)

// articleColumns is what every article query selects, in scanArticle's order.
const articleColumns = `a.id, a.slug, a.headline, a.standfirst, a.status, a.language,
	a.published_at, a.updated_at, a.modified_at,
	a.version, COALESCE(a.created_by, 0), a.submitted_at, COALESCE(a.replaced_by, 0), a.comments_closed, COALESCE(a.translation_of, 0),
	a.live_blog, a.coverage_start, a.coverage_end, a.live_seq,
	s.id, s.slug, s.name, s.description, s.position, s.edition,
	i.id, i.alt, i.caption, i.credit, i.width, i.height`

const articleFrom = `FROM articles a
	JOIN sections s ON s.id = a.section_id
	LEFT JOIN images i ON i.id = a.lead_image_id`

func scanArticle(sc interface{ Scan(...any) error }, a *article.Article, extra ...any) error {
	var pub, upd, mod, sub, covStart, covEnd sql.NullInt64
	var imgID, imgW, imgH sql.NullInt64
	var alt, caption, credit sql.NullString
	dest := []any{&a.ID, &a.Slug, &a.Headline, &a.Standfirst, &a.Status, &a.Language,
		&pub, &upd, &mod,
		&a.Version, &a.CreatedBy, &sub, &a.ReplacedBy, &a.CommentsClosed, &a.TranslationOf,
		&a.LiveBlog, &covStart, &covEnd, &a.LiveSeq,
		&a.Section.ID, &a.Section.Slug, &a.Section.Name, &a.Section.Description, &a.Section.Position, &a.Section.Edition,
		&imgID, &alt, &caption, &credit, &imgW, &imgH}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	a.PublishedAt, a.UpdatedAt, a.ModifiedAt, a.SubmittedAt = fromUnix(pub), fromUnix(upd), fromUnix(mod), fromUnix(sub)
	a.CoverageStart, a.CoverageEnd = fromUnix(covStart), fromUnix(covEnd)
	if imgID.Valid {
		a.LeadImage = &article.Image{ID: imgID.Int64, Alt: alt.String, Caption: caption.String,
			Credit: credit.String, Width: int(imgW.Int64), Height: int(imgH.Int64)}
	}
	return nil
}

// ArticleBySlug returns the article with that slug, whatever its status.
func (db *DB) ArticleBySlug(ctx context.Context, slug string) (*article.Article, error) {
	return db.articleWhere(ctx, fmt.Sprintf("%q", slug), "a.slug = ?", slug, true)
}

// ArticleByID returns the article with that id, whatever its status.
func (db *DB) ArticleByID(ctx context.Context, id int64) (*article.Article, error) {
	return db.articleWhere(ctx, fmt.Sprint(id), "a.id = ?", id, true)
}

// BareArticleBySlug and BareArticleByID return the article without its
// body, bylines, tags and notes: one query instead of two, and all that
// posting a comment to it needs.
func (db *DB) BareArticleBySlug(ctx context.Context, slug string) (*article.Article, error) {
	return db.articleWhere(ctx, fmt.Sprintf("%q", slug), "a.slug = ?", slug, false)
}

func (db *DB) BareArticleByID(ctx context.Context, id int64) (*article.Article, error) {
	return db.articleWhere(ctx, fmt.Sprint(id), "a.id = ?", id, false)
}

func (db *DB) articleWhere(ctx context.Context, what, where string, arg any, whole bool) (*article.Article, error) {
	var a article.Article
	var html string
	var htmlOf int
	query, body := `SELECT `+articleColumns+` `+articleFrom+` WHERE `+where, []any(nil)
	if whole {
		query, body = `SELECT `+articleColumns+`, a.body, a.body_html, a.html_of `+articleFrom+` WHERE `+where, []any{&a.Body, &html, &htmlOf}
	}
	if err := scanArticle(db.read.QueryRowContext(ctx, query, arg), &a, body...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, db.errorf("article %s: %w", what, article.ErrNotFound)
		}
		return nil, db.errorf("article %s: %w", what, err)
	}
	if !whole {
		return &a, nil
	}
	if htmlOf == markup.ArticlesVersion {
		a.BodyHTML = html
	}
	list := []article.Article{a}
	if err := db.fillRelations(ctx, db.read, list, withTags|withNotes); err != nil {
		return nil, db.errorf("article %s: %w", what, err)
	}
	return &list[0], nil
}

// RedirectSlug returns the current slug of the article once published as old.
func (db *DB) RedirectSlug(ctx context.Context, old string) (string, error) {
	var slug string
	err := db.read.QueryRowContext(ctx, `SELECT a.slug FROM slug_redirects r JOIN articles a ON a.id = r.article_id WHERE r.old_slug = ?`, old).Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return "", db.errorf("redirect %q: %w", old, article.ErrNotFound)
	}
	if err != nil {
		return "", db.errorf("redirect %q: %w", old, err)
	}
	return slug, nil
}

// Articles lists published articles newest first, one keyset page at a time.
func (db *DB) Articles(ctx context.Context, q article.Query) (article.List, error) {
	where := []string{"a.status = 'published'"}
	var args []any
	if q.SectionID != 0 {
		where = append(where, "a.section_id = ?")
		args = append(args, q.SectionID)
	}
	if q.TagID != 0 {
		where = append(where, "a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ?)")
		args = append(args, q.TagID)
	}
	if q.AuthorID != 0 {
		where = append(where, "a.id IN (SELECT article_id FROM article_authors WHERE author_id = ?)")
		args = append(args, q.AuthorID)
	}
	if q.ExcludeID != 0 {
		where = append(where, "a.id <> ?")
		args = append(args, q.ExcludeID)
	}
	if q.OneEdition {
		where = append(where, "a.section_id IN (SELECT id FROM sections WHERE edition = ?)")
		args = append(args, q.Edition)
	}
	limit := q.PageSize()
	order := "DESC"
	page := where
	pageArgs := args
	switch {
	case q.Before != nil:
		page = append(slices.Clip(where), "(a.published_at, a.id) < (?, ?)")
		pageArgs = append(slices.Clip(args), q.Before.PublishedAt.Unix(), q.Before.ID)
	case q.After != nil:
		page = append(slices.Clip(where), "(a.published_at, a.id) > (?, ?)")
		pageArgs = append(slices.Clip(args), q.After.PublishedAt.Unix(), q.After.ID)
		order = "ASC"
	}
	query := `SELECT ` + articleColumns + ` ` + articleFrom +
		` WHERE ` + strings.Join(page, " AND ") +
		` ORDER BY a.published_at ` + order + `, a.id ` + order + ` LIMIT ?`
	var list []article.Article
	err := each(ctx, db.read, query, append(pageArgs, limit+1), func(rows *sql.Rows) error {
		var a article.Article
		if err := scanArticle(rows, &a); err != nil {
			return err
		}
		list = append(list, a)
		return nil
	})
	if err != nil {
		return article.List{}, db.errorf("list articles: %w", err)
	}

	more := len(list) > limit
	if more {
		list = list[:limit]
	}
	if order == "ASC" {
		slices.Reverse(list)
	}
	var res article.List
	res.Articles = list
	if len(list) == 0 {
		return res, nil
	}
	first, last := article.CursorOf(&list[0]), article.CursorOf(&list[len(list)-1])
	switch {
	case q.Before != nil:
		res.Newer = first // the page we came from lies that way
		if more {
			res.Older = last
		}
	case q.After != nil:
		if more {
			res.Newer = first
		}
		// Something older exists unless the cursor's own article is gone.
		exists, err := db.exists(ctx, append(slices.Clip(where), "(a.published_at, a.id) < (?, ?)"), append(slices.Clip(args), last.PublishedAt.Unix(), last.ID))
		if err != nil {
			return article.List{}, err
		}
		if exists {
			res.Older = last
		}
	default:
		if more {
			res.Older = last
		}
	}
	if err := db.fillRelations(ctx, db.read, res.Articles, 0); err != nil {
		return article.List{}, db.errorf("list articles: %w", err)
	}
	return res, nil
}

func (db *DB) exists(ctx context.Context, where []string, args []any) (bool, error) {
	var one int
	err := db.read.QueryRowContext(ctx, `SELECT 1 FROM articles a WHERE `+strings.Join(where, " AND ")+` LIMIT 1`, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, db.errorf("list articles: %w", err)
	}
	return true, nil
}

// relations says what fillRelations loads beside bylines and lead images.
type relations uint8

const (
	withTags  relations = 1 << iota
	withNotes           // corrections and updates: one article's page
)

// fillRelations loads the bylines, lead image variants and the relations
// asked for of every article of list, in one query whatever the length of
// list: on a database over a network, each query is a round trip. Each
// row is one relation, its kind first, in columns every kind shares.
func (db *DB) fillRelations(ctx context.Context, q Querier, list []article.Article, rel relations) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*article.Article, len(list))
	ids := make([]any, 0, len(list))
	var imageIDs []any
	byImage := map[int64][]*article.Image{}
	for i := range list {
		a := &list[i]
		byID[a.ID] = a
		ids = append(ids, a.ID)
		if a.LeadImage != nil {
			if _, seen := byImage[a.LeadImage.ID]; !seen {
				imageIDs = append(imageIDs, a.LeadImage.ID)
			}
			byImage[a.LeadImage.ID] = append(byImage[a.LeadImage.ID], a.LeadImage)
		}
	}
	in := placeholders(len(ids))
	parts := []string{`SELECT 'a' AS kind, aa.article_id AS owner, aa.position AS ord, au.id, au.slug AS t1, au.name AS t2, au.role AS t3, au.bio AS t4, 0 AS n
		FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN (` + in + `)`}
	args := slices.Clone(ids)
	if rel&withTags != 0 {
		parts = append(parts, `SELECT 't', at.article_id, 0, t.id, t.slug, t.name, '', '', 0
			FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN (`+in+`)`)
		args = append(args, ids...)
	}
	if rel&withNotes != 0 {
		parts = append(parts, `SELECT 'n', article_id, created_at, id, kind, '', body, '', COALESCE(user_id, 0)
			FROM article_notes WHERE article_id IN (`+in+`)`)
		args = append(args, ids...)
	}
	if len(imageIDs) > 0 {
		parts = append(parts, `SELECT 'v', image_id, width, 0, '', '', '', '', 0
			FROM image_variants WHERE image_id IN (`+placeholders(len(imageIDs))+`)`)
		args = append(args, imageIDs...)
	}
	// Bylines in their order, tags by name, notes oldest first, variants
	// narrowest first.
	err := each(ctx, q, strings.Join(parts, " UNION ALL ")+` ORDER BY kind, owner, ord, t2, id`, args, func(rows *sql.Rows) error {
		var kind, t1, t2, t3, t4 string
		var owner, ord, id, n int64
		if err := rows.Scan(&kind, &owner, &ord, &id, &t1, &t2, &t3, &t4, &n); err != nil {
			return err
		}
		switch kind {
		case "a":
			byID[owner].Authors = append(byID[owner].Authors, article.Author{ID: id, Slug: t1, Name: t2, Role: t3, Bio: t4})
		case "t":
			byID[owner].Tags = append(byID[owner].Tags, article.Tag{ID: id, Slug: t1, Name: t2})
		case "n":
			byID[owner].Notes = append(byID[owner].Notes, article.Note{ID: id, ArticleID: owner, Kind: article.NoteKind(t1), Body: t3,
				CreatedAt: time.Unix(ord, 0).UTC(), UserID: n})
		case "v":
			for _, img := range byImage[owner] {
				img.Variants = append(img.Variants, int(ord))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("relations: %w", err)
	}
	return nil
}

// articleHTML renders an article's body as it is stored with it.
func (db *DB) articleHTML(ctx context.Context, body string) (string, error) {
	html, err := db.articles.Render(ctx, body)
	if err != nil {
		return "", db.errorf("article body: %w", err)
	}
	return html, nil
}

// CreateArticle inserts a and its bylines and tags. Its body is stored
// with the HTML it renders to, rendered before the write begins.
func (db *DB) CreateArticle(ctx context.Context, a *article.Article) error {
	if err := a.Validate(); err != nil {
		return err
	}
	html, err := db.articleHTML(ctx, a.Body)
	if err != nil {
		return err
	}
	now := db.now()
	err = db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		err := tx.QueryRowContext(ctx, `INSERT INTO articles
			(slug, headline, standfirst, body, body_html, html_of, section_id, lead_image_id, status, language, published_at, updated_at, created_at, modified_at,
			 version, created_by, submitted_at, replaced_by, comments_closed, live_blog)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?) RETURNING id`,
			a.Slug, a.Headline, a.Standfirst, a.Body, html, markup.ArticlesVersion, a.Section.ID, imageID(a.LeadImage), a.Status, a.Language,
			unix(a.PublishedAt), unix(a.UpdatedAt), now.Unix(), now.Unix(),
			nullID(a.CreatedBy), unix(a.SubmittedAt), nullID(a.ReplacedBy), a.CommentsClosed, a.LiveBlog).Scan(&a.ID)
		if err != nil {
			return nil, err
		}
		if err := linkTranslation(ctx, tx, a); err != nil {
			return nil, err
		}
		// The slug now belongs to this article, whatever once had it.
		if _, err := tx.ExecContext(ctx, `DELETE FROM slug_redirects WHERE old_slug = ?`, a.Slug); err != nil {
			return nil, err
		}
		a.Version = 1
		if err := db.writeArticleRest(ctx, tx, a, now); err != nil {
			return nil, err
		}
		return a.Keys(), db.articleChanged(ctx, tx, a.ID, "", a.Status, nil, now)
	})
	if err != nil {
		return db.articleWriteError(a.Slug, err)
	}
	a.ModifiedAt, a.BodyHTML = now.UTC().Truncate(1e9), html
	return nil
}

// writeArticleRest writes what follows an article's row on every save:
// its bylines and tags, its revision, its announcement when it is
// published, and its place in the index.
func (db *DB) writeArticleRest(ctx context.Context, tx *Tx, a *article.Article, now time.Time) error {
	if err := writeRelations(ctx, tx, a); err != nil {
		return err
	}
	if err := writeBodyMedia(ctx, tx, a.ID, a.Body); err != nil {
		return err
	}
	if err := writeRevision(ctx, tx, a, now); err != nil {
		return err
	}
	if a.Status == article.Published {
		if err := announce(ctx, tx, a.ID, now); err != nil {
			return err
		}
	}
	return db.index(ctx, tx, a.ID)
}

// writeRevision records a's state as its current version.
func writeRevision(ctx context.Context, tx *Tx, a *article.Article, now time.Time) error {
	snap, err := json.Marshal(article.SnapshotOf(a))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO revisions (article_id, version, user_id, created_at, snapshot) VALUES (?, ?, ?, ?, ?)`,
		a.ID, a.Version, nullID(a.EditorID), now.Unix(), string(snap))
	return err
}

// UpdateArticle replaces a's stored fields, bylines and tags. A changed slug
// keeps the old one as a redirect. The body is stored with the HTML it
// renders to, rendered before the write begins.
func (db *DB) UpdateArticle(ctx context.Context, a *article.Article) error {
	if err := a.Validate(); err != nil {
		return err
	}
	html, err := db.articleHTML(ctx, a.Body)
	if err != nil {
		return err
	}
	now := db.now()
	err = db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		old, err := db.articleRelations(ctx, tx, a.ID)
		if err != nil {
			return nil, err
		}
		// A zero Version means "whatever is stored" (programs, not people).
		res, err := tx.ExecContext(ctx, `UPDATE articles SET slug = ?, headline = ?, standfirst = ?, body = ?, body_html = ?, html_of = ?,
			section_id = ?, lead_image_id = ?, status = ?, language = ?, published_at = ?, updated_at = ?, modified_at = ?,
			submitted_at = ?, replaced_by = ?, comments_closed = ?, live_blog = ?, version = version + 1
			WHERE id = ? AND (? = 0 OR version = ?)`,
			a.Slug, a.Headline, a.Standfirst, a.Body, html, markup.ArticlesVersion, a.Section.ID, imageID(a.LeadImage), a.Status, a.Language,
			unix(a.PublishedAt), unix(a.UpdatedAt), now.Unix(), unix(a.SubmittedAt), nullID(a.ReplacedBy), a.CommentsClosed, a.LiveBlog,
			a.ID, a.Version, a.Version)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, errStale // the article exists (articleRelations found it): another save won
		}
		if err := tx.QueryRowContext(ctx, `SELECT version FROM articles WHERE id = ?`, a.ID).Scan(&a.Version); err != nil {
			return nil, err
		}
		if err := linkTranslation(ctx, tx, a); err != nil {
			return nil, err
		}
		if old.Slug != a.Slug {
			if _, err := tx.ExecContext(ctx, `DELETE FROM slug_redirects WHERE old_slug = ?`, a.Slug); err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO slug_redirects (old_slug, article_id) VALUES (?, ?)
				ON CONFLICT (old_slug) DO UPDATE SET article_id = excluded.article_id`, old.Slug, a.ID); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM article_tags WHERE article_id = ?`, a.ID); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM article_authors WHERE article_id = ?`, a.ID); err != nil {
			return nil, err
		}
		if err := db.writeArticleRest(ctx, tx, a, now); err != nil {
			return nil, err
		}
		return append(old.Keys(), a.Keys()...), db.articleChanged(ctx, tx, a.ID, old.Status, a.Status, old, now)
	})
	if errors.Is(err, errStale) {
		current, cerr := db.ArticleByID(ctx, a.ID)
		if cerr != nil {
			return db.errorf("article %d: %w", a.ID, cerr)
		}
		return &article.ConflictError{Current: current, Sent: a.Version}
	}
	if err != nil {
		return db.articleWriteError(a.Slug, err)
	}
	a.ModifiedAt, a.BodyHTML = now.UTC().Truncate(1e9), html
	return nil
}

// articleRelations loads what an article's cache keys depend on, and its
// status.
func (db *DB) articleRelations(ctx context.Context, tx *Tx, id int64) (*article.Article, error) {
	a := article.Article{ID: id}
	err := tx.QueryRowContext(ctx, `SELECT slug, section_id, COALESCE(translation_of, 0), status FROM articles WHERE id = ?`, id).
		Scan(&a.Slug, &a.Section.ID, &a.TranslationOf, &a.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, article.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	list := []article.Article{a}
	if err := db.fillRelations(ctx, tx, list, withTags); err != nil {
		return nil, err
	}
	return &list[0], nil
}

func writeRelations(ctx context.Context, tx *Tx, a *article.Article) error {
	for i, au := range a.Authors {
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, ?)`, a.ID, au.ID, i); err != nil {
			return fmt.Errorf("byline %d: %w", au.ID, err)
		}
	}
	for _, t := range a.Tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_tags (article_id, tag_id) VALUES (?, ?)`, a.ID, t.ID); err != nil {
			return fmt.Errorf("tag %d: %w", t.ID, err)
		}
	}
	return nil
}

// writeBodyMedia records the images and documents of the media library
// article id's body shows or links to (those that exist), in place of
// those it held before: its own images, the thumbnails of its embeds, and
// its documents.
func writeBodyMedia(ctx context.Context, tx *Tx, id int64, body string) error {
	return writeMedia(ctx, tx, articleMedia, id, body)
}

// mediaOwner names the tables that record what media a kind of text
// shows, and their column naming the text.
type mediaOwner struct{ images, documents, owner string }

var (
	articleMedia = mediaOwner{"article_images", "article_documents", "article_id"}
	updateMedia  = mediaOwner{"live_update_images", "live_update_documents", "update_id"}
)

// writeMedia records the media body shows in o's tables for the text id,
// in place of those recorded before.
func writeMedia(ctx context.Context, tx *Tx, o mediaOwner, id int64, body string) error {
	for _, m := range []struct {
		table, column, from string
		ids                 []int64
	}{
		{o.images, "image_id", "images", article.BodyImages(body)},
		{o.documents, "document_id", "documents", article.BodyDocuments(body)},
	} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+m.table+` WHERE `+o.owner+` = ?`, id); err != nil {
			return fmt.Errorf("body %s: %w", m.from, err)
		}
		if len(m.ids) == 0 {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO `+m.table+` (`+o.owner+`, `+m.column+`) SELECT ?, id FROM `+m.from+` WHERE id IN (`+
			placeholders(len(m.ids))+`)`, append([]any{id}, anys(m.ids)...)...)
		if err != nil {
			return fmt.Errorf("body %s: %w", m.from, err)
		}
	}
	if urls := embed.LoneURLs(body); len(urls) > 0 {
		_, err := tx.ExecContext(ctx, `INSERT INTO `+o.images+` (`+o.owner+`, image_id) SELECT ?, thumbnail_id FROM embeds
			WHERE url IN (`+placeholders(len(urls))+`) AND thumbnail_id IS NOT NULL ON CONFLICT DO NOTHING`, append([]any{id}, anys(urls)...)...)
		if err != nil {
			return fmt.Errorf("embed thumbnails: %w", err)
		}
	}
	return nil
}

var errStale = errors.New("stale version")

func (db *DB) articleWriteError(slug string, err error) error {
	var inv *article.InvalidError
	switch {
	case errors.As(err, &inv):
		return inv
	case errors.Is(err, article.ErrNotFound):
		return db.errorf("article %q: %w", slug, err)
	case db.eng.IsUnique(err):
		return db.errorf("article %q: slug or byline already taken: %w", slug, article.ErrConflict)
	case db.eng.IsForeignKey(err):
		return &article.InvalidError{Problems: []string{"section, tag, author or lead image does not exist"}}
	}
	return db.errorf("article %q: %w", slug, err)
}

func imageID(img *article.Image) any {
	if img == nil || img.ID == 0 {
		return nil
	}
	return img.ID
}
