package comment

import (
	"context"
	"log/slog"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
)

// Moderation as the newsroom's comments page and the Admin API do it: one
// set of actions, each recorded in the audit log the same way whichever
// door it comes in by. The caller has checked that the user may moderate
// (account.ManageTaxonomy).

// ModerationStore is what moderating needs.
type ModerationStore interface {
	SetCommentStatus(ctx context.Context, ids []int64, status Status) error
	SetCommentPinned(ctx context.Context, id int64, pinned bool) error
	EditComment(ctx context.Context, id int64, body string, now time.Time) error
	Audit(ctx context.Context, e article.AuditEntry) error
}

// Action is what a moderator does to comments.
type Action string

const (
	Approve  Action = "approve" // publish
	Hold     Action = "pending" // back to the queue, unpublished
	MarkSpam Action = "spam"
	Delete   Action = "trash" // into the trash, from where it can be taken back
	Pin      Action = "pin"   // first in its thread
	Unpin    Action = "unpin"
)

// statusOf is the status an action moves comments to; none for pinning.
var statusOf = map[Action]Status{Approve: Approved, Hold: Pending, MarkSpam: Spam, Delete: Trash}

// ErrNoAction is an action moderators do not have.
var ErrNoAction = &errs.Error{Kind: errs.BadRequest, Key: "admin.comments.no_action", Message: "no such moderation action"}

// Moderate applies action to the comments ids, on u's behalf, and
// records each in the audit log. A comment that does not exist is
// ErrNotFound when pinning; moving a status skips it.
func Moderate(ctx context.Context, st ModerationStore, u *account.User, action Action, ids []int64) error {
	var err error
	if status, ok := statusOf[action]; ok {
		err = st.SetCommentStatus(ctx, ids, status)
	} else if action == Pin || action == Unpin {
		for _, id := range ids {
			if err = st.SetCommentPinned(ctx, id, action == Pin); err != nil {
				break
			}
		}
	} else {
		return ErrNoAction
	}
	if err != nil {
		return err
	}
	for _, id := range ids {
		audit(ctx, st, u, "comment."+string(action), id)
	}
	return nil
}

// EditAsModerator replaces a comment's text on u's behalf. The text
// follows the rules of a reader's; an invalid one is refused whole.
func EditAsModerator(ctx context.Context, st ModerationStore, u *account.User, id int64, body string, now time.Time) error {
	c := &Comment{Name: "-", Body: body}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	if err := st.EditComment(ctx, id, c.Body, now); err != nil {
		return err
	}
	audit(ctx, st, u, "comment.edit", id)
	return nil
}

func audit(ctx context.Context, st ModerationStore, u *account.User, action string, id int64) {
	// The change is saved; a lost entry is logged, not reported as a
	// failed change.
	if err := st.Audit(ctx, article.AuditEntry{UserID: u.ID, Action: action, ObjectType: "comment", ObjectID: id}); err != nil {
		slog.Default().Error("audit log write failed", "action", action, "comment", id, "user", u.ID, "err", err)
	}
}
