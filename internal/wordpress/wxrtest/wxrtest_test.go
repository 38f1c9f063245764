package wxrtest_test

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"broadsheet/internal/wordpress"
	"broadsheet/internal/wordpress/wxrtest"
)

// read reads an export whole, failing on anything the reader could not
// read.
func read(t *testing.T, r io.Reader) (*wordpress.Export, []*wordpress.Item, *wordpress.Reader) {
	t.Helper()
	rd := wordpress.NewReader(r)
	x, err := rd.Header()
	if err != nil {
		t.Fatal(err)
	}
	var items []*wordpress.Item
	for {
		it, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("after %d items: %v", len(items), err)
		}
		items = append(items, it)
	}
	return x, items, rd
}

// What the export says, read back by the site's own reader: counts,
// terms, statuses, dates, slugs, images and comment threads.
func TestWriteReadsBack(t *testing.T) {
	spec := wxrtest.Spec{Posts: 300, CommentsPerPost: 6, Pages: 20, Categories: 30, Tags: 40, Authors: 12,
		Attachments: 200, Seed: 3, BaseURL: "http://wp.example.test"}
	var buf bytes.Buffer
	if err := wxrtest.Write(&buf, spec); err != nil {
		t.Fatal(err)
	}
	x, items, rd := read(t, bytes.NewReader(buf.Bytes()))
	if rd.Dropped != 0 {
		t.Errorf("%d characters XML does not allow", rd.Dropped)
	}

	// The channel.
	if x.Version != "1.2" || x.BaseSiteURL != spec.BaseURL || x.BaseBlogURL != spec.BaseURL || x.Title == "" {
		t.Errorf("header = %+v", x)
	}
	if len(x.Authors) != spec.Authors || len(x.Categories) != spec.Categories || len(x.Tags) != spec.Tags {
		t.Fatalf("%d authors, %d categories, %d tags; want %d, %d, %d", len(x.Authors), len(x.Categories), len(x.Tags), spec.Authors, spec.Categories, spec.Tags)
	}
	logins := map[string]bool{}
	for i, a := range x.Authors {
		if a.ID != int64(i+1) || a.Login == "" || logins[a.Login] || !strings.HasSuffix(a.Email, "@wp.example.test") || a.DisplayName == "" {
			t.Errorf("author %+v", a)
		}
		logins[a.Login] = true
	}
	terms := map[string]string{} // "category:slug" → name
	ids := map[int64]bool{}
	nested := 0
	for _, c := range x.Categories {
		if c.Parent != "" {
			if terms["category:"+c.Parent] == "" {
				t.Errorf("category %q comes before its parent %q", c.Slug, c.Parent)
			}
			nested++
		}
		terms["category:"+c.Slug] = c.Name
		ids[c.ID] = true
	}
	for _, tag := range x.Tags {
		terms["post_tag:"+tag.Slug] = tag.Name
		ids[tag.ID] = true
	}
	if len(terms) != spec.Categories+spec.Tags || len(ids) != len(terms) {
		t.Errorf("%d term slugs and %d term IDs for %d categories and %d tags", len(terms), len(ids), spec.Categories, spec.Tags)
	}
	if nested < 10 || x.Categories[0].Slug != "uncategorized" {
		t.Errorf("%d categories with a parent; first %q", nested, x.Categories[0].Slug)
	}
	if len(x.Terms) != spec.Categories+spec.Tags {
		t.Errorf("%d wp:term; want every category and tag again", len(x.Terms))
	}

	// The items.
	kinds := map[string]int{}
	slugs := map[string]int64{}
	media := map[int64]string{} // attachment → its URL
	for _, it := range items {
		kinds[it.Type]++
		if it.Name != "" {
			if other, ok := slugs[it.Name]; ok {
				t.Errorf("items %d and %d both have the slug %q", other, it.ID, it.Name)
			}
			slugs[it.Name] = it.ID
		}
		if !logins[it.Creator] {
			t.Errorf("item %d by %q, not an author of the export", it.ID, it.Creator)
		}
		if it.Type == "attachment" {
			media[it.ID] = it.AttachmentURL
		}
	}
	if kinds["post"] != spec.Posts || kinds["page"] != spec.Pages || kinds["attachment"] != spec.Attachments || len(items) != spec.Posts+spec.Pages+spec.Attachments {
		t.Errorf("items %v; want %d posts, %d pages, %d attachments", kinds, spec.Posts, spec.Pages, spec.Attachments)
	}

	upload := regexp.MustCompile(`^http://wp\.example\.test/wp-content/uploads/(\d{4})/(\d{2})/[^/]+\.(jpg|png)$`)
	wpImage := regexp.MustCompile(`wp-image-(\d+)`)
	src := regexp.MustCompile(`src="([^"]+)"`)
	size := regexp.MustCompile(`-\d+x\d+(\.\w+)$`)
	statuses := map[string]int{}
	seen := map[string]int{} // what the posts hold
	comments, replies, deepest := 0, 0, 0
	commentIDs := map[int64]bool{}
	for _, it := range items {
		switch it.Type {
		case "attachment":
			m := upload.FindStringSubmatch(it.AttachmentURL)
			if m == nil || it.GUID != it.AttachmentURL || it.Status != "inherit" {
				t.Errorf("attachment %d: url %q, guid %q, status %q", it.ID, it.AttachmentURL, it.GUID, it.Status)
				continue
			}
			if local := it.Date[:4] + "/" + it.Date[5:7]; local != m[1]+"/"+m[2] {
				t.Errorf("attachment %d, uploaded %s, is in %s", it.ID, it.Date, m[1]+"/"+m[2])
			}
			if alt, _ := it.MetaValue("_wp_attachment_image_alt"); alt == "" {
				t.Errorf("attachment %d has no alt text", it.ID)
			}
			if f, _ := it.MetaValue("_wp_attached_file"); !strings.HasSuffix(it.AttachmentURL, "/uploads/"+f) {
				t.Errorf("attachment %d: _wp_attached_file %q for %q", it.ID, f, it.AttachmentURL)
			}
			if p := it.Parent; p != 0 && !(p > it.ID && p <= int64(len(items)+1)) {
				t.Errorf("attachment %d belongs to %d", it.ID, p)
			}
		case "page":
			if it.Status != "publish" || !strings.HasPrefix(it.Link, spec.BaseURL+"/") || !strings.HasSuffix(it.Link, "/"+it.Name+"/") {
				t.Errorf("page %d: %s, %q", it.ID, it.Status, it.Link)
			}
			if it.Parent != 0 {
				seen["child page"]++
			}
		case "post":
			statuses[it.Status]++
			if it.Sticky {
				seen["sticky"]++
			}
			checkPostDates(t, it, seen)
			switch {
			case it.Status == "draft" || it.Status == "pending":
				if it.Name != "" || it.Link != spec.BaseURL+"/?p="+strconv.FormatInt(it.ID, 10) {
					t.Errorf("%s post %d: slug %q, link %q", it.Status, it.ID, it.Name, it.Link)
				}
			case it.Name == "":
				t.Errorf("%s post %d has no slug", it.Status, it.ID)
			case strings.HasPrefix(it.Name, "%"):
				s, err := url.PathUnescape(it.Name)
				if err != nil || !utf8.ValidString(s) || s == it.Name || strings.ToLower(s) != s || strings.ToLower(it.Name) != it.Name {
					t.Errorf("post %d: slug %q decodes to %q, %v", it.ID, it.Name, s, err)
				}
				seen["encoded slug"]++
			}
			if it.Status == "publish" && !strings.HasSuffix(it.Link, "/"+it.Name+"/") {
				t.Errorf("post %d: link %q for slug %q", it.ID, it.Link, it.Name)
			}
			if it.Excerpt != "" {
				seen["excerpt"]++
			}
			for _, mark := range []string{"<!-- wp:paragraph -->", "<!-- wp:heading", "<!-- wp:image {", "<!-- wp:quote -->", "<!-- wp:list -->", "[caption id="} {
				if strings.Contains(it.Content, mark) {
					seen[mark]++
				}
			}
			if !strings.Contains(it.Content, "<!-- wp:") {
				seen["classic"]++
				if strings.Contains(it.Content, "\n\n") {
					seen["classic paragraphs"]++
				}
			}
			for _, m := range wpImage.FindAllStringSubmatch(it.Content, -1) {
				if id, _ := strconv.ParseInt(m[1], 10, 64); media[id] == "" {
					t.Errorf("post %d shows image %s, not an attachment of the export", it.ID, m[1])
				}
			}
			for _, m := range src.FindAllStringSubmatch(it.Content, -1) {
				u := size.ReplaceAllString(m[1], "$1")
				found := false
				for _, a := range media {
					found = found || a == u
				}
				if !found {
					t.Errorf("post %d shows %s, a size of no attachment", it.ID, m[1])
				}
				seen["image"]++
			}
			if v, ok := it.MetaValue("_thumbnail_id"); ok {
				if id, _ := strconv.ParseInt(v, 10, 64); media[id] == "" {
					t.Errorf("post %d: _thumbnail_id %s is not an attachment", it.ID, v)
				}
				seen["thumbnail"]++
			}
			cats := 0
			for _, term := range it.Terms {
				if name, ok := terms[term.Domain+":"+term.Nicename]; !ok || name != term.Name {
					t.Errorf("post %d: %+v is not a term of the header", it.ID, term)
				}
				if term.Domain == "category" {
					cats++
				}
			}
			if cats < 1 || cats > 2 {
				t.Errorf("post %d has %d categories", it.ID, cats)
			}
			seen[strconv.Itoa(cats)+" categories"]++

			want := 0
			if it.Status == "publish" {
				want = spec.CommentsPerPost
			}
			if len(it.Comments) != want {
				t.Errorf("%s post %d has %d comments; want %d", it.Status, it.ID, len(it.Comments), want)
			}
			comments += len(it.Comments)
			depth := map[int64]int{}
			for _, c := range it.Comments {
				if commentIDs[c.ID] || c.ID == 0 {
					t.Errorf("post %d: comment ID %d again", it.ID, c.ID)
				}
				commentIDs[c.ID] = true
				if c.Parent != 0 {
					d, ok := depth[c.Parent]
					if !ok {
						t.Errorf("post %d: comment %d answers %d, not an earlier comment of the post", it.ID, c.ID, c.Parent)
					}
					depth[c.ID] = d + 1
					replies++
					deepest = max(deepest, d+1)
				} else {
					depth[c.ID] = 0
				}
				seen["approved "+c.Approved]++
				if c.Type == "pingback" {
					seen["pingback"]++
					if c.Parent != 0 || c.Email != "" || !strings.HasPrefix(c.URL, "https://") {
						t.Errorf("pingback %+v", c)
					}
				} else if c.Type != "comment" || c.Author == "" || !strings.Contains(c.Email, "@") || c.Content == "" {
					t.Errorf("comment %+v", c)
				}
				if c.UserID != 0 {
					seen["by an author"]++
				}
				if c.URL != "" {
					if _, err := url.Parse(c.URL); err != nil {
						t.Errorf("comment %d: URL %q: %v", c.ID, c.URL, err)
					}
				}
				cd, err1 := time.Parse("2006-01-02 15:04:05", c.DateGMT)
				pd, err2 := time.Parse("2006-01-02 15:04:05", it.DateGMT)
				if err1 != nil || err2 != nil || !cd.After(pd) {
					t.Errorf("comment %d at %s on post %d of %s", c.ID, c.DateGMT, it.ID, it.DateGMT)
				}
			}
		}
	}
	t.Logf("%d bytes; posts %v; %d comments, %d replies, threads %d deep; %v", buf.Len(), statuses, comments, replies, deepest, seen)
	for _, st := range []string{"publish", "draft", "pending", "future", "private"} {
		if statuses[st] == 0 {
			t.Errorf("no %s post among %v", st, statuses)
		}
	}
	if statuses["publish"] < spec.Posts*3/4 {
		t.Errorf("posts %v: most should be published", statuses)
	}
	if comments != statuses["publish"]*spec.CommentsPerPost || replies < comments/5 || deepest < 3 {
		t.Errorf("%d comments, %d replies, threads %d deep", comments, replies, deepest)
	}
	for _, what := range []string{"sticky", "encoded slug", "excerpt", "<!-- wp:paragraph -->", "<!-- wp:heading",
		"<!-- wp:image {", "<!-- wp:quote -->", "<!-- wp:list -->", "[caption id=", "classic", "classic paragraphs",
		"image", "thumbnail", "1 categories", "2 categories", "approved 1", "approved 0", "approved trash",
		"pingback", "by an author", "child page", "summer time", "winter time"} {
		if seen[what] == 0 {
			t.Errorf("nothing has %q: %v", what, seen)
		}
	}
}

// checkPostDates checks a post's dates: the local one is London's, an
// hour ahead of GMT in summer; drafts have no GMT date yet.
func checkPostDates(t *testing.T, it *wordpress.Item, seen map[string]int) {
	t.Helper()
	const layout = "2006-01-02 15:04:05"
	local, err := time.Parse(layout, it.Date)
	if err != nil {
		t.Errorf("post %d: date %q", it.ID, it.Date)
		return
	}
	if it.Status == "draft" || it.Status == "pending" {
		if it.DateGMT != "0000-00-00 00:00:00" || it.PubDate != "" {
			t.Errorf("%s post %d: GMT date %q, pubDate %q", it.Status, it.ID, it.DateGMT, it.PubDate)
		}
		return
	}
	gmt, err := time.Parse(layout, it.DateGMT)
	if err != nil {
		t.Errorf("post %d: GMT date %q", it.ID, it.DateGMT)
		return
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	if want := gmt.In(london).Format(layout); want != it.Date {
		t.Errorf("post %d: local date %s for %s GMT; London's is %s", it.ID, it.Date, it.DateGMT, want)
	}
	if pub, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil || !pub.Equal(gmt) {
		t.Errorf("post %d: pubDate %q for %s GMT", it.ID, it.PubDate, it.DateGMT)
	}
	if local.Equal(gmt) {
		seen["winter time"]++
	} else {
		seen["summer time"]++
	}
}

// The same Spec writes the same export; another seed another.
func TestWriteDeterministic(t *testing.T) {
	spec := wxrtest.Spec{Posts: 50, CommentsPerPost: 3, Pages: 3, Tags: 10, Attachments: 20, Seed: 7}
	var a, b, c bytes.Buffer
	for _, w := range []*bytes.Buffer{&a, &b} {
		if err := wxrtest.Write(w, spec); err != nil {
			t.Fatal(err)
		}
	}
	spec.Seed++
	if err := wxrtest.Write(&c, spec); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two exports of one Spec differ")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("exports of two seeds are the same")
	}
}

// A site of 2,000 posts reads without an item the reader cannot read,
// streamed from the writer as it is written; its slugs stay unique when
// a language runs out of titles.
func TestLargeExportReadsClean(t *testing.T) {
	spec := wxrtest.Spec{Posts: 2000, CommentsPerPost: 5, Pages: 30, Categories: 20, Tags: 60, Authors: 8, Attachments: 1500, Seed: 11}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(wxrtest.Write(pw, spec)) }()
	rd := wordpress.NewReader(pr)
	if _, err := rd.Header(); err != nil {
		t.Fatal(err)
	}
	n := 0
	slugs := map[string]bool{}
	for {
		it, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var ie *wordpress.ItemError
		if errors.As(err, &ie) {
			t.Errorf("item not read: %v", ie)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if it.Name != "" && slugs[it.Name] || len(it.Name) > 200 {
			t.Errorf("item %d: slug %q again, or longer than WordPress allows", it.ID, it.Name)
		}
		slugs[it.Name] = true
	}
	if want := spec.Posts + spec.Pages + spec.Attachments; n != want || rd.Dropped != 0 {
		t.Errorf("read %d items (%d characters dropped) of %d bytes; want %d", n, rd.Dropped, rd.Offset(), want)
	}
}

// Writing holds one item at a time: the heap does not grow with the
// export.
func TestWriteMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 40 MB")
	}
	w := &heapWatch{}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w.base = ms.HeapAlloc
	if err := wxrtest.Write(w, wxrtest.Spec{Posts: 5000, CommentsPerPost: 5, Tags: 30, Attachments: 3000}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bytes written; heap at most %d bytes above where it began", w.n, w.peak)
	if w.n < 30<<20 || w.peak > 16<<20 {
		t.Errorf("%d bytes written; the heap grew by up to %d bytes", w.n, w.peak)
	}
}

// heapWatch counts what is written and, now and then, how far the heap
// has grown.
type heapWatch struct {
	n, writes  int
	base, peak uint64
}

func (h *heapWatch) Write(p []byte) (int, error) {
	h.n += len(p)
	if h.writes++; h.writes%20 == 0 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > h.base {
			h.peak = max(h.peak, ms.HeapAlloc-h.base)
		}
	}
	return len(p), nil
}

// A Spec the writer cannot follow is refused.
func TestWriteRefuses(t *testing.T) {
	for _, s := range []wxrtest.Spec{{Posts: -1}, {Tags: -2}, {BaseURL: "not a URL"}, {BaseURL: "ftp://example.org"}} {
		if err := wxrtest.Write(io.Discard, s); err == nil {
			t.Errorf("Write(%+v) = nil", s)
		}
	}
}

// WriteFile writes what Write writes.
func TestWriteFile(t *testing.T) {
	spec := wxrtest.Spec{Posts: 5, CommentsPerPost: 2, Attachments: 3}
	file := filepath.Join(t.TempDir(), "export.xml")
	if err := wxrtest.WriteFile(file, spec); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := wxrtest.Write(&buf, spec); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("the file (%d bytes, %v) differs from what Write writes (%d bytes)", len(got), err, buf.Len())
	}
}

func BenchmarkWrite(b *testing.B) {
	spec := wxrtest.Spec{Posts: 1000, CommentsPerPost: 10, Pages: 10, Tags: 50, Attachments: 800}
	var n countWriter
	if err := wxrtest.Write(&n, spec); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(n))
	b.ResetTimer()
	for range b.N {
		if err := wxrtest.Write(io.Discard, spec); err != nil {
			b.Fatal(err)
		}
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
