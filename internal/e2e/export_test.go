package e2e

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"broadsheet/internal/account"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/store/transfer"
	"broadsheet/internal/web"
)

// An admin opens the backups page in Chromium, presses "Download an
// export", and the browser saves the whole site as the export file named
// by its time.
func TestExportFromTheNewsroom(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	var db *sqlite.DB
	opts := web.Options{Export: func(ctx context.Context, w io.Writer) error {
		_, err := transfer.Export(ctx, db.Reader().Pool(), db.Name(), w, transfer.ExportOptions{Generator: "e2e"})
		return err
	}}
	db, ts := startSiteWith(t, ctx, dir, opts, 0)
	admin := createNewsroomUser(t, ctx, db, "admin@courier.example", "Ada Admin", account.Admin)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	signIn(t, bctx, ts.URL, admin)

	downloads := filepath.Join(dir, "downloads")
	if err := os.MkdirAll(downloads, 0o750); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+"/admin/backups"))
	if err != nil {
		t.Fatalf("open the backups page: %v", err)
	}
	expectPage(t, bctx, resp, http.StatusOK, "/admin/backups")
	screenshot(t, bctx, filepath.Join(t.ArtifactDir(), "backups-export.png"))
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`form[action="/admin/export"] button`))); err != nil {
		t.Fatalf("press Download an export: %v", err)
	}
	var file string
	for deadline := time.Now().Add(30 * time.Second); file == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		names, _ := filepath.Glob(filepath.Join(downloads, "*"))
		for _, n := range names {
			if strings.HasPrefix(filepath.Base(n), "broadsheet-export-") && strings.HasSuffix(n, ".zip") {
				file = n
			}
		}
	}
	if file == "" {
		t.Fatal("no export was downloaded within 30 s")
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("the download %s is not a ZIP file: %v", filepath.Base(file), err)
	}
	defer zr.Close()
	f, err := zr.Open("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m transfer.Manifest
	if err := json.NewDecoder(f).Decode(&m); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, k := range m.Records {
		if k.Kind == "articles" && k.Count != 42 {
			t.Errorf("the downloaded export holds %d articles; the demo has 42", k.Count)
		}
	}
	if m.Media.Files == 0 {
		t.Error("the downloaded export holds no media")
	}
	t.Logf("downloaded %s: %d kinds of record, %d media files", filepath.Base(file), len(m.Records), m.Media.Files)
	problems.report(t, "the backups page")
}
