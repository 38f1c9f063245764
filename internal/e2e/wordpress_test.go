package e2e

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/internal/wordpress"
)

// TestImportedWordPressArticles imports the real WordPress export into a
// running site and reads its articles in Chromium as a reader does: the
// story with a lead image and a threaded discussion, and the gallery,
// each image loaded from the media library, nothing broken on the page.
func TestImportedWordPressArticles(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone database")
	}
	const export = "../wordpress/testdata/real/wordpress-6.1.wxr.xml"
	s, err := wordpress.Import(ctx, func() (io.ReadCloser, error) { return os.Open(export) }, db,
		wordpress.Options{Uploads: "../wordpress/testdata/real/uploads", Location: london})
	if err != nil {
		t.Fatal(err)
	}
	if s.Written["articles"] != 12 || s.Written["images"] != 10 || len(s.Problems) != 0 {
		t.Fatalf("import wrote %v with problems %v", s.Written, s.Problems)
	}
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)

	// An old address leads to the story.
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+"/?p=8"))
	if err != nil {
		t.Fatalf("open the old address: %v", err)
	}
	const story = "/ireland/harbour-reopens-after-storm"
	expectPage(t, bctx, resp, 200, story)
	lead := inspectOne(t, bctx, "article figure img")
	if !lead.Visible || lead.Attrs["alt"] == "" || !strings.HasPrefix(lead.Attrs["src"], "/media/") {
		t.Errorf("lead image %+v; want the imported picture with its alt text", lead)
	}
	if caption := inspectOne(t, bctx, "article figure figcaption"); !caption.Visible || caption.Text == "" {
		t.Errorf("the lead image has no caption: %+v", caption)
	}
	names := evaluate[[]string](t, bctx, `[...document.querySelectorAll("#comments li")].map(li => li.querySelector(".comment-author, strong, b, cite")?.textContent?.trim() ?? "")`)
	text := pageText(t, bctx)
	for _, name := range []string{"Zoë Ní Bhriain", "Siobhán O'Neill", "Дмитрий Соколов"} {
		if !strings.Contains(text, name) {
			t.Errorf("the discussion does not show %s's comment (comment authors %q)", name, names)
		}
	}
	if strings.Contains(text, "Pádraig") {
		t.Errorf("a comment held on WordPress is shown to readers")
	}
	// The reply to the reply sits deeper than the comment it answers.
	depth := evaluate[[]float64](t, bctx, `["Siobhán O'Neill", "Дмитрий Соколов"].map(n => {
		const el = [...document.querySelectorAll("#comments li")].find(li => li.textContent.includes(n) && !li.querySelector("li"));
		return el ? el.getBoundingClientRect().left : -1;
	})`)
	if len(depth) != 2 || depth[0] < 0 || depth[1] <= depth[0] {
		t.Errorf("indents of the reply and the reply to it: %v; want the second further in", depth)
	}
	screenshot(t, bctx, filepath.Join(dir, "imported-story.png"))
	problems.report(t, story)

	const gallery = "/world/gallery-the-spring-regatta"
	resp, err = chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+"/2024/04/20/gallery-the-spring-regatta/"))
	if err != nil {
		t.Fatalf("open the gallery's old address: %v", err)
	}
	galleryPath := resp.URL[len(ts.URL):]
	expectPage(t, bctx, resp, 200, galleryPath)
	imgs := visibleOnly(inspectAll(t, bctx, "article .article-body img, article .body img, article img"))
	var fromLibrary int
	for _, img := range imgs {
		if strings.HasPrefix(img.Attrs["src"], "/media/") {
			fromLibrary++
			if img.Attrs["alt"] == "" {
				t.Errorf("a gallery image without alt text: %+v", img)
			}
		}
	}
	if fromLibrary < 3 {
		t.Errorf("the gallery shows %d images from the media library; want its 3", fromLibrary)
	}
	screenshot(t, bctx, filepath.Join(dir, "imported-gallery.png"))
	problems.report(t, gallery)
}
