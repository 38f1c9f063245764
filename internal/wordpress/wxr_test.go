package wordpress

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// readAll reads an export: its header, its items, and the items it
// could not read.
func readAll(t *testing.T, r io.Reader) (*Reader, *Export, []*Item, []*ItemError) {
	t.Helper()
	rd := NewReader(r)
	x, err := rd.Header()
	if err != nil {
		t.Fatal(err)
	}
	var items []*Item
	var bad []*ItemError
	for {
		it, err := rd.Next()
		if err == io.EOF {
			break
		}
		var ie *ItemError
		if errors.As(err, &ie) {
			bad = append(bad, ie)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	return rd, x, items, bad
}

// A WXR 1.1 export with the edge cases of real ones: CDATA split around
// "]]>", "<item>" as text and in a comment, entities, a control
// character, right-to-left text, threaded comments and a pingback, and a
// broken item between two good ones, which is reported with its line and
// skipped, and a bare "&" in a commenter's URL, as WordPress writes it.
func TestReadEdgeCases(t *testing.T) {
	f, err := os.Open("testdata/edge-1.1.wxr.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, x, items, bad := readAll(t, f)
	if st, _ := f.Stat(); rd.Offset() != st.Size() {
		t.Errorf("Offset = %d after the last item; the file is %d bytes", rd.Offset(), st.Size())
	}
	if x.Version != "1.1" || x.Title != "The Courier & Café" || x.BaseSiteURL != "https://courier.example" || x.Language != "en-GB" {
		t.Errorf("header = %+v", x)
	}
	if len(x.Authors) != 2 || x.Authors[1].DisplayName != "رضا" || x.Authors[0].Login != "ada" || x.Authors[0].ID != 2 {
		t.Errorf("authors = %+v", x.Authors)
	}
	if len(x.Categories) != 2 || x.Categories[1].Parent != "world" || x.Categories[1].Description != "The continent" {
		t.Errorf("categories = %+v", x.Categories)
	}
	if len(x.Tags) != 1 || x.Tags[0].Name != "اقتصاد" || len(x.Terms) != 1 || x.Terms[0].Taxonomy != "nav_menu" {
		t.Errorf("tags = %+v, terms = %+v", x.Tags, x.Terms)
	}
	if len(items) != 3 {
		t.Fatalf("read %d items, want 3", len(items))
	}
	if raw := items[2]; len(raw.Comments) != 1 || raw.Comments[0].URL != "https://ben.example/?a=1&b=2" {
		t.Errorf("an item with a bare & in a URL, as WordPress writes it: %+v", raw)
	}
	if len(bad) != 1 || bad[0].ID != 11 || bad[0].Line != 84 {
		t.Errorf("bad items = %v; want item 11 at line 84", bad)
	}
	a := items[0]
	wantContent := "First paragraph with a ]]> inside, and <item> as text.\n\nSecond paragraph."
	if a.Content != wantContent || rd.Dropped != 1 {
		t.Errorf("content = %q (dropped %d); want %q, one character dropped", a.Content, rd.Dropped, wantContent)
	}
	if a.Title != "Harbour reopens – at last" || a.ID != 10 || !a.Sticky || a.Status != "publish" || a.Type != "post" ||
		a.DateGMT != "2026-05-17 09:30:00" || a.Excerpt != "Boats return." || a.Creator != "ada" || a.Line != 28 ||
		a.Link != "https://courier.example/2026/05/17/harbour-reopens/" || a.Name != "harbour-reopens" {
		t.Errorf("item = %+v", a)
	}
	if v, ok := a.MetaValue("_thumbnail_id"); !ok || v != "12" {
		t.Errorf("_thumbnail_id = %q, %v", v, ok)
	}
	if len(a.Terms) != 2 || a.Terms[0] != (ItemTerm{"category", "europe", "Europe"}) || a.Terms[1].Name != "اقتصاد" {
		t.Errorf("terms = %+v", a.Terms)
	}
	if len(a.Comments) != 2 {
		t.Fatalf("comments = %+v", a.Comments)
	}
	c, p := a.Comments[0], a.Comments[1]
	if c.Author != "Zoë" || c.Content != "Good <b>news</b> &amp; about time." || c.Approved != "1" || c.URL != "https://zoe.example" ||
		len(c.Meta) != 1 || c.Meta[0].Key != "akismet_result" {
		t.Errorf("comment = %+v", c)
	}
	if p.Type != "pingback" || p.Parent != 3 || p.Content != "[&#8230;] a pingback [&#8230;]" {
		t.Errorf("pingback = %+v", p)
	}
	if d := items[1]; d.Title != "گزارش اقتصادی" || d.Status != "draft" || d.DateGMT != "0000-00-00 00:00:00" || !strings.Contains(d.Content, "<!-- wp:paragraph -->") {
		t.Errorf("draft = %+v", d)
	}
}

// Files that are not WordPress exports are refused as such.
func TestNotWXR(t *testing.T) {
	for name, doc := range map[string]string{
		"empty":     "",
		"HTML":      "<!doctype html><html><body>Not an export</body></html>",
		"plain RSS": `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title><item><title>x</title></item></channel></rss>`,
		"not XML":   "post_id,title\n1,Hello\n",
		"Atom":      `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>`,
	} {
		_, err := NewReader(strings.NewReader(doc)).Header()
		if !errors.Is(err, ErrNotWXR) {
			t.Errorf("%s: %v; want ErrNotWXR", name, err)
		}
	}
}

// The export of a real WordPress 6.1 (scripts/wordpress-fixture.sh) reads
// whole.
func TestReadRealExport(t *testing.T) {
	f, err := os.Open("testdata/real/wordpress-6.1.wxr.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, x, items, bad := readAll(t, f)
	kinds := map[string]int{}
	comments := 0
	for _, it := range items {
		kinds[it.Type+"/"+it.Status]++
		comments += len(it.Comments)
	}
	t.Logf("%s: %d authors, %d categories, %d tags; items %v; %d comments", x.Title, len(x.Authors), len(x.Categories), len(x.Tags), kinds, comments)
	if len(bad) != 0 {
		t.Errorf("items not read: %v", bad)
	}
	if x.Version != "1.2" || len(x.Authors) != 5 || len(x.Categories) != 5 || len(x.Tags) != 7 {
		t.Errorf("header: version %s, %d authors, %d categories, %d tags; want 1.2, 5, 5, 7", x.Version, len(x.Authors), len(x.Categories), len(x.Tags))
	}
	posts := 0
	for k, n := range kinds {
		if strings.HasPrefix(k, "post/") {
			posts += n
		}
	}
	if posts != 13 || kinds["page/publish"] != 2 || kinds["attachment/inherit"] != 12 || comments != 12 {
		t.Errorf("items %v, %d comments; want 13 posts, 2 pages, 12 attachments and 12 comments", kinds, comments)
	}
}

// A reader told which types to read returns the others with their type,
// id and line alone, as a full reading would give them.
func TestReaderOnly(t *testing.T) {
	read := func(only func(string) bool) []*Item {
		f, err := os.Open("testdata/real/wordpress-6.1.wxr.xml")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rd := NewReader(f)
		rd.Only = only
		var items []*Item
		for {
			it, err := rd.Next()
			if err == io.EOF {
				return items
			}
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, it)
		}
	}
	all := read(nil)
	some := read(func(typ string) bool { return typ == "attachment" })
	if len(all) != len(some) || len(all) < 30 {
		t.Fatalf("%d items read whole, %d read in part", len(all), len(some))
	}
	for i, it := range all {
		got := some[i]
		if got.Type != it.Type || got.ID != it.ID || got.Line != it.Line {
			t.Errorf("item %d: %s %d at line %d; want %s %d at line %d", i, got.Type, got.ID, got.Line, it.Type, it.ID, it.Line)
		}
		if (got.Title != "") != (it.Type == "attachment" && it.Title != "") {
			t.Errorf("item %d (%s): title %q read", i, it.Type, got.Title)
		}
	}
}
