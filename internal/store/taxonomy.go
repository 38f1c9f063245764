package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
)

// insert runs one INSERT in a write transaction that touches the whole
// site's navigation, returning the new row's id.
func (db *DB) insert(ctx context.Context, what, slug string, query string, args ...any) (int64, error) {
	if err := article.ValidateSlug(slug); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		err := tx.QueryRowContext(ctx, query+` RETURNING id`, args...).Scan(&id)
		return []string{article.KeySite}, err
	})
	if db.eng.IsUnique(err) {
		return 0, db.errorf("%s %q already exists: %w", what, slug, article.ErrConflict)
	}
	if err != nil {
		return 0, db.errorf("create %s %q: %w", what, slug, err)
	}
	return id, nil
}

// CreateSection inserts s and sets its ID.
func (db *DB) CreateSection(ctx context.Context, s *article.Section) (err error) {
	s.ID, err = db.insert(ctx, "section", s.Slug,
		`INSERT INTO sections (slug, name, description, position, edition) VALUES (?, ?, ?, ?, ?)`,
		s.Slug, s.Name, s.Description, s.Position, s.Edition)
	return err
}

// CreateTag inserts t and sets its ID.
func (db *DB) CreateTag(ctx context.Context, t *article.Tag) (err error) {
	t.ID, err = db.insert(ctx, "tag", t.Slug, `INSERT INTO tags (slug, name) VALUES (?, ?)`, t.Slug, t.Name)
	return err
}

// CreateAuthor inserts a and sets its ID.
func (db *DB) CreateAuthor(ctx context.Context, a *article.Author) (err error) {
	a.ID, err = db.insert(ctx, "author", a.Slug,
		`INSERT INTO authors (slug, name, role, bio) VALUES (?, ?, ?, ?)`, a.Slug, a.Name, a.Role, a.Bio)
	return err
}

// CreatePage inserts p and sets its ID.
func (db *DB) CreatePage(ctx context.Context, p *article.Page) (err error) {
	if p.Language == "" {
		p.Language = "en"
	}
	p.ModifiedAt = db.now().UTC().Truncate(1e9)
	p.ID, err = db.insert(ctx, "page", p.Slug,
		`INSERT INTO pages (slug, title, body, language, modified_at) VALUES (?, ?, ?, ?, ?)`,
		p.Slug, p.Title, p.Body, p.Language, p.ModifiedAt.Unix())
	return err
}

// Sections returns every section in navigation order.
func (db *DB) Sections(ctx context.Context) ([]article.Section, error) {
	var ss []article.Section
	err := each(ctx, db.read, `SELECT id, slug, name, description, position, edition FROM sections ORDER BY position, name`, nil, func(rows *sql.Rows) error {
		var s article.Section
		if err := rows.Scan(&s.ID, &s.Slug, &s.Name, &s.Description, &s.Position, &s.Edition); err != nil {
			return err
		}
		ss = append(ss, s)
		return nil
	})
	if err != nil {
		return nil, db.errorf("sections: %w", err)
	}
	return ss, nil
}

// one runs a single-row lookup by slug and maps "no row" to ErrNotFound.
func (db *DB) one(ctx context.Context, what, slug, query string, dest ...any) error {
	err := db.read.QueryRowContext(ctx, query, slug).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return db.errorf("%s %q: %w", what, slug, article.ErrNotFound)
	}
	if err != nil {
		return db.errorf("%s %q: %w", what, slug, err)
	}
	return nil
}

// SectionBySlug returns one section.
func (db *DB) SectionBySlug(ctx context.Context, slug string) (*article.Section, error) {
	var s article.Section
	err := db.one(ctx, "section", slug, `SELECT id, slug, name, description, position, edition FROM sections WHERE slug = ?`,
		&s.ID, &s.Slug, &s.Name, &s.Description, &s.Position, &s.Edition)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// TagBySlug returns one tag.
func (db *DB) TagBySlug(ctx context.Context, slug string) (*article.Tag, error) {
	var t article.Tag
	if err := db.one(ctx, "tag", slug, `SELECT id, slug, name FROM tags WHERE slug = ?`, &t.ID, &t.Slug, &t.Name); err != nil {
		return nil, err
	}
	return &t, nil
}

// AuthorBySlug returns one author.
func (db *DB) AuthorBySlug(ctx context.Context, slug string) (*article.Author, error) {
	var a article.Author
	err := db.one(ctx, "author", slug, `SELECT id, slug, name, role, bio FROM authors WHERE slug = ?`,
		&a.ID, &a.Slug, &a.Name, &a.Role, &a.Bio)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// PageBySlug returns one static page.
func (db *DB) PageBySlug(ctx context.Context, slug string) (*article.Page, error) {
	var p article.Page
	var mod sql.NullInt64
	err := db.one(ctx, "page", slug, `SELECT id, slug, title, body, language, modified_at FROM pages WHERE slug = ?`,
		&p.ID, &p.Slug, &p.Title, &p.Body, &p.Language, &mod)
	if err != nil {
		return nil, err
	}
	p.ModifiedAt = fromUnix(mod)
	return &p, nil
}

// Pages lists static pages by title, bodies left empty.
func (db *DB) Pages(ctx context.Context) ([]article.Page, error) {
	var ps []article.Page
	err := each(ctx, db.read, `SELECT id, slug, title, language, modified_at FROM pages ORDER BY title`, nil, func(rows *sql.Rows) error {
		var p article.Page
		var mod sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Slug, &p.Title, &p.Language, &mod); err != nil {
			return err
		}
		p.ModifiedAt = fromUnix(mod)
		ps = append(ps, p)
		return nil
	})
	if err != nil {
		return nil, db.errorf("pages: %w", err)
	}
	return ps, nil
}

// CreateImage stores img and its variants and sets img.ID and img.Variants.
func (db *DB) CreateImage(ctx context.Context, img *article.Image, variants []article.Variant) error {
	if len(variants) == 0 {
		return &article.InvalidError{Problems: []string{"an image needs at least one variant"}}
	}
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		err := tx.QueryRowContext(ctx, `INSERT INTO images (alt, caption, credit, width, height, created_at, source_hash, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			img.Alt, img.Caption, img.Credit, img.Width, img.Height, db.now().Unix(), nullString(img.SourceHash), nullID(img.UploadedBy)).Scan(&img.ID)
		if err != nil {
			return nil, err
		}
		img.Variants = img.Variants[:0]
		for _, v := range variants {
			if _, err := tx.ExecContext(ctx, `INSERT INTO image_variants (image_id, width, height, content_type, bytes) VALUES (?, ?, ?, ?, ?)`,
				img.ID, v.Width, v.Height, v.ContentType, v.Bytes); err != nil {
				return nil, err
			}
			img.Variants = append(img.Variants, v.Width)
		}
		return nil, nil
	})
	if db.eng.IsUnique(err) {
		return db.errorf("image %s already stored: %w", img.SourceHash, article.ErrConflict)
	}
	if err != nil {
		return db.errorf("create image: %w", err)
	}
	return nil
}

const imageColumns = `id, alt, caption, credit, width, height, COALESCE(source_hash, ''), COALESCE(uploaded_by, 0), created_at`

func scanImage(sc interface{ Scan(...any) error }) (*article.Image, error) {
	var img article.Image
	var at int64
	if err := sc.Scan(&img.ID, &img.Alt, &img.Caption, &img.Credit, &img.Width, &img.Height, &img.SourceHash, &img.UploadedBy, &at); err != nil {
		return nil, err
	}
	img.CreatedAt = time.Unix(at, 0).UTC()
	return &img, nil
}

// Images lists the media library, newest first, with their widths.
func (db *DB) Images(ctx context.Context, limit int) ([]article.Image, error) {
	var imgs []article.Image
	err := each(ctx, db.read, `SELECT `+imageColumns+` FROM images ORDER BY created_at DESC, id DESC LIMIT ?`, []any{limit}, func(rows *sql.Rows) error {
		img, err := scanImage(rows)
		if err == nil {
			imgs = append(imgs, *img)
		}
		return err
	})
	if err != nil {
		return nil, db.errorf("images: %w", err)
	}
	ptrs := make([]*article.Image, len(imgs))
	for i := range imgs {
		ptrs[i] = &imgs[i]
	}
	if err := db.readWidths(ctx, ptrs); err != nil {
		return nil, db.errorf("images: %w", err)
	}
	return imgs, nil
}

// readWidths sets the stored widths of each image, narrowest first.
func (db *DB) readWidths(ctx context.Context, imgs []*article.Image) error {
	if len(imgs) == 0 {
		return nil
	}
	byID := make(map[int64]*article.Image, len(imgs))
	ids := make([]any, 0, len(imgs))
	for _, img := range imgs {
		byID[img.ID] = img
		ids = append(ids, img.ID)
	}
	return each(ctx, db.read, `SELECT image_id, width FROM image_variants WHERE image_id IN (`+placeholders(len(ids))+`) ORDER BY image_id, width`, ids, func(rows *sql.Rows) error {
		var id int64
		var w int
		err := rows.Scan(&id, &w)
		byID[id].Variants = append(byID[id].Variants, w)
		return err
	})
}

// ImageBySourceHash finds an earlier upload of the same file.
func (db *DB) ImageBySourceHash(ctx context.Context, hash string) (*article.Image, error) {
	img, err := scanImage(db.read.QueryRowContext(ctx, `SELECT `+imageColumns+` FROM images WHERE source_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("image %s: %w", hash, article.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("image %s: %w", hash, err)
	}
	return img, nil
}

// ImageVariant returns the bytes of one stored width of an image.
func (db *DB) ImageVariant(ctx context.Context, imageID int64, width int) (*article.Variant, error) {
	v := article.Variant{Width: width}
	err := db.read.QueryRowContext(ctx, `SELECT height, content_type, bytes FROM image_variants WHERE image_id = ? AND width = ?`,
		imageID, width).Scan(&v.Height, &v.ContentType, &v.Bytes)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("image %d at %dw: %w", imageID, width, article.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("image %d at %dw: %w", imageID, width, err)
	}
	return &v, nil
}

// Site returns the site settings, defaults filled in.
func (db *DB) Site(ctx context.Context) (article.Site, error) {
	s := article.DefaultSite
	err := each(ctx, db.read, `SELECT key, value FROM settings WHERE key IN ('title', 'tagline', 'language', 'timezone', 'comments_close_days', 'digest_hour', 'feed_full_text', 'twitter_site',
		'latin_digits', 'editions', 'second_step')`, nil, func(rows *sql.Rows) error {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		switch k {
		case "title":
			s.Title = v
		case "tagline":
			s.Tagline = v
		case "language":
			s.Language = v
		case "timezone":
			s.TimeZone = v
		case "comments_close_days":
			s.CommentsCloseDays, _ = strconv.Atoi(v)
		case "digest_hour":
			s.DigestHour, _ = strconv.Atoi(v)
		case "feed_full_text":
			s.FeedFullText = v == "1"
		case "twitter_site":
			s.TwitterSite = v
		case "latin_digits":
			s.LatinDigits = v == "1"
		case "second_step":
			s.SecondStep = account.Policy(v)
		case "editions":
			// Written by SetSite only; a value it cannot read is reported.
			if err := json.Unmarshal([]byte(v), &s.Editions); err != nil {
				return fmt.Errorf("editions: %w", err)
			}
			if len(s.Editions) == 0 {
				s.Editions = nil
			}
		}
		return nil
	})
	if err != nil {
		return s, db.errorf("settings: %w", err)
	}
	return s, nil
}

// SetSite stores the site settings.
func (db *DB) SetSite(ctx context.Context, s article.Site) error {
	if s.Editions == nil {
		s.Editions = []article.Edition{}
	}
	editions, err := json.Marshal(s.Editions)
	if err != nil {
		return db.errorf("settings: editions: %w", err)
	}
	err = db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		return []string{article.KeySite}, setSettings(ctx, tx, map[string]string{"title": s.Title, "tagline": s.Tagline, "language": s.Language, "timezone": s.TimeZone,
			"comments_close_days": strconv.Itoa(s.CommentsCloseDays), "digest_hour": strconv.Itoa(s.DigestHour),
			"feed_full_text": flag(s.FeedFullText), "twitter_site": s.TwitterSite,
			"latin_digits": flag(s.LatinDigits), "editions": string(editions), "second_step": string(s.SecondStep)})
	})
	if err != nil {
		return db.errorf("settings: %w", err)
	}
	return nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// SigningKey returns the site's secret for signing links, creating it on
// first use. It lives in the database so every instance signs alike.
func (db *DB) SigningKey(ctx context.Context) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := db.exec(ctx, `INSERT INTO settings (key, value) VALUES ('signing_key', ?) ON CONFLICT (key) DO NOTHING`, hex.EncodeToString(key)); err != nil {
		return nil, db.errorf("signing key: %w", err)
	}
	var v string
	if err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'signing_key'`).Scan(&v); err != nil {
		return nil, db.errorf("signing key: %w", err)
	}
	return hex.DecodeString(v)
}

// update runs one UPDATE of a named record in a write transaction that
// touches the whole site's navigation.
func (db *DB) updateNamed(ctx context.Context, what, slug string, id int64, query string, args ...any) error {
	if err := article.ValidateSlug(slug); err != nil {
		return err
	}
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, article.ErrNotFound
		}
		return []string{article.KeySite}, nil
	})
	switch {
	case db.eng.IsUnique(err):
		return db.errorf("%s %q already exists: %w", what, slug, article.ErrConflict)
	case errors.Is(err, article.ErrNotFound):
		return db.errorf("%s %d: %w", what, id, err)
	case err != nil:
		return db.errorf("update %s %d: %w", what, id, err)
	}
	return nil
}

// UpdateSection stores s's slug, name, description and position.
func (db *DB) UpdateSection(ctx context.Context, s *article.Section) error {
	// Moving a section moves its articles: none may land in an edition
	// where its translation group has another article already.
	var clash string
	err := db.read.QueryRowContext(ctx, `SELECT a.headline FROM articles a
		JOIN articles b ON COALESCE(b.translation_of, b.id) = COALESCE(a.translation_of, a.id) AND b.id <> a.id
		JOIN sections sb ON sb.id = b.section_id
		WHERE a.section_id = ? AND b.section_id <> ? AND sb.edition = ? LIMIT 1`, s.ID, s.ID, s.Edition).Scan(&clash)
	switch {
	case err == nil:
		return errs.InvalidKey("edition", "problem.section_edition_taken", clash)
	case !errors.Is(err, sql.ErrNoRows):
		return db.errorf("update section %d: %w", s.ID, err)
	}
	return db.updateNamed(ctx, "section", s.Slug, s.ID, `UPDATE sections SET slug = ?, name = ?, description = ?, position = ?, edition = ? WHERE id = ?`,
		s.Slug, s.Name, s.Description, s.Position, s.Edition, s.ID)
}

// UpdateTag stores t's slug and name.
func (db *DB) UpdateTag(ctx context.Context, t *article.Tag) error {
	return db.updateNamed(ctx, "tag", t.Slug, t.ID, `UPDATE tags SET slug = ?, name = ? WHERE id = ?`, t.Slug, t.Name, t.ID)
}

// UpdateAuthor stores a's slug, name, role and bio.
func (db *DB) UpdateAuthor(ctx context.Context, a *article.Author) error {
	return db.updateNamed(ctx, "author", a.Slug, a.ID, `UPDATE authors SET slug = ?, name = ?, role = ?, bio = ? WHERE id = ?`,
		a.Slug, a.Name, a.Role, a.Bio, a.ID)
}

// remove deletes one record unless articles still use it.
func (db *DB) remove(ctx context.Context, what string, id int64, inUse, del string) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		var n int
		if err := tx.QueryRowContext(ctx, inUse, id).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("%d articles use it: %w", n, article.ErrConflict)
		}
		res, err := tx.ExecContext(ctx, del, id)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, article.ErrNotFound
		}
		return []string{article.KeySite}, nil
	})
	if err != nil {
		return db.errorf("delete %s %d: %w", what, id, err)
	}
	return nil
}

// DeleteSection deletes an unused section.
func (db *DB) DeleteSection(ctx context.Context, id int64) error {
	return db.remove(ctx, "section", id, `SELECT count(*) FROM articles WHERE section_id = ?`, `DELETE FROM sections WHERE id = ?`)
}

// DeleteTag deletes an unused tag.
func (db *DB) DeleteTag(ctx context.Context, id int64) error {
	return db.remove(ctx, "tag", id, `SELECT count(*) FROM article_tags WHERE tag_id = ?`, `DELETE FROM tags WHERE id = ?`)
}

// DeleteAuthor deletes an author with no bylines, on articles or on
// live updates.
func (db *DB) DeleteAuthor(ctx context.Context, id int64) error {
	return db.remove(ctx, "author", id, `SELECT count(*) FROM (SELECT author_id FROM article_authors
		UNION ALL SELECT author_id FROM live_update_authors) bylines WHERE author_id = ?`, `DELETE FROM authors WHERE id = ?`)
}

// TagUsage counts articles per tag.
func (db *DB) TagUsage(ctx context.Context) (map[int64]int, error) {
	m := map[int64]int{}
	err := each(ctx, db.read, `SELECT tag_id, count(*) FROM article_tags GROUP BY tag_id`, nil, func(rows *sql.Rows) error {
		var id int64
		var n int
		err := rows.Scan(&id, &n)
		m[id] = n
		return err
	})
	if err != nil {
		return nil, db.errorf("tag usage: %w", err)
	}
	return m, nil
}

// PublishedTags lists tags used by at least one published article: a tag
// only drafts use could give an unpublished story away.
func (db *DB) PublishedTags(ctx context.Context) ([]article.Tag, error) {
	var ts []article.Tag
	err := each(ctx, db.read, `SELECT t.id, t.slug, t.name FROM tags t WHERE EXISTS (
		SELECT 1 FROM article_tags at JOIN articles a ON a.id = at.article_id WHERE at.tag_id = t.id AND a.status = 'published')
		ORDER BY t.name`, nil, func(rows *sql.Rows) error {
		var t article.Tag
		err := rows.Scan(&t.ID, &t.Slug, &t.Name)
		ts = append(ts, t)
		return err
	})
	if err != nil {
		return nil, db.errorf("published tags: %w", err)
	}
	return ts, nil
}

// ImagePublic reports whether a published article shows the image, as
// its lead image, in its body or in one of its live updates.
func (db *DB) ImagePublic(ctx context.Context, id int64) (bool, error) {
	var one int
	err := db.read.QueryRowContext(ctx, `SELECT 1 WHERE EXISTS (SELECT 1 FROM articles WHERE lead_image_id = ? AND status = 'published')
		OR EXISTS (SELECT 1 FROM article_images m JOIN articles a ON a.id = m.article_id WHERE m.image_id = ? AND a.status = 'published')
		OR EXISTS (SELECT 1 FROM live_update_images m JOIN live_updates u ON u.id = m.update_id JOIN articles a ON a.id = u.article_id
			WHERE m.image_id = ? AND a.status = 'published')`, id, id, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, db.errorf("image %d: %w", id, err)
	}
	return true, nil
}

// ImageByID returns one image with its widths.
func (db *DB) ImageByID(ctx context.Context, id int64) (*article.Image, error) {
	img, err := scanImage(db.read.QueryRowContext(ctx, `SELECT `+imageColumns+` FROM images WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("image %d: %w", id, article.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("image %d: %w", id, err)
	}
	err = each(ctx, db.read, `SELECT width FROM image_variants WHERE image_id = ? ORDER BY width`, []any{id}, func(rows *sql.Rows) error {
		var w int
		err := rows.Scan(&w)
		img.Variants = append(img.Variants, w)
		return err
	})
	if err != nil {
		return nil, db.errorf("image %d: %w", id, err)
	}
	return img, nil
}

// setSettings stores several settings in one statement, in key order:
// writers that lock the same rows in the same order cannot deadlock.
func setSettings(ctx context.Context, tx *Tx, kv map[string]string) error {
	keys := slices.Sorted(maps.Keys(kv))
	args := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		args = append(args, k, kv[k])
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES `+valueRows("(?, ?)", len(keys))+`
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, args...)
	return err
}

// valueRows is n copies of one row of placeholders, for a multi-row VALUES.
func valueRows(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}
