package wordpress

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
)

// A survey of the real export says what an import would bring across and
// leave out, by kind, and names every item it could not read.
func TestSurveyRealExport(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone database")
	}
	s, err := Survey(context.Background(), openFile("testdata/real/wordpress-6.1.wxr.xml"), Options{Location: london})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", s)
	// The password-protected post is not given to everyone: it is a draft.
	if s.Articles[article.Published] != 7 || s.Articles[article.Draft] != 4 || s.Articles[article.Scheduled] != 1 ||
		s.Notes["a password-protected post becomes a draft"] != 1 {
		t.Errorf("articles %v; want 7 published, 4 drafts (draft, pending, private, password-protected) and 1 scheduled", s.Articles)
	}
	if s.Pages != 2 || s.Attachments != 12 || s.Sections != 5 || s.Tags != 7 || s.Authors != 5 {
		t.Errorf("pages %d, attachments %d, sections %d, tags %d, authors %d; want 2, 12, 5, 7, 5", s.Pages, s.Attachments, s.Sections, s.Tags, s.Authors)
	}
	if s.Pingbacks != 2 || s.Comments[comment.Pending] != 1 || s.LeftOut["trash comments"] != 1 || s.LeftOut["trash posts"] != 1 {
		t.Errorf("comments %v, pingbacks %d, left out %v", s.Comments, s.Pingbacks, s.LeftOut)
	}
	if s.LeftOut["nav_menu_item items"] != 4 || len(s.LeftOut) != 3 {
		t.Errorf("left out %v; want the 4 menu items, the trashed post and the trashed comment", s.LeftOut)
	}
	for n := range s.Notes {
		if strings.Contains(n, "reusable block") {
			t.Errorf("note %q: the export holds the reusable block, which its post shows", n)
		}
	}
	if s.OldAddresses < 50 || len(s.Problems) != 0 {
		t.Errorf("old addresses %d, problems %v", s.OldAddresses, s.Problems)
	}
}

// The edge-case export's problems are each named with the item and its
// line, in the order of the file: a featured image the export lacks, a
// broken item, a post with no category, one with no date; the rest is
// counted.
func TestSurveyReportsBrokenItems(t *testing.T) {
	s, err := Survey(context.Background(), openFile("testdata/edge-1.1.wxr.xml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range s.Problems {
		got = append(got, p.String())
	}
	want := []string{
		"item 10 (line 28): its featured image 12 is not in the export",
		"item 11 (line 84): status: XML syntax error on line 5: element <status> closed by </oops>",
		"item 13 (line 90): no category: it goes into the first section",
		"item 14 (line 100): no date it was published",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s.Articles[article.Published] != 1 || s.Articles[article.Draft] != 1 || s.Comments[comment.Approved] != 1 || s.Pingbacks != 1 || s.Dropped != 1 {
		t.Errorf("summary %+v", s)
	}
}

// openFile opens a file afresh for each pass of an import.
func openFile(name string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(name) }
}
