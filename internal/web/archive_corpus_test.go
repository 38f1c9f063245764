package web

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/progress"
)

// The archive of BenchmarkArticlePageArchive, written straight into the
// tables in multi-row INSERTs (the discovery benchmark's archive, article
// by article through CreateArticle, takes half an hour), then indexed for
// search and More Articles by the store's Reindex. Articles have ids 1…n
// in order of publication; every archiveEvery-th is one the benchmark
// reads, with exactly archivePerPage approved comments. What a page does
// not read is left out: revisions, mail fan-outs, images.

const (
	// archiveEvery: articles whose id is a multiple of it are measured.
	archiveEvery = 20
	// archivePerPage approved comments are under each measured article:
	// the first page of its discussion, replies included.
	archivePerPage = 50
	// archiveMarker is the settings key saying what archive a database
	// holds, so that a kept one is used again.
	archiveMarker = "bench_archive"
)

// archiveSize is how big an archive is.
type archiveSize struct{ articles, comments int }

// measured is how many articles the benchmark reads.
func (z archiveSize) measured() int { return z.articles / archiveEvery }

// marker is what the settings row says once the archive is complete.
func (z archiveSize) marker() string {
	return fmt.Sprintf("broadsheet archive v1: %d articles, %d comments", z.articles, z.comments)
}

// archiveSink is a database the archive is written to: a pool of its
// own, beside the store's, the engine's placeholder style, and what the
// engine does once the rows are in (nil for nothing).
type archiveSink struct {
	raw    *sql.DB
	ph     func(n int) string
	finish func(ctx context.Context) error
}

// insert writes rows into table, as many to a statement as the engines'
// parameter limits allow (SQLite: 32,766).
func (s archiveSink) insert(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any) error {
	per := min(1000, 30_000/len(cols))
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	for lo := 0; lo < len(rows); lo += per {
		part := rows[lo:min(lo+per, len(rows))]
		var q strings.Builder
		q.WriteString(head)
		args := make([]any, 0, len(part)*len(cols))
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					q.WriteString(", ")
				}
				args = append(args, v)
				q.WriteString(s.ph(len(args)))
			}
			q.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// inTx runs fn in a transaction of the sink's pool.
func (s archiveSink) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// setMarker records what the database holds.
func (s archiveSink) setMarker(ctx context.Context, value string) error {
	_, err := s.raw.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('`+archiveMarker+`', `+s.ph(1)+`)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, value)
	return err
}

// archiveState is what a database holds: its marker, if any, and how many
// articles. A database without tables holds nothing.
func archiveState(ctx context.Context, raw *sql.DB) (marker string, articles int) {
	raw.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = '`+archiveMarker+`'`).Scan(&marker)
	raw.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&articles)
	return marker, articles
}

// archiveTimes is how long each part of a build took.
type archiveTimes struct {
	articles, comments, reindex, total time.Duration
}

// buildArchive writes an archive of size z into an empty, migrated
// database: db is the store over it, sink a pool of its own for the bulk
// inserts. Progress goes to stderr, as a bar on a terminal.
func buildArchive(ctx context.Context, db archiveStore, sink archiveSink, z archiveSize, logf func(string, ...any)) (archiveTimes, error) {
	var times archiveTimes
	began := time.Now()
	if err := sink.setMarker(ctx, "building "+z.marker()); err != nil {
		return times, err
	}
	text := newArchiveText(rand.New(rand.NewPCG(2026, 13)))
	rng := text.rng
	if err := db.SetSite(ctx, article.Site{Title: "The Archive Gazette", Tagline: "Two years of news", Language: "en", TimeZone: "UTC", DigestHour: 7}); err != nil {
		return times, err
	}
	var sections []article.Section
	for i, name := range []string{"News", "Business", "Culture", "Sport", "Science"} {
		sec := article.Section{Slug: strings.ToLower(name), Name: name, Description: name + " from the newsroom.", Position: i}
		if err := db.CreateSection(ctx, &sec); err != nil {
			return times, err
		}
		sections = append(sections, sec)
	}
	var tags []article.Tag
	for _, tp := range text.topics {
		tag := article.Tag{Slug: article.Slugify(tp.name), Name: tp.name}
		if err := db.CreateTag(ctx, &tag); err != nil {
			return times, err
		}
		tags = append(tags, tag)
	}
	var authors []article.Author
	for i := range 40 {
		au := article.Author{Slug: fmt.Sprintf("reporter-%d", i+1), Name: text.names[(i*37)%len(text.names)], Role: "Reporter"}
		if err := db.CreateAuthor(ctx, &au); err != nil {
			return times, err
		}
		authors = append(authors, au)
	}

	// Articles over the two years to now, an equal step apart give or take
	// a few hours; ids in order of publication.
	end := time.Now().Truncate(time.Second)
	start := end.AddDate(-2, 0, 0)
	published := make([]int64, z.articles+1)
	lang := make([]string, z.articles+1)
	topic := make([]int, z.articles+1)
	bar := progress.New(os.Stderr, "Articles", z.articles)
	const perTx = 1000
	for lo := 1; lo <= z.articles; lo += perTx {
		var arts, bylines, tagRows [][]any
		for id := lo; id < min(lo+perTx, z.articles+1); id++ {
			d := text.draft()
			at := start.Add(time.Duration(float64(end.Sub(start)) * float64(id-1) / float64(z.articles)))
			if at = at.Add(time.Duration(rng.IntN(4*3600)) * time.Second); at.After(end) {
				at = end
			}
			published[id], lang[id], topic[id] = at.Unix(), d.lang, d.topic
			sec := text.topics[d.topic].section
			if rng.IntN(10) == 0 { // a tenth run in another section than their topic's
				sec = rng.IntN(len(sections))
			}
			var updated any
			if rng.IntN(20) == 0 {
				updated = at.Unix() + int64(rng.IntN(48*3600))
			}
			arts = append(arts, []any{int64(id), fmt.Sprintf("%s-%d", tags[d.topic].Slug, id), d.headline, d.standfirst, d.body,
				sections[sec].ID, "published", d.lang, at.Unix(), updated, at.Unix(), at.Unix(), 1})
			first := authors[rng.IntN(len(authors))]
			bylines = append(bylines, []any{int64(id), first.ID, 0})
			if second := authors[rng.IntN(len(authors))]; rng.IntN(5) == 0 && second.ID != first.ID {
				bylines = append(bylines, []any{int64(id), second.ID, 1})
			}
			tagRows = append(tagRows, []any{int64(id), tags[d.topic].ID})
			if other := rng.IntN(len(tags)); rng.IntN(3) == 0 && other != d.topic {
				tagRows = append(tagRows, []any{int64(id), tags[other].ID})
			}
		}
		err := sink.inTx(ctx, func(tx *sql.Tx) error {
			err := sink.insert(ctx, tx, "articles", []string{"id", "slug", "headline", "standfirst", "body", "section_id", "status", "language",
				"published_at", "updated_at", "created_at", "modified_at", "version"}, arts)
			if err == nil {
				err = sink.insert(ctx, tx, "article_authors", []string{"article_id", "author_id", "position"}, bylines)
			}
			if err == nil {
				err = sink.insert(ctx, tx, "article_tags", []string{"article_id", "tag_id"}, tagRows)
			}
			return err
		})
		if err != nil {
			return times, err
		}
		bar.Add(len(arts))
	}
	bar.Finish()
	times.articles = time.Since(began)
	logf("Articles: %d in %s.", z.articles, times.articles.Round(time.Second))

	t0 := time.Now()
	if err := writeArchiveComments(ctx, sink, text, z, published, lang, topic, end.Unix()); err != nil {
		return times, err
	}
	times.comments = time.Since(t0)
	logf("Comments: %d in %s.", z.comments, times.comments.Round(time.Second))

	// Most read: views over the last week for the newest articles.
	for h := 0; h < 7*24; h += 6 {
		views := map[int64]int{}
		for range 40 {
			views[int64(z.articles-rng.IntN(min(z.articles, 400)))] += 1 + rng.IntN(200)
		}
		if err := db.AddViews(ctx, views, end.Add(-time.Duration(h)*time.Hour)); err != nil {
			return times, err
		}
	}

	// The search and More Articles index.
	t0 = time.Now()
	var rbar *progress.Bar
	last := 0
	err := db.Reindex(ctx, func(done, total int) {
		if rbar == nil {
			rbar = progress.New(os.Stderr, "Reindexing", total)
		}
		rbar.Add(done - last)
		last = done
	})
	if rbar != nil {
		rbar.Finish()
	}
	if err != nil {
		return times, err
	}
	times.reindex = time.Since(t0)
	logf("Reindex: %s.", times.reindex.Round(time.Second))
	if sink.finish != nil {
		if err := sink.finish(ctx); err != nil {
			return times, err
		}
	}
	if err := sink.setMarker(ctx, z.marker()); err != nil {
		return times, err
	}
	times.total = time.Since(began)
	return times, nil
}

// archiveComment is a comment being written, before its id is known.
type archiveComment struct {
	article      int64
	parent       int // index in its window; -1 for a top-level comment
	depth        int
	beside       bool // a reply placed after its parent (comment.ReplyPlace)
	replyTo      string
	name, email  string
	body, status string
	notify       bool
	at           int64
	id, root     int64
	path         string
}

// archiveWindow is how many articles, consecutive in publication, have
// their comments written together: ids interleave between the articles of
// a window, as comments arrive on several stories at once.
const archiveWindow = 256

// writeArchiveComments gives each measured article exactly archivePerPage
// approved comments and spreads the rest over the other articles, a few
// of them much discussed, most little. Threads are stored as
// store.CreateComment writes them: root_id, the path of zero-padded ids,
// and the depth and reply-to name of comment.ReplyPlace.
func writeArchiveComments(ctx context.Context, sink archiveSink, text *archiveText, z archiveSize, published []int64, lang []string, topic []int, now int64) error {
	rng := text.rng
	rest := z.comments - z.measured()*archivePerPage
	if rest < 0 {
		return fmt.Errorf("%d comments are fewer than the %d of the %d measured articles", z.comments, z.measured()*archivePerPage, z.measured())
	}
	// The others' counts: log-normal weights, the remainder of the
	// rounding one each to articles drawn at random.
	count := make([]int, z.articles+1)
	weight := make([]float64, z.articles+1)
	var sum float64
	for id := 1; id <= z.articles; id++ {
		if id%archiveEvery != 0 {
			weight[id] = math.Exp(1.2 * rng.NormFloat64())
			sum += weight[id]
		}
	}
	given := 0
	for id := 1; id <= z.articles; id++ {
		if id%archiveEvery == 0 {
			count[id] = archivePerPage
			continue
		}
		count[id] = int(float64(rest) * weight[id] / sum)
		given += count[id]
	}
	for given < rest {
		if id := 1 + rng.IntN(z.articles); id%archiveEvery != 0 {
			count[id]++
			given++
		}
	}

	cols := []string{"id", "article_id", "parent_id", "root_id", "path", "depth", "reply_to_name", "name", "email", "body", "status",
		"pinned", "notify", "ip_hash", "idem_key", "edit_hash", "created_at"}
	bar := progress.New(os.Stderr, "Comments", z.comments)
	var nextID int64 = 1
	var rows [][]any
	flush := func() error {
		err := sink.inTx(ctx, func(tx *sql.Tx) error { return sink.insert(ctx, tx, "comments", cols, rows) })
		bar.Add(len(rows))
		rows = rows[:0]
		return err
	}
	for lo := 1; lo <= z.articles; lo += archiveWindow {
		var w []archiveComment
		for id := lo; id < min(lo+archiveWindow, z.articles+1); id++ {
			w = archiveThread(w, text, int64(id), count[id], id%archiveEvery == 0, lang[id], topic[id], published[id], now)
		}
		// Ids in order of arrival; a reply always arrives after its parent.
		order := make([]int, len(w))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(w[a].at, w[b].at) })
		for _, i := range order {
			c := &w[i]
			c.id = nextID
			nextID++
			var parentID any
			base := ""
			c.root = c.id
			if c.parent >= 0 {
				p := &w[c.parent]
				parentID, c.root, base = p.id, p.root, p.path
				if c.beside {
					base = base[:strings.LastIndexByte(base, '/')]
				}
			}
			c.path = fmt.Sprintf("%s/%012d", base, c.id)
			rows = append(rows, []any{c.id, c.article, parentID, c.root, c.path, c.depth, c.replyTo, c.name, c.email, c.body, c.status,
				false, c.notify, fmt.Sprintf("%016x", rng.Uint64()), fmt.Sprintf("k%d", c.id), fmt.Sprintf("%016x", rng.Uint64()), c.at})
		}
		if len(rows) >= 5000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(rows) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	bar.Finish()
	return nil
}

// archiveThread appends the n comments of article id to w. Two in five
// reply to an earlier approved comment, usually the latest; a measured
// article's are all approved, others' are now and then held or spam.
func archiveThread(w []archiveComment, text *archiveText, id int64, n int, measured bool, lang string, tp int, published, now int64) []archiveComment {
	rng := text.rng
	var approved []int // indexes in w of this thread's approved comments
	at := published
	for range n {
		c := archiveComment{article: id, parent: -1, status: string(comment.Approved)}
		c.name = text.names[rng.IntN(len(text.names))]
		if rng.IntN(5) < 3 {
			c.email = strings.ToLower(strings.ReplaceAll(c.name, " ", ".")) + fmt.Sprintf("%d@example.org", rng.IntN(500))
			c.notify = rng.IntN(3) == 0
		}
		c.body = text.comment(lang, tp)
		if !measured {
			switch r := rng.IntN(100); {
			case r < 4:
				c.status = string(comment.Pending)
			case r < 6:
				c.status = string(comment.Spam)
			}
		}
		// Most comments come within a day of publication, replies soon
		// after what they answer.
		at += 1 + int64(rng.ExpFloat64()*1800)
		c.at = min(at, now)
		if len(approved) > 0 && rng.IntN(5) < 2 {
			pi := approved[len(approved)-1]
			if rng.IntN(2) == 0 {
				pi = approved[rng.IntN(len(approved))]
			}
			p := w[pi]
			c.parent = pi
			c.depth, c.replyTo, c.beside = comment.ReplyPlace(p.depth, p.name)
			c.at = max(c.at, p.at+1)
		}
		w = append(w, c)
		if c.status == string(comment.Approved) {
			approved = append(approved, len(w)-1)
		}
	}
	return w
}
