package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/feed"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/markup"
)

// A live blog's page is its article page with the updates below the
// body: a "Live" label while its coverage is open, the key events at the
// top, the pinned updates, then a page of updates newest first (or oldest
// first, ?order=oldest), each with a permalink that works wherever newer
// updates have pushed it (?from=ID). Without JavaScript a reload shows
// the latest; with it (static/live.js) new updates arrive over the stream
// in live.go.

// livePageSize is how many updates a page of a live blog shows.
const livePageSize = 50

// liveView is a live blog's part of its page.
type liveView struct {
	Live, Ended bool
	EndedAt     time.Time
	KeyEvents   []liveLink
	Pinned      []liveEntry
	Updates     []liveEntry
	Oldest      bool
	OrderURL    string
	// PrevURL and NextURL are the pages before and after this one in its
	// order (rel=prev, rel=next).
	PrevURL, NextURL string
	// First says the page shows the newest updates first, from the
	// newest: new ones arrive at its top.
	First bool
	// Seq is the live blog's change number the page shows; its stream
	// goes on from there.
	Seq    int64
	Stream string
	Feed   string
	// NewestURL is the page new updates are read on.
	NewestURL string
	// NewestT and NewestID are the time and id of the live blog's newest
	// update when the page was read, wherever the page begins: an update
	// the stream sends that is newer was posted since, one that is not
	// and is not on the page was edited elsewhere.
	NewestT, NewestID int64
	// Coverage is the coverage the page shows (coverageOf).
	Coverage string
	// Frames are the origins the page lets frames come from, space
	// separated: an update arriving with an embed from another can show
	// it only once the page is loaded again.
	Frames string
}

// coverageOf names a live blog's coverage: "live" while open, "ended"
// once closed, "waiting" before it opens.
func coverageOf(a *article.Article) string {
	switch {
	case a.Live():
		return "live"
	case a.CoverageEnded():
		return "ended"
	}
	return "waiting"
}

// liveEntry is one update as a page, a feed and the stream show it.
type liveEntry struct {
	ID, Seq   int64
	T         int64 // its time in Unix seconds, which orders it
	Headline  string
	HTML      template.HTML
	Text      string // its words, for structured data and feeds
	Title     string // its headline, or else the opening of its words
	Byline    article.Article
	ISO, When string
	Edited    time.Time
	Pinned    bool
	KeyEvent  bool
	Permalink string
}

// liveLink is a key event in the summary at the top.
type liveLink struct {
	Href, Title, ISO, When string
}

// livePermalink is the address of update id of the live blog a
// (liveblog.Permalink).
func livePermalink(a *article.Article, id int64) string { return liveblog.Permalink(a.Path(), id) }

// liveEntryOf renders u as v shows it.
func (s *Server) liveEntryOf(ctx context.Context, v *view, a *article.Article, u *liveblog.Update) (liveEntry, error) {
	html, err := s.md.RenderStored(ctx, u.BodyHTML, u.Body)
	if err != nil {
		return liveEntry{}, err
	}
	e := liveEntry{ID: u.ID, Seq: u.Seq, T: u.CreatedAt.Unix(), Headline: u.Headline, HTML: template.HTML(html), Text: feed.PlainText(html),
		Byline: article.Article{Authors: u.Authors}, ISO: v.ISO(u.CreatedAt), When: v.DateTime(u.CreatedAt), Edited: u.EditedAt,
		Pinned: u.Pinned, KeyEvent: u.KeyEvent, Permalink: livePermalink(a, u.ID)}
	e.Title = u.Headline
	if e.Title == "" {
		e.Title = summary(html)
	}
	return e, nil
}

// liveBlog reads and renders the part of a's page the request asks for.
func (s *Server) liveBlog(r *http.Request, v *view, a *article.Article) (*liveView, error) {
	ctx := r.Context()
	q := r.URL.Query()
	lv := &liveView{Live: a.Live(), Ended: a.CoverageEnded(), EndedAt: a.CoverageEnd, Oldest: q.Get("order") == "oldest", Seq: a.LiveSeq,
		Coverage: coverageOf(a)}
	var from int64
	if f := q.Get("from"); f != "" {
		var err error
		if from, err = strconv.ParseInt(f, 10, 64); err != nil || from <= 0 {
			return nil, liveblog.ErrNotFound
		}
	}
	page, err := s.store.LiveUpdates(ctx, liveblog.Query{ArticleID: a.ID, Oldest: lv.Oldest, From: from, Limit: livePageSize})
	if err != nil {
		return nil, err
	}
	h, err := s.store.LiveHighlights(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	shown := map[int64]bool{}
	for _, list := range []struct {
		from []liveblog.Update
		to   *[]liveEntry
	}{{h.Pinned, &lv.Pinned}, {page.Updates, &lv.Updates}} {
		for i := range list.from {
			e, err := s.liveEntryOf(ctx, v, a, &list.from[i])
			if err != nil {
				return nil, err
			}
			*list.to = append(*list.to, e)
			shown[e.ID] = true
		}
	}
	for _, u := range h.KeyEvents {
		l := liveLink{Href: livePermalink(a, u.ID), Title: u.Headline, ISO: v.ISO(u.CreatedAt), When: v.DateTime(u.CreatedAt)}
		if shown[u.ID] {
			l.Href = "#update-" + strconv.FormatInt(u.ID, 10)
		}
		if l.Title == "" {
			html, err := s.md.RenderStored(ctx, u.BodyHTML, u.Body)
			if err != nil {
				return nil, err
			}
			l.Title = summary(html)
		}
		lv.KeyEvents = append(lv.KeyEvents, l)
	}

	base := articlePath(a)
	pageURL := func(id int64) string {
		var params []string
		if lv.Oldest {
			params = append(params, "order=oldest")
		}
		if id != 0 {
			params = append(params, "from="+strconv.FormatInt(id, 10))
		}
		if len(params) == 0 {
			return base + "#live-updates"
		}
		return base + "?" + strings.Join(params, "&") + "#live-updates"
	}
	if page.HasPrev {
		lv.PrevURL = pageURL(page.Prev)
	}
	if page.Next != 0 {
		lv.NextURL = pageURL(page.Next)
	}
	lv.OrderURL = base + "?order=oldest#live-updates"
	if lv.Oldest {
		lv.OrderURL = base + "#live-updates"
	}
	lv.First = !lv.Oldest && from == 0
	newest := page.Updates
	if !lv.First {
		// This page does not begin with the newest: one more read finds it.
		top, err := s.store.LiveUpdates(ctx, liveblog.Query{ArticleID: a.ID, Pinned: true, Limit: 1})
		if err != nil {
			return nil, err
		}
		newest = top.Updates
	}
	for _, list := range [][]liveblog.Update{newest, h.Pinned} {
		if len(list) == 0 {
			continue
		}
		if t, id := list[0].CreatedAt.Unix(), list[0].ID; t > lv.NewestT || (t == lv.NewestT && id > lv.NewestID) {
			lv.NewestT, lv.NewestID = t, id
		}
	}
	lv.Stream, lv.Feed, lv.NewestURL = base+"/updates/live", base+"/updates", base+"#live-updates"
	return lv, nil
}

// bodies is the HTML of every update lv shows, for the embeds the
// page must let in.
func (lv *liveView) bodies() string {
	var b strings.Builder
	for _, list := range [][]liveEntry{lv.Pinned, lv.Updates} {
		for _, e := range list {
			b.WriteString(string(e.HTML))
		}
	}
	return b.String()
}

// liveMeta makes an article page's structured data a LiveBlogPosting:
// its coverage's times and the updates the page shows, each a
// BlogPosting at its permalink.
func (s *Server) liveMeta(v *view, a *article.Article, lv *liveView) {
	if len(v.JSONLD) == 0 {
		return
	}
	post := v.JSONLD[0]
	post["@type"] = "LiveBlogPosting"
	start := a.CoverageStart
	if start.IsZero() {
		start = a.PublishedAt
	}
	post["coverageStartTime"] = start.UTC().Format(time.RFC3339)
	if !a.CoverageEnd.IsZero() {
		post["coverageEndTime"] = a.CoverageEnd.UTC().Format(time.RFC3339)
	}
	modified, _ := time.Parse(time.RFC3339, post["dateModified"].(string))
	updates := []jsonLD{}
	for _, list := range [][]liveEntry{lv.Pinned, lv.Updates} {
		for _, e := range list {
			at := time.Unix(e.T, 0).UTC()
			u := jsonLD{"@type": "BlogPosting", "headline": truncateRunes(e.Title, 110), "articleBody": e.Text,
				"datePublished": at.Format(time.RFC3339), "url": s.abs(e.Permalink)}
			if !e.Edited.IsZero() {
				u["dateModified"] = e.Edited.UTC().Format(time.RFC3339)
				at = e.Edited
			}
			if len(e.Byline.Authors) > 0 {
				var authors []jsonLD
				for _, au := range e.Byline.Authors {
					authors = append(authors, jsonLD{"@type": "Person", "name": au.Name, "url": s.abs("/author/" + au.Slug)})
				}
				u["author"] = authors
			}
			if at.After(modified) {
				modified = at
			}
			updates = append(updates, u)
		}
	}
	post["liveBlogUpdate"] = updates
	post["dateModified"] = modified.UTC().Format(time.RFC3339)
}

// updatesFeed is the feed of a live blog's newest updates, pinned ones
// among them, at its address + /updates.rss|atom|json.
func (s *Server) updatesFeed(r *http.Request, a *article.Article, format string) (*response, error) {
	ctx := r.Context()
	page, err := s.store.LiveUpdates(ctx, liveblog.Query{ArticleID: a.ID, Pinned: true, Limit: livePageSize})
	if err != nil {
		return nil, err
	}
	v, err := s.newView(ctx)
	if err != nil {
		return nil, err
	}
	link := s.baseURL + articlePath(a)
	f := feed.Feed{Title: v.T("live.feed_title", a.Headline), Description: a.Standfirst, Language: a.Language, Link: link,
		Self: link + "/updates." + format, ID: link + "#live-updates", Updated: a.PublishedAt}
	for i := range page.Updates {
		e, err := s.liveEntryOf(ctx, v, a, &page.Updates[i])
		if err != nil {
			return nil, err
		}
		at := time.Unix(e.T, 0).UTC()
		it := feed.Item{ID: s.baseURL + e.Permalink, Title: e.Title, Link: s.baseURL + e.Permalink,
			ContentHTML: markup.Absolute(string(e.HTML), s.baseURL), Summary: e.Text, Published: at, Updated: e.Edited}
		for _, au := range e.Byline.Authors {
			it.Authors = append(it.Authors, feed.Person{Name: au.Name, URL: s.baseURL + v.Under("/author/"+au.Slug)})
		}
		f.Items = append(f.Items, it)
		for _, t := range []time.Time{at, e.Edited} {
			if t.After(f.Updated) {
				f.Updated = t
			}
		}
	}
	return writeFeed(format, f, []string{article.KeyArticle(a.ID), article.KeyLiveBlog(a.ID)})
}

// liveMessage is the data of a live blog's "update" event: an update as
// its page shows it, or that it was deleted.
type liveMessage struct {
	ID     int64  `json:"id"`
	Seq    int64  `json:"seq"`
	T      int64  `json:"t,omitempty"`
	Pinned bool   `json:"pinned,omitempty"`
	Key    bool   `json:"key,omitempty"`
	HTML   string `json:"html,omitempty"`
	// Frames are the origins its embeds' frames come from: a page
	// whose policy lets in others cannot show them until reloaded.
	Frames  []string `json:"frames,omitempty"`
	Deleted bool     `json:"deleted,omitempty"`
}

// liveEvents reads the live blog id as it is now and renders the events
// of its updates changed after seq, at most limit: what every stream of
// this instance sends, read and rendered once (liveHub).
func (s *Server) liveEvents(ctx context.Context, id, seq int64, limit int) (*article.Article, []liveEvent, error) {
	a, err := s.store.BareArticleByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !a.Visible() || !a.LiveBlog || a.LiveSeq <= seq {
		return a, nil, nil
	}
	ups, err := s.store.LiveChanges(ctx, id, seq, limit)
	if err != nil {
		return nil, nil, err
	}
	// Rendered as the page in the live blog's edition renders it.
	v, err := s.newView(context.WithValue(ctx, editionKey{}, a.Section.Edition))
	if err != nil {
		return nil, nil, err
	}
	events := make([]liveEvent, 0, len(ups))
	var buf bytes.Buffer
	for i := range ups {
		u := &ups[i]
		msg := liveMessage{ID: u.ID, Seq: u.Seq, Deleted: u.Deleted()}
		if !msg.Deleted {
			e, err := s.liveEntryOf(ctx, v, a, u)
			if err != nil {
				return nil, nil, err
			}
			buf.Reset()
			if err := s.pages["article"].ExecuteTemplate(&buf, "live-update", map[string]any{"V": v, "U": e, "L": a.Language}); err != nil {
				return nil, nil, fmt.Errorf("render live update %d: %w", u.ID, err)
			}
			msg.T, msg.Pinned, msg.Key, msg.HTML = e.T, e.Pinned, e.KeyEvent, strings.TrimSpace(buf.String())
			msg.Frames = embedOrigins(string(e.HTML))
		}
		data, err := json.Marshal(msg)
		if err != nil {
			return nil, nil, err
		}
		events = append(events, liveEvent{seq: u.Seq, frame: fmt.Appendf(nil, "id: %d\nevent: update\ndata: %s\n\n", u.Seq, data)})
	}
	return a, events, nil
}

// coverageMessage is the data of a live blog's "coverage" event: its
// coverage (coverageOf), and the label and the line saying it ended as
// the page shows them.
type coverageMessage struct {
	State string `json:"state"`
	Label string `json:"label,omitempty"`
	Ended string `json:"ended,omitempty"`
}

// liveCoverage renders the "coverage" event of the live blog a as it is
// now: what every stream of this instance sends when it opens or closes.
func (s *Server) liveCoverage(ctx context.Context, a *article.Article) ([]byte, error) {
	v, err := s.newView(context.WithValue(ctx, editionKey{}, a.Section.Edition))
	if err != nil {
		return nil, err
	}
	msg := coverageMessage{State: coverageOf(a)}
	var buf bytes.Buffer
	for _, part := range []struct {
		name string
		to   *string
		when bool
	}{{"live-label", &msg.Label, a.Live()}, {"live-ended", &msg.Ended, a.CoverageEnded()}} {
		if !part.when {
			continue
		}
		buf.Reset()
		if err := s.pages["article"].ExecuteTemplate(&buf, part.name, map[string]any{"V": v, "At": a.CoverageEnd}); err != nil {
			return nil, fmt.Errorf("render the coverage of live blog %d: %w", a.ID, err)
		}
		*part.to = strings.TrimSpace(buf.String())
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, "event: coverage\ndata: %s\n\n", data), nil
}
