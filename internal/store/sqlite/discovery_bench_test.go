package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"broadsheet/internal/article"
	"broadsheet/internal/progress"
	"broadsheet/internal/search"
	"broadsheet/internal/store"
)

// BenchmarkDiscovery100k measures search, More Articles and a full reindex
// on an archive of 100,000 articles. It takes many minutes, so it runs
// only when asked, once:
//
//	go test -run '^$' -bench Discovery100k -benchtime 1x -timeout 60m ./internal/store/sqlite/
//
// With BROADSHEET_BENCH_ARCHIVE=path the archive is written there (any file
// of that name is replaced) and kept, to look into afterwards.
//
// The figures are reported as metrics and in a summary in the log;
// docs/performance.md keeps them.
func BenchmarkDiscovery100k(b *testing.B) {
	if testing.Short() {
		b.Skip("builds an archive of 100,000 articles")
	}
	benchDiscovery(b, 100_000)
}

const (
	// firstByCreate articles are published one by one through
	// CreateArticle, indexing included, to measure what that costs.
	firstByCreate = 2_000
	// createBudget is how long publishing the whole archive article by
	// article may take; when the first ones project longer, the rest are
	// inserted in bulk and indexed by Reindex.
	createBudget = 10 * time.Minute
	// newArticles are published into the full archive, each followed by
	// its More Articles, as a reader opening a fresh story would see it.
	newArticles = 200
	// searchRounds is how many times each query is timed.
	searchRounds = 50
)

// benchQueries are what readers type: common words, pairs, a rare word,
// Persian and Russian, and words the archive does not hold.
var benchQueries = []struct{ kind, text string }{
	{"common word", "government"},
	{"common word", "election"},
	{"common word", "football"},
	{"two words", "election turnout"},
	{"two words", "interest rates"},
	{"two words", "climate drought"},
	{"rare word", "ombudsman"},
	{"Persian", "انتخابات مجلس"},
	{"Russian", "выборы президента"},
	{"no hits", "xylophonist quagmire"},
}

func benchDiscovery(b *testing.B, n int) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "broadsheet.db")
	if keep := os.Getenv("BROADSHEET_BENCH_ARCHIVE"); keep != "" {
		// The archive is kept there, to look into after the run.
		path = keep
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
	}
	db, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	mem := watchMemory()
	defer mem.stop()
	// The detailed summary goes to stderr as it is measured: the test log
	// of a benchmark keeps only ten lines.
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

	logf("Load average at start: %s", loadAverage())
	c := newCorpus(rand.New(rand.NewPCG(2026, 11)))
	site := c.site(ctx, b, db)
	end := time.Now().Truncate(time.Second)
	start := end.AddDate(-2, 0, 0)
	publishedAt := func(i int) time.Time {
		at := start.Add(time.Duration(float64(end.Sub(start)) * float64(i) / float64(n)))
		return at.Add(time.Duration(c.rng.IntN(6*3600)) * time.Second)
	}

	// The archive: the first articles one by one, the rest the same way
	// or in bulk, whichever fits the budget.
	mem.enter("generate")
	bar := progress.New(os.Stderr, "Generating articles", n)
	began := time.Now()
	var create []time.Duration
	for i := range min(firstByCreate, n) {
		a := site.article(c.draft(), i, publishedAt(i))
		t0 := time.Now()
		if err := db.CreateArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
		create = append(create, time.Since(t0))
		bar.Add(1)
	}
	perArticle := time.Since(began) / time.Duration(len(create))
	projected := perArticle * time.Duration(n)
	bulk := projected > createBudget
	logf("Corpus: %d articles, %d sections, %d topics, %d tags, %d authors; words: %d English general, %d per topic, %d Persian, %d Russian.",
		n, len(site.sections), len(c.topics), len(site.tags), len(site.authors), len(c.general), len(c.topics[0].words),
		len(c.fa.function)+len(c.fa.content), len(c.ru.function)+len(c.ru.content))
	logf("CreateArticle, articles 1–%d: p50 %s, p95 %s, mean %s (generation included); all %d this way would take %s.",
		len(create), ms(pct(create, 50)), ms(pct(create, 95)), ms(perArticle), n, projected.Round(time.Second))
	rest := time.Now()
	if bulk {
		logf("That is over the %s budget: articles %d–%d inserted in bulk, then indexed by Reindex.", createBudget, len(create)+1, n)
		if err := bulkInsert(ctx, path, c, site, len(create), n, publishedAt, bar); err != nil {
			b.Fatal(err)
		}
	} else {
		for i := len(create); i < n; i++ {
			if err := db.CreateArticle(ctx, site.article(c.draft(), i, publishedAt(i))); err != nil {
				b.Fatal(err)
			}
			bar.Add(1)
		}
	}
	bar.Finish()
	generated := time.Since(began)
	logf("Articles %d–%d: %s (%s); whole archive %s.", len(create)+1, n, time.Since(rest).Round(time.Second),
		map[bool]string{true: "in bulk", false: "one by one through CreateArticle"}[bulk], generated.Round(time.Second))

	// Figure 3: a full reindex.
	runtime.GC()
	mem.enter("reindex")
	var rbar *progress.Bar
	last := 0
	t0 := time.Now()
	err = db.Reindex(ctx, func(done, total int) {
		if rbar == nil {
			rbar = progress.New(os.Stderr, "Reindexing", total)
		}
		rbar.Add(done - last)
		last = done
	})
	if err != nil {
		b.Fatal(err)
	}
	reindex := time.Since(t0)
	if rbar != nil {
		rbar.Finish()
	}
	mem.enter("idle")
	logf("Reindex: %s (%s per article).", reindex.Round(time.Second), ms(reindex/time.Duration(n)))
	dbSize := fileSizes(ctx, b, db, logf)

	// Figure 1: search.
	runtime.GC()
	mem.enter("query")
	lat := make([][]time.Duration, len(benchQueries))
	hits := make([]int, len(benchQueries))
	windowed := make([]bool, len(benchQueries))
	for round := -1; round < searchRounds; round++ { // round -1 warms up
		for i, q := range benchQueries {
			t0 := time.Now()
			res, err := db.Search(ctx, search.Request{Text: q.text, Limit: 10})
			d := time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
			if round >= 0 {
				lat[i] = append(lat[i], d)
			}
			hits[i], windowed[i] = res.Total, res.Window
		}
	}
	var all []time.Duration
	logf("Search, %d timed runs of each query (after one untimed); matches: articles holding every term, hits: how many are returned, newest: whether only the newest %d matches were ranked:", searchRounds, search.Window)
	logf("  %-12s %-24s %7s %5s %6s %10s %10s %10s", "kind", "query", "matches", "hits", "newest", "p50", "p95", "max")
	for i, q := range benchQueries {
		all = append(all, lat[i]...)
		var matches int
		if m, ok := search.MatchAny(q.text); ok {
			if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM article_fts WHERE article_fts MATCH ?`, m).Scan(&matches); err != nil {
				b.Fatal(err)
			}
		}
		logf("  %-12s %-24s %7d %5d %6v %10s %10s %10s", q.kind, q.text, matches, hits[i], windowed[i], ms(pct(lat[i], 50)), ms(pct(lat[i], 95)), ms(slices.Max(lat[i])))
	}
	searchP50, searchP95 := pct(all, 50), pct(all, 95)
	logf("  all %d searches: p50 %s, p95 %s (goal p95 ≤ 10 ms).", len(all), ms(searchP50), ms(searchP95))

	// The same reader's words with the search page's filters, apart from
	// the goal: a section, an author, both, and the year before last month.
	filters := []struct {
		name string
		req  search.Request
	}{
		{"section", search.Request{SectionID: site.sections[0].ID}},
		{"author", search.Request{AuthorID: site.authors[0].ID}},
		{"section and author", search.Request{SectionID: site.sections[1].ID, AuthorID: site.authors[1].ID}},
		{"a year's dates", search.Request{From: end.AddDate(-1, -1, 0), To: end.AddDate(0, -1, 0)}},
	}
	logf("Filtered searches, %d timed runs of each (after one untimed):", searchRounds/2)
	logf("  %-20s %-24s %5s %6s %10s %10s", "filter", "query", "hits", "newest", "p50", "p95")
	var filtered []time.Duration
	for _, f := range filters {
		for _, q := range []string{"government", "election turnout", "ombudsman"} {
			r := f.req
			r.Text, r.Limit = q, 10
			var ds []time.Duration
			var res search.Results
			for round := -1; round < searchRounds/2; round++ {
				t0 := time.Now()
				res, err = db.Search(ctx, r)
				if err != nil {
					b.Fatal(err)
				}
				if round >= 0 {
					ds = append(ds, time.Since(t0))
				}
			}
			filtered = append(filtered, ds...)
			logf("  %-20s %-24s %5d %6v %10s %10s", f.name, q, res.Total, res.Window, ms(pct(ds, 50)), ms(pct(ds, 95)))
		}
	}
	logf("  all %d filtered searches: p50 %s, p95 %s.", len(filtered), ms(pct(filtered, 50)), ms(pct(filtered, 95)))

	// Figure 2: More Articles for a newly published article.
	var created, relTimes []time.Duration
	var fewer int
	for j := range newArticles {
		a := site.article(c.draft(), n+j, end.Add(time.Duration(j)*time.Minute))
		t0 := time.Now()
		if err := db.CreateArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		list, err := db.RelatedArticles(ctx, a.ID, 5)
		relTimes = append(relTimes, time.Since(t1))
		created = append(created, t1.Sub(t0))
		if err != nil {
			b.Fatal(err)
		}
		if len(list) < 5 {
			fewer++
		}
	}
	mem.enter("idle")
	logf("New articles in the full archive, %d of them: CreateArticle p50 %s, p95 %s; then RelatedArticles(5) p50 %s, p95 %s, max %s (goal ≤ 20 ms); %d had fewer than 5.",
		newArticles, ms(pct(created, 50)), ms(pct(created, 95)), ms(pct(relTimes, 50)), ms(pct(relTimes, 95)), ms(slices.Max(relTimes)), fewer)

	// Figure 4: memory.
	peaks := mem.peaks()
	logf("Peak Go heap (live and not yet swept objects): generating %s, reindex %s, queries %s.",
		mib(peaks["generate"].heap), mib(peaks["reindex"].heap), mib(peaks["query"].heap))
	logf("Peak resident set of the process (Go heap, SQLite's own memory, and the database file's pages read through memory mapping): generating %s, reindex %s, queries %s.",
		mib(peaks["generate"].rss), mib(peaks["reindex"].rss), mib(peaks["query"].rss))
	logf("Peak resident set apart from file pages: generating %s, reindex %s, queries %s.",
		mib(peaks["generate"].anon), mib(peaks["reindex"].anon), mib(peaks["query"].anon))

	logf("Load average at end: %s", loadAverage())

	b.ReportMetric(0, "ns/op") // one run of many phases: the total says nothing
	b.ReportMetric(float64(searchP50.Microseconds())/1e3, "search-p50-ms")
	b.ReportMetric(float64(searchP95.Microseconds())/1e3, "search-p95-ms")
	b.ReportMetric(float64(pct(filtered, 95).Microseconds())/1e3, "filtered-p95-ms")
	b.ReportMetric(float64(pct(relTimes, 50).Microseconds())/1e3, "related-p50-ms")
	b.ReportMetric(float64(pct(relTimes, 95).Microseconds())/1e3, "related-p95-ms")
	b.ReportMetric(float64(pct(created, 50).Microseconds())/1e3, "create-p50-ms")
	b.ReportMetric(float64(pct(created, 95).Microseconds())/1e3, "create-p95-ms")
	b.ReportMetric(reindex.Seconds(), "reindex-s")
	b.ReportMetric(generated.Seconds(), "generate-s")
	b.ReportMetric(float64(peaks["reindex"].heap)/(1<<20), "heap-reindex-MiB")
	b.ReportMetric(float64(peaks["query"].heap)/(1<<20), "heap-query-MiB")
	b.ReportMetric(float64(max(peaks["reindex"].rss, peaks["query"].rss))/(1<<20), "rss-peak-MiB")
	b.ReportMetric(float64(dbSize)/(1<<20), "db-MiB")
	b.Logf("search p50 %s, p95 %s (goal p95 ≤ 10 ms)", ms(searchP50), ms(searchP95))
	b.Logf("More Articles of a new article p50 %s, p95 %s (goal ≤ 20 ms); its CreateArticle p50 %s, p95 %s",
		ms(pct(relTimes, 50)), ms(pct(relTimes, 95)), ms(pct(created, 50)), ms(pct(created, 95)))
	b.Logf("reindex of %d articles %s; archive built in %s", n, reindex.Round(time.Second), generated.Round(time.Second))
	b.Logf("peak heap: reindex %s, queries %s; peak RSS %s, %s of it not file pages; database %s",
		mib(peaks["reindex"].heap), mib(peaks["query"].heap), mib(max(peaks["reindex"].rss, peaks["query"].rss)),
		mib(max(peaks["reindex"].anon, peaks["query"].anon)), mib(uint64(dbSize)))
}

// fileSizes checkpoints the WAL into the database file, logs how much of
// it each table and index takes, and returns its size.
func fileSizes(ctx context.Context, b *testing.B, db *DB, logf func(string, ...any)) int64 {
	if _, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(db.Path())
	if err != nil {
		b.Fatal(err)
	}
	type part struct {
		name  string
		bytes int64
	}
	var parts []part
	err = store.Each(ctx, db.Reader(), `SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC`, nil, func(rows *sql.Rows) error {
		var p part
		err := rows.Scan(&p.name, &p.bytes)
		parts = append(parts, p)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	var list []string
	for _, p := range parts {
		if p.bytes >= 1<<20 {
			list = append(list, fmt.Sprintf("%s %s", p.name, mib(uint64(p.bytes))))
		}
	}
	logf("Database file after reindex and checkpoint: %s; of which %s.", mib(uint64(st.Size())), strings.Join(list, ", "))
	return st.Size()
}

// bulkInsert adds articles from..to-1 straight into the articles table, with
// their bylines and tags, many to a transaction, through a connection of
// its own; they are not indexed.
func bulkInsert(ctx context.Context, path string, c *corpus, site *benchSite, from, to int, publishedAt func(int) time.Time, bar *progress.Bar) error {
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		return err
	}
	defer conn.Close()
	const batch = 5_000
	for lo := from; lo < to; lo += batch {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO articles
			(slug, headline, standfirst, body, section_id, status, language, published_at, created_at, modified_at, version)
			VALUES (?, ?, ?, ?, ?, 'published', ?, ?, ?, ?, 1)`)
		if err != nil {
			tx.Rollback()
			return err
		}
		byline, err := tx.PrepareContext(ctx, `INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return err
		}
		tag, err := tx.PrepareContext(ctx, `INSERT INTO article_tags (article_id, tag_id) VALUES (?, ?)`)
		if err != nil {
			tx.Rollback()
			return err
		}
		for i := lo; i < min(lo+batch, to); i++ {
			a := site.article(c.draft(), i, publishedAt(i))
			at := a.PublishedAt.Unix()
			res, err := ins.ExecContext(ctx, a.Slug, a.Headline, a.Standfirst, a.Body, a.Section.ID, a.Language, at, at, at)
			if err != nil {
				tx.Rollback()
				return err
			}
			id, _ := res.LastInsertId()
			for k, au := range a.Authors {
				if _, err := byline.ExecContext(ctx, id, au.ID, k); err != nil {
					tx.Rollback()
					return err
				}
			}
			for _, t := range a.Tags {
				if _, err := tag.ExecContext(ctx, id, t.ID); err != nil {
					tx.Rollback()
					return err
				}
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		bar.Add(min(lo+batch, to) - lo)
	}
	return nil
}

// loadAverage is the machine's load over 1, 5 and 15 minutes: other work
// on the same cores shows in the figures.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// pct is the p-th percentile of ds, nearest rank.
func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[max(0, (len(s)*p+99)/100-1)]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1e3, 'f', 2, 64) + " ms"
}

func mib(n uint64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

// memWatch samples the Go heap and the process's resident set every 50 ms
// and keeps the peak of each phase.
type memWatch struct {
	mu    sync.Mutex
	phase string
	peak  map[string]memPeak
	quit  chan struct{}
	done  chan struct{}
}

// memPeak is the peak Go heap, resident set, and resident set apart from
// file pages (the database read through memory mapping is resident, and
// shared with the operating system's cache).
type memPeak struct{ heap, rss, anon uint64 }

func watchMemory() *memWatch {
	m := &memWatch{peak: map[string]memPeak{}, quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-m.quit:
				return
			case <-tick.C:
				m.sample()
			}
		}
	}()
	return m
}

func (m *memWatch) sample() {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	heap := s[0].Value.Uint64()
	var rss, anon uint64
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 2 {
			pages, _ := strconv.ParseUint(f[1], 10, 64)
			shared, _ := strconv.ParseUint(f[2], 10, 64)
			rss = pages * uint64(os.Getpagesize())
			anon = (pages - min(shared, pages)) * uint64(os.Getpagesize())
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.peak[m.phase]
	m.peak[m.phase] = memPeak{max(p.heap, heap), max(p.rss, rss), max(p.anon, anon)}
}

func (m *memWatch) enter(phase string) {
	m.sample()
	m.mu.Lock()
	m.phase = phase
	m.mu.Unlock()
	m.sample()
}

func (m *memWatch) peaks() map[string]memPeak {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.peak)
}

func (m *memWatch) stop() {
	close(m.quit)
	<-m.done
}

// benchSite is the newsroom the archive belongs to.
type benchSite struct {
	sections []article.Section
	tags     []article.Tag // one per topic
	authors  []article.Author
	c        *corpus
}

func (c *corpus) site(ctx context.Context, tb testing.TB, db *DB) *benchSite {
	s := &benchSite{c: c}
	for i, name := range []string{"News", "Business", "Culture", "Sport", "Science"} {
		sec := article.Section{Slug: strings.ToLower(name), Name: name, Position: i}
		if err := db.CreateSection(ctx, &sec); err != nil {
			tb.Fatal(err)
		}
		s.sections = append(s.sections, sec)
	}
	for _, t := range c.topics {
		tag := article.Tag{Slug: article.Slugify(t.name), Name: t.name}
		if err := db.CreateTag(ctx, &tag); err != nil {
			tb.Fatal(err)
		}
		s.tags = append(s.tags, tag)
	}
	for i := range 40 {
		au := article.Author{Slug: fmt.Sprintf("reporter-%d", i+1), Name: fmt.Sprintf("Reporter %d", i+1)}
		if err := db.CreateAuthor(ctx, &au); err != nil {
			tb.Fatal(err)
		}
		s.authors = append(s.authors, au)
	}
	return s
}

// article turns draft number i into an article ready to publish.
func (s *benchSite) article(d draft, i int, at time.Time) *article.Article {
	rng := s.c.rng
	sec := s.c.topics[d.topic].section
	if rng.IntN(10) == 0 { // a tenth run in another section than their topic's
		sec = rng.IntN(len(s.sections))
	}
	a := &article.Article{
		Slug:        fmt.Sprintf("%s-%d", s.tags[d.topic].Slug, i+1),
		Headline:    d.headline,
		Standfirst:  d.standfirst,
		Body:        d.body,
		Section:     s.sections[sec],
		Tags:        []article.Tag{s.tags[d.topic]},
		Authors:     []article.Author{s.authors[rng.IntN(len(s.authors))]},
		Status:      article.Published,
		Language:    d.lang,
		PublishedAt: at,
	}
	if other := rng.IntN(len(s.tags)); rng.IntN(3) == 0 && other != d.topic {
		a.Tags = append(a.Tags, s.tags[other])
	}
	if second := s.authors[rng.IntN(len(s.authors))]; rng.IntN(5) == 0 && second.ID != a.Authors[0].ID {
		a.Authors = append(a.Authors, second)
	}
	return a
}

// corpus writes a news archive from fixed word lists and a fixed seed:
// English words drawn from a general vocabulary and from the article's
// topic's own, each with a Zipf-like distribution, a rare word now and
// then, and 3% each of Persian and Russian articles.
type corpus struct {
	rng     *rand.Rand
	general []string // most frequent first
	rare    []string
	topics  []topic
	zWord   *rand.Zipf // over general
	zTopicW *rand.Zipf // over a topic's words
	zTopic  *rand.Zipf // which topic an article is about
	fa, ru  smallLang
}

type topic struct {
	name    string // its tag's name
	section int
	words   []string // most frequent first
}

// smallLang is a language written from a short list: function words, and
// content words of which each topic favours its own stretch.
type smallLang struct {
	code              string
	function, content []string
	zFunc, zContent   *rand.Zipf
}

type draft struct {
	lang, headline, standfirst, body string
	topic                            int
}

const (
	generalWords = 4_000
	topicWords   = 150
	// Shares of words: from the article's topic, and rare ones.
	topicShareBody     = 0.22
	topicShareHeadline = 0.5
	rareShare          = 0.00003
	// headlineSkip is how many of the most frequent general words
	// headlines leave out.
	headlineSkip = 30
)

func newCorpus(rng *rand.Rand) *corpus {
	c := &corpus{rng: rng}
	seen := map[string]bool{}
	add := func(list []string, w string) []string {
		if seen[w] {
			return list
		}
		seen[w] = true
		return append(list, w)
	}
	for _, w := range strings.Fields(commonEnglish) {
		c.general = add(c.general, w)
	}
	for _, w := range strings.Fields(rareEnglish) {
		c.rare = add(c.rare, w)
	}
	for _, line := range strings.Split(strings.TrimSpace(topicSeeds), "\n") {
		name, rest, _ := strings.Cut(line, ":")
		secName, words, _ := strings.Cut(rest, "|")
		sec, _ := strconv.Atoi(strings.TrimSpace(secName))
		t := topic{name: strings.TrimSpace(name), section: sec}
		for _, w := range strings.Fields(words) {
			t.words = add(t.words, w)
		}
		c.topics = append(c.topics, t)
	}
	// The rest of each vocabulary is made-up words of two to four
	// syllables, none of which is English, interleaved so that every
	// list has rare and frequent ones.
	for len(c.general) < generalWords {
		c.general = add(c.general, madeUpWord(rng))
	}
	for i := range c.topics {
		for len(c.topics[i].words) < topicWords {
			c.topics[i].words = add(c.topics[i].words, madeUpWord(rng))
		}
	}
	// An offset of 2.7 gives the most frequent word about 6% of the
	// text, as "the" has in English.
	c.zWord = rand.NewZipf(rng, 1.07, 2.7, generalWords-1)
	c.zTopicW = rand.NewZipf(rng, 1.07, 2.7, topicWords-1)
	c.zTopic = rand.NewZipf(rng, 1.1, 4, uint64(len(c.topics)-1))
	c.fa = newSmallLang(rng, "fa", persianFunction, persianContent)
	c.ru = newSmallLang(rng, "ru", russianFunction, russianContent)
	return c
}

func newSmallLang(rng *rand.Rand, code, function, content string) smallLang {
	l := smallLang{code: code, function: strings.Fields(function), content: strings.Fields(content)}
	l.zFunc = rand.NewZipf(rng, 1.2, 1, uint64(len(l.function)-1))
	l.zContent = rand.NewZipf(rng, 1.07, 2.7, uint64(len(l.content)-1))
	return l
}

func madeUpWord(rng *rand.Rand) string {
	const cons, vows = "bdfgklmnprstvz", "aeiou"
	var b strings.Builder
	for range 2 + rng.IntN(3) {
		b.WriteByte(cons[rng.IntN(len(cons))])
		b.WriteByte(vows[rng.IntN(len(vows))])
	}
	if rng.IntN(3) == 0 {
		b.WriteByte("nrst"[rng.IntN(4)])
	}
	return b.String()
}

// word picks one word of an article in lang about topic t.
func (c *corpus) word(lang string, t int, topicShare float64) string {
	switch lang {
	case "fa":
		return c.fa.word(c.rng, t, topicShare)
	case "ru":
		return c.ru.word(c.rng, t, topicShare)
	}
	r := c.rng.Float64()
	switch {
	case r < rareShare:
		return c.rare[c.rng.IntN(len(c.rare))]
	case r < topicShare:
		return c.topics[t].words[c.zTopicW.Uint64()]
	}
	w := c.zWord.Uint64()
	for topicShare >= topicShareHeadline && w < headlineSkip { // headlines do without most function words
		w = c.zWord.Uint64()
	}
	return c.general[w]
}

func (l *smallLang) word(rng *rand.Rand, t int, topicShare float64) string {
	if rng.Float64() > topicShare+0.3 {
		return l.function[l.zFunc.Uint64()]
	}
	// Each topic shifts which content words are frequent.
	return l.content[(int(l.zContent.Uint64())+7*t)%len(l.content)]
}

// sentence writes n words ending in a full stop, with a comma now and then.
func (c *corpus) sentence(b *strings.Builder, lang string, t, n int, topicShare float64) {
	for i := range n {
		w := c.word(lang, t, topicShare)
		if i == 0 {
			r, size := utf8.DecodeRuneInString(w)
			w = string(unicode.ToUpper(r)) + w[size:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		if i > 2 && i < n-2 && c.rng.IntN(9) == 0 {
			b.WriteString(map[bool]string{true: "،", false: ","}[lang == "fa"])
		}
	}
	b.WriteByte('.')
}

// draft writes an article: a headline of 6–12 words, a standfirst of
// about 25 and a Markdown body of 300–800 in paragraphs, with an
// occasional subheading, link or emphasis.
func (c *corpus) draft() draft {
	d := draft{lang: "en", topic: int(c.zTopic.Uint64())}
	switch r := c.rng.IntN(100); {
	case r < 3:
		d.lang = "fa"
	case r < 6:
		d.lang = "ru"
	}
	var b strings.Builder
	c.sentence(&b, d.lang, d.topic, 6+c.rng.IntN(7), topicShareHeadline)
	d.headline = strings.TrimSuffix(b.String(), ".")
	b.Reset()
	for words := 20 + c.rng.IntN(11); words > 0; {
		n := min(words, 8+c.rng.IntN(10))
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		c.sentence(&b, d.lang, d.topic, n, topicShareHeadline-0.1)
		words -= n
	}
	d.standfirst = b.String()
	b.Reset()
	b.Grow(8 << 10)
	for words := 300 + c.rng.IntN(501); words > 0; {
		if b.Len() > 0 {
			b.WriteString("\n\n")
			if c.rng.IntN(7) == 0 {
				b.WriteString("## ")
				c.sentence(&b, d.lang, d.topic, 3+c.rng.IntN(3), topicShareHeadline)
				b.WriteString("\n\n")
			}
		}
		para := min(words, 40+c.rng.IntN(70))
		words -= para
		for first := true; para > 0; first = false {
			if !first {
				b.WriteByte(' ')
			}
			n := min(para, 8+c.rng.IntN(15))
			para -= n
			switch c.rng.IntN(20) {
			case 0:
				fmt.Fprintf(&b, "[%s](https://example.org/%d) ", c.word(d.lang, d.topic, topicShareBody), c.rng.IntN(1e6))
				n--
			case 1:
				fmt.Fprintf(&b, "*%s* ", c.word(d.lang, d.topic, topicShareBody))
				n--
			}
			if n > 0 {
				c.sentence(&b, d.lang, d.topic, n, topicShareBody)
			}
		}
	}
	d.body = b.String()
	return d
}

// Word lists. English starts with the most frequent words of news
// writing, function words included, in roughly their order.
const commonEnglish = `the of and to a in that is was for on it with as he said by at from his be have has an are
they but not this were had been which who their will would its she one after two new more year also we people last
first about there or her up than over out government years when them other some time could into week all can told
what three no most many just our since state because so public before while against only country president national
local under police where made group us officials city between being during still through make should day several
plan may now back former both those next report like help percent million four five even well part how later around
across minister family work called says added statement news support including expected according spokesman early
take high show long second left set world children women men money court health school law today house office
home north south east west party leader leaders members force forces million billion power system since without
among another big small major local international foreign military economic political social financial official
decision question issue issues problem problems change changes case cases number half end start began recent
recently already however although despite within further less least much every each own same such few life area
region community service services company companies market program project data information research study evidence
`

// rareEnglish are words a few dozen articles hold.
const rareEnglish = `ombudsman filibuster quarantine gerrymander sinecure plebiscite sequestration moratorium
apothecary cartography hydrofoil lighthouse monsoon palimpsest quarry reliquary sandstorm tapestry viaduct
zeppelin almanac bellwether catacomb dirigible escarpment foundry gazetteer hinterland isthmus junket
`

// topicSeeds: name: section | the topic's own words, most frequent first.
const topicSeeds = `
Elections: 0 | election ballot vote voters turnout candidate campaign parliament coalition polling opposition constituency referendum
Courts: 0 | court judge trial verdict appeal prosecutor lawyer sentence jury ruling testimony acquittal
Diplomacy: 0 | summit treaty embassy sanctions talks ambassador negotiation envoy alliance delegation communique
Conflict: 0 | war troops ceasefire missile shelling army frontline casualties drone offensive artillery
Migration: 0 | migrants asylum refugees border visa deportation citizenship smugglers camp crossing
City: 0 | council housing rent transport tram planning mayor depot neighbourhood traffic cyclists
Economy: 1 | inflation interest rates growth recession unemployment wages prices household borrowing
Markets: 1 | shares stocks investors bonds currency dollar exchange index traders earnings dividend
Energy: 1 | oil gas electricity solar wind pipeline grid fuel turbine refinery
Technology: 1 | software internet startup smartphone artificial intelligence privacy chips encryption platform
Trade: 1 | exports imports tariffs shipping port customs supply containers freight
Film: 2 | film director cinema festival actor premiere screenplay documentary studio
Music: 2 | album concert band singer orchestra tour festival songwriter guitarist
Books: 2 | novel poetry publisher library prize memoir translation bookshop
Art: 2 | exhibition museum painting gallery sculpture artist curator portrait
Football: 3 | football league goal striker match coach stadium penalty club midfielder
Tennis: 3 | tennis tournament serve slam racket quarterfinal seed wimbledon
Athletics: 3 | olympics marathon sprint medal athlete record relay javelin
Climate: 4 | climate emissions warming drought flood carbon glacier heatwave wildfire rainfall
Health: 4 | hospital doctors vaccine patients virus nurses surgery clinic outbreak diagnosis
`

const persianFunction = `و در به از که این را با است برای آن یک خود تا کرد بر هم نیز شده شد بود کند اما وی ما آنها همه باید گفت سال روز امروز دیگر بیش چند هنوز`

const persianContent = `انتخابات مجلس دولت وزیر اقتصاد بازار نفت قیمت تورم بانک مرکزی دانشگاه دانشجویان آموزش سلامت
بیمارستان پزشکان ورزش فوتبال تیم ملی بازی فیلم سینما موسیقی کتاب هنر آب باران خشکسالی هوا آلودگی تهران شهر
شهرداری مردم جامعه زنان کودکان کارگران حقوق دادگاه قاضی پلیس امنیت جنگ صلح مذاکرات توافق تحریم سازمان ملل
آمریکا اروپا روسیه چین افغانستان عراق مرز پناهجویان فناوری اینترنت فیلترینگ تلفن شرکت صنعت خودرو کشاورزی
گندم زلزله سیل آتش ریاست جمهوری رئیس نماینده حزب اصلاحات اعتراض خبرنگار رسانه روزنامه تلویزیون گزارش پژوهش
دانشمندان فضا ماهواره انرژی برق گاز خورشیدی مسکن اجاره بودجه مالیات دلار ریال بورس سهام`

const russianFunction = `и в не на что с по это как из за от для о также году после уже был была были будет может его их который которые при но все еще сказал заявил сегодня года более`

const russianContent = `выборы правительство президент президента министр парламент дума партия оппозиция экономика рынок нефть цены
инфляция банк рубль доллар бюджет налоги университет студенты школа образование здоровье больница врачи вакцина
спорт футбол команда матч чемпионат кино фильм театр музыка книга выставка погода дождь снег засуха климат москва
город мэрия жители общество женщины дети рабочие суд судья полиция безопасность война мир переговоры соглашение
санкции оон америка европа китай граница беженцы технологии интернет телефон компания промышленность автомобиль
сельское хозяйство пшеница землетрясение наводнение пожар журналист газета телевидение доклад исследование
учёные космос спутник энергия электричество газ жильё аренда биржа акции избиратели голосование кандидат`
