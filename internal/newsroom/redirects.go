package newsroom

import (
	"context"
	"fmt"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	redirects "broadsheet/internal/redirect"
)

// Redirects from old addresses, as the newsroom's redirects page and the
// Admin API make, change and delete them. The store checks each redirect
// (redirect.Validate: an invalid one, or an address another redirect
// answers, is refused); these add the audit entry. The caller has checked
// the user's permission (ManageSettings), which alone lets a redirect
// leave the site.

// RedirectStore is what managing redirects needs.
type RedirectStore interface {
	CreateRedirect(ctx context.Context, r *redirects.Redirect) error
	UpdateRedirect(ctx context.Context, r *redirects.Redirect) error
	DeleteRedirect(ctx context.Context, id int64) error
	Audit(ctx context.Context, e article.AuditEntry) error
}

// CreateRedirect stores rd, made by u; rd then holds what was stored (its
// key, and a target another redirect answered followed to its end).
func CreateRedirect(ctx context.Context, st RedirectStore, u *account.User, rd *redirects.Redirect) error {
	rd.CreatedBy = u.ID
	if err := st.CreateRedirect(ctx, rd); err != nil {
		return err
	}
	audit(ctx, st, u, "redirect.create", "redirect", rd.ID, redirectDetail(rd))
	return nil
}

// UpdateRedirect replaces old with rd (rd.ID is old's).
func UpdateRedirect(ctx context.Context, st RedirectStore, u *account.User, old, rd *redirects.Redirect) error {
	rd.ID = old.ID
	if err := st.UpdateRedirect(ctx, rd); err != nil {
		return err
	}
	audit(ctx, st, u, "redirect.update", "redirect", rd.ID, redirectDetail(old)+" ⇒ "+redirectDetail(rd))
	return nil
}

// DeleteRedirect deletes rd for good.
func DeleteRedirect(ctx context.Context, st RedirectStore, u *account.User, rd *redirects.Redirect) error {
	if err := st.DeleteRedirect(ctx, rd.ID); err != nil {
		return err
	}
	audit(ctx, st, u, "redirect.delete", "redirect", rd.ID, redirectDetail(rd))
	return nil
}

// redirectDetail is what the audit log says of a redirect.
func redirectDetail(rd *redirects.Redirect) string {
	return fmt.Sprintf("%s → %s (%d)", rd.FromPath, rd.ToURL, rd.Status)
}
