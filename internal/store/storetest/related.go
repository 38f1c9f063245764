package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/search"
	"broadsheet/internal/store"
)

// Discovery is what readers find articles by: More Articles, most read,
// search, and the sitemaps.
type Discovery interface {
	RelatedArticles(ctx context.Context, id int64, limit int) ([]article.Article, error)
	KeepRelated(ctx context.Context, n int) (int, error)
	Reindex(ctx context.Context, progress func(done, total int)) error
	AddViews(ctx context.Context, byID map[int64]int, at time.Time) error
	MostRead(ctx context.Context, since time.Time, limit int) ([]article.Article, error)
	PruneViews(ctx context.Context, before time.Time) error
	Search(ctx context.Context, r search.Request) (search.Results, error)
	SitemapArticles(ctx context.Context, edition string, offset, limit int, fn func(article.Article) error) error
	PublishedCount(ctx context.Context, edition string) (int, error)
}

// topics of the generated corpus: clearly apart, with the filler words
// every article shares.
var topics = map[string][]string{
	"elections": {"election", "ballot", "voters", "candidate", "polling", "turnout", "campaign", "councillor", "vote", "constituency", "manifesto", "referendum"},
	"football":  {"football", "goal", "striker", "league", "match", "referee", "penalty", "midfielder", "stadium", "keeper", "fixture", "transfer"},
	"weather":   {"weather", "rain", "storm", "forecast", "temperature", "wind", "flood", "sunshine", "frost", "meteorologist", "showers", "gale"},
}

var filler = strings.Fields("the town said on monday that people would hear more later this week from officials and residents about what comes next")

// corpus writes n articles per topic in one section, interleaved in time,
// and returns their ids by topic.
func corpus(t *testing.T, s Store, f *fixture, n int) map[string][]int64 {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	words := func(topic string, k int) string {
		var b []string
		for range k {
			if rng.IntN(3) == 0 {
				b = append(b, filler[rng.IntN(len(filler))])
			} else {
				v := topics[topic]
				b = append(b, v[rng.IntN(len(v))])
			}
		}
		return strings.Join(b, " ")
	}
	ids := map[string][]int64{}
	for i := range n {
		for _, topic := range []string{"elections", "football", "weather"} {
			a := f.article(0)
			a.Headline = fmt.Sprintf("%s %d", words(topic, 6), i)
			a.Standfirst = words(topic, 15) + "."
			a.Body = words(topic, 120) + ".\n\n" + words(topic, 120) + "."
			must(t, s.CreateArticle(ctx, a))
			ids[topic] = append(ids[topic], a.ID)
		}
	}
	return ids
}

func topicOf(ids map[string][]int64, id int64) string {
	for topic, list := range ids {
		for _, x := range list {
			if x == id {
				return topic
			}
		}
	}
	return ""
}

// testRelatedArticles: on a corpus of separate topics, an article's More
// Articles are from its topic; never itself, never an unpublished or
// scheduled article; a full rebuild gives the same answers.
func testRelatedArticles(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	ids := corpus(t, s, f, 8)

	check := func(when string) {
		t.Helper()
		for topic, list := range ids {
			for _, id := range list {
				rel, err := s.RelatedArticles(ctx, id, 4)
				must(t, err)
				if len(rel) != 4 {
					t.Fatalf("%s: %d related articles for %d, want 4", when, len(rel), id)
				}
				for _, r := range rel {
					if r.ID == id {
						t.Errorf("%s: article %d is related to itself", when, id)
					}
					if got := topicOf(ids, r.ID); got != topic {
						t.Errorf("%s: a %s article (%d) lists %q (%d), a %s article", when, topic, id, r.Headline, r.ID, got)
					}
				}
			}
		}
	}
	check("incremental")

	// Unpublish one election article and schedule another: neither shows.
	gone, err := s.ArticleByID(ctx, ids["elections"][0])
	must(t, err)
	gone.Status = article.Unpublished
	must(t, s.UpdateArticle(ctx, gone))
	later := f.article(0)
	later.Headline, later.Body = "election ballot voters candidate polling", strings.Repeat("election ballot voters turnout campaign ", 40)
	later.Status, later.PublishedAt = article.Scheduled, f.clock.Add(48*time.Hour)
	must(t, s.CreateArticle(ctx, later))
	for _, id := range ids["elections"][1:] {
		rel, err := s.RelatedArticles(ctx, id, 4)
		must(t, err)
		for _, r := range rel {
			if r.ID == gone.ID || r.ID == later.ID {
				t.Errorf("article %d lists %d, which is not public", id, r.ID)
			}
		}
	}
	ids["elections"] = ids["elections"][1:]

	var calls, last int
	must(t, s.Reindex(ctx, func(done, total int) { calls++; last = done; _ = total }))
	if calls < 2 || last == 0 {
		t.Errorf("Reindex reported progress %d times, last %d", calls, last)
	}
	check("after a rebuild")

	// An article unlike any other still gets four: the latest.
	odd := f.article(1)
	odd.Headline, odd.Body = "Zebra xylophone quokka", "Zebra xylophone quokka yodel."
	must(t, s.CreateArticle(ctx, odd))
	rel, err := s.RelatedArticles(ctx, odd.ID, 4)
	must(t, err)
	if len(rel) != 4 {
		t.Errorf("an unrelated article gets %d More Articles, want 4 filled from the latest", len(rel))
	}
}

// testKeptRelated: More Articles are worked out once and kept. KeepRelated
// makes the lists that are missing, newest first, and those older than
// store.RelatedMaxAge. A new article joins the lists of the articles most
// like it once its own list is made, and the lists that changed are
// announced; a withdrawn article leaves every list at once, a spare
// taking its place; an article changed has its list worked out again.
func testKeptRelated(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	ids := corpus(t, s, f, 8)
	e0 := ids["elections"][len(ids["elections"])-1] // weighed against the whole corpus
	// Lists are made an hour after the corpus was written, and each later
	// write an hour after the lists before it.
	clock := time.Now().Add(time.Hour)
	s.SetClock(func() time.Time { return clock })
	keep := func(want int) {
		t.Helper()
		n, err := s.KeepRelated(ctx, 100)
		must(t, err)
		if n != want {
			t.Errorf("KeepRelated made %d lists, want %d", n, want)
		}
	}
	keep(24)
	keep(0)
	first := func(id int64) int64 {
		t.Helper()
		rel, err := s.RelatedArticles(ctx, id, 4)
		must(t, err)
		if len(rel) != 4 {
			t.Fatalf("%d related articles for %d, want 4", len(rel), id)
		}
		return rel[0].ID
	}

	// A twin of the first election article, published later.
	clock = clock.Add(time.Hour)
	src, err := s.ArticleByID(ctx, e0)
	must(t, err)
	twin := f.article(0)
	twin.Headline, twin.Standfirst, twin.Body = src.Headline, src.Standfirst, src.Body
	must(t, s.CreateArticle(ctx, twin))
	var mu sync.Mutex
	var heard []string
	s.OnChange(func(keys []string) {
		mu.Lock()
		heard = append(heard, keys...)
		mu.Unlock()
	})
	keep(1) // the twin's own list, which marks those of the articles most like it
	if got := first(twin.ID); got != e0 {
		t.Errorf("the twin's first More Article is %d, want its original %d", got, e0)
	}
	n, err := s.KeepRelated(ctx, 100)
	must(t, err)
	if n == 0 {
		t.Fatal("the twin's list marked no other list for working out again")
	}
	if got := first(e0); got != twin.ID {
		t.Errorf("after the lists were worked out again, %d's first More Article is %d, want its twin %d", e0, got, twin.ID)
	}
	mu.Lock()
	if !slices.Contains(heard, article.KeyRelated(e0)) {
		t.Errorf("the changed list of %d was not announced: heard %v", e0, heard)
	}
	mu.Unlock()
	keep(0)

	// Withdrawn: the twin leaves the list at once, and it still has four.
	twin.Status = article.Unpublished
	must(t, s.UpdateArticle(ctx, twin))
	rel, err := s.RelatedArticles(ctx, e0, 4)
	must(t, err)
	if len(rel) != 4 || slices.ContainsFunc(rel, func(a article.Article) bool { return a.ID == twin.ID }) {
		t.Errorf("after withdrawing %d, %d lists %d articles, %v", twin.ID, e0, len(rel), rel)
	}

	// Changed into a football story: its list is worked out again at once.
	clock = clock.Add(time.Hour)
	moved, err := s.ArticleByID(ctx, e0)
	must(t, err)
	football, err := s.ArticleByID(ctx, ids["football"][0])
	must(t, err)
	moved.Headline, moved.Standfirst, moved.Body = football.Headline, football.Standfirst, football.Body
	must(t, s.UpdateArticle(ctx, moved))
	if got := first(e0); topicOf(ids, got) != "football" {
		t.Errorf("an election story rewritten about football lists %d (%s) first", got, topicOf(ids, got))
	}

	// Lists older than RelatedMaxAge are worked out again: all 24.
	for n := 1; n > 0; {
		n, err = s.KeepRelated(ctx, 100)
		must(t, err)
	}
	clock = clock.Add(store.RelatedMaxAge + time.Minute)
	keep(24)
	keep(0)
}

// testRelatedWalk: KeepRelated finds old lists through their index at
// every call, and walks the published articles for missing ones only when
// one may be missing: after this store indexed an article, and
// store.RelatedRecheck after the last walk that found none. A list removed
// behind the store's back, as another process would, waits for the
// recheck; then the missing are made newest first, n at a time.
func testRelatedWalk(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	ids := corpus(t, s, f, 4)
	clock := time.Now().Add(time.Hour)
	s.SetClock(func() time.Time { return clock })
	for n := 1; n > 0; {
		var err error
		n, err = s.KeepRelated(ctx, 100)
		must(t, err)
	}
	exec := func(query string, args ...any) {
		t.Helper()
		_, err := s.Writer().ExecContext(ctx, query, args...)
		must(t, err)
	}
	removed, marked, newer := ids["elections"][0], ids["weather"][0], ids["football"][3]
	var late *article.Article
	for _, tt := range []struct {
		name  string
		after time.Duration // on the clock since the step before
		do    func()
		n     int
		want  func() []int64 // the lists made, by id
	}{{
		name:  "a list removed behind the store's back waits for the recheck",
		after: time.Minute,
		do:    func() { exec(`DELETE FROM related_kept WHERE article_id = ?`, removed) },
		n:     100,
	}, {
		name:  "a list marked old is made again with no walk due",
		after: time.Minute,
		do:    func() { exec(`UPDATE related_kept SET made_at = 0 WHERE article_id = ?`, marked) },
		n:     100,
		want:  func() []int64 { return []int64{marked} },
	}, {
		name:  "a newer list removed waits too",
		after: time.Minute,
		do:    func() { exec(`DELETE FROM related_kept WHERE article_id = ?`, newer) },
		n:     100,
	}, {
		name:  "past the recheck the newest missing list is made first",
		after: store.RelatedRecheck,
		n:     1,
		want:  func() []int64 { return []int64{newer} },
	}, {
		name:  "then the rest",
		after: time.Minute,
		n:     100,
		want:  func() []int64 { return []int64{removed} },
	}, {
		name:  "none left",
		after: time.Minute,
		n:     100,
	}, {
		name:  "a new article's list is made at once",
		after: time.Minute,
		do: func() {
			late = f.article(0)
			must(t, s.CreateArticle(ctx, late))
		},
		n:    100,
		want: func() []int64 { return []int64{late.ID} },
	}} {
		clock = clock.Add(tt.after)
		if tt.do != nil {
			tt.do()
		}
		n, err := s.KeepRelated(ctx, tt.n)
		must(t, err)
		made := madeAt(t, s, clock)
		var want []int64
		if tt.want != nil {
			want = tt.want()
		}
		if n != len(want) || !slices.Equal(made, want) {
			t.Errorf("%s: KeepRelated made %d lists, %v; want %d, %v", tt.name, n, made, len(want), want)
		}
	}
}

// madeAt is the articles whose kept list was made at the time given.
func madeAt(t *testing.T, s Store, at time.Time) []int64 {
	t.Helper()
	rows, err := s.Reader().QueryContext(context.Background(), `SELECT article_id FROM related_kept WHERE made_at = ? ORDER BY article_id`, at.Unix())
	must(t, err)
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		must(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	must(t, rows.Err())
	return ids
}

// testMostRead: views add up by hour and rank the list, by article id
// whatever the article's slug became; unknown ids and unpublished
// articles are left out.
func testMostRead(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	var as []*article.Article
	for range 3 {
		a := f.article(0)
		must(t, s.CreateArticle(ctx, a))
		as = append(as, a)
	}
	now := f.clock
	must(t, s.AddViews(ctx, map[int64]int{as[0].ID: 2, as[1].ID: 5, as[2].ID + 1000: 9}, now.Add(-30*time.Hour)))
	must(t, s.AddViews(ctx, map[int64]int{as[0].ID: 4, as[2].ID: 1}, now))
	// Counted under one slug, flushed after a rename: the views stay.
	as[0].Slug += "-renamed"
	must(t, s.UpdateArticle(ctx, as[0]))
	must(t, s.AddViews(ctx, map[int64]int{as[0].ID: 1}, now))
	day, err := s.MostRead(ctx, now.Add(-24*time.Hour), 5)
	must(t, err)
	week, err := s.MostRead(ctx, now.Add(-7*24*time.Hour), 5)
	must(t, err)
	slugs := func(list []article.Article) string {
		var out []string
		for _, a := range list {
			out = append(out, a.Slug)
		}
		return strings.Join(out, " ")
	}
	if got, want := slugs(day), as[0].Slug+" "+as[2].Slug; got != want {
		t.Errorf("most read in a day = %s, want %s", got, want)
	}
	if got, want := slugs(week), as[0].Slug+" "+as[1].Slug+" "+as[2].Slug; got != want {
		t.Errorf("most read in a week = %s, want %s (7 views, then 5, then 1)", got, want)
	}
	as[0].Status = article.Unpublished
	must(t, s.UpdateArticle(ctx, as[0]))
	week, err = s.MostRead(ctx, now.Add(-7*24*time.Hour), 5)
	must(t, err)
	if strings.Contains(slugs(week), as[0].Slug) {
		t.Error("an unpublished article is still among the most read")
	}
}

// testSitemapArticles: the sitemaps list published articles in the order
// they were made, whatever their publication times, page by page, and
// count them.
func testSitemapArticles(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	mk := func(status article.Status) *article.Article {
		t.Helper()
		a := f.article(0)
		a.Status = status
		must(t, s.CreateArticle(ctx, a))
		return a
	}
	first := mk(article.Published)
	first.UpdatedAt = first.PublishedAt.Add(time.Hour)
	must(t, s.UpdateArticle(ctx, first))
	mk(article.Draft)
	second := f.article(1)
	second.PublishedAt = first.PublishedAt.Add(-24 * time.Hour) // back-dated
	must(t, s.CreateArticle(ctx, second))
	third := mk(article.Published)
	mk(article.Scheduled)
	// An article of another edition is in that edition's sitemaps only.
	fa := article.Section{Slug: "jahan", Name: "جهان", Edition: "fa"}
	must(t, s.CreateSection(ctx, &fa))
	other := f.article(0)
	other.Section = fa
	must(t, s.CreateArticle(ctx, other))
	sitemap := func(edition string, offset, limit int) ([]article.Article, error) {
		var list []article.Article
		err := s.SitemapArticles(ctx, edition, offset, limit, func(a article.Article) error {
			list = append(list, a)
			return nil
		})
		return list, err
	}
	if list, err := sitemap("", 0, 1); err != nil || len(list) != 1 || !list[0].UpdatedAt.Equal(first.UpdatedAt) {
		t.Errorf("SitemapArticles(0, 1) = %+v, %v; want the first, updated at %v", list, err, first.UpdatedAt)
	}
	if list, err := sitemap("fa", 0, 10); err != nil || len(list) != 1 || list[0].ID != other.ID {
		t.Errorf("SitemapArticles(fa) = %v, %v; want the Persian edition's one", slugs(list), err)
	}
	if n, err := s.PublishedCount(ctx, "fa"); err != nil || n != 1 {
		t.Errorf("PublishedCount(fa) = %d, %v; want 1", n, err)
	}

	for _, tt := range []struct {
		offset, limit int
		want          []int64
	}{
		{0, 10, []int64{first.ID, second.ID, third.ID}},
		{1, 1, []int64{second.ID}},
		{3, 10, nil},
	} {
		list, err := sitemap("", tt.offset, tt.limit)
		must(t, err)
		var ids []int64
		for _, a := range list {
			ids = append(ids, a.ID)
			if a.Section.Slug == "" || a.Slug == "" || a.PublishedAt.IsZero() {
				t.Errorf("sitemap article %d lacks its section, slug or time: %+v", a.ID, a)
			}
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("SitemapArticles(%d, %d) = %v, want %v", tt.offset, tt.limit, ids, tt.want)
		}
	}
	if n, err := s.PublishedCount(ctx, ""); err != nil || n != 3 {
		t.Errorf("PublishedCount = %d, %v; want 3", n, err)
	}
	second.Status = article.Unpublished
	must(t, s.UpdateArticle(ctx, second))
	if n, err := s.PublishedCount(ctx, ""); err != nil || n != 2 {
		t.Errorf("PublishedCount after withdrawing one = %d, %v; want 2", n, err)
	}
}

// testPruneViews: views counted before the cut-off are forgotten; later
// ones still rank.
func testPruneViews(t *testing.T, s Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	old, recent := f.article(0), f.article(0)
	must(t, s.CreateArticle(ctx, old))
	must(t, s.CreateArticle(ctx, recent))
	now := f.clock
	must(t, s.AddViews(ctx, map[int64]int{old.ID: 9}, now.Add(-48*time.Hour)))
	must(t, s.AddViews(ctx, map[int64]int{recent.ID: 2}, now))
	week := now.Add(-7 * 24 * time.Hour)
	ids := func() []int64 {
		t.Helper()
		list, err := s.MostRead(ctx, week, 10)
		must(t, err)
		var out []int64
		for _, a := range list {
			out = append(out, a.ID)
		}
		return out
	}
	if got := ids(); !slices.Equal(got, []int64{old.ID, recent.ID}) {
		t.Fatalf("most read in the week = %v, want [%d %d]", got, old.ID, recent.ID)
	}
	must(t, s.PruneViews(ctx, now.Add(-24*time.Hour)))
	if got := ids(); !slices.Equal(got, []int64{recent.ID}) {
		t.Errorf("after pruning views older than a day: %v, want [%d]", got, recent.ID)
	}
}
