// Package storetest is the conformance suite every storage engine runs
// unchanged: the same calls, the same answers, on SQLite and PostgreSQL.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/markup"
	"broadsheet/internal/store"
)

// Store is what an engine must offer to pass the suite: every storage
// method, listed by area beside the cases that call it.
type Store interface {
	Articles
	Taxonomy
	Media
	Pictures
	Settings
	Newsroom
	Accounts
	SecondSteps
	Comments
	UsedStore
	RateCounter
	Discovery
	Outbox
	Subscriptions
	Redirects
	Imports
	Editions
	Embeds
	Webhooks
	LiveBlogs
	Plumbing
}

var _ Store = (*store.DB)(nil)

// Run runs the whole suite. open must return a new, empty, migrated store
// for each call; the suite closes nothing, so open should register cleanup.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"Taxonomy", testTaxonomy},
		{"Imports", testImports},
		{"ArticleRoundTrip", testArticleRoundTrip},
		{"ArticleHTML", testArticleHTML},
		{"ArticleValidation", testArticleValidation},
		{"ListingFilters", testListingFilters},
		{"KeysetPagination", testKeysetPagination},
		{"SlugRedirects", testSlugRedirects},
		{"UpdateReplacesRelations", testUpdateReplacesRelations},
		{"ChangeLog", testChangeLog},
		{"Images", testImages},
		{"Documents", testDocuments},
		{"MediaSearch", testMediaSearch},
		{"MediaDelete", testMediaDelete},
		{"BodyPictures", testBodyPictures},
		{"SiteSettings", testSiteSettings},
		{"Editions", testEditions},
		{"Translations", testTranslations},
		{"Pages", testPages},
		{"TaxonomyUpdatesAndDeletes", testTaxonomyUpdatesAndDeletes},
		{"Users", testUsers},
		{"UserAccess", testUserAccess},
		{"LastAdminUnderConcurrency", testLastAdminUnderConcurrency},
		{"SessionsAndTokens", testSessionsAndTokens},
		{"SecondSteps", testSecondSteps},
		{"SetupTokens", testSetupTokens},
		{"OptimisticLocking", testOptimisticLocking},
		{"Scheduler", testScheduler},
		{"NotesAndCorrections", testNotesAndCorrections},
		{"AdminListAndBanner", testAdminListAndBanner},
		{"CommentThreads", testCommentThreads},
		{"CommentHTML", testCommentHTML},
		{"UsedChallenges", testUsedChallenges},
		{"CommentSpendsCheck", testCommentSpendsCheck},
		{"CommentModeration", testCommentModeration},
		{"OwnCommentsAndReports", testOwnCommentsAndReports},
		{"CommenterPrivacy", testCommenterPrivacy},
		{"Blocklist", testBlocklist},
		{"CommentPagingAndCommenters", testCommentPagingAndCommenters},
		{"RelatedArticles", testRelatedArticles},
		{"KeptRelated", testKeptRelated},
		{"RelatedWalk", testRelatedWalk},
		{"SearchWindow", testSearchWindow},
		{"SearchAcrossLanguages", testSearchAcrossLanguages},
		{"SearchLightStems", testSearchLightStems},
		{"MostRead", testMostRead},
		{"RateEvents", testRateEvents},
		{"OutboxQueue", testOutboxQueue},
		{"ClaimLeases", testClaimLeases},
		{"OutboxOutcomes", testOutboxOutcomes},
		{"ClaimConcurrent", testClaimConcurrent},
		{"SubscribeAndConfirm", testSubscribeAndConfirm},
		{"SubscriptionChanges", testSubscriptionChanges},
		{"ConcurrentSubscribe", testConcurrentSubscribe},
		{"SubscriberAdmin", testSubscriberAdmin},
		{"ArticleFanout", testArticleFanout},
		{"FanoutOnlyLiveArticles", testFanoutOnlyLiveArticles},
		{"CommentFanout", testCommentFanout},
		{"Digest", testDigest},
		{"ModerationNotice", testModerationNotice},
		{"MailArrivesOnce", testMailArrivesOnce},
		{"MailOnlyToWhoWantsIt", testMailOnlyToWhoWantsIt},
		{"ChangeLogUnderConcurrentWriters", testChangeLogUnderConcurrentWriters},
		{"PruneChanges", testPruneChanges},
		{"Update", testUpdate},
		{"Plumbing", testPlumbing},
		{"AuditLog", testAuditLog},
		{"ImagePublic", testImagePublic},
		{"SigningKey", testSigningKey},
		{"SitemapArticles", testSitemapArticles},
		{"PruneViews", testPruneViews},
		{"AddressesIgnoreCase", testAddressesIgnoreCase},
		{"Redirects", testRedirects},
		{"RedirectList", testRedirectList},
		{"PutRedirects", testPutRedirects},
		{"Embeds", testEmbeds},
		{"EmbedThumbnails", testEmbedThumbnails},
		{"WebhookEndpoints", testWebhookEndpoints},
		{"WebhookArticleEvents", testWebhookArticleEvents},
		{"WebhookReaderEvents", testWebhookReaderEvents},
		{"WebhookLiveEvents", testWebhookLiveEvents},
		{"WebhookRoutes", testWebhookRoutes},
		{"WebhookQueue", testWebhookQueue},
		{"WebhookClaimConcurrent", testWebhookClaimConcurrent},
		{"LiveUpdates", testLiveUpdates},
		{"LiveEdits", testLiveEdits},
		{"LiveConcurrentWriters", testLiveConcurrentWriters},
		{"LiveMedia", testLiveMedia},
		{"LiveCoverage", testLiveCoverage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// fixture is a small newsroom: two sections, two tags, three authors.
type fixture struct {
	sections []article.Section
	tags     []article.Tag
	authors  []article.Author
	clock    time.Time
	n        int
}

func newFixture(t *testing.T, s Store) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{clock: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	for i, name := range []string{"City", "Sport"} {
		sec := article.Section{Slug: article.Slugify(name), Name: name, Position: 2 - i}
		must(t, s.CreateSection(ctx, &sec))
		f.sections = append(f.sections, sec)
	}
	for _, name := range []string{"Housing", "Football"} {
		tag := article.Tag{Slug: article.Slugify(name), Name: name}
		must(t, s.CreateTag(ctx, &tag))
		f.tags = append(f.tags, tag)
	}
	for _, name := range []string{"Ada Byline", "Ben Byline", "Cy Byline"} {
		au := article.Author{Slug: article.Slugify(name), Name: name, Role: "Reporter", Bio: "Writes."}
		must(t, s.CreateAuthor(ctx, &au))
		f.authors = append(f.authors, au)
	}
	return f
}

// article returns a valid published article, each call one hour after the
// previous, so listing order is known.
func (f *fixture) article(section int) *article.Article {
	f.n++
	f.clock = f.clock.Add(time.Hour)
	return &article.Article{
		Slug:        fmt.Sprintf("story-%d", f.n),
		Headline:    fmt.Sprintf("Story %d", f.n),
		Standfirst:  "What happened.",
		Body:        "Body of the story.",
		Section:     f.sections[section],
		Authors:     []article.Author{f.authors[0]},
		Status:      article.Published,
		Language:    "en",
		PublishedAt: f.clock,
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func second[T any](_ T, err error) error { return err }

// rendered returns what r writes for a text.
func rendered(t *testing.T, r *markup.Renderer) func(src string) string {
	return func(src string) string {
		t.Helper()
		out, err := r.Render(context.Background(), src)
		must(t, err)
		return out
	}
}

// storedByOthers makes the HTML kept in table's column html for row
// earlier an earlier renderer's than version, and for row later a later
// one's, and checks that stored, which reads a row's HTML through the
// store, gives out neither.
func storedByOthers(t *testing.T, s Store, table, html string, version int, earlier, later int64, stored func(id int64) string) {
	t.Helper()
	ctx := context.Background()
	set := `UPDATE ` + table + ` SET ` + html + ` = ?, html_of = ? WHERE id = ?`
	must(t, s.Update(ctx, func(ctx context.Context, tx *store.Tx) ([]string, error) {
		if _, err := tx.ExecContext(ctx, set, "stale", version-1, earlier); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, set, "later", version+1, later)
		return nil, err
	}))
	if got := stored(earlier); got != "" {
		t.Errorf("%s: HTML of an earlier renderer given out: %q", table, got)
	}
	if got := stored(later); got != "" {
		t.Errorf("%s: HTML of a later renderer given out: %q", table, got)
	}
}
