package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/liveblog"
)

// waitFor polls cond for a few seconds, failing with what when it stays
// false.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serveLive serves ls for a test of its streams, for at most 20 seconds,
// and returns the address of its live blog's stream.
func serveLive(t *testing.T, ls *liveSite) (context.Context, string) {
	t.Helper()
	ts := httptest.NewServer(ls.srv)
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx, ts.URL + "/city/storm-live/updates/live"
}

// A live blog's page holds one stream, and a household behind one address
// has several pages open: the default bound leaves room for them. A
// reader refused a stream is not refused updates: it is sent what its
// page lacks at once, and the answer ends asking the browser to come back
// in a minute or so, counting against no bound; come back with the last
// number heard once a stream is free, it is held.
func TestLiveStreamRefused(t *testing.T) {
	ls := newLiveSite(t)
	ctx, stream := serveLive(t, ls)
	tabs, tabsCancel := context.WithCancel(ctx)
	for i := range 8 {
		if st := openStream(t, tabs, stream); st.resp.StatusCode != 200 {
			t.Fatalf("page %d of eight from one address = %d, want a stream", i+1, st.resp.StatusCode)
		}
	}
	waitFor(t, "eight streams", func() bool { return ls.srv.live.streams() == 8 })
	tabsCancel()
	waitFor(t, "the eight streams to close", func() bool { return ls.srv.live.streams() == 0 })

	ls.srv.live.maxPerAddr = 1
	ls.post(1, liveblog.Update{Body: "Winds rise."})
	second := ls.post(2, liveblog.Update{Body: "Rain begins."})
	held, heldCancel := context.WithCancel(ctx)
	openStream(t, held, stream+"?since=2")
	waitFor(t, "the first stream", func() bool { return ls.srv.live.streams() == 1 })

	req, _ := http.NewRequestWithContext(ctx, "GET", stream+"?since=1", nil)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	body, err := io.ReadAll(resp.Body) // it ends by itself
	resp.Body.Close()
	must(t, err)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("a refused stream = %d %s, want an answer the browser's EventSource takes", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	m := regexp.MustCompile(`(?m)^retry: (\d+)$`).FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("the answer does not say when to come back:\n%s", body)
	}
	if ms, _ := strconv.Atoi(m[1]); ms < 60_000 || ms > 90_000 {
		t.Errorf("come back in %d ms, want a minute or a little more", ms)
	}
	if !strings.Contains(string(body), "id: 2\nevent: update\n") || !strings.Contains(string(body), `"id":`+strconv.FormatInt(second.ID, 10)) ||
		strings.Contains(string(body), "id: 1\n") {
		t.Errorf("the answer does not hold exactly what the page lacked:\n%s", body)
	}
	if n := ls.srv.live.streams(); n != 1 {
		t.Errorf("%d streams counted after the refusal, want 1", n)
	}
	// Refused on another live blog, which no stream holds: its page,
	// read before the coverage opened, is told that it has.
	ls.publish("city", "flood-live", "Flood: live", func(a *article.Article) { a.LiveBlog = true })
	req, _ = http.NewRequestWithContext(ctx, "GET", strings.Replace(stream, "storm-live", "flood-live", 1)+"?since=0&coverage=ended", nil)
	resp, err = http.DefaultClient.Do(req)
	must(t, err)
	body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	must(t, err)
	if !strings.Contains(string(body), "event: coverage\ndata: {\"state\":\"waiting\"}\n") {
		t.Errorf("a refused page showing the coverage ended was not told it has not opened:\n%s", body)
	}

	heldCancel()
	waitFor(t, "the held stream to close", func() bool { return ls.srv.live.streams() == 0 })
	again := openStream(t, ctx, stream+"?since=1", "Last-Event-ID", "2")
	waitFor(t, "the stream asked again", func() bool { return ls.srv.live.streams() == 1 })
	third := ls.post(3, liveblog.Update{Body: "The bridge shuts."})
	if e := again.next(); e.name != "update" || e.id != "3" || e.data.ID != third.ID {
		t.Errorf("the stream asked again sent %+v, want the third update", e)
	}
}

// A live blog's page holds one stream: its discussion's changes come on
// it, as a "changed" event, so that the page opens no second one.
func TestLiveBlogStreamCarriesDiscussion(t *testing.T) {
	ls := newLiveSite(t)
	ctx, stream := serveLive(t, ls)
	st := openStream(t, ctx, stream)
	waitFor(t, "the stream", func() bool { return ls.srv.live.streams() == 1 })
	must(t, ls.db.CreateComment(ctx, &comment.Comment{ArticleID: ls.blog.ID, Name: "Ana", Body: "Stay safe, all.", Status: comment.Approved, Key: "k1"}))
	if e := st.next(); e.name != "changed" || e.raw != strconv.FormatInt(ls.blog.ID, 10) {
		t.Errorf("after a comment the stream sent %q %q, want changed with the article's id", e.name, e.raw)
	}
	u := ls.post(1, liveblog.Update{Body: "Updates go on."})
	if e := st.next(); e.name != "update" || e.data.ID != u.ID {
		t.Errorf("then %+v, want the update", e)
	}
}

// coverageEvent is the data of a "coverage" event.
func coverageEvent(t *testing.T, e sseEvent) coverageMessage {
	t.Helper()
	var m coverageMessage
	if e.name != "coverage" || json.Unmarshal([]byte(e.raw), &m) != nil {
		t.Fatalf("event %q %s, want coverage", e.name, e.raw)
	}
	return m
}

// Open pages hear when the coverage closes or opens again: the label and
// the line saying it ended, as the page shows them. A page that shows the
// coverage otherwise than it is is told at once.
func TestLiveBlogStreamTellsCoverage(t *testing.T) {
	ls := newLiveSite(t)
	ctx, stream := serveLive(t, ls)
	st := openStream(t, ctx, stream+"?since=0&coverage=live")
	waitFor(t, "the stream", func() bool { return ls.srv.live.streams() == 1 })
	end := ls.blog.PublishedAt.Add(3 * time.Hour)
	must(t, ls.db.SetCoverage(ctx, ls.blog.ID, ls.blog.PublishedAt, end))
	m := coverageEvent(t, st.next())
	page := ls.get("/city/storm-live").body
	if m.State != "ended" || m.Label != "" || !strings.Contains(m.Ended, "Coverage ended") || !strings.Contains(page, m.Ended) {
		t.Errorf("the end of the coverage = %+v, want ended as the page says it", m)
	}
	if strings.Contains(page, `class="live-label"`) || !strings.Contains(page, `data-coverage="ended"`) {
		t.Error("the page still says Live")
	}

	// Reopened: Live again.
	must(t, ls.db.SetCoverage(ctx, ls.blog.ID, ls.blog.PublishedAt, time.Time{}))
	m = coverageEvent(t, st.next())
	page = ls.get("/city/storm-live").body
	if m.State != "live" || m.Ended != "" || m.Label != `<span class="live-label">Live</span>` || !strings.Contains(page, m.Label) {
		t.Errorf("the reopened coverage = %+v", m)
	}
	// A page read before it reopened hears it as its stream opens.
	late := openStream(t, ctx, stream+"?since=0&coverage=ended")
	if m := coverageEvent(t, late.next()); m.State != "live" {
		t.Errorf("a page showing the coverage ended was told %+v", m)
	}
}

// A stream asking from further back than the hub keeps is told to reload
// without a read of the store, however often it asks; streams resuming
// within what it keeps, from whichever number, share one read.
func TestLiveStreamResumesShareOneRead(t *testing.T) {
	ls := newLiveSite(t)
	const changes = maxLiveEvents + 10
	for i := range changes {
		ls.post(i, liveblog.Update{Body: "Update " + strconv.Itoa(i) + "."})
	}
	var mu sync.Mutex
	var fills []int64
	read := ls.srv.live.read
	ls.srv.live.read = func(ctx context.Context, id, seq int64, limit int) (*article.Article, []liveEvent, error) {
		if seq < changes {
			mu.Lock()
			fills = append(fills, seq)
			mu.Unlock()
		}
		return read(ctx, id, seq, limit)
	}
	ctx, stream := serveLive(t, ls)
	openStream(t, ctx, stream) // keeps the live blog's events in memory
	for range 3 {
		if e := openStream(t, ctx, stream+"?since=0").next(); e.name != "reload" {
			t.Fatalf("a stream %d changes behind got %q, want reload", changes, e.name)
		}
	}
	mu.Lock()
	if len(fills) != 0 {
		t.Errorf("streams too far behind to resume had the store read from %v", fills)
	}
	mu.Unlock()
	for since := changes - 10; since >= 20; since -= 30 {
		e := openStream(t, ctx, stream+"?since="+strconv.Itoa(since)).next()
		if e.name != "update" || e.id != strconv.Itoa(since+1) {
			t.Errorf("resumed from %d: %q %s, want the update after it", since, e.name, e.id)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(fills) != 1 {
		t.Errorf("streams resuming from several numbers read the store %d times (from %v), want once", len(fills), fills)
	}
}

// An update's event names the origins of its embeds' frames; the page
// names those its policy lets in, and the newest update it was read
// with, wherever it begins.
func TestLiveBlogEmbedsAndNewest(t *testing.T) {
	ls := newLiveSite(t)
	keepEmbeds(t, ls.db, testEmbeds)
	first := ls.post(1, liveblog.Update{Body: "The harbour:\n\nhttps://www.youtube.com/watch?v=harbour"})
	ls.post(2, liveblog.Update{Body: "Quiet now."})
	newest := ls.post(3, liveblog.Update{Body: "Wind again."})
	want := `data-newest-t="` + strconv.FormatInt(newest.CreatedAt.Unix(), 10) + `" data-newest-id="` + strconv.FormatInt(newest.ID, 10) + `"`
	for _, path := range []string{"/city/storm-live", "/city/storm-live?order=oldest", "/city/storm-live?from=" + strconv.FormatInt(first.ID, 10)} {
		if page := ls.get(path).body; !strings.Contains(page, want) {
			t.Errorf("%s does not name the newest update: want %s", path, want)
		}
	}
	if page := ls.get("/city/storm-live").body; !strings.Contains(page, `data-frames="https://www.youtube-nocookie.com"`) {
		t.Error("the page does not name the frames it lets in")
	}

	ctx, stream := serveLive(t, ls)
	st := openStream(t, ctx, stream+"?since=3")
	video := ls.post(4, liveblog.Update{Body: "The ferry:\n\nhttps://vimeo.com/42"})
	if e := st.next(); e.data.ID != video.ID || strings.Join(e.data.Frames, " ") != "https://player.vimeo.com" {
		t.Errorf("the update with a video sent frames %v, want https://player.vimeo.com", e.data.Frames)
	}
	plain := ls.post(5, liveblog.Update{Body: "No video."})
	if e := st.next(); e.data.ID != plain.ID || e.data.Frames != nil {
		t.Errorf("an update without embeds sent frames %v", e.data.Frames)
	}
}
