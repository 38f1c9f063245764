package store

import (
	"context"
	"database/sql"
	"errors"

	"broadsheet/internal/article"
	"broadsheet/internal/errs"
)

// linkTranslation stores which article a translates, in the write that
// saves a. A translation of a translation joins the group of the first
// one's original, and an original that becomes a translation brings its
// own translations along: a group always has one original. Each edition
// has at most one article of a group, which is what lets a page name its
// translation by language alone.
func linkTranslation(ctx context.Context, tx *Tx, a *article.Article) error {
	original := a.ID
	if a.TranslationOf == 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET translation_of = NULL WHERE id = ? AND translation_of IS NOT NULL`, a.ID); err != nil {
			return err
		}
	} else {
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(translation_of, id) FROM articles WHERE id = ?`, a.TranslationOf).Scan(&original)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.InvalidKey("translation_of", "problem.translation_of_missing", a.TranslationOf)
		}
		if err != nil {
			return err
		}
		if original == a.ID {
			return errs.InvalidKey("translation_of", "problem.translation_of_self")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET translation_of = ? WHERE id = ? OR translation_of = ?`, original, a.ID, a.ID); err != nil {
			return err
		}
		a.TranslationOf = original
	}
	// Checked on every save, not only when linking: an article moved to
	// another section may have moved into an edition its group holds.
	var edition string
	err := tx.QueryRowContext(ctx, `SELECT s.edition FROM articles a JOIN sections s ON s.id = a.section_id
		WHERE COALESCE(a.translation_of, a.id) = ? GROUP BY s.edition HAVING COUNT(*) > 1 LIMIT 1`, original).Scan(&edition)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case edition == "":
		return errs.InvalidKey("translation_of", "problem.translation_main_taken")
	}
	return errs.InvalidKey("translation_of", "problem.translation_edition_taken", edition)
}

// Translations returns the articles of the translation group named by
// original (an Article's Original), the original among them, whatever
// their status, ordered by edition, main edition first.
func (db *DB) Translations(ctx context.Context, original int64) ([]article.Article, error) {
	list, err := db.articleRows(ctx, `WHERE a.id = ? OR a.translation_of = ? ORDER BY s.edition, a.id`, original, original)
	if err != nil {
		return nil, db.errorf("translations of %d: %w", original, err)
	}
	return list, nil
}

// PublishedTranslations returns every published article whose translation
// group has another published article, ordered by group (Original) and
// edition: what the sitemaps name as each other's alternates.
func (db *DB) PublishedTranslations(ctx context.Context) ([]article.Article, error) {
	list, err := db.articleRows(ctx, `WHERE a.status = 'published' AND COALESCE(a.translation_of, a.id) IN (
			SELECT COALESCE(t.translation_of, t.id) FROM articles t WHERE t.status = 'published'
			GROUP BY COALESCE(t.translation_of, t.id) HAVING COUNT(*) > 1)
		ORDER BY COALESCE(a.translation_of, a.id), s.edition, a.id`)
	if err != nil {
		return nil, db.errorf("published translations: %w", err)
	}
	return list, nil
}

// articleRows reads the summaries of the articles a query's tail (its
// WHERE, ORDER BY and LIMIT) selects, without bylines or images.
func (db *DB) articleRows(ctx context.Context, tail string, args ...any) ([]article.Article, error) {
	var list []article.Article
	err := each(ctx, db.read, `SELECT `+articleColumns+` `+articleFrom+` `+tail, args, func(rows *sql.Rows) error {
		var a article.Article
		err := scanArticle(rows, &a)
		list = append(list, a)
		return err
	})
	return list, err
}
