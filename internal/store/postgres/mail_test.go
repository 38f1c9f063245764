package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/mail"
	"broadsheet/internal/store/postgres/pgtest"
	"broadsheet/internal/subscription"
	"broadsheet/internal/web"
)

// What the web server and the mail worker need beyond the conformance
// suite, checked at compile time.
var (
	_ web.Store          = (*DB)(nil)
	_ mail.Outbox        = (*DB)(nil)
	_ mail.Admin         = (*DB)(nil)
	_ subscription.Store = (*DB)(nil)
	_ subscription.Admin = (*DB)(nil)
	_ mail.Source        = (*DB)(nil)
)

// The conformance suite runs the outbox on one instance. These tests run
// what only PostgreSQL has: several instances on one database at once.

// instances opens n instances on one new database.
func instances(t *testing.T, n int) []*DB {
	t.Helper()
	u := pgtest.Database(t)
	var dbs []*DB
	for range n {
		db, err := Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	return dbs
}

// Workers of several instances claiming at once never get the same
// message, and none waits for another's claim to end (SKIP LOCKED).
func TestClaimAcrossInstances(t *testing.T) {
	dbs := instances(t, 2)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	var msgs []mail.Message
	for i := range 90 {
		to := fmt.Sprintf("r%02d@example.org", i)
		msgs = append(msgs, mail.Message{Key: mail.KeyID(to, mail.Article, 1), To: to, Kind: mail.Article, ObjectID: 1, Data: "1 1"})
	}
	if err := dbs[0].Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for i := range 6 {
		db := dbs[i%2]
		wg.Go(func() {
			for {
				got, err := db.Claim(ctx, now, time.Minute, 4)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 90 {
		t.Errorf("claimed %d distinct messages, want 90", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %d claimed %d times", id, n)
		}
	}
}

// Instances sending the moderation notice at once send it once: the
// advisory lock makes them read and move its mark one after the other.
func TestModerationNoticeAcrossInstances(t *testing.T) {
	dbs := instances(t, 4)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	sec := article.Section{Slug: "city", Name: "City"}
	if err := dbs[0].CreateSection(ctx, &sec); err != nil {
		t.Fatal(err)
	}
	a := &article.Article{Slug: "quay", Headline: "Quay reopens", Body: "Body.", Section: sec, Status: article.Published, Language: "en", PublishedAt: now}
	if err := dbs[0].CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := dbs[0].CreateUser(ctx, &account.User{Email: "ed@example.org", Name: "Ed", Role: account.Editor}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		c := &comment.Comment{ArticleID: a.ID, Name: "X", Body: "Held.", Status: comment.Pending, Key: fmt.Sprint("k", i)}
		if err := dbs[0].CreateComment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	counts := make([]int, len(dbs))
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			n, err := db.QueueModerationNotice(ctx, now, time.Hour)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != 3 {
		t.Errorf("instances noticed %v held comments, want 3 by one of them", counts)
	}
	list, err := dbs[0].OutboxList(ctx, mail.Queued, 0, 10)
	if err != nil || len(list) != 1 || list[0].Data != "3" {
		t.Errorf("outbox = %+v, %v; want one notice of 3", list, err)
	}
}
