package wordpress

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
)

func TestArticleStatus(t *testing.T) {
	for _, tt := range []struct {
		wp   string
		want article.Status
		note bool
		ok   bool
	}{
		{"publish", article.Published, false, true},
		{"future", article.Scheduled, false, true},
		{"draft", article.Draft, false, true},
		{"pending", article.Draft, false, true},
		{"private", article.Draft, true, true},
		{"trash", "", false, false},
		{"auto-draft", "", false, false},
		{"inherit", "", false, false},
	} {
		got, note, ok := ArticleStatus(tt.wp)
		if got != tt.want || (note != "") != tt.note || ok != tt.ok {
			t.Errorf("ArticleStatus(%q) = %q, %q, %v; want %q, note %v, %v", tt.wp, got, note, ok, tt.want, tt.note, tt.ok)
		}
	}
}

func TestPostTime(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone database")
	}
	for _, tt := range []struct {
		name string
		it   Item
		want string
	}{
		{"GMT date", Item{DateGMT: "2026-05-17 09:30:00", Date: "2026-05-17 10:30:00"}, "2026-05-17T09:30:00Z"},
		{"a draft: local date in the site's zone", Item{DateGMT: zeroDate, Date: "2026-05-17 10:30:00"}, "2026-05-17T09:30:00Z"},
		{"only pubDate", Item{DateGMT: zeroDate, Date: zeroDate, PubDate: "Sun, 17 May 2026 09:30:00 +0000"}, "2026-05-17T09:30:00Z"},
		{"no date", Item{DateGMT: zeroDate, Date: zeroDate}, ""},
		{"nonsense", Item{DateGMT: "yesterday"}, ""},
	} {
		got, ok := PostTime(&tt.it, london)
		if tt.want == "" {
			if ok {
				t.Errorf("%s: %v; want no date", tt.name, got)
			}
			continue
		}
		if !ok || got.Format(time.RFC3339) != tt.want {
			t.Errorf("%s: %v, %v; want %s", tt.name, got, ok, tt.want)
		}
	}
}

func TestSlug(t *testing.T) {
	for _, tt := range []struct {
		it   Item
		want string
	}{
		{Item{Name: "harbour-reopens"}, "harbour-reopens"},
		{Item{Name: "%da%af%d8%b2%d8%a7%d8%b1%d8%b4"}, "گزارش"},
		{Item{Name: "old-post__trashed"}, "old-post"},
		{Item{Name: "", Title: "A Draft Title"}, "a-draft-title"},
		{Item{ID: 42}, "post-42"},
	} {
		if got := Slug(&tt.it); got != tt.want {
			t.Errorf("Slug(%+v) = %q, want %q", tt.it, got, tt.want)
		}
	}
}

func TestCommentStatus(t *testing.T) {
	for wp, want := range map[string]comment.Status{"1": comment.Approved, "0": comment.Pending, "spam": comment.Spam, "trash": "", "post-trashed": ""} {
		got, ok := CommentStatus(wp)
		if got != want || ok != (want != "") {
			t.Errorf("CommentStatus(%q) = %q, %v; want %q", wp, got, ok, want)
		}
	}
}

func TestOldPaths(t *testing.T) {
	x := &Export{BaseBlogURL: "https://courier.example/news", Link: "https://courier.example/news"}
	got := ItemPaths(x, &Item{ID: 10, Type: "post", Link: "https://courier.example/news/2026/05/17/harbour-reopens/",
		GUID: "https://courier.example/news/?p=10"})
	want := []string{"/2026/05/17/harbour-reopens/", "/2026/05/17/harbour-reopens/feed/", "/2026/05/17/harbour-reopens/amp/",
		"/?p=10", "/?p=10&feed=rss2"}
	if !slices.Equal(got, want) {
		t.Errorf("ItemPaths = %q\nwant %q", got, want)
	}
	if got := ItemPaths(x, &Item{ID: 7, Type: "page", Link: "https://elsewhere.example/about/"}); !slices.Equal(got, []string{"/?page_id=7"}) {
		t.Errorf("a link on another site gives %q", got)
	}
	if got := CategoryPaths(Category{ID: 5, Slug: "europe"}, []string{"world"}); got[0] != "/category/world/europe/" || !slices.Contains(got, "/?cat=5") {
		t.Errorf("CategoryPaths = %q", got)
	}
	if got := AuthorPaths(Author{ID: 2, Login: "ada"}); !slices.Equal(got, []string{"/author/ada/", "/author/ada/feed/", "/?author=2"}) {
		t.Errorf("AuthorPaths = %q", got)
	}
}

// Every post and page of the real export gets a status, a date, a slug
// and its old addresses.
func TestMappingRealExport(t *testing.T) {
	f, err := os.Open("testdata/real/wordpress-6.1.wxr.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, x, items, _ := readAll(t, f)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone database")
	}
	n := 0
	for _, it := range items {
		if it.Type != "post" && it.Type != "page" {
			continue
		}
		st, _, ok := ArticleStatus(it.Status)
		if !ok {
			if it.Status != "trash" {
				t.Errorf("item %d: status %q not imported", it.ID, it.Status)
			}
			continue
		}
		n++
		when, ok := PostTime(it, london)
		if !ok || when.Year() < 2000 {
			t.Errorf("item %d (%s): no date (%v)", it.ID, st, when)
		}
		if s := Slug(it); s == "" || strings.Contains(s, "%") {
			t.Errorf("item %d: slug %q", it.ID, s)
		}
		paths := ItemPaths(x, it)
		if !slices.Contains(paths, "/?p="+itoa(it.ID)) && !slices.Contains(paths, "/?page_id="+itoa(it.ID)) {
			t.Errorf("item %d: old paths %q lack its id form", it.ID, paths)
		}
		if it.Type == "post" {
			if _, _, _, ok := Sections(it); !ok && st == article.Published {
				t.Errorf("published post %d has no category", it.ID)
			}
		}
	}
	if n != 14 {
		t.Errorf("mapped %d posts and pages, want 12 posts and 2 pages", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
