package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/store"
	"broadsheet/internal/subscription"
	"broadsheet/internal/webhook"
)

// Webhooks are the endpoints, the events the writes of the site record
// for them, and the queue their worker claims.
type Webhooks interface {
	webhook.Store
	webhook.Queue
	SetWebhookSite(s webhook.Site)
}

// newEndpoint stores an enabled endpoint wanting events.
func newEndpoint(t *testing.T, s Store, url string, events ...string) *webhook.Endpoint {
	t.Helper()
	e := &webhook.Endpoint{URL: url, Description: "Test receiver", Events: events, Enabled: true, Secret: webhook.NewSecret()}
	must(t, s.CreateWebhookEndpoint(context.Background(), e))
	return e
}

// claimAll claims every delivery due at now, for longer than any test
// runs its clock.
func claimAll(t *testing.T, s Store, now time.Time) []webhook.Job {
	t.Helper()
	jobs, err := s.ClaimWebhooks(context.Background(), now, 1000*time.Hour, 1000)
	must(t, err)
	return jobs
}

// eventData is a message's body, read back.
type eventData struct {
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

func bodyOf(t *testing.T, j webhook.Job) eventData {
	t.Helper()
	var e eventData
	if err := json.Unmarshal(j.Message.Payload, &e); err != nil {
		t.Fatalf("message %s: %v: %s", j.Message.ID, err, j.Message.Payload)
	}
	if e.Type != j.Message.Type {
		t.Errorf("message %s: body says type %q, the row %q", j.Message.ID, e.Type, j.Message.Type)
	}
	return e
}

// types is the types of jobs, in their order.
func types(jobs []webhook.Job) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.Message.Type)
	}
	return out
}

// testWebhookEndpoints: an endpoint is stored, read, listed, changed,
// given a new secret and deleted as the newsroom does it.
func testWebhookEndpoints(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	list, err := s.WebhookEndpoints(ctx)
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("no endpoints yet: %v", list)
	}
	e := newEndpoint(t, s, "https://hooks.example.org/a", webhook.CommentApproved, webhook.ArticlePublished)
	other := newEndpoint(t, s, "https://hooks.example.org/b", webhook.SubscriberConfirmed)
	got, err := s.WebhookEndpoint(ctx, e.ID)
	must(t, err)
	if got.URL != e.URL || got.Description != "Test receiver" || !got.Enabled || got.Secret != e.Secret || !got.CreatedAt.Equal(now) ||
		!slices.Equal(got.Events, []string{webhook.ArticlePublished, webhook.CommentApproved}) || got.OldSecret != "" || !got.OldUntil.IsZero() {
		t.Errorf("endpoint read back as %+v", got)
	}
	if _, err := s.WebhookEndpoint(ctx, other.ID+100); !errors.Is(err, webhook.ErrNotFound) {
		t.Errorf("unknown endpoint: %v, want not found", err)
	}

	now = now.Add(time.Minute)
	got.URL, got.Enabled, got.Events = "https://hooks.example.org/a2", false, []string{webhook.ArticleUpdated}
	must(t, s.UpdateWebhookEndpoint(ctx, got))
	again, err := s.WebhookEndpoint(ctx, e.ID)
	must(t, err)
	if again.URL != got.URL || again.Enabled || !slices.Equal(again.Events, []string{webhook.ArticleUpdated}) || !again.UpdatedAt.Equal(now) {
		t.Errorf("endpoint changed to %+v", again)
	}
	if err := s.UpdateWebhookEndpoint(ctx, &webhook.Endpoint{ID: other.ID + 100, URL: "https://x.example"}); !errors.Is(err, webhook.ErrNotFound) {
		t.Errorf("changing an unknown endpoint: %v", err)
	}

	until := now.Add(24 * time.Hour)
	fresh := webhook.NewSecret()
	must(t, s.RotateWebhookSecret(ctx, e.ID, fresh, until))
	again, err = s.WebhookEndpoint(ctx, e.ID)
	must(t, err)
	if again.Secret != fresh || again.OldSecret != e.Secret || !again.OldUntil.Equal(until) {
		t.Errorf("after rotation: secret %q, old %q until %v", again.Secret, again.OldSecret, again.OldUntil)
	}
	if got := again.Secrets(now); !slices.Equal(got, []string{fresh, e.Secret}) {
		t.Errorf("secrets during the overlap: %v", got)
	}
	if got := again.Secrets(until); !slices.Equal(got, []string{fresh}) {
		t.Errorf("secrets after the overlap: %v", got)
	}
	if err := s.RotateWebhookSecret(ctx, other.ID+100, fresh, until); !errors.Is(err, webhook.ErrNotFound) {
		t.Errorf("rotating an unknown endpoint: %v", err)
	}

	list, err = s.WebhookEndpoints(ctx)
	must(t, err)
	if len(list) != 2 || list[0].ID != e.ID || list[1].ID != other.ID || list[0].Last != nil || list[1].Queued != 0 {
		t.Errorf("endpoints listed: %+v", list)
	}
	must(t, s.DeleteWebhookEndpoint(ctx, e.ID))
	if _, err := s.WebhookEndpoint(ctx, e.ID); !errors.Is(err, webhook.ErrNotFound) {
		t.Errorf("deleted endpoint: %v", err)
	}
	if err := s.DeleteWebhookEndpoint(ctx, e.ID); !errors.Is(err, webhook.ErrNotFound) {
		t.Errorf("deleting it again: %v", err)
	}
	m := webhook.Message{ID: webhook.NewMessageID(now), Type: webhook.Test, Payload: []byte(`{}`), CreatedAt: now}
	if err := s.QueueWebhook(ctx, e.ID, m); !errors.Is(err, webhook.ErrNotFound) {
		t.Errorf("queueing to a deleted endpoint: %v", err)
	}
	if err := s.ResendWebhook(ctx, other.ID, 12345, now); !errors.Is(err, webhook.ErrNotFound) {
		t.Errorf("sending an unknown delivery again: %v", err)
	}
}

// testWebhookArticleEvents: publishing, updating, correcting and
// withdrawing an article each record their event, in the write's own
// transaction, with the article as the write left it; drafts record
// nothing, and endpoints get only what they asked for.
func testWebhookArticleEvents(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	s.SetWebhookSite(webhook.Site{BaseURL: "https://news.example.org"})
	all := newEndpoint(t, s, "https://hooks.example.org/all", webhook.Types...)
	published := newEndpoint(t, s, "https://hooks.example.org/published", webhook.ArticlePublished)
	off := newEndpoint(t, s, "https://hooks.example.org/off", webhook.Types...)
	off.Enabled = false
	must(t, s.UpdateWebhookEndpoint(ctx, off))

	draft := f.article(0)
	draft.Status, draft.PublishedAt = article.Draft, time.Time{}
	must(t, s.CreateArticle(ctx, draft))
	if jobs := claimAll(t, s, now); len(jobs) != 0 {
		t.Fatalf("a draft recorded %v", types(jobs))
	}

	a := f.article(0)
	a.Tags = []article.Tag{f.tags[0]}
	a.Authors = []article.Author{f.authors[0], f.authors[1]}
	must(t, s.CreateArticle(ctx, a))
	jobs := claimAll(t, s, now)
	if len(jobs) != 2 || jobs[0].Message.ID != jobs[1].Message.ID || jobs[0].Message.Type != webhook.ArticlePublished {
		t.Fatalf("publishing recorded %v", types(jobs))
	}
	for _, j := range jobs {
		if j.Endpoint.ID != all.ID && j.Endpoint.ID != published.ID {
			t.Errorf("a delivery to endpoint %d (%s)", j.Endpoint.ID, j.Endpoint.URL)
		}
		if j.Delivery.Status != webhook.Queued || j.Delivery.Attempts != 0 || !j.Message.CreatedAt.Equal(now) || j.Endpoint.Secret == "" {
			t.Errorf("delivery %+v", j)
		}
	}
	body := bodyOf(t, jobs[0])
	d := body.Data
	if body.Timestamp != "2026-06-01T12:00:00Z" || d["id"] != float64(a.ID) || d["url"] != "https://news.example.org/city/"+a.Slug ||
		d["headline"] != a.Headline || d["status"] != "published" || d["edition"] != "" || d["language"] != "en" {
		t.Errorf("article.published: %s", jobs[0].Message.Payload)
	}
	if sec := d["section"].(map[string]any); sec["slug"] != "city" || sec["url"] != "https://news.example.org/city" {
		t.Errorf("section: %v", sec)
	}
	if au := d["authors"].([]any); len(au) != 2 || au[1].(map[string]any)["url"] != "https://news.example.org/author/"+f.authors[1].Slug {
		t.Errorf("authors: %v", au)
	}
	if tags := d["tags"].([]any); len(tags) != 1 || tags[0].(map[string]any)["url"] != "https://news.example.org/tag/housing" {
		t.Errorf("tags: %v", tags)
	}
	// The tags of the pages the write dropped: the article's, the lists
	// it joined and its translation group's.
	wantTags := sortedTags(fmt.Sprintf("article-%d", a.ID), "articles", fmt.Sprintf("author-%d", f.authors[0].ID), fmt.Sprintf("author-%d", f.authors[1].ID),
		fmt.Sprintf("section-%d", f.sections[0].ID), fmt.Sprintf("tag-%d", f.tags[0].ID), fmt.Sprintf("translations-%d", a.ID))
	if got := d["cache_tags"].([]any); !slices.Equal(got, wantTags) {
		t.Errorf("cache tags %v, want %v", got, wantTags)
	}

	// An update of the live article, moved to another section: its cache
	// tags name the section and byline it had too.
	now = now.Add(time.Minute)
	a.Section, a.Authors, a.Version = f.sections[1], []article.Author{f.authors[2]}, 0
	must(t, s.UpdateArticle(ctx, a))
	jobs = claimAll(t, s, now)
	if !slices.Equal(types(jobs), []string{webhook.ArticleUpdated}) || jobs[0].Endpoint.ID != all.ID {
		t.Fatalf("an update recorded %v", types(jobs))
	}
	d = bodyOf(t, jobs[0]).Data
	wantTags = sortedTags(fmt.Sprintf("article-%d", a.ID), "articles", fmt.Sprintf("author-%d", f.authors[0].ID), fmt.Sprintf("author-%d", f.authors[1].ID),
		fmt.Sprintf("author-%d", f.authors[2].ID), fmt.Sprintf("section-%d", f.sections[0].ID), fmt.Sprintf("section-%d", f.sections[1].ID),
		fmt.Sprintf("tag-%d", f.tags[0].ID), fmt.Sprintf("translations-%d", a.ID))
	if got := d["cache_tags"].([]any); !slices.Equal(got, wantTags) || d["url"] != "https://news.example.org/sport/"+a.Slug {
		t.Errorf("updated: cache tags %v, want %v; url %v", got, wantTags, d["url"])
	}

	now = now.Add(time.Minute)
	must(t, s.AddNote(ctx, &article.Note{ArticleID: a.ID, Kind: article.Correction, Body: "The vote was 7–2, not 6–3."}))
	must(t, s.AddNote(ctx, &article.Note{ArticleID: a.ID, Kind: article.Update, Body: "The mayor has replied."}))
	jobs = claimAll(t, s, now)
	if !slices.Equal(types(jobs), []string{webhook.ArticleCorrected, webhook.ArticleUpdated}) {
		t.Fatalf("two notes recorded %v", types(jobs))
	}
	if n := bodyOf(t, jobs[0]).Data["note"].(map[string]any); n["kind"] != "correction" || n["text"] != "The vote was 7–2, not 6–3." {
		t.Errorf("correction: %v", n)
	}

	// Withdrawn, with another article in its place.
	other := f.article(1)
	must(t, s.CreateArticle(ctx, other))
	claimAll(t, s, now)
	now = now.Add(time.Minute)
	a.Status, a.ReplacedBy, a.Version = article.Unpublished, other.ID, 0
	must(t, s.UpdateArticle(ctx, a))
	jobs = claimAll(t, s, now)
	if !slices.Equal(types(jobs), []string{webhook.ArticleUnpublished}) {
		t.Fatalf("withdrawing recorded %v", types(jobs))
	}
	d = bodyOf(t, jobs[0]).Data
	if r := d["replaced_by"].(map[string]any); d["status"] != "unpublished" || r["id"] != float64(other.ID) || r["url"] != "https://news.example.org/sport/"+other.Slug {
		t.Errorf("unpublished: %s", jobs[0].Message.Payload)
	}
	// Nothing of an article off the site is anyone's business.
	a.Headline, a.Version = "Still withdrawn", 0
	must(t, s.UpdateArticle(ctx, a))
	if jobs := claimAll(t, s, now); len(jobs) != 0 {
		t.Errorf("changing a withdrawn article recorded %v", types(jobs))
	}

	// A scheduled article is announced when the scheduler publishes it.
	sched := f.article(0)
	sched.Status, sched.PublishedAt = article.Scheduled, now.Add(time.Hour)
	must(t, s.CreateArticle(ctx, sched))
	if jobs := claimAll(t, s, now); len(jobs) != 0 {
		t.Errorf("scheduling recorded %v", types(jobs))
	}
	now = now.Add(2 * time.Hour)
	ids, err := s.PublishDue(ctx, now)
	must(t, err)
	jobs = claimAll(t, s, now)
	if len(ids) != 1 || len(jobs) != 2 || jobs[0].Message.Type != webhook.ArticlePublished || bodyOf(t, jobs[0]).Data["id"] != float64(sched.ID) {
		t.Errorf("the scheduler published %v and recorded %v", ids, types(jobs))
	}
}

// testWebhookReaderEvents: a comment written, a comment approved and a
// subscription confirmed record their events, without an email address.
func testWebhookReaderEvents(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	s.SetWebhookSite(webhook.Site{BaseURL: "https://news.example.org"})
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	e := newEndpoint(t, s, "https://hooks.example.org/readers", webhook.CommentCreated, webhook.CommentApproved, webhook.SubscriberConfirmed)

	held := &comment.Comment{ArticleID: a.ID, Name: "Ann", Email: "ann@example.org", Body: "First!", Status: comment.Pending, Key: "k1"}
	must(t, s.CreateComment(ctx, held))
	jobs := claimAll(t, s, now)
	if !slices.Equal(types(jobs), []string{webhook.CommentCreated}) || jobs[0].Endpoint.ID != e.ID {
		t.Fatalf("a held comment recorded %v", types(jobs))
	}
	d := bodyOf(t, jobs[0]).Data
	page := "https://news.example.org/city/" + a.Slug
	if d["id"] != float64(held.ID) || d["status"] != "pending" || d["author_name"] != "Ann" || d["text"] != "First!" || d["staff"] != false ||
		d["url"] != fmt.Sprintf("%s#c-%d", page, held.ID) || d["article"].(map[string]any)["url"] != page {
		t.Errorf("comment.created: %s", jobs[0].Message.Payload)
	}
	for _, j := range jobs {
		if containsAddress(j.Message.Payload) {
			t.Errorf("an email address in %s", j.Message.Payload)
		}
	}

	now = now.Add(time.Minute)
	must(t, s.SetCommentStatus(ctx, []int64{held.ID}, comment.Approved))
	must(t, s.SetCommentStatus(ctx, []int64{held.ID}, comment.Approved)) // approved already: no second event
	jobs = claimAll(t, s, now)
	if !slices.Equal(types(jobs), []string{webhook.CommentApproved}) || bodyOf(t, jobs[0]).Data["status"] != "approved" {
		t.Fatalf("approving recorded %v", types(jobs))
	}

	reply := &comment.Comment{ArticleID: a.ID, ParentID: held.ID, Name: "Ben", Email: "ben@example.org", Body: "Agreed.", Status: comment.Approved, Key: "k2"}
	must(t, s.CreateComment(ctx, reply))
	jobs = claimAll(t, s, now)
	if !slices.Equal(types(jobs), []string{webhook.CommentCreated, webhook.CommentApproved}) || bodyOf(t, jobs[1]).Data["parent_id"] != float64(held.ID) {
		t.Fatalf("a comment public at once recorded %v", types(jobs))
	}

	// Two subscriptions of one address: the first confirmation is the
	// subscriber's first.
	var subs []int64
	for i, scope := range []subscription.Scope{{Kind: subscription.Section, ID: f.sections[0].ID}, {Kind: subscription.Article, ID: a.ID}} {
		_, err := s.Subscribe(ctx, subscription.Request{Email: "cy@example.org", Scope: scope, Frequency: subscription.Immediate,
			Nonce: fmt.Sprint("n", i), Consent: "test"})
		must(t, err)
		sub, err := s.SubscriberByEmail(ctx, "cy@example.org")
		must(t, err)
		subs = append(subs, sub.Subs[len(sub.Subs)-1].ID)
		if i == 0 {
			_, err = s.Confirm(ctx, subs[0], "n0")
			must(t, err)
		}
	}
	jobs = claimAll(t, s, now)
	if !slices.Equal(types(jobs), []string{webhook.SubscriberConfirmed}) {
		t.Fatalf("confirming recorded %v", types(jobs))
	}
	d = bodyOf(t, jobs[0]).Data
	if sc := d["scope"].(map[string]any); d["subscription_id"] != float64(subs[0]) || d["first_confirmation"] != true ||
		sc["kind"] != "section" || sc["url"] != "https://news.example.org/city" || sc["name"] != "City" || d["frequency"] != "immediate" {
		t.Errorf("subscriber.confirmed: %s", jobs[0].Message.Payload)
	}
	if containsAddress(jobs[0].Message.Payload) {
		t.Errorf("an email address in %s", jobs[0].Message.Payload)
	}
}

// testWebhookLiveEvents: an update posted to a published live blog
// records liveblog.update_posted in the post's transaction, naming the
// update's permalink, its bylines as stored and the cache tag of the live
// blog's pages; edits and deletions record nothing, nor does a post to a
// draft, nor one rolled back.
func testWebhookLiveEvents(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := time.Date(2026, 6, 1, 14, 2, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	s.SetWebhookSite(webhook.Site{BaseURL: "https://news.example.org"})
	e := newEndpoint(t, s, "https://hooks.example.org/live", webhook.LiveblogUpdatePosted, webhook.ArticleUpdated)
	a := f.article(0)
	a.LiveBlog, a.Headline = true, "Storm Agnes: live"
	must(t, s.CreateArticle(ctx, a))

	u := &liveblog.Update{ArticleID: a.ID, Headline: "Quay Street", Body: "The harbour wall has been **breached**.", Pinned: true, KeyEvent: true,
		Authors: []article.Author{{ID: f.authors[1].ID}, {ID: f.authors[0].ID}}}
	must(t, s.PostLiveUpdate(ctx, u))
	jobs := claimAll(t, s, now)
	if !slices.Equal(types(jobs), []string{webhook.LiveblogUpdatePosted}) || jobs[0].Endpoint.ID != e.ID {
		t.Fatalf("a post recorded %v", types(jobs))
	}
	body := bodyOf(t, jobs[0])
	d := body.Data
	page := "https://news.example.org/city/" + a.Slug
	if body.Timestamp != "2026-06-01T14:02:00Z" || d["id"] != float64(u.ID) || d["url"] != fmt.Sprintf("%s?from=%d#update-%d", page, u.ID, u.ID) ||
		d["headline"] != "Quay Street" || d["text"] != u.Body || d["pinned"] != true || d["key_event"] != true || d["posted_at"] != "2026-06-01T14:02:00Z" {
		t.Errorf("liveblog.update_posted: %s", jobs[0].Message.Payload)
	}
	if lb := d["live_blog"].(map[string]any); lb["id"] != float64(a.ID) || lb["url"] != page || lb["headline"] != "Storm Agnes: live" {
		t.Errorf("live_blog: %v", lb)
	}
	au := d["authors"].([]any)
	if len(au) != 2 || au[0].(map[string]any)["name"] != f.authors[1].Name || au[1].(map[string]any)["url"] != "https://news.example.org/author/"+f.authors[0].Slug {
		t.Errorf("authors: %v", au)
	}
	if got, want := d["cache_tags"].([]any), sortedTags(fmt.Sprintf("liveblog-%d", a.ID)); !slices.Equal(got, want) {
		t.Errorf("cache tags %v, want %v", got, want)
	}

	// An edit and a deletion are not posts.
	u.Body = "The harbour wall has been breached at Quay Street."
	must(t, s.EditLiveUpdate(ctx, u))
	must(t, s.DeleteLiveUpdate(ctx, a.ID, u.ID, 0))
	if jobs := claimAll(t, s, now); len(jobs) != 0 {
		t.Errorf("an edit and a deletion recorded %v", types(jobs))
	}
	// A post that fails records nothing.
	if err := s.PostLiveUpdate(ctx, &liveblog.Update{ArticleID: a.ID, Body: "By nobody.", Authors: []article.Author{{ID: f.authors[2].ID + 100}}}); err == nil {
		t.Error("a post by an author who does not exist was stored")
	}
	if jobs := claimAll(t, s, now); len(jobs) != 0 {
		t.Errorf("a post rolled back recorded %v", types(jobs))
	}
	// A draft's updates are nobody's business yet.
	draft := f.article(0)
	draft.LiveBlog, draft.Status, draft.PublishedAt = true, article.Draft, time.Time{}
	must(t, s.CreateArticle(ctx, draft))
	must(t, s.PostLiveUpdate(ctx, &liveblog.Update{ArticleID: draft.ID, Body: "Ready when we go live."}))
	if jobs := claimAll(t, s, now); len(jobs) != 0 {
		t.Errorf("a post to a draft recorded %v", types(jobs))
	}
}

// containsAddress reports whether b holds an email address.
func containsAddress(b []byte) bool { return bytes.Contains(b, []byte("@")) }

// testWebhookRoutes: which events some endpoint wants is kept in memory;
// an endpoint another instance adds is heard of at the worker's next
// refresh, and this instance's own changes at once.
func testWebhookRoutes(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	must(t, s.CreateArticle(ctx, f.article(0))) // nobody listens: none known
	// Another instance registers an endpoint, as its store would.
	must(t, s.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO webhook_endpoints (url, secret, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id`,
			"https://hooks.example.org/elsewhere", webhook.NewSecret(), now.Unix(), now.Unix()).Scan(&id); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO webhook_endpoint_events (endpoint_id, event) VALUES (?, ?)`, id, webhook.ArticlePublished)
		return nil, err
	}))
	must(t, s.CreateArticle(ctx, f.article(0)))
	if jobs := claimAll(t, s, now); len(jobs) != 0 {
		t.Errorf("before a refresh: %v", types(jobs))
	}
	must(t, s.RefreshWebhookRoutes(ctx))
	must(t, s.CreateArticle(ctx, f.article(0)))
	if jobs := claimAll(t, s, now); !slices.Equal(types(jobs), []string{webhook.ArticlePublished}) {
		t.Errorf("after a refresh: %v", types(jobs))
	}
	// This instance's own endpoint is heard of at once.
	newEndpoint(t, s, "https://hooks.example.org/here", webhook.ArticleUpdated)
	a := f.article(0)
	must(t, s.CreateArticle(ctx, a))
	claimAll(t, s, now)
	a.Version = 0
	must(t, s.UpdateArticle(ctx, a))
	if jobs := claimAll(t, s, now); !slices.Equal(types(jobs), []string{webhook.ArticleUpdated}) {
		t.Errorf("after this instance's own change: %v", types(jobs))
	}
}

// testWebhookQueue: deliveries are leased, attempted, retried, delivered,
// given up and sent again; their log is kept; a 410 turns the endpoint
// off; old finished messages are pruned.
func testWebhookQueue(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	e := newEndpoint(t, s, "https://hooks.example.org/q", webhook.ArticlePublished)
	var msgs []webhook.Message
	for i := range 3 {
		m := webhook.Message{ID: webhook.NewMessageID(now), Type: webhook.Test, Payload: fmt.Appendf(nil, `{"n":%d}`, i), CreatedAt: now}
		must(t, s.QueueWebhook(ctx, e.ID, m))
		msgs = append(msgs, m)
	}
	jobs, err := s.ClaimWebhooks(ctx, now, time.Minute, 2)
	must(t, err)
	if len(jobs) != 2 || jobs[0].Message.ID != msgs[0].ID || string(jobs[1].Message.Payload) != `{"n":1}` || jobs[0].Endpoint.URL != e.URL {
		t.Fatalf("claimed %+v", jobs)
	}
	more, err := s.ClaimWebhooks(ctx, now, time.Minute, 10)
	must(t, err)
	if len(more) != 1 || more[0].Message.ID != msgs[2].ID {
		t.Fatalf("a second claim took %v, want the third alone", types(more))
	}
	// Once the leases end, all three are due again.
	at := now.Add(time.Minute)
	jobs, err = s.ClaimWebhooks(ctx, at, time.Minute, 10)
	must(t, err)
	if len(jobs) != 3 {
		t.Fatalf("once the leases end, %d deliveries, want 3", len(jobs))
	}

	// A failure waits its turn; a success is delivered; the last attempt
	// makes a dead letter.
	fail := webhook.Attempt{At: at, Status: 503, Duration: 120 * time.Millisecond, Response: "busy"}
	must(t, s.RecordWebhookAttempt(ctx, jobs[0], fail, webhook.Outcome{Status: webhook.Queued, NextAt: at.Add(5 * time.Second)}))
	must(t, s.RecordWebhookAttempt(ctx, jobs[1], webhook.Attempt{At: at, Status: 204}, webhook.Outcome{Status: webhook.Delivered}))
	must(t, s.RecordWebhookAttempt(ctx, jobs[2], webhook.Attempt{At: at, Status: 500}, webhook.Outcome{Status: webhook.Failed}))
	if due := claimAll(t, s, at.Add(4*time.Second)); len(due) != 0 {
		t.Errorf("due before its time: %v", types(due))
	}
	retry := claimAll(t, s, at.Add(5*time.Second))
	if len(retry) != 1 || retry[0].Message.ID != msgs[0].ID || retry[0].Delivery.Attempts != 1 {
		t.Fatalf("the retry: %+v", retry)
	}
	// A claim lost meanwhile keeps only its log: sent again, the delivery
	// is queued afresh whatever the old claim says.
	must(t, s.ResendWebhook(ctx, e.ID, retry[0].Delivery.ID, at.Add(6*time.Second)))
	must(t, s.RecordWebhookAttempt(ctx, retry[0], webhook.Attempt{At: at.Add(6 * time.Second), Error: "no answer within 15s"},
		webhook.Outcome{Status: webhook.Failed}))
	list, err := s.WebhookDeliveries(ctx, e.ID, 0, 10)
	must(t, err)
	if len(list) != 3 || list[2].ID != retry[0].Delivery.ID || list[2].Status != webhook.Queued || list[2].Attempts != 0 ||
		len(list[2].Log) != 2 || list[2].Log[0].Error != "no answer within 15s" || list[2].Log[1].Status != 503 || list[2].Log[1].Response != "busy" ||
		list[2].Log[1].Duration != 120*time.Millisecond || list[2].Type != webhook.Test {
		t.Fatalf("deliveries after a lost claim: %+v", list)
	}
	if list[1].Status != webhook.Delivered || !list[1].DoneAt.Equal(at) || len(list[1].Log) != 1 || list[0].Status != webhook.Failed {
		t.Errorf("the delivered one and the dead letter: %+v", list[:2])
	}
	if page, err := s.WebhookDeliveries(ctx, e.ID, list[0].ID, 10); err != nil || len(page) != 2 || page[0].ID != list[1].ID {
		t.Errorf("the page after the newest: %v, %v", page, err)
	}
	eps, err := s.WebhookEndpoints(ctx)
	must(t, err)
	if eps[0].Failed != 1 || eps[0].Queued != 1 || eps[0].Last == nil || eps[0].Last.Error != "no answer within 15s" {
		t.Errorf("the endpoint fares %+v", eps[0])
	}

	// Sent again, a dead letter is queued with the same message.
	must(t, s.ResendWebhook(ctx, e.ID, jobs[2].Delivery.ID, at.Add(time.Hour)))
	back := claimAll(t, s, at.Add(time.Hour))
	if len(back) != 2 || back[1].Message.ID != msgs[2].ID || back[1].Delivery.Attempts != 0 || string(back[1].Message.Payload) != `{"n":2}` {
		t.Fatalf("sent again: %+v", back)
	}

	// 410 Gone turns the endpoint off: nothing of it is claimed any more.
	must(t, s.RecordWebhookAttempt(ctx, back[1], webhook.Attempt{At: at.Add(time.Hour), Status: 410},
		webhook.Outcome{Status: webhook.Failed, Disable: "answered 410 Gone"}))
	off, err := s.WebhookEndpoint(ctx, e.ID)
	must(t, err)
	if off.Enabled || off.DisabledReason != "answered 410 Gone" {
		t.Errorf("after a 410: %+v", off)
	}
	must(t, s.ResendWebhook(ctx, e.ID, back[1].Delivery.ID, at.Add(time.Hour)))
	if jobs := claimAll(t, s, at.Add(3*time.Hour)); len(jobs) != 0 {
		t.Errorf("claimed %d deliveries of a disabled endpoint", len(jobs))
	}
	off.Enabled = true
	must(t, s.UpdateWebhookEndpoint(ctx, off))
	if on, _ := s.WebhookEndpoint(ctx, e.ID); on.DisabledReason != "" {
		t.Errorf("turned on again, it still says %q", on.DisabledReason)
	}

	// Finished messages older than the retention go with their log;
	// waiting ones stay.
	must(t, s.RecordWebhookAttempt(ctx, back[0], webhook.Attempt{At: at.Add(time.Hour), Status: 200}, webhook.Outcome{Status: webhook.Delivered}))
	n, err := s.PruneWebhooks(ctx, at.Add(3*time.Hour))
	must(t, err)
	list, err = s.WebhookDeliveries(ctx, e.ID, 0, 10)
	must(t, err)
	if n != 2 || len(list) != 1 || list[0].ID != back[1].Delivery.ID {
		t.Errorf("pruned %d, left %+v", n, list)
	}
}

// testWebhookClaimConcurrent: workers claiming at once never share a
// delivery.
func testWebhookClaimConcurrent(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	e := newEndpoint(t, s, "https://hooks.example.org/c", webhook.ArticlePublished)
	for i := range 60 {
		must(t, s.QueueWebhook(ctx, e.ID, webhook.Message{ID: webhook.NewMessageID(now), Type: webhook.Test, Payload: fmt.Appendf(nil, `{"n":%d}`, i), CreatedAt: now}))
	}
	claimedOnce(t, "deliveries", 60, func() ([]int64, error) {
		got, err := s.ClaimWebhooks(ctx, now, time.Minute, 7)
		var ids []int64
		for _, j := range got {
			ids = append(ids, j.Delivery.ID)
		}
		return ids, err
	})
}

// sortedTags is tags in the order a payload's cache_tags lists them.
func sortedTags(tags ...string) []any {
	slices.Sort(tags)
	out := make([]any, len(tags))
	for i, t := range tags {
		out[i] = t
	}
	return out
}
