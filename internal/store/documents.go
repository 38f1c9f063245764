package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/article"
)

// CreateDocument stores a document of the media library and sets doc.ID.
func (db *DB) CreateDocument(ctx context.Context, doc *article.Document, data []byte) error {
	doc.Size = int64(len(data))
	err := db.update(ctx, func(ctx context.Context, tx *Tx) ([]string, error) {
		return nil, tx.QueryRowContext(ctx, `INSERT INTO documents (name, title, content_type, size, bytes, source_hash, uploaded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			doc.Name, doc.Title, doc.ContentType, doc.Size, data, doc.SourceHash, nullID(doc.UploadedBy), db.now().Unix()).Scan(&doc.ID)
	})
	if db.eng.IsUnique(err) {
		return db.errorf("document %s already stored: %w", doc.SourceHash, article.ErrConflict)
	}
	if err != nil {
		return db.errorf("create document: %w", err)
	}
	return nil
}

const documentColumns = `id, name, title, content_type, size, source_hash, COALESCE(uploaded_by, 0), created_at`

func scanDocument(sc interface{ Scan(...any) error }) (*article.Document, error) {
	var d article.Document
	var at int64
	if err := sc.Scan(&d.ID, &d.Name, &d.Title, &d.ContentType, &d.Size, &d.SourceHash, &d.UploadedBy, &at); err != nil {
		return nil, err
	}
	d.CreatedAt = time.Unix(at, 0).UTC()
	return &d, nil
}

// documentWhere finds one document by a column.
func (db *DB) documentWhere(ctx context.Context, col string, v any) (*article.Document, error) {
	d, err := scanDocument(db.read.QueryRowContext(ctx, `SELECT `+documentColumns+` FROM documents WHERE `+col+` = ?`, v))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("document %v: %w", v, article.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("document %v: %w", v, err)
	}
	return d, nil
}

// DocumentByID returns a document's description without its bytes.
func (db *DB) DocumentByID(ctx context.Context, id int64) (*article.Document, error) {
	return db.documentWhere(ctx, "id", id)
}

// DocumentBySourceHash finds an earlier upload of the same file.
func (db *DB) DocumentBySourceHash(ctx context.Context, hash string) (*article.Document, error) {
	return db.documentWhere(ctx, "source_hash", hash)
}

// DocumentBytes returns up to n bytes of a document's file from offset
// (fewer at its end): a player asking for a range of a recording costs
// that range, not the whole file.
func (db *DB) DocumentBytes(ctx context.Context, id, offset, n int64) ([]byte, error) {
	if offset < 0 || n < 0 {
		return nil, db.errorf("document %d: a range from %d of %d bytes", id, offset, n)
	}
	var b []byte
	// substr counts from 1, in bytes for a BLOB and a bytea alike.
	err := db.read.QueryRowContext(ctx, `SELECT substr(bytes, ?, ?) FROM documents WHERE id = ?`, offset+1, n, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("document %d: %w", id, article.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("document %d: %w", id, err)
	}
	return b, nil
}

// DocumentPublic reports whether a published article's body, or one of
// its live updates, links to the document.
func (db *DB) DocumentPublic(ctx context.Context, id int64) (bool, error) {
	var one int
	err := db.read.QueryRowContext(ctx, `SELECT 1 WHERE EXISTS (SELECT 1 FROM article_documents m JOIN articles a ON a.id = m.article_id
		WHERE m.document_id = ? AND a.status = 'published')
		OR EXISTS (SELECT 1 FROM live_update_documents m JOIN live_updates u ON u.id = m.update_id JOIN articles a ON a.id = u.article_id
			WHERE m.document_id = ? AND a.status = 'published')`, id, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, db.errorf("document %d: %w", id, err)
	}
	return true, nil
}

// Media lists the media library newest first, page by page (from 1, of
// size each), keeping what q's words all match: an image's alt text,
// caption or credit, a document's name or title, without regard to case.
func (db *DB) Media(ctx context.Context, q string, page, size int) (*article.MediaPage, error) {
	page = max(page, 1)
	n := page*size + 1 // enough of each kind to fill the page and see beyond it
	var imgWhere, docWhere []string
	var imgArgs, docArgs []any
	for _, w := range strings.Fields(strings.ToLower(q)) {
		like := "%" + likeEscape(w) + "%"
		imgWhere = append(imgWhere, `LOWER(alt || ' ' || caption || ' ' || credit) LIKE ? ESCAPE '\'`)
		imgArgs = append(imgArgs, like)
		docWhere = append(docWhere, `LOWER(name || ' ' || title) LIKE ? ESCAPE '\'`)
		docArgs = append(docArgs, like)
	}
	where := func(w []string) string {
		if len(w) == 0 {
			return ""
		}
		return " WHERE " + strings.Join(w, " AND ")
	}
	var items []article.MediaItem
	err := each(ctx, db.read, `SELECT `+imageColumns+` FROM images`+where(imgWhere)+` ORDER BY created_at DESC, id DESC LIMIT ?`,
		append(imgArgs, n), func(rows *sql.Rows) error {
			img, err := scanImage(rows)
			if err == nil {
				items = append(items, article.MediaItem{Image: img})
			}
			return err
		})
	if err != nil {
		return nil, db.errorf("media: %w", err)
	}
	err = each(ctx, db.read, `SELECT `+documentColumns+` FROM documents`+where(docWhere)+` ORDER BY created_at DESC, id DESC LIMIT ?`,
		append(docArgs, n), func(rows *sql.Rows) error {
			d, err := scanDocument(rows)
			if err == nil {
				items = append(items, article.MediaItem{Document: d})
			}
			return err
		})
	if err != nil {
		return nil, db.errorf("media: %w", err)
	}
	slices.SortStableFunc(items, func(a, b article.MediaItem) int {
		if c := b.CreatedAt().Compare(a.CreatedAt()); c != 0 {
			return c
		}
		if (a.Image == nil) != (b.Image == nil) { // within a second, images first
			if a.Image != nil {
				return -1
			}
			return 1
		}
		return int(b.ID() - a.ID())
	})
	from, to := min((page-1)*size, len(items)), min(page*size, len(items))
	p := &article.MediaPage{Items: items[from:to], More: len(items) > to}
	var imgs []*article.Image
	for _, it := range p.Items {
		if it.Image != nil {
			imgs = append(imgs, it.Image)
		}
	}
	if err := db.readWidths(ctx, imgs); err != nil {
		return nil, db.errorf("media: %w", err)
	}
	for _, it := range p.Items {
		if it.Image != nil {
			p.Images = append(p.Images, *it.Image)
		} else {
			p.Documents = append(p.Documents, *it.Document)
		}
	}
	return p, nil
}

// DeleteImage deletes an image of the media library, with its widths,
// while no article of any status uses it: as its lead image or in its
// body (ErrConflict then).
func (db *DB) DeleteImage(ctx context.Context, id int64) error {
	return db.remove(ctx, "image", id, `SELECT count(*) FROM articles a, (SELECT CAST(? AS BIGINT) AS id) x
		WHERE a.lead_image_id = x.id OR EXISTS (SELECT 1 FROM article_images m WHERE m.article_id = a.id AND m.image_id = x.id)`,
		`DELETE FROM images WHERE id = ?`)
}

// DeleteDocument deletes a document of the media library while no
// article of any status links to it (ErrConflict then).
func (db *DB) DeleteDocument(ctx context.Context, id int64) error {
	return db.remove(ctx, "document", id, `SELECT count(*) FROM article_documents WHERE document_id = ?`, `DELETE FROM documents WHERE id = ?`)
}
