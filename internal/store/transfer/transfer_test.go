package transfer

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/backup"
	"broadsheet/internal/comment"
	"broadsheet/internal/embed"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/mail"
	"broadsheet/internal/redirect"
	"broadsheet/internal/search"
	"broadsheet/internal/store/postgres"
	"broadsheet/internal/store/postgres/pgtest"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/subscription"
	"broadsheet/internal/webhook"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// site is what buildSite made, to look for in the copy.
type site struct {
	lead, replaced *article.Article
	live           *article.Article // a live blog
	img            article.Image
	doc            article.Document
	user           account.User
	sessionHash    string
	tokenHash      string
	subscriber     string
	sentID         int64
	key            []byte
	thread         []string
}

// buildSite makes a small but complete site through the SQLite engine.
func buildSite(t *testing.T, s *sqlite.DB) site {
	t.Helper()
	ctx := context.Background()
	var w site
	now := time.Now().UTC().Truncate(time.Second)

	city := article.Section{Slug: "city", Name: "City", Description: "The city.", Position: 1}
	must(t, s.CreateSection(ctx, &city))
	var tags []article.Tag
	for _, name := range []string{"Harbour", "Housing"} {
		tag := article.Tag{Slug: article.Slugify(name), Name: name}
		must(t, s.CreateTag(ctx, &tag))
		tags = append(tags, tag)
	}
	var authors []article.Author
	for _, name := range []string{"Ada Lovelace", "Ben Okri", "Cy Twombly"} {
		au := article.Author{Slug: article.Slugify(name), Name: name, Role: "Reporter", Bio: "Writes about " + name}
		must(t, s.CreateAuthor(ctx, &au))
		authors = append(authors, au)
	}
	w.user = account.User{Email: "Ed@Courier.example", Name: "Ed Itor", Role: account.Editor, PasswordHash: "$argon2id$x", AuthorID: authors[0].ID}
	must(t, s.CreateUser(ctx, &w.user))
	// A webhook endpoint, before the articles, so that their events queue
	// deliveries to it.
	hook := &webhook.Endpoint{URL: "https://hooks.example/in", Events: []string{webhook.ArticlePublished}, Enabled: true, Secret: webhook.NewSecret()}
	must(t, s.CreateWebhookEndpoint(ctx, hook))
	off := account.User{Email: "gone@courier.example", Name: "Gone", Role: account.Author, PasswordHash: "h", Disabled: true}
	must(t, s.CreateUser(ctx, &off))
	_, w.sessionHash = account.NewToken()
	must(t, s.CreateSession(ctx, &account.Session{TokenHash: w.sessionHash, UserID: w.user.ID, CreatedAt: now, LastSeenAt: now, UserAgent: "Firefox", IP: "192.0.2.1"}))
	_, w.tokenHash = account.NewToken()
	must(t, s.CreateToken(ctx, &account.Token{UserID: w.user.ID, Name: "CMS import", TokenHash: w.tokenHash, CreatedAt: now}))
	must(t, s.CreateSetupToken(ctx, "setup-hash", now.Add(time.Hour)))
	must(t, s.SetTOTP(ctx, w.user.ID, "JBSWY3DPEHPK3PXP"))
	must(t, s.UseTOTPStep(ctx, w.user.ID, 59_000_000))
	must(t, s.AddPasskey(ctx, &account.Passkey{UserID: w.user.ID, Name: "Desk laptop", CredentialID: []byte{1, 2, 3, 250}, Record: []byte(`{"id":"AQID-g"}`)}))
	must(t, s.SetRecoveryCodes(ctx, w.user.ID, []string{"hash-one", "hash-two"}))
	if _, err := s.UseRecoveryCode(ctx, w.user.ID, "hash-one", now); err != nil {
		t.Fatal(err)
	}

	w.img = article.Image{Alt: "The quay", Caption: "At dawn.", Credit: "Desk", Width: 1200, Height: 675, SourceHash: "abc123", UploadedBy: w.user.ID}
	must(t, s.CreateImage(ctx, &w.img, []article.Variant{
		{Width: 480, Height: 270, ContentType: "image/jpeg", Bytes: []byte{0xff, 0xd8, 0x00, 0x01, 0x02}},
		{Width: 1200, Height: 675, ContentType: "image/webp", Bytes: bytes.Repeat([]byte{0, 1, 2, 254, 255}, 2000)},
	}))

	w.doc = article.Document{Name: "harbour-report.pdf", Title: "Harbour report", ContentType: "application/pdf", SourceHash: "def456", UploadedBy: w.user.ID}
	must(t, s.CreateDocument(ctx, &w.doc, []byte("%PDF-1.7\n% the harbour board's report\n")))

	// The article that replaces another is made after it: the reference
	// points forward, to a larger id.
	w.replaced = &article.Article{Slug: "old-quay", Headline: "Old quay", Body: "Old.", Section: city, Status: article.Unpublished, Language: "en"}
	must(t, s.CreateArticle(ctx, w.replaced))
	w.lead = &article.Article{Slug: "harbour-reopens", Headline: "Harbour reopens after storm", Standfirst: "Boats return to the quay.",
		Body: "The **harbour** reopened on Monday, a week after the storm.\n\n[The board's report](" + w.doc.Path() + ")", Section: city, Status: article.Published, Language: "en",
		Authors: []article.Author{authors[2], authors[0]}, Tags: []article.Tag{tags[1], tags[0]}, LeadImage: &w.img,
		PublishedAt: now.Add(-time.Hour), CreatedBy: w.user.ID, EditorID: w.user.ID}
	must(t, s.CreateArticle(ctx, w.lead))
	w.lead.Headline = "Harbour reopens after the storm"
	w.lead.CommentsClosed = true
	w.lead.EditorID = w.user.ID
	must(t, s.UpdateArticle(ctx, w.lead)) // a second revision
	w.lead.Slug = "harbour-reopens-after-storm"
	must(t, s.UpdateArticle(ctx, w.lead)) // and a slug redirect
	w.replaced.ReplacedBy = w.lead.ID
	must(t, s.UpdateArticle(ctx, w.replaced))
	other := &article.Article{Slug: "rents-rise", Headline: "Rents rise again", Section: city,
		Body:   fmt.Sprintf("Rents in the city rose.\n\n![The quay](/media/%d/480.jpg)", w.img.ID),
		Status: article.Published, Language: "en", Authors: []article.Author{authors[1]}, Tags: []article.Tag{tags[1]}, PublishedAt: now.Add(-2 * time.Hour)}
	must(t, s.CreateArticle(ctx, other))
	must(t, s.AddNote(ctx, &article.Note{ArticleID: w.lead.ID, Kind: article.Correction, Body: "The storm was on Sunday.", UserID: w.user.ID}))
	must(t, s.Audit(ctx, article.AuditEntry{At: now, UserID: w.user.ID, Action: "article.publish", ObjectType: "article", ObjectID: w.lead.ID, Detail: "published"}))
	must(t, s.CreatePage(ctx, &article.Page{Slug: "about", Title: "About us", Body: "We report.", Language: "en"}))
	must(t, s.SetSite(ctx, article.Site{Title: "The Courier", Tagline: "News", Language: "en", TimeZone: "Europe/London", DigestHour: 7, FeedFullText: true}))
	must(t, s.SetBanner(ctx, article.Banner{Text: "Storm warning", URL: "/storm", Expires: now.Add(24 * time.Hour)}))
	must(t, s.SetBlocklist(ctx, []string{"spam.example"}))

	add := func(parent int64, name string, pinned bool) *comment.Comment {
		c := &comment.Comment{ArticleID: other.ID, ParentID: parent, Name: name, Email: name + "@readers.example", Body: "Said " + name,
			Status: comment.Approved, Key: "key-" + name, Pinned: pinned, Notify: true, EditHash: "edit-" + name,
			Check: comment.SpentCheck{ID: "check-" + name, Expires: now.Add(time.Hour)}}
		must(t, s.CreateComment(ctx, c))
		return c
	}
	ann := add(0, "Ann", false)
	add(0, "Bo", true)
	add(ann.ID, "Cy", false)
	// An article an import brought, with a comment that gave its address.
	old := &article.Article{Slug: "from-the-archive", Headline: "From the archive", Body: "Old news.", Section: city,
		Status: article.Published, Language: "en", PublishedAt: now.AddDate(-5, 0, 0)}
	_, err := s.ImportArticle(ctx, article.Origin{Source: "wordpress https://old.example", Kind: "post", ID: 77}, old, []comment.Imported{
		{From: 9, Comment: comment.Comment{Name: "Old reader", URL: "https://reader.example/", Body: "First!", Status: comment.Approved, CreatedAt: now.AddDate(-5, 0, 1)}}})
	must(t, err)
	thread, err := s.Thread(ctx, comment.Query{ArticleID: other.ID})
	must(t, err)
	for _, c := range thread {
		w.thread = append(w.thread, fmt.Sprintf("%d:%s@%d", c.ID, c.Name, c.Depth))
	}

	w.subscriber = "Reader@Readers.example"
	out, err := s.Subscribe(ctx, subscription.Request{Email: w.subscriber, Scope: subscription.Scope{Kind: subscription.Site}, Frequency: subscription.Daily, Nonce: "n1", Label: "Everything"})
	must(t, err)
	if out != subscription.Confirming {
		t.Fatalf("Subscribe = %v, want Confirming", out)
	}
	sub, err := s.SubscriberByEmail(ctx, w.subscriber)
	must(t, err)
	_, err = s.Confirm(ctx, sub.Subs[0].ID, "n1")
	must(t, err)
	_, err = s.Subscribe(ctx, subscription.Request{Email: w.subscriber, Scope: subscription.Scope{Kind: subscription.Section, ID: city.ID}, Frequency: subscription.Immediate, Nonce: "n2", Label: "City"})
	must(t, err)
	must(t, s.Enqueue(ctx, mail.Message{Key: mail.KeyID("ed@courier.example", mail.Reset, 1), To: "ed@courier.example", Kind: mail.Reset, ObjectID: 1, Data: "token", NextAt: now}))
	queued, err := s.OutboxList(ctx, mail.Queued, 0, 100)
	must(t, err)
	w.sentID = queued[0].ID
	must(t, s.MarkSent(ctx, w.sentID, now, nil))

	// Redirects from the old site: one by hand, leading on through another,
	// one imported, and one to another site.
	byHand := &redirect.Redirect{FromPath: "/2024/05/17/harbour-reopens/", ToURL: "/city/harbour-reopens-after-storm", CreatedBy: w.user.ID}
	must(t, s.CreateRedirect(ctx, byHand))
	_, err = s.PutRedirects(ctx, []redirect.Redirect{
		{FromPath: "/?p=123", ToURL: "/2024/05/17/harbour-reopens", Source: redirect.WordPress},
		{FromPath: "/tag/%d8%ae%d8%a8%d8%b1/", ToURL: "/tag/harbour", Status: 302, Source: redirect.WordPress},
	})
	must(t, err)
	must(t, s.CreateRedirect(ctx, &redirect.Redirect{FromPath: "/partner", ToURL: "https://partner.example/story?id=1", OffSite: true, Status: 307}))
	must(t, s.AddRedirectHits(ctx, map[int64]redirect.Hit{byHand.ID: {N: 12, Last: now}}))

	// An embed with a thumbnail, and one kept while its provider did not
	// answer.
	video, _ := embed.Match("https://www.youtube.com/watch?v=M7lc1UVf-VE")
	video.Title, video.Author, video.ThumbnailURL, video.ThumbnailID, video.Complete, video.FetchedAt = "Harbour at dawn", "The Courier",
		"https://i.ytimg.com/vi/M7lc1UVf-VE/hqdefault.jpg", w.img.ID, true, now
	must(t, s.SaveEmbed(ctx, &video))
	chart, _ := embed.Match("https://datawrapper.dwcdn.net/aBc12/")
	chart.FetchedAt = now
	must(t, s.SaveEmbed(ctx, &chart))

	// A live blog, its coverage open: an update with a picture and the
	// report, by two, edited once; and one posted by mistake and deleted.
	w.live = &article.Article{Slug: "storm-live", Headline: "The storm, live", Body: "Follow the storm here.", Section: city,
		Status: article.Published, Language: "en", PublishedAt: now.Add(-30 * time.Minute), LiveBlog: true, CreatedBy: w.user.ID}
	must(t, s.CreateArticle(ctx, w.live))
	must(t, s.SetCoverage(ctx, w.live.ID, now.Add(-30*time.Minute), time.Time{}))
	waves := liveblog.Update{ArticleID: w.live.ID, Body: fmt.Sprintf("![The quay](/media/%d/480.jpg)\nWaves at the quay.\n\n[The report](%s)", w.img.ID, w.doc.Path()),
		Authors: []article.Author{authors[1], authors[0]}, KeyEvent: true, CreatedBy: w.user.ID}
	must(t, s.PostLiveUpdate(ctx, &waves))
	waves.Headline, waves.EditorID = "Waves over the quay", w.user.ID
	must(t, s.EditLiveUpdate(ctx, &waves))
	mistake := liveblog.Update{ArticleID: w.live.ID, Body: "Posted by mistake.", Pinned: true}
	must(t, s.PostLiveUpdate(ctx, &mistake))
	must(t, s.DeleteLiveUpdate(ctx, w.live.ID, mistake.ID, w.user.ID))

	must(t, s.AddViews(ctx, map[int64]int{w.lead.ID: 42, other.ID: 7}, now))
	_, err = s.KeepRelated(ctx, 10)
	must(t, err)
	_, _, err = s.CountEvent(ctx, "signin:192.0.2.1", time.Minute, now)
	must(t, err)
	// The delivery is due when its event was written, which may be a
	// second or more after now (taken truncated, at the start).
	jobs, err := s.ClaimWebhooks(ctx, time.Now().Add(time.Second), time.Minute, 1)
	must(t, err)
	if len(jobs) != 1 {
		t.Fatalf("claimed %d webhook deliveries, want 1", len(jobs))
	}
	must(t, s.RecordWebhookAttempt(ctx, jobs[0], webhook.Attempt{At: now, Status: 204}, webhook.Outcome{Status: webhook.Delivered}))
	w.key, err = s.SigningKey(ctx)
	must(t, err)
	return w
}

// redirectStore is what sameRedirects reads of a site.
type redirectStore interface {
	Redirects(ctx context.Context, q redirect.Query) ([]redirect.Redirect, error)
	RedirectFor(ctx context.Context, target string) (*redirect.Redirect, error)
}

// sameRedirects checks that to holds from's redirects, field for field,
// and answers their addresses as from does.
func sameRedirects(t *testing.T, from, to redirectStore) {
	t.Helper()
	ctx := context.Background()
	want, err := from.Redirects(ctx, redirect.Query{})
	must(t, err)
	got, err := to.Redirects(ctx, redirect.Query{})
	must(t, err)
	if len(want) != 4 || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("redirects =\n%+v\nwant\n%+v", got, want)
	}
	for addr, target := range map[string]string{
		"/2024/05/17/harbour-reopens": "/city/harbour-reopens-after-storm", "/?p=123&utm_source=x": "/city/harbour-reopens-after-storm",
		"/tag/خبر": "/tag/harbour", "/partner/": "https://partner.example/story?id=1",
	} {
		if r, err := to.RedirectFor(ctx, addr); err != nil || r.ToURL != target {
			t.Errorf("RedirectFor(%q) = %+v, %v; want it to lead to %s", addr, r, err, target)
		}
	}
}

// openSite builds a site in a new SQLite file, which stays open until the
// test ends, as a running site's would be.
func openSite(t *testing.T) (string, *sqlite.DB, site) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "site.db")
	s, err := sqlite.Open(context.Background(), path)
	must(t, err)
	t.Cleanup(func() { s.Close() })
	return path, s, buildSite(t, s)
}

func TestCopy(t *testing.T) {
	ctx := context.Background()
	target := pgtest.Database(t)
	path, s, w := openSite(t)

	// The site stays open, as a running one would be.
	progress := map[string][2]int{}
	var order []string
	rep, err := CopyFile(ctx, path, target, Options{Progress: func(table string, done, total int) {
		if _, seen := progress[table]; !seen {
			order = append(order, table)
		}
		progress[table] = [2]int{done, total}
	}})
	must(t, err)

	// Every table is copied whole, and the report says so. A table added
	// by a later migration is copied too; the test site should fill it.
	want := []string{"api_tokens", "article_authors", "article_fts", "article_notes", "article_tags", "article_terms", "article_views",
		"article_documents", "articles", "audit_log", "live_updates", "live_update_authors", "live_update_revisions", "live_update_images", "live_update_documents", "authors", "passkeys", "recovery_codes", "comments", "documents", "embeds", "fanouts", "image_variants", "images", "outbox", "pages", "rate_events", "redirects", "related_kept", "revisions",
		"sections", "sessions", "settings", "setup_tokens", "slug_redirects", "subscribers", "subscriptions", "tags", "term_df",
		"used_challenges", "users", "webhook_attempts", "webhook_deliveries", "webhook_endpoint_events", "webhook_endpoints", "webhook_messages"}
	var got []string
	for _, tb := range rep.Tables {
		got = append(got, tb.Name)
		if tb.Source != tb.Target {
			t.Errorf("%s: %d rows in the source, %d in the target", tb.Name, tb.Source, tb.Target)
		}
		if tb.Source == 0 {
			t.Errorf("%s: no rows: the test site should fill every table", tb.Name)
		}
		if p := progress[tb.Name]; p[0] != p[1] || int64(p[1]) != tb.Source {
			t.Errorf("%s: last progress %d of %d, want %d of %d", tb.Name, p[0], p[1], tb.Source, tb.Source)
		}
	}
	for _, name := range want {
		if !slices.Contains(got, name) {
			t.Errorf("%s was not copied (copied %v)", name, got)
		}
	}
	if !slices.Equal(order, got) {
		t.Errorf("progress order %v, want the copy order %v", order, got)
	}
	if i, j := slices.Index(got, "users"), slices.Index(got, "articles"); i > j {
		t.Errorf("articles copied before users, which they reference: %v", got)
	}
	if !slices.Contains(rep.Skipped, "changes") || !slices.Contains(rep.Skipped, "schema_migrations") {
		t.Errorf("Skipped = %v, want changes and schema_migrations", rep.Skipped)
	}
	t.Logf("copied %d rows in %v", rep.Rows, rep.Elapsed)

	pg, err := postgres.Open(ctx, target)
	must(t, err)
	defer pg.Close()

	a, err := pg.ArticleBySlug(ctx, "harbour-reopens-after-storm")
	must(t, err)
	var byline, tags []string
	for _, au := range a.Authors {
		byline = append(byline, au.Slug)
	}
	for _, tg := range a.Tags {
		tags = append(tags, tg.Slug)
	}
	if a.ID != w.lead.ID || a.Headline != "Harbour reopens after the storm" || !a.CommentsClosed || a.Version != w.lead.Version || a.CreatedBy != w.user.ID {
		t.Errorf("article = %+v, want %+v", a, w.lead)
	}
	if !slices.Equal(byline, []string{"cy-twombly", "ada-lovelace"}) {
		t.Errorf("byline = %v, want Cy then Ada", byline)
	}
	if slices.Sort(tags); !slices.Equal(tags, []string{"harbour", "housing"}) {
		t.Errorf("tags = %v", tags)
	}
	if a.LeadImage == nil || a.LeadImage.ID != w.img.ID {
		t.Errorf("lead image = %+v, want id %d", a.LeadImage, w.img.ID)
	}
	if len(a.Notes) != 1 || a.Notes[0].Kind != article.Correction {
		t.Errorf("notes = %+v, want the correction", a.Notes)
	}
	if slug, err := pg.RedirectSlug(ctx, "harbour-reopens"); err != nil || slug != a.Slug {
		t.Errorf("RedirectSlug = %q, %v", slug, err)
	}
	old, err := pg.ArticleBySlug(ctx, "old-quay")
	must(t, err)
	if old.ReplacedBy != w.lead.ID {
		t.Errorf("replaced by %d, want %d", old.ReplacedBy, w.lead.ID)
	}
	revs, err := pg.Revisions(ctx, w.lead.ID)
	must(t, err)
	if len(revs) != 3 {
		t.Errorf("%d revisions, want 3", len(revs))
	}
	for _, width := range []int{480, 1200} {
		sv, err := s.ImageVariant(ctx, w.img.ID, width)
		must(t, err)
		pv, err := pg.ImageVariant(ctx, w.img.ID, width)
		must(t, err)
		if !bytes.Equal(sv.Bytes, pv.Bytes) || sv.ContentType != pv.ContentType {
			t.Errorf("variant %d: %d bytes %s, want %d bytes %s", width, len(pv.Bytes), pv.ContentType, len(sv.Bytes), sv.ContentType)
		}
	}
	if img, err := pg.ImageBySourceHash(ctx, "abc123"); err != nil || img.ID != w.img.ID || img.UploadedBy != w.user.ID {
		t.Errorf("ImageBySourceHash = %+v, %v", img, err)
	}

	other, err := pg.ArticleBySlug(ctx, "rents-rise")
	must(t, err)
	thread, err := pg.Thread(ctx, comment.Query{ArticleID: other.ID})
	must(t, err)
	var names []string
	for _, c := range thread {
		names = append(names, fmt.Sprintf("%d:%s@%d", c.ID, c.Name, c.Depth))
		if c.Name == "Bo" && !c.Pinned || !c.Notify {
			t.Errorf("comment %s: pinned %v notify %v", c.Name, c.Pinned, c.Notify)
		}
	}
	if !slices.Equal(names, w.thread) {
		t.Errorf("thread = %v, want %v", names, w.thread)
	}

	u, err := pg.UserByEmail(ctx, "ed@courier.EXAMPLE")
	must(t, err)
	if u.ID != w.user.ID || u.PasswordHash != "$argon2id$x" || u.AuthorID != w.user.AuthorID || u.Disabled {
		t.Errorf("user = %+v, want %+v", u, w.user)
	}
	if gone, err := pg.UserByEmail(ctx, "gone@courier.example"); err != nil || !gone.Disabled {
		t.Errorf("disabled user = %+v, %v", gone, err)
	}
	if sess, err := pg.SessionByTokenHash(ctx, w.sessionHash); err != nil || sess.UserID != w.user.ID {
		t.Errorf("session = %+v, %v; want it kept, so nobody is signed out", sess, err)
	}
	if tok, err := pg.TokenByHash(ctx, w.tokenHash); err != nil || tok.UserID != w.user.ID {
		t.Errorf("API token = %+v, %v", tok, err)
	}

	sub, err := pg.SubscriberByEmail(ctx, "reader@readers.example")
	must(t, err)
	if len(sub.Subs) != 2 || !sub.Confirmed() {
		t.Errorf("subscriber = %+v, want confirmed with 2 subscriptions", sub)
	}
	msg, err := pg.OutboxMessage(ctx, w.sentID)
	must(t, err)
	if msg.Status != mail.Sent || msg.Kind != mail.Reset || msg.SentAt.IsZero() {
		t.Errorf("outbox message = %+v, want the sent reset mail", msg)
	}
	sc, err := s.OutboxCounts(ctx)
	must(t, err)
	pc, err := pg.OutboxCounts(ctx)
	must(t, err)
	if fmt.Sprint(sc) != fmt.Sprint(pc) {
		t.Errorf("outbox counts = %v, want %v", pc, sc)
	}

	key, err := pg.SigningKey(ctx)
	must(t, err)
	if !bytes.Equal(key, w.key) {
		t.Error("signing key differs: links in mails already sent would break")
	}
	if st, err := pg.Site(ctx); err != nil || st.Title != "The Courier" || !st.FeedFullText || st.DigestHour != 7 {
		t.Errorf("site = %+v, %v", st, err)
	}
	if b, err := pg.Banner(ctx); err != nil || b.Text != "Storm warning" {
		t.Errorf("banner = %+v, %v", b, err)
	}
	if p, err := pg.PageBySlug(ctx, "about"); err != nil || p.Title != "About us" {
		t.Errorf("page = %+v, %v", p, err)
	}
	sameRedirects(t, s, pg)
	if log, err := pg.AuditLog(ctx, 0, 10); err != nil || len(log) == 0 {
		t.Errorf("audit log = %+v, %v", log, err)
	}
	res, err := pg.Search(ctx, search.Request{Text: "harbour storm"})
	must(t, err)
	if len(res.Articles) != 1 || res.Articles[0].ID != w.lead.ID {
		t.Errorf("search for harbour storm found %+v, want the lead article", res.Articles)
	}
	most, err := pg.MostRead(ctx, time.Now().Add(-48*time.Hour), 5)
	must(t, err)
	if len(most) != 2 || most[0].ID != w.lead.ID {
		t.Errorf("most read = %d articles, want the lead first", len(most))
	}
	// A used anti-bot check stays used.
	if fresh, err := pg.MarkUsed(ctx, "check-Ann", time.Now().Add(time.Hour)); err != nil || fresh {
		t.Errorf("MarkUsed(check-Ann) = %v, %v; want it already spent", fresh, err)
	}

	// New rows take new ids: every identity was moved past the copied ones.
	sec, err := pg.SectionBySlug(ctx, "city")
	must(t, err)
	n := &article.Article{Slug: "after-the-move", Headline: "After the move", Body: "Written on PostgreSQL.", Section: *sec,
		Status: article.Published, Language: "en", PublishedAt: time.Now()}
	must(t, pg.CreateArticle(ctx, n))
	if n.ID <= w.lead.ID {
		t.Errorf("new article id %d, want above %d", n.ID, w.lead.ID)
	}
	c := &comment.Comment{ArticleID: other.ID, ParentID: thread[0].ID, Name: "Dee", Body: "New here.", Status: comment.Approved, Key: "key-dee"}
	must(t, pg.CreateComment(ctx, c))
	nu := account.User{Email: "new@courier.example", Name: "New", Role: account.Author, PasswordHash: "h"}
	must(t, pg.CreateUser(ctx, &nu))
	must(t, pg.CreateImage(ctx, &article.Image{Alt: "new", Width: 1, Height: 1}, []article.Variant{{Width: 1, Height: 1, ContentType: "image/png", Bytes: []byte{1}}}))
	must(t, pg.Enqueue(ctx, mail.Message{Key: "new|reset|1", To: "new@courier.example", Kind: mail.Reset, ObjectID: 1, NextAt: time.Now()}))
	_, err = pg.Subscribe(ctx, subscription.Request{Email: "new@readers.example", Scope: subscription.Scope{Kind: subscription.Site}, Frequency: subscription.Immediate, Nonce: "n3"})
	must(t, err)

	// A second copy into the now non-empty target is refused...
	_, err = CopyFile(ctx, path, target, Options{})
	t.Logf("refused: %v", err)
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "articles") {
		t.Fatalf("second copy: err = %v, want ErrNotEmpty naming articles", err)
	}
	if _, err := pg.ArticleBySlug(ctx, "after-the-move"); err != nil {
		t.Errorf("refused copy changed the target: %v", err)
	}
	// ...unless forced, which replaces what the target holds.
	rep, err = CopyFile(ctx, path, target, Options{Force: true})
	must(t, err)
	if _, err := pg.ArticleBySlug(ctx, "after-the-move"); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("after a forced copy the target's own article is still there: %v", err)
	}
	if _, err := pg.ArticleBySlug(ctx, a.Slug); err != nil {
		t.Errorf("after a forced copy: %v", err)
	}
}

// A value that does not fit the target stops the copy, names the column,
// and leaves the target as it was.
func TestCopyFailureLeavesTargetEmpty(t *testing.T) {
	ctx := context.Background()
	target := pgtest.Database(t)
	path := filepath.Join(t.TempDir(), "site.db")
	s, err := sqlite.Open(ctx, path)
	must(t, err)
	buildSite(t, s)
	s.Close()
	raw, err := sql.Open("sqlite", path)
	must(t, err)
	_, err = raw.Exec(`UPDATE comments SET pinned = 2 WHERE name = 'Cy'`)
	raw.Close()
	must(t, err)

	_, err = CopyFile(ctx, path, target, Options{})
	t.Logf("failed: %v", err)
	if err == nil || !strings.Contains(err.Error(), "comments") || !strings.Contains(err.Error(), "pinned") {
		t.Fatalf("err = %v, want one naming comments.pinned", err)
	}
	dst, err := sql.Open("pgx", target)
	must(t, err)
	defer dst.Close()
	var n int
	must(t, dst.QueryRow(`SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM users) + (SELECT count(*) FROM settings)`).Scan(&n))
	if n != 0 {
		t.Errorf("target holds %d rows after a failed copy, want 0", n)
	}
}

// A site replicated by serve --replicate-to holds Litestream's two tables:
// the copy leaves them behind, and says so.
func TestCopyReplicatedSite(t *testing.T) {
	ctx := context.Background()
	target := pgtest.Database(t)
	path, _, _ := openSite(t)
	rep, err := backup.StartReplica(ctx, path, t.TempDir(), backup.DefaultReplicaRetention, slog.New(slog.DiscardHandler))
	must(t, err)
	for deadline := time.Now().Add(30 * time.Second); rep.LastSync().IsZero(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the replica did not start within 30s")
		}
	}
	must(t, rep.Close(ctx))
	r, err := CopyFile(ctx, path, target, Options{})
	must(t, err)
	for _, name := range []string{"_litestream_lock", "_litestream_seq"} {
		if !slices.Contains(r.Skipped, name) {
			t.Errorf("Skipped = %v, want %s", r.Skipped, name)
		}
	}
}

// A column the target lacks would be lost: the copy refuses to start.
func TestCopyRefusesDifferentSchemas(t *testing.T) {
	ctx := context.Background()
	target := pgtest.Database(t)
	path := filepath.Join(t.TempDir(), "site.db")
	s, err := sqlite.Open(ctx, path)
	must(t, err)
	s.Close()
	raw, err := sql.Open("sqlite", path)
	must(t, err)
	_, err = raw.Exec(`ALTER TABLE articles ADD COLUMN kicker TEXT`)
	raw.Close()
	must(t, err)
	_, err = CopyFile(ctx, path, target, Options{})
	if err == nil || !strings.Contains(err.Error(), "the target has no column articles.kicker") {
		t.Errorf("err = %v, want the missing column named", err)
	}
}

// A few thousand rows, to see the rate; the rows go in with plain SQL so
// that building them takes less time than copying them.
func TestCopyThroughput(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	ctx := context.Background()
	target := pgtest.Database(t)
	path := filepath.Join(t.TempDir(), "site.db")
	s, err := sqlite.Open(ctx, path)
	must(t, err)
	w := buildSite(t, s)
	s.Close()
	raw, err := sql.Open("sqlite", path)
	must(t, err)
	defer raw.Close()
	tx, err := raw.Begin()
	must(t, err)
	const n = 5000
	for i := range n {
		_, err := tx.Exec(`INSERT INTO audit_log (at, user_id, action, object_type, object_id, detail) VALUES (?, ?, 'article.save', 'article', ?, 'a detail line of some length')`, 1700000000+i, w.user.ID, i)
		must(t, err)
		_, err = tx.Exec(`INSERT INTO article_views (article_id, hour, views) VALUES (?, ?, ?)`, w.lead.ID, 3600*i, i%97)
		must(t, err)
		_, err = tx.Exec(`INSERT INTO used_challenges (id, expires_at) VALUES (?, ?)`, fmt.Sprintf("challenge-%d", i), 1700000000+i)
		must(t, err)
	}
	must(t, tx.Commit())
	start := time.Now()
	rep, err := CopyFile(ctx, path, target, Options{})
	must(t, err)
	el := time.Since(start)
	if rep.Rows < 3*n {
		t.Errorf("copied %d rows, want at least %d", rep.Rows, 3*n)
	}
	t.Logf("copied %d rows in %v (Copy itself %v): %.0f rows/s", rep.Rows, el, rep.Elapsed, float64(rep.Rows)/rep.Elapsed.Seconds())
}
