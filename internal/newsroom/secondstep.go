package newsroom

import (
	"context"
	"fmt"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/mail"
)

// PolicyStore is what announcing a new second-step policy needs.
type PolicyStore interface {
	Users(ctx context.Context) ([]account.User, error)
	SecondSteps(ctx context.Context, userID int64) (account.SecondSteps, error)
	Enqueue(ctx context.Context, msgs ...mail.Message) error
	Audit(ctx context.Context, e article.AuditEntry) error
}

// PolicyChanged records that admin changed the site's second-step policy
// from before to after, already saved, and queues a security letter to
// each enabled account the new policy covers and the old did not that has
// no second step yet: it will be sent to set one up at its next sign-in,
// and should hear why from the site first. address is where the change
// came from (clientip.Key). It returns how many letters were queued, so
// that the caller wakes the sender.
func PolicyChanged(ctx context.Context, st PolicyStore, admin *account.User, before, after account.Policy, address string, now time.Time) (int, error) {
	audit(ctx, st, admin, "settings.second_step", "settings", 0, fmt.Sprintf("%q to %q", before, after))
	users, err := st.Users(ctx)
	if err != nil {
		return 0, fmt.Errorf("newsroom: second-step policy: %w", err)
	}
	var letters []mail.Message
	for i := range users {
		u := &users[i]
		if u.Disabled || !after.Requires(u.Role) || before.Requires(u.Role) {
			continue
		}
		// An account whose second steps cannot be read is passed over:
		// the others still hear of the rule.
		if steps, err := st.SecondSteps(ctx, u.ID); err != nil || steps.Enrolled() {
			continue
		}
		// One letter a day for each policy: an admin trying the setting
		// back and forth mails nobody twice.
		key := "policy_enrol|" + string(after) + "|" + now.UTC().Format(time.DateOnly)
		letters = append(letters, mail.Message{Key: mail.Key(u.Email, mail.Security, key), To: u.Email, Kind: mail.Security,
			ObjectID: u.ID, Data: "policy_enrol|" + address + "|"})
	}
	if len(letters) == 0 {
		return 0, nil
	}
	if err := st.Enqueue(ctx, letters...); err != nil {
		return 0, fmt.Errorf("newsroom: second-step policy: queueing letters: %w", err)
	}
	return len(letters), nil
}
