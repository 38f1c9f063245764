package storetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/mail"
	"broadsheet/internal/subscription"
)

// expandAll runs the fan-outs due at now, batch subscribers a call, until
// none is left, and returns how many calls that took.
func expandAll(t *testing.T, s Store, now time.Time, batch int) int {
	t.Helper()
	for calls := 1; calls <= 100; calls++ {
		more, err := s.ExpandFanouts(context.Background(), now, batch)
		must(t, err)
		if !more {
			return calls
		}
	}
	t.Fatal("fan-outs do not end")
	return 0
}

// about is the queued mail of kind about object, by lower-cased recipient.
func about(t *testing.T, s Store, kind mail.Kind, object int64) map[string]mail.Message {
	t.Helper()
	list, err := s.OutboxList(context.Background(), mail.Queued, 0, 1000)
	must(t, err)
	out := map[string]mail.Message{}
	for _, m := range list {
		if m.Kind == kind && m.ObjectID == object {
			if _, dup := out[strings.ToLower(m.To)]; dup {
				t.Errorf("%s about %d queued twice to %s", kind, object, m.To)
			}
			out[strings.ToLower(m.To)] = m
		}
	}
	return out
}

// checkMail checks that got holds one message to each recipient of want,
// with the data want names, and nothing else.
func checkMail(t *testing.T, what string, got map[string]mail.Message, kind mail.Kind, object string, want map[string]string) {
	t.Helper()
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
		t.Errorf("%s went to %v, want %v", what, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	for to, data := range want {
		if m, ok := got[to]; ok && (m.Data != data || m.Key != mail.Key(to, kind, object)) {
			t.Errorf("%s to %s: data %q, key %q; want %q, %q", what, to, m.Data, m.Key, data, mail.Key(to, kind, object))
		}
	}
}

// testArticleFanout: a published article is mailed once to each address
// following the site or its section at once — one message naming every
// subscription that caused it — and to nobody else, a batch of
// subscribers a call; a second run or a later save mails nobody again.
func testArticleFanout(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := f.clock.Add(24 * time.Hour)
	s.SetClock(func() time.Time { return now })
	city := subscription.Scope{Kind: subscription.Section, ID: f.sections[0].ID}
	sport := subscription.Scope{Kind: subscription.Section, ID: f.sections[1].ID}
	ana := subscribe(t, s, "ana@example.org", site, subscription.Immediate)
	boSite := subscribe(t, s, "bo@example.org", site, subscription.Immediate)
	boCity := subscribe(t, s, "bo@example.org", city, subscription.Immediate)
	subscribe(t, s, "cy@example.org", sport, subscription.Immediate)
	subscribe(t, s, "di@example.org", site, subscription.Daily)
	_, err := s.Subscribe(ctx, subscription.Request{Email: "ed@example.org", Scope: site, Frequency: subscription.Immediate, Nonce: "n"}) // never confirmed
	must(t, err)
	a := f.article(0)
	a.PublishedAt = now
	must(t, s.CreateArticle(ctx, a))
	subscribe(t, s, "fo@example.org", subscription.Scope{Kind: subscription.Article, ID: a.ID}, subscription.Immediate) // its comments only

	if calls := expandAll(t, s, now, 1); calls < 3 {
		t.Errorf("two subscribers one at a time took %d calls, want one a batch and one to end", calls)
	}
	object := strconv.FormatInt(a.ID, 10)
	checkMail(t, "the article", about(t, s, mail.Article, a.ID), mail.Article, object, map[string]string{
		"ana@example.org": fmt.Sprintf("%d %d", ana.ID, ana.SubscriberID),
		"bo@example.org":  fmt.Sprintf("%d,%d %d", boSite.ID, boCity.ID, boSite.SubscriberID),
	})
	if m := about(t, s, mail.Article, a.ID)["ana@example.org"]; !m.NextAt.Equal(now) || !m.CreatedAt.Equal(now) {
		t.Errorf("article mail queued at %v, due %v; want both %v", m.CreatedAt, m.NextAt, now)
	}
	if more, err := s.ExpandFanouts(ctx, now, 10); err != nil || more {
		t.Errorf("ExpandFanouts with nothing due = %v, %v; want false", more, err)
	}
	a.Headline = "Story, updated"
	must(t, s.UpdateArticle(ctx, a))
	expandAll(t, s, now.Add(time.Minute), 10)
	if n := len(about(t, s, mail.Article, a.ID)); n != 2 {
		t.Errorf("after saving the article again: %d article mails, want still 2", n)
	}

	// An article of another edition goes to its section's subscribers,
	// not to the site's: "every new article" is the main edition's.
	jahan := article.Section{Slug: "jahan", Name: "جهان", Edition: "fa"}
	must(t, s.CreateSection(ctx, &jahan))
	gi := subscribe(t, s, "gi@example.org", subscription.Scope{Kind: subscription.Section, ID: jahan.ID}, subscription.Immediate)
	fa := f.article(0)
	fa.Section, fa.Language, fa.PublishedAt = jahan, "fa", now
	must(t, s.CreateArticle(ctx, fa))
	expandAll(t, s, now, 10)
	checkMail(t, "the Persian article", about(t, s, mail.Article, fa.ID), mail.Article, strconv.FormatInt(fa.ID, 10), map[string]string{
		"gi@example.org": fmt.Sprintf("%d %d", gi.ID, gi.SubscriberID),
	})
}

// testFanoutOnlyLiveArticles: only a live article is mailed, once, when it
// goes live: not a draft, not one withdrawn before its fan-out ran (nor
// when published again), not an archive published days ago, and a
// scheduled one from its time, not before.
func testFanoutOnlyLiveArticles(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := f.clock.Add(24 * time.Hour)
	s.SetClock(func() time.Time { return now })
	subscribe(t, s, "ana@example.org", site, subscription.Immediate)
	mk := func(status article.Status, at time.Time) *article.Article {
		t.Helper()
		a := f.article(0)
		a.Status, a.PublishedAt = status, at
		must(t, s.CreateArticle(ctx, a))
		return a
	}
	mailed := func() []int64 {
		t.Helper()
		var ids []int64
		for _, m := range mailTo(t, s, "ana@example.org") {
			if m.Kind == mail.Article {
				ids = append(ids, m.ObjectID)
			}
		}
		return ids
	}
	draft := mk(article.Draft, now)
	withdrawn := mk(article.Published, now)
	withdrawn.Status = article.Unpublished
	must(t, s.UpdateArticle(ctx, withdrawn))
	mk(article.Published, now.Add(-72*time.Hour)) // an imported archive
	scheduled := mk(article.Scheduled, now.Add(time.Hour))
	expandAll(t, s, now, 10)
	if got := mailed(); len(got) != 0 {
		t.Errorf("mailed %v, want nothing yet", got)
	}

	draft.Status = article.Published
	must(t, s.UpdateArticle(ctx, draft))
	withdrawn.Status = article.Published
	must(t, s.UpdateArticle(ctx, withdrawn))
	ids, err := s.PublishDue(ctx, now.Add(time.Hour))
	must(t, err)
	if !slices.Equal(ids, []int64{scheduled.ID}) {
		t.Fatalf("PublishDue = %v, want [%d]", ids, scheduled.ID)
	}
	expandAll(t, s, now, 10)
	if got := mailed(); !slices.Equal(got, []int64{draft.ID}) {
		t.Errorf("mailed %v, want the published draft only: the scheduled article's time has not come", got)
	}
	expandAll(t, s, now.Add(time.Hour), 10)
	if got := mailed(); !slices.Equal(got, []int64{draft.ID, scheduled.ID}) {
		t.Errorf("mailed %v, want the published draft, then the scheduled article", got)
	}
}

// testCommentFanout: a comment, once public, is mailed to who follows its
// discussion, never to its own author; a reply also to the author of the
// comment it answers, if they asked and are not its author, until they
// stop replies; a comment gone before its fan-out is mailed to nobody.
func testCommentFanout(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := f.clock
	s.SetClock(func() time.Time { return now })
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	other := f.article(0)
	must(t, s.CreateArticle(ctx, other))
	follower := subscribe(t, s, "follower@example.org", subscription.Scope{Kind: subscription.Article, ID: a.ID}, subscription.Immediate)
	replier := subscribe(t, s, "replier@example.org", subscription.Scope{Kind: subscription.Article, ID: a.ID}, subscription.Immediate)
	subscribe(t, s, "elsewhere@example.org", subscription.Scope{Kind: subscription.Article, ID: other.ID}, subscription.Immediate)
	subscribe(t, s, "reader@example.org", site, subscription.Immediate)
	add := func(parent int64, name, email string, status comment.Status, notify bool) *comment.Comment {
		t.Helper()
		c := newComment(a.ID, parent, name, "key-"+name, status)
		c.Email, c.Notify = email, notify
		must(t, s.CreateComment(ctx, c))
		return c
	}
	followers := func(ids ...subscription.Subscription) map[string]string {
		out := map[string]string{}
		for _, sub := range ids {
			sr, err := s.Subscriber(ctx, sub.SubscriberID)
			must(t, err)
			out[sr.Email] = fmt.Sprintf("%d %d", sub.ID, sub.SubscriberID)
		}
		return out
	}
	id := func(c *comment.Comment) string { return strconv.FormatInt(c.ID, 10) }

	parent := add(0, "Ana", "ana@example.org", comment.Approved, true)
	reply := add(parent.ID, "Re", "Replier@example.org", comment.Pending, false)
	expandAll(t, s, now, 1)
	checkMail(t, "the first comment", about(t, s, mail.Comment, parent.ID), mail.Comment, id(parent), followers(follower, replier))
	if n := len(about(t, s, mail.Comment, reply.ID)) + len(about(t, s, mail.Reply, reply.ID)); n != 0 {
		t.Errorf("a held reply was mailed %d times, want none", n)
	}
	must(t, s.SetCommentStatus(ctx, []int64{reply.ID}, comment.Approved))
	expandAll(t, s, now, 1)
	checkMail(t, "the reply", about(t, s, mail.Comment, reply.ID), mail.Comment, id(reply), followers(follower))
	checkMail(t, "the reply notification", about(t, s, mail.Reply, reply.ID), mail.Reply, id(reply), map[string]string{"ana@example.org": id(parent)})
	// Held and approved again, it is not mailed again.
	must(t, s.SetCommentStatus(ctx, []int64{reply.ID}, comment.Pending))
	must(t, s.SetCommentStatus(ctx, []int64{reply.ID}, comment.Approved))
	expandAll(t, s, now, 10)
	if n, m := len(about(t, s, mail.Comment, reply.ID)), len(about(t, s, mail.Reply, reply.ID)); n != 1 || m != 1 {
		t.Errorf("approved twice: %d comment and %d reply mails, want 1 and 1", n, m)
	}

	// Ana answering herself, in another case, is not told of it.
	self := add(parent.ID, "Ana again", "ANA@example.org", comment.Approved, false)
	expandAll(t, s, now, 10)
	checkMail(t, "Ana's answer to herself", about(t, s, mail.Reply, self.ID), mail.Reply, id(self), nil)
	// Replies stopped, she is not told of the next.
	must(t, s.StopReplies(ctx, parent.ID))
	if c, err := s.CommentByID(ctx, parent.ID); err != nil || c.Notify {
		t.Errorf("after StopReplies: notify %v, %v; want off", c.Notify, err)
	}
	if err := s.StopReplies(ctx, parent.ID+1000); err != nil {
		t.Errorf("StopReplies(missing comment) err = %v, want none: the link may outlive the comment", err)
	}
	late := add(parent.ID, "Cy", "cy@example.org", comment.Approved, false)
	// A held comment's author is not told of replies while it is held.
	held := add(0, "Di", "di@example.org", comment.Pending, true)
	toHeld := add(held.ID, "Ed", "ed@example.org", comment.Approved, false)
	gone := add(0, "Spam", "spam@example.org", comment.Approved, false)
	must(t, s.SetCommentStatus(ctx, []int64{gone.ID}, comment.Spam))
	expandAll(t, s, now, 10)
	checkMail(t, "a reply after replies stopped", about(t, s, mail.Reply, late.ID), mail.Reply, id(late), nil)
	checkMail(t, "a comment after replies stopped", about(t, s, mail.Comment, late.ID), mail.Comment, id(late), followers(follower, replier))
	checkMail(t, "a comment gone before its fan-out", about(t, s, mail.Comment, gone.ID), mail.Comment, id(gone), nil)
	checkMail(t, "a reply to a held comment", about(t, s, mail.Reply, toHeld.ID), mail.Reply, id(toHeld), nil)
}

// testDigest: a day's digest is started once however often it is asked
// for, and not before its time; it goes once to each address with a
// daily subscription to the site or a section, naming them all.
func testDigest(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := f.clock
	s.SetClock(func() time.Time { return now })
	city := subscription.Scope{Kind: subscription.Section, ID: f.sections[0].ID}
	dailySite := subscribe(t, s, "daily@example.org", site, subscription.Daily)
	dailyCity := subscribe(t, s, "daily@example.org", city, subscription.Daily)
	cityOnly := subscribe(t, s, "city@example.org", city, subscription.Daily)
	subscribe(t, s, "now@example.org", site, subscription.Immediate)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	subscribe(t, s, "talk@example.org", subscription.Scope{Kind: subscription.Article, ID: a.ID}, subscription.Daily)
	_, err := s.Subscribe(ctx, subscription.Request{Email: "pending@example.org", Scope: site, Frequency: subscription.Daily, Nonce: "n"})
	must(t, err)

	for range 2 {
		must(t, s.QueueDigest(ctx, 20260301, now))
	}
	expandAll(t, s, now, 1)
	want := map[string]string{
		"daily@example.org": fmt.Sprintf("%d,%d %d site:0,section:%d", dailySite.ID, dailyCity.ID, dailySite.SubscriberID, city.ID),
		"city@example.org":  fmt.Sprintf("%d %d section:%d", cityOnly.ID, cityOnly.SubscriberID, city.ID),
	}
	checkMail(t, "the digest", about(t, s, mail.Digest, 20260301), mail.Digest, "20260301", want)

	must(t, s.QueueDigest(ctx, 20260302, now.Add(24*time.Hour)))
	expandAll(t, s, now.Add(23*time.Hour), 10)
	checkMail(t, "the next day's digest before its time", about(t, s, mail.Digest, 20260302), mail.Digest, "20260302", nil)
	expandAll(t, s, now.Add(24*time.Hour), 10)
	checkMail(t, "the next day's digest", about(t, s, mail.Digest, 20260302), mail.Digest, "20260302", want)
	checkMail(t, "the first day's digest, still", about(t, s, mail.Digest, 20260301), mail.Digest, "20260301", want)
}

// testModerationNotice: editors and admins still enabled are told of the
// comments held since the last notice, in one mail, at most once in a
// while; with nothing new, nobody is told.
func testModerationNotice(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := f.clock
	s.SetClock(func() time.Time { return now })
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	for _, u := range []account.User{
		{Email: "ed@example.org", Name: "Ed", Role: account.Editor},
		{Email: "ad@example.org", Name: "Ad", Role: account.Admin},
		{Email: "off@example.org", Name: "Off", Role: account.Editor, Disabled: true},
		{Email: "au@example.org", Name: "Au", Role: account.Author},
	} {
		must(t, s.CreateUser(ctx, &u))
	}
	hold := func(name string) *comment.Comment {
		t.Helper()
		c := newComment(a.ID, 0, name, "key-"+name, comment.Pending)
		must(t, s.CreateComment(ctx, c))
		return c
	}
	hold("h1")
	h2 := hold("h2")
	must(t, s.CreateComment(ctx, newComment(a.ID, 0, "ok", "key-ok", comment.Approved)))
	editors := func(data string) map[string]string {
		return map[string]string{"ed@example.org": data, "ad@example.org": data}
	}
	notice := func(at time.Duration, want int) {
		t.Helper()
		n, err := s.QueueModerationNotice(ctx, now.Add(at), time.Hour)
		if err != nil || n != want {
			t.Errorf("QueueModerationNotice(now+%s) = %d, %v; want %d", at, n, err, want)
		}
	}
	notice(0, 2)
	checkMail(t, "the notice of two", about(t, s, mail.Moderation, h2.ID), mail.Moderation, strconv.FormatInt(h2.ID, 10), editors("2"))
	h3 := hold("h3")
	notice(30*time.Minute, 0) // within the hour
	notice(time.Hour, 1)
	checkMail(t, "the notice of one", about(t, s, mail.Moderation, h3.ID), mail.Moderation, strconv.FormatInt(h3.ID, 10), editors("1"))
	notice(3*time.Hour, 0) // nothing new
	list, err := s.OutboxList(ctx, mail.Queued, 0, 100)
	must(t, err)
	if len(list) != 4 {
		t.Errorf("%d notices in all, want 4: two editors, twice", len(list))
	}
}
