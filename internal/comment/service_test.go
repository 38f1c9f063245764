package comment_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/comment"
	"broadsheet/internal/errs"
	"broadsheet/internal/store/sqlite"
)

// newService is a comment service on a real SQLite file with one
// published article, open to comments, and one closed, and an editor.
func newService(t *testing.T) (*comment.Service, *article.Article, *article.Article, *account.User) {
	t.Helper()
	svc, open, closed, editor, _ := newServiceDB(t)
	return svc, open, closed, editor
}

// newServiceDB is newService with its database.
func newServiceDB(t *testing.T) (*comment.Service, *article.Article, *article.Article, *account.User, *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "comments.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SetSite(ctx, article.Site{Title: "The Test Gazette", Language: "en", TimeZone: "UTC"}))
	sec := article.Section{Slug: "city", Name: "City"}
	must(db.CreateSection(ctx, &sec))
	open := &article.Article{Slug: "open", Headline: "Open", Section: sec, Status: article.Published, Language: "en", PublishedAt: time.Now().Add(-time.Hour)}
	must(db.CreateArticle(ctx, open))
	closed := &article.Article{Slug: "closed", Headline: "Closed", Section: sec, Status: article.Published, Language: "en",
		PublishedAt: time.Now().Add(-time.Hour), CommentsClosed: true}
	must(db.CreateArticle(ctx, closed))
	editor := &account.User{Email: "ed@courier.example", Name: "Ed", Role: account.Editor, PasswordHash: "x"}
	must(db.CreateUser(ctx, editor))
	key, err := db.SigningKey(ctx)
	must(err)
	issuer, err := challenge.New(challenge.Config{Key: key}, db)
	must(err)
	svc := comment.NewService(db, comment.Config{Key: key, Antibot: challenge.Policy{Builtin: issuer}, MinFill: comment.DefaultMinFill})
	return svc, open, closed, editor, db
}

func submission(name, body string, client string) *comment.Submission {
	addr := netip.MustParseAddr(client)
	return &comment.Submission{Name: name, Body: body, Key: "k-" + name + body, Client: addr, ClientKey: addr.String()}
}

// Every refusal is in the one vocabulary, with its words in the site's
// language and, for invalid input, the field of each problem.
func TestSubmitRefusals(t *testing.T) {
	svc, open, closed, _ := newService(t)
	ctx := context.Background()

	_, err := svc.Submit(ctx, open, submission("", "", "203.0.113.1"))
	if !errors.Is(err, errs.Invalid) || errs.Fields(errs.From(err).Fields)["name"] != comment.MsgNameMissing ||
		errs.Fields(errs.From(err).Fields)["body"] != comment.MsgBodyMissing {
		t.Errorf("empty comment: %v, fields %v", err, errs.From(err).Fields)
	}

	_, err = svc.Submit(ctx, closed, submission("Ana", "A fair point.", "203.0.113.1"))
	if e := errs.From(err); e.Kind != errs.Forbidden || e.Key != "comment.closed" || e.Message != "Comments on this article have closed." {
		t.Errorf("closed discussion: %+v", e)
	}

	forged := submission("Ana", "A fair point.", "203.0.113.1")
	forged.Altcha = "eyJ4IjoxfQ=="
	_, err = svc.Submit(ctx, open, forged)
	if e := errs.From(err); e.Kind != errs.Invalid || e.Code != "check_failed" || e.Message == "" {
		t.Errorf("forged check: %+v", e)
	}

	draft := *open
	draft.Status = article.Draft
	if _, err := svc.Submit(ctx, &draft, submission("Ana", "A fair point.", "203.0.113.1")); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("comment on a draft: %v, want ErrNotFound", err)
	}
}

// Without the check a comment is held, its double is the same comment,
// and one client gets only a few such comments an hour.
func TestSubmitHoldsAndLimitsTheUnverified(t *testing.T) {
	svc, open, _, editor := newService(t)
	ctx := context.Background()
	in := submission("Ana", "A fair point about the harbour.", "203.0.113.2")
	first, err := svc.Submit(ctx, open, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Comment.Status != comment.Pending || first.Token == "" || comment.CommenterToken(first.Token) == "" {
		t.Errorf("unverified comment = %+v, want pending with a commenter token", first)
	}
	again, err := svc.Submit(ctx, open, submission("Ana", "A fair point about the harbour.", "203.0.113.2"))
	if err != nil || again.Comment.ID != first.Comment.ID {
		t.Errorf("the same submission again = %+v, %v; want comment %d", again, err, first.Comment.ID)
	}
	_, err = svc.Submit(ctx, open, submission("Ana", "A third, unverified.", "203.0.113.2"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Submit(ctx, open, submission("Ana", "A fourth, unverified.", "203.0.113.2"))
	if e := errs.From(err); e.Kind != errs.TooMany || e.Retry <= 0 || e.Key != "comment.limited_unverified" {
		t.Errorf("fourth unverified comment from one client: %+v", e)
	}
	staff := submission("Ed", "From the newsroom.", "203.0.113.3")
	staff.Staff = editor
	done, err := svc.Submit(ctx, open, staff)
	if err != nil || done.Comment.Status != comment.Approved {
		t.Errorf("an editor's comment = %+v, %v; want approved", done, err)
	}
}

// The site's settings and the blocklist are read once, not for every
// comment, until a change of them is heard.
func TestSubmitKeepsItsRulesUntilTheyChange(t *testing.T) {
	svc, open, _, _, db := newServiceDB(t)
	ctx := context.Background()
	clients := 100
	cost := func(name string) uint64 {
		t.Helper()
		before := db.Queries()
		// Each from its own address: the limits on comments without the
		// check are not what is measured.
		clients++
		if _, err := svc.Submit(ctx, open, submission(name, "A fair point.", fmt.Sprintf("203.0.113.%d", clients))); err != nil {
			t.Fatal(err)
		}
		return db.Queries() - before
	}
	first := cost("Ana")
	second := cost("Bo")
	if second != first-2 {
		t.Errorf("a second comment made %d queries, the first %d; want the settings and the blocklist not read again", second, first)
	}
	svc.Forget([]string{article.KeyTagList(1)}) // not a rule
	if got := cost("Cy"); got != second {
		t.Errorf("after an unrelated change a comment made %d queries, want %d", got, second)
	}
	svc.Forget([]string{comment.KeyRules})
	if got := cost("Di"); got != first {
		t.Errorf("after the blocklist changed a comment made %d queries, want %d (both read again)", got, first)
	}
}

// Whether a commenter was approved before is asked only where the answer
// could publish the comment: one held whatever the answer (here for want
// of the anti-bot check) costs the same with an address as without.
func TestSubmitAsksReturningOnlyWhenItMatters(t *testing.T) {
	svc, open, _, _, db := newServiceDB(t)
	ctx := context.Background()
	cost := func(name, email, client string) uint64 {
		t.Helper()
		in := submission(name, "A fair point.", client)
		in.Email = email
		before := db.Queries()
		done, err := svc.Submit(ctx, open, in)
		if err != nil {
			t.Fatal(err)
		}
		if done.Comment.Status != comment.Pending {
			t.Fatalf("%s's comment is %s, want held", name, done.Comment.Status)
		}
		return db.Queries() - before
	}
	cost("Ana", "", "203.0.113.1") // the rules are read once
	without := cost("Bo", "", "203.0.113.2")
	with := cost("Cy", "cy@example.org", "203.0.113.3")
	if with != without {
		t.Errorf("a held comment with an address made %d queries, one without %d; want the same", with, without)
	}
}

// A newsroom member skips the anti-bot check and the limits on strangers,
// not every rule: they speak under their own name, a blocklisted word or
// too many links still wait for a moderator, they have a limit of their
// own, and the site-wide limit counts them too.
func TestSubmitKeepsMembersWithinRules(t *testing.T) {
	svc, open, _, editor, db := newServiceDB(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SetBlocklist(ctx, []string{"casino"}))
	svc.Forget([]string{comment.KeyRules})
	member := func(name, body string) (*comment.Accepted, error) {
		in := submission(name, body, "203.0.113.7")
		in.Staff = editor
		return svc.Submit(ctx, open, in)
	}
	done, err := member("Ada Reed, the councillor", "We have corrected the figure.")
	must(err)
	if done.Comment.Name != editor.Name || done.Comment.Status != comment.Approved || done.Comment.UserID != editor.ID {
		t.Errorf("a member's comment = %+v; want it approved under their own name, %q", done.Comment, editor.Name)
	}
	for _, body := range []string{"Try the casino on the pier.", "See https://a.example, https://b.example and https://c.example."} {
		done, err := member("Ed", body)
		must(err)
		if done.Comment.Status != comment.Pending {
			t.Errorf("a member's %q = %s, want held for a moderator", body, done.Comment.Status)
		}
	}
	for i := 3; i < comment.MemberLimit; i++ {
		_, err := member("Ed", fmt.Sprintf("Reply number %d.", i))
		must(err)
	}
	_, err = member("Ed", "One too many.")
	if e := errs.From(err); e.Kind != errs.TooMany || e.Retry <= 0 || e.Key != "comment.limited" {
		t.Errorf("comment %d from one member in %s: %+v, want refused with a time to wait", comment.MemberLimit+1, comment.MemberWindow, e)
	}
	// Another member is not held back by the first one's limit, but is
	// by the site's.
	other := &account.User{Email: "au@courier.example", Name: "Au", Role: account.Author, PasswordHash: "x"}
	must(db.CreateUser(ctx, other))
	in := submission("Au", "From another desk.", "203.0.113.7")
	in.Staff = other
	if _, err := svc.Submit(ctx, open, in); err != nil {
		t.Errorf("another member: %v", err)
	}
	site := svc.Limiters()["comment-site"]
	for {
		if ok, _ := site.Allow("all"); !ok {
			break
		}
	}
	in = submission("Au", "Once the site has had its fill.", "203.0.113.7")
	in.Staff = other
	if _, err := svc.Submit(ctx, open, in); errs.From(err).Key != "comment.limited_site" {
		t.Errorf("a member once the site-wide limit is reached: %v, want comment.limited_site", err)
	}
}
