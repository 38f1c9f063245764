package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/newsroom"
	"broadsheet/internal/subscription"
	"broadsheet/internal/webhook"
)

// sameData are the events documented by another's example, since they
// carry the same data.
var sameData = map[string]string{
	webhook.ArticlePublished: webhook.ArticleUpdated, webhook.ArticleUnpublished: webhook.ArticleUpdated,
	webhook.ArticleCorrected: webhook.ArticleUpdated, webhook.CommentApproved: webhook.CommentCreated,
}

// documented reads the example of each event in docs/webhooks.md: every
// JSON block there holding a "type", and for each event of sameData its
// fellow's.
func documented(t *testing.T) map[string]map[string]any {
	t.Helper()
	doc, err := os.ReadFile("../../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, m := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		var ev map[string]any
		if err := json.Unmarshal([]byte(m[1]), &ev); err != nil {
			t.Fatalf("docs/webhooks.md: a JSON example does not parse: %v\n%s", err, m[1])
		}
		if typ, ok := ev["type"].(string); ok {
			out[typ] = ev
		}
	}
	for typ, like := range sameData {
		if out[typ] == nil {
			out[typ] = out[like]
		}
	}
	return out
}

// optional are the fields an event leaves out when they have no value,
// as docs/webhooks.md says.
var optional = []string{"image_url", "updated_at", "published_at", "translation_of", "replaced_by", "note", "parent_id", "headline"}

// sameShape reports how got, a delivered JSON value, differs from doc,
// its documented example: a field delivered that the example lacks, or
// one the example has that was not delivered (unless optional).
func sameShape(path string, got, doc any) []string {
	var diffs []string
	switch g := got.(type) {
	case map[string]any:
		d, ok := doc.(map[string]any)
		if !ok {
			return []string{path + ": an object, documented as something else"}
		}
		for k, v := range g {
			if dv, ok := d[k]; !ok {
				diffs = append(diffs, path+"."+k+": delivered, not documented")
			} else {
				diffs = append(diffs, sameShape(path+"."+k, v, dv)...)
			}
		}
		for k := range d {
			if _, ok := g[k]; !ok && !slices.Contains(optional, k) {
				diffs = append(diffs, path+"."+k+": documented, not delivered")
			}
		}
	case []any:
		d, ok := doc.([]any)
		if !ok {
			return []string{path + ": a list, documented as something else"}
		}
		if len(g) > 0 && len(d) > 0 {
			diffs = append(diffs, sameShape(path+"[0]", g[0], d[0])...)
		}
	}
	sort.Strings(diffs)
	return diffs
}

// Publishing, changing, correcting and withdrawing an article through the
// newsroom, posting an update to it as a live blog, writing and approving
// a comment and confirming a subscription each reach an endpoint, signed, with the data docs/webhooks.md
// documents for its event.
func TestEventsArriveAsDocumented(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, true)
	docs := documented(t)
	for _, typ := range append(slices.Clone(webhook.Types), webhook.Test) {
		if docs[typ] == nil {
			t.Errorf("docs/webhooks.md has no example of %s", typ)
		}
	}
	rc := newReceiver(t, nil)
	e := f.endpoint(rc.URL + "/hooks")

	sec := &article.Section{Slug: "city", Name: "City"}
	must(t, f.db.CreateSection(ctx, sec))
	must(t, f.db.CreateAuthor(ctx, &article.Author{Slug: "ada-byrne", Name: "Ada Byrne"}))
	desk := newsroom.New(f.db, f.now, quiet())
	a, err := desk.Create(ctx, f.admin, newsroom.Draft{Headline: "Council votes to turn the tram depot into homes", Standfirst: "Three hundred flats by 2029.",
		Body: "The council voted on Tuesday.", Section: "city", Tags: []string{"Housing"}, Authors: []string{"ada-byrne"}, LiveBlog: true})
	must(t, err)
	f.step()
	if n := len(rc.requests()); n != 0 {
		t.Fatalf("a draft sent %d events", n)
	}
	_, err = desk.Publish(ctx, f.admin, a.ID, time.Time{})
	must(t, err)
	f.advance(time.Minute)
	a, err = desk.Get(ctx, f.admin, a.ID)
	must(t, err)
	d := newsroom.DraftOf(a)
	d.Headline = "Council votes to turn Eastgate tram depot into 300 homes"
	_, err = desk.Update(ctx, f.admin, a.ID, a.Version, d)
	must(t, err)
	_, err = desk.AddNote(ctx, f.admin, a.ID, article.Correction, "An earlier version gave the wrong year.")
	must(t, err)
	up, err := newsroom.NewLiveBlogs(f.db, f.now, quiet()).Post(ctx, f.admin, a.ID, newsroom.LiveInput{Headline: "Vote passed",
		Body: "The motion passed **7–2**.", Authors: []string{"ada-byrne"}, KeyEvent: true})
	must(t, err)

	c := &comment.Comment{ArticleID: a.ID, Name: "Sam", Email: "sam@readers.example", Body: "About time.", Status: comment.Pending, Key: "k1"}
	must(t, f.db.CreateComment(ctx, c))
	must(t, f.db.SetCommentStatus(ctx, []int64{c.ID}, comment.Approved))
	_, err = f.db.Subscribe(ctx, subscription.Request{Email: "reader@readers.example", Scope: subscription.Scope{Kind: subscription.Section, ID: sec.ID},
		Frequency: subscription.Daily, Nonce: "n1", Consent: "test"})
	must(t, err)
	sub, err := f.db.SubscriberByEmail(ctx, "reader@readers.example")
	must(t, err)
	_, err = f.db.Confirm(ctx, sub.Subs[0].ID, "n1")
	must(t, err)
	_, err = desk.Unpublish(ctx, f.admin, a.ID, 0)
	must(t, err)
	f.sendTest(e.ID)
	f.step()

	want := []string{webhook.ArticlePublished, webhook.ArticleUpdated, webhook.ArticleCorrected, webhook.LiveblogUpdatePosted, webhook.CommentCreated,
		webhook.CommentApproved, webhook.SubscriberConfirmed, webhook.ArticleUnpublished, webhook.Test}
	got := rc.requests()
	var types []string
	for _, r := range got {
		var ev map[string]any
		if err := json.Unmarshal(r.Body, &ev); err != nil {
			t.Fatalf("%v: %s", err, r.Body)
		}
		typ, _ := ev["type"].(string)
		types = append(types, typ)
		if err := verifyFromSpec(e.Secret, r.Header, r.Body); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
		if strings.Contains(string(r.Body), "@readers.example") {
			t.Errorf("%s carries an email address: %s", typ, r.Body)
		}
		if diffs := sameShape(typ, ev, docs[typ]); len(diffs) > 0 {
			t.Errorf("%s differs from docs/webhooks.md:\n%s\ndelivered: %s", typ, strings.Join(diffs, "\n"), r.Body)
		}
		if r.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(r.Header.Get("webhook-id"), "msg_") {
			t.Errorf("%s: headers %v", typ, r.Header)
		}
	}
	slices.Sort(types)
	slices.Sort(want)
	if !slices.Equal(types, want) {
		t.Fatalf("events %v, want %v", types, want)
	}
	// The article's own data, as a receiver reads it.
	for body, data := range dataOf[webhook.ArticleData](t, got, webhook.ArticleUpdated) {
		if data.URL != "https://news.example.org/city/council-votes-to-turn-the-tram-depot-into-homes" || data.Headline != d.Headline ||
			len(data.Authors) != 1 || data.Authors[0].Name != "Ada Byrne" || len(data.Tags) != 1 || data.Tags[0].Slug != "housing" ||
			!slices.Contains(data.CacheTags, "section-1") {
			t.Errorf("article.updated: %s", body)
		}
	}
	// The live update's.
	for body, data := range dataOf[webhook.LiveUpdateData](t, got, webhook.LiveblogUpdatePosted) {
		page := "https://news.example.org/city/council-votes-to-turn-the-tram-depot-into-homes"
		if data.ID != up.ID || data.URL != fmt.Sprintf("%s?from=%d#update-%d", page, up.ID, up.ID) || data.LiveBlog.URL != page ||
			data.Headline != "Vote passed" || data.Text != "The motion passed **7–2**." || !data.KeyEvent || data.Pinned ||
			len(data.Authors) != 1 || data.Authors[0].Slug != "ada-byrne" || !slices.Equal(data.CacheTags, []string{fmt.Sprintf("liveblog-%d", a.ID)}) {
			t.Errorf("liveblog.update_posted: %s", body)
		}
	}
	if testing.Verbose() {
		for _, r := range got {
			t.Logf("%s", r.Body)
		}
	}
}

// dataOf yields the body and the data, as a receiver reads it into a T,
// of each delivery of got whose event is typ.
func dataOf[T any](t *testing.T, got []received, typ string) iter.Seq2[string, T] {
	return func(yield func(string, T) bool) {
		for _, r := range got {
			var ev struct {
				Type string
				Data T
			}
			must(t, json.Unmarshal(r.Body, &ev))
			if ev.Type == typ && !yield(string(r.Body), ev.Data) {
				return
			}
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
