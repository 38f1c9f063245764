// Package library is the newsroom's media library as a use case: what an
// upload becomes — an image re-encoded into the site's widths (through
// internal/media), or a PDF or recording kept as uploaded — the same file
// found again by its hash instead of stored twice, and what may be
// deleted. The newsroom's upload form and the Admin API both go through
// it, so a rule and an audit entry hold whichever door a file comes in by.
// It knows nothing of HTTP.
package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/media"
)

// Store is what the library needs of storage.
type Store interface {
	ImageByID(ctx context.Context, id int64) (*article.Image, error)
	ImageBySourceHash(ctx context.Context, hash string) (*article.Image, error)
	CreateImage(ctx context.Context, img *article.Image, variants []article.Variant) error
	DocumentByID(ctx context.Context, id int64) (*article.Document, error)
	DocumentBySourceHash(ctx context.Context, hash string) (*article.Document, error)
	CreateDocument(ctx context.Context, doc *article.Document, data []byte) error
	// DeleteImage and DeleteDocument refuse with article.ErrConflict while
	// an article of any status uses the file.
	DeleteImage(ctx context.Context, id int64) error
	DeleteDocument(ctx context.Context, id int64) error
	Audit(ctx context.Context, e article.AuditEntry) error
}

// Limits on what is typed about a file, in bytes.
const (
	MaxAlt     = 300 // an image's alternative text, a document's title
	MaxCaption = 1000
	MaxCredit  = 200
)

// MaxBytes is the largest file the library takes.
var MaxBytes = media.DefaultLimits.MaxBytes

// Library adds to and deletes from the media library.
type Library struct {
	store Store
	log   *slog.Logger
	// busy lets one image be decoded and resized at a time: a large photo
	// takes up to a few hundred megabytes for a moment, and a burst of
	// uploads must not exhaust memory. Every door shares it.
	busy chan struct{}
}

// New returns the library over st; log nil for the default logger.
func New(st Store, log *slog.Logger) *Library {
	if log == nil {
		log = slog.Default()
	}
	return &Library{store: st, log: log, busy: make(chan struct{}, 1)}
}

// Upload is one file as sent, with what was typed about it.
type Upload struct {
	File     io.ReadSeeker // nil when no file was sent
	Filename string        // the name the file was sent under
	// Alt is an image's alternative text, required; for a document, its
	// title, made from the file's name when empty.
	Alt, Caption, Credit string
}

// Added is what an upload became.
type Added struct {
	Image    *article.Image    // an image, with its widths
	Document *article.Document // or a document
	Existing bool              // the same file was in the library already: nothing was added
}

// ErrTooLarge refuses a file over MaxBytes.
var ErrTooLarge = &errs.Error{Kind: errs.TooLarge, Key: "admin.media.too_large",
	Fields: []errs.Problem{{Field: "file", Message: "The file is larger than the limit of 20 MB.", Key: "admin.media.too_large"}}}

// Add stores in's file for u. The file's type is decided by its bytes,
// never its name. An image's size and dimensions are checked before any
// pixel is decoded, and it is re-encoded (dropping EXIF, GPS and anything
// appended) into the widths the site serves; a document is kept as it
// is. A refusal is an *errs.InvalidError naming the fields ("file",
// "alt", "caption", "credit"), or ErrTooLarge.
func (l *Library) Add(ctx context.Context, u *account.User, in Upload) (*Added, error) {
	in.Alt, in.Caption, in.Credit = strings.TrimSpace(in.Alt), strings.TrimSpace(in.Caption), strings.TrimSpace(in.Credit)
	inv := &errs.InvalidError{}
	var head []byte
	if in.File == nil {
		inv.AddKey("file", "admin.media.choose")
	} else {
		head = make([]byte, media.SniffHeadBytes)
		n, _ := io.ReadFull(in.File, head)
		head = head[:n]
	}
	doc, isDoc := media.SniffDocument(head)
	switch {
	case in.File == nil:
	case isDoc:
		if len(in.Alt) > MaxAlt {
			inv.AddKey("alt", "admin.media.title_too_long")
		}
	case !media.IsImage(head):
		inv.AddKey("file", "admin.media.unsupported")
	case in.Alt == "" || len(in.Alt) > MaxAlt:
		inv.AddKey("alt", "admin.media.alt_required")
	}
	if len(in.Caption) > MaxCaption {
		inv.AddKey("caption", "admin.media.too_long")
	}
	if len(in.Credit) > MaxCredit {
		inv.AddKey("credit", "admin.media.too_long")
	}
	if err := inv.OrNil(); err != nil {
		return nil, err
	}
	// The same file again is the one already in the library: known by its
	// hash before anything is decoded, and without waiting its turn.
	hash, err := hashOf(in.File)
	if err != nil {
		return nil, err
	}
	if isDoc {
		return l.addDocument(ctx, u, in, doc, hash)
	}
	if added, err := l.knownImage(ctx, hash); added != nil || err != nil {
		return added, err
	}
	select {
	case l.busy <- struct{}{}:
		defer func() { <-l.busy }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// The same file, sent twice at once, was processed meanwhile.
	if added, err := l.knownImage(ctx, hash); added != nil || err != nil {
		return added, err
	}
	res, err := media.Process(in.File, media.DefaultLimits)
	if err != nil {
		var me *media.Error
		if !errors.As(err, &me) {
			l.log.Warn("reading an upload", "err", err)
		}
		return nil, errs.InvalidField("file", media.Message(err))
	}
	img := article.Image{Alt: in.Alt, Caption: in.Caption, Credit: in.Credit, Width: res.Width, Height: res.Height,
		SourceHash: hash, UploadedBy: u.ID}
	variants := make([]article.Variant, 0, len(res.Variants))
	for _, rv := range res.Variants {
		variants = append(variants, article.Variant{Width: rv.Width, Height: rv.Height, ContentType: rv.ContentType, Bytes: rv.Bytes})
	}
	if err := l.store.CreateImage(ctx, &img, variants); err != nil {
		return nil, err
	}
	l.audit(ctx, u, "media.upload", "image", img.ID, img.Alt)
	return &Added{Image: &img}, nil
}

// hashOf is the hash of the whole file, which is then read again from its
// start; ErrTooLarge when it is over MaxBytes.
func hashOf(f io.ReadSeeker) (string, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("library: rereading an upload: %w", err)
	}
	sum := sha256.New()
	size, err := io.Copy(sum, io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return "", fmt.Errorf("library: hashing an upload: %w", err)
	}
	if size > MaxBytes {
		return "", ErrTooLarge
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("library: rereading an upload: %w", err)
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// knownImage is the image already stored from the file of this hash, nil
// when there is none.
func (l *Library) knownImage(ctx context.Context, hash string) (*Added, error) {
	existing, err := l.store.ImageBySourceHash(ctx, hash)
	if errors.Is(err, article.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	// With its widths, which the look-up by hash leaves out.
	if existing, err = l.store.ImageByID(ctx, existing.ID); err != nil {
		return nil, err
	}
	return &Added{Image: existing, Existing: true}, nil
}

// addDocument keeps a PDF or a recording as it was uploaded, once.
func (l *Library) addDocument(ctx context.Context, u *account.User, in Upload, typ media.DocumentType, hash string) (*Added, error) {
	existing, err := l.store.DocumentBySourceHash(ctx, hash)
	switch {
	case err == nil:
		return &Added{Document: existing, Existing: true}, nil
	case !errors.Is(err, article.ErrNotFound):
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(in.File, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("library: reading an upload: %w", err)
	}
	title := in.Alt
	if title == "" {
		base := filepath.Base(strings.ReplaceAll(in.Filename, `\`, "/"))
		title = strings.TrimSuffix(base, filepath.Ext(base))
	}
	d := article.Document{Name: media.DocumentName(in.Filename, typ.Ext), Title: title, ContentType: typ.ContentType, SourceHash: hash, UploadedBy: u.ID}
	err = l.store.CreateDocument(ctx, &d, data)
	if errors.Is(err, article.ErrConflict) { // the same file, sent twice at once
		if existing, err = l.store.DocumentBySourceHash(ctx, hash); err == nil {
			return &Added{Document: existing, Existing: true}, nil
		}
	}
	if err != nil {
		return nil, err
	}
	l.audit(ctx, u, "media.upload", "document", d.ID, d.Title)
	return &Added{Document: &d}, nil
}

// ErrInUse refuses to delete a file an article uses.
var ErrInUse = errs.Shown(errs.Conflict, "an article uses this file (as its lead image or in its text; drafts and unpublished articles count too): take it out of them first")

// DeleteImage deletes an image no article uses, with its widths: its
// addresses then answer 404. An article's revisions that named it keep
// its id, and a revision restored shows no image there.
func (l *Library) DeleteImage(ctx context.Context, u *account.User, id int64) error {
	img, err := l.store.ImageByID(ctx, id)
	if err != nil {
		return err
	}
	if err := l.store.DeleteImage(ctx, id); errors.Is(err, article.ErrConflict) {
		return ErrInUse
	} else if err != nil {
		return err
	}
	l.audit(ctx, u, "media.delete", "image", id, img.Alt)
	return nil
}

// DeleteDocument deletes a document no article links to.
func (l *Library) DeleteDocument(ctx context.Context, u *account.User, id int64) error {
	d, err := l.store.DocumentByID(ctx, id)
	if err != nil {
		return err
	}
	if err := l.store.DeleteDocument(ctx, id); errors.Is(err, article.ErrConflict) {
		return ErrInUse
	} else if err != nil {
		return err
	}
	l.audit(ctx, u, "media.delete", "document", id, d.Title)
	return nil
}

func (l *Library) audit(ctx context.Context, u *account.User, action, objectType string, id int64, detail string) {
	// The file is stored; a lost entry is logged, not reported as a
	// failed upload.
	if err := l.store.Audit(ctx, article.AuditEntry{UserID: u.ID, Action: action, ObjectType: objectType, ObjectID: id, Detail: detail}); err != nil {
		l.log.Error("audit log write failed", "action", action, "object", objectType, "id", id, "user", u.ID, "err", err)
	}
}
