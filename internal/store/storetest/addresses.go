package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/comment"
	"broadsheet/internal/mail"
	"broadsheet/internal/subscription"
)

// testAddressesIgnoreCase: an email address is the same address in any
// case, whatever its alphabet — as the stores promise ("the match ignores
// case") for users, subscribers, commenters and the mail queued to them —
// and is shown back as it was typed.
func testAddressesIgnoreCase(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := f.clock
	s.SetClock(func() time.Time { return now })
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	must(t, s.CreateUser(ctx, &account.User{Email: "Édith@example.org", Name: "Édith", Role: account.Editor}))
	subscribe(t, s, "Иван@example.org", subscription.Scope{Kind: subscription.Article, ID: a.ID}, subscription.Immediate)
	c := newComment(a.ID, 0, "Ivan", "k1", comment.Approved)
	c.Email, c.EditHash = "иван@example.org", "ivan-hash"
	must(t, s.CreateComment(ctx, c))

	u, err := s.UserByEmail(ctx, "édith@example.org")
	if err != nil || u.Email != "Édith@example.org" {
		t.Errorf("UserByEmail in another case = %v, %v; want the user, as typed", u, err)
	}
	sr, err := s.SubscriberByEmail(ctx, "иван@example.org")
	if err != nil || sr.Email != "Иван@example.org" {
		t.Errorf("SubscriberByEmail in another case = %v, %v; want the subscriber, as typed", sr, err)
	}
	olga := &account.User{Email: "olga@example.org", Name: "Olga", Role: account.Author}
	must(t, s.CreateUser(ctx, olga))
	olga.Email = "éDITH@example.org"
	if err := s.UpdateUser(ctx, olga); !errors.Is(err, account.ErrConflict) {
		t.Errorf("a user given another's address in another case: err = %v, want ErrConflict", err)
	}
	if err := s.CreateUser(ctx, &account.User{Email: "édith@example.org", Name: "Twin", Role: account.Author}); !errors.Is(err, account.ErrConflict) {
		t.Errorf("a second user with the address in another case: err = %v, want ErrConflict", err)
	}
	if list, err := s.Subscribers(ctx, subscription.Query{Search: "ИВАН"}); err != nil || len(list) != 1 {
		t.Errorf("Subscribers(ИВАН) = %d, %v; want 1", len(list), err)
	}
	if _, err := s.ImportSubscribers(ctx, []subscription.Import{{Email: "ИВАН@example.org", Scope: site, Consent: "import"}}); err != nil {
		t.Fatal(err)
	}
	if st, err := s.SubscriberStats(ctx); err != nil || st.Subscribers != 1 {
		t.Errorf("subscribers after importing the address in another case = %d, %v; want 1", st.Subscribers, err)
	}
	if list, err := s.CommentsByEmail(ctx, "ИВАН@example.org"); err != nil || len(list) != 1 {
		t.Errorf("CommentsByEmail in another case = %d, %v; want 1", len(list), err)
	}
	if ok, err := s.Returning(ctx, "Иван@example.org", "ivan-hash"); err != nil || !ok {
		t.Errorf("Returning in another case = %v, %v; want true", ok, err)
	}
	// Following the discussion, he is not sent his own comment.
	expandAll(t, s, now, 10)
	checkMail(t, "Ivan's own comment", about(t, s, mail.Comment, c.ID), mail.Comment, "", nil)

	if found, err := s.EraseSubscriber(ctx, "иван@example.org"); err != nil || !found {
		t.Errorf("EraseSubscriber in another case = %v, %v; want true", found, err)
	}
	if counts, err := s.OutboxCounts(ctx); err != nil || counts[mail.Queued] != 0 {
		t.Errorf("mail queued after erasing the subscriber = %d, %v; want none", counts[mail.Queued], err)
	}
	if n, err := s.EraseCommenter(ctx, "ИВАН@EXAMPLE.ORG"); err != nil || n != 1 {
		t.Errorf("EraseCommenter in another case = %d, %v; want 1", n, err)
	}
}
