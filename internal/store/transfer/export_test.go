package transfer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/liveblog"
	"broadsheet/internal/redirect"
	"broadsheet/internal/search"
	"broadsheet/internal/store/postgres"
	"broadsheet/internal/store/postgres/pgtest"
	"broadsheet/internal/store/sqlite"
)

// entries reads every file of a ZIP archive.
func entries(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	must(t, err)
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		must(t, err)
		b, err := io.ReadAll(r)
		must(t, err)
		r.Close()
		files[f.Name] = b
	}
	return files
}

// The round trip SQLite → export → PostgreSQL → export, and back into a
// new SQLite file, gives the same records byte for byte, and the sites
// they land in work: addresses found by their keys, threads, search, the
// next id past the imported ones.
func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "site.db"))
	must(t, err)
	defer s.Close()
	w := buildSite(t, s)
	awkward := "Über <b>\"quotes\"</b> & \\ back\u2028line\nnext\ttab 😀"
	must(t, s.CreatePage(ctx, &article.Page{Slug: "awkward", Title: awkward, Body: awkward, Language: "fa"}))

	var seen []string
	first := filepath.Join(dir, "first.zip")
	f, err := os.Create(first)
	must(t, err)
	rep, err := Export(ctx, s.Reader().Pool(), s.Name(), f, ExportOptions{Generator: "test", Progress: func(kind string, done, total int) {
		if len(seen) == 0 || seen[len(seen)-1] != kind {
			seen = append(seen, kind)
		}
	}})
	must(t, err)
	must(t, f.Close())
	if len(seen) != len(kinds)+1 || seen[len(seen)-1] != "media" {
		t.Errorf("progress went through %v; want every kind, then media", seen)
	}
	for _, mk := range rep.Manifest.Records {
		if mk.Count == 0 {
			t.Errorf("%s: no records: the test site should fill every kind", mk.Kind)
		}
	}
	pdf := int64(len("%PDF-1.7\n% the harbour board's report\n"))
	if rep.Manifest.Media.Files != 3 || rep.Manifest.Media.Bytes != 5+10000+pdf {
		t.Errorf("media = %+v, want the two sizes of the one image and the document", rep.Manifest.Media)
	}
	if got := string(entries(t, first)["media/documents/1/harbour-report.pdf"]); !strings.HasPrefix(got, "%PDF-1.7") {
		t.Errorf("the document's file in the export holds %q", got)
	}
	a := entries(t, first)
	var pageLine string
	for line := range strings.Lines(string(a["records/pages.jsonl"])) {
		if strings.Contains(line, `"awkward"`) {
			pageLine = line
		}
	}
	var page struct{ Title string }
	if err := json.Unmarshal([]byte(pageLine), &page); err != nil || page.Title != awkward {
		t.Errorf("the awkward page's record %q reads back as %q (%v)", pageLine, page.Title, err)
	}
	if !strings.Contains(string(a["records/users.jsonl"]), `"created_at":"`+time.Now().UTC().Format("2006-01-02T")) {
		t.Errorf("users.jsonl does not give created_at as an RFC 3339 time:\n%s", a["records/users.jsonl"])
	}
	for name := range a {
		if strings.Contains(name, "sessions") || strings.Contains(name, "term") || strings.Contains(name, "related") {
			t.Errorf("the export holds %s, which it leaves out", name)
		}
	}

	// Into PostgreSQL, and out again.
	url := pgtest.Database(t)
	pg, err := postgres.Open(ctx, url)
	must(t, err)
	defer pg.Close()
	irep, err := Import(ctx, first, pg.Writer().Pool(), pg.Name(), ImportOptions{})
	must(t, err)
	if irep.Records != rep.Records || irep.MediaFiles != 3 {
		t.Errorf("imported %d records and %d media files; exported %d and 3", irep.Records, irep.MediaFiles, rep.Records)
	}
	must(t, pg.Reindex(ctx, nil))
	second := filepath.Join(dir, "second.zip")
	f, err = os.Create(second)
	must(t, err)
	_, err = Export(ctx, pg.Reader().Pool(), pg.Name(), f, ExportOptions{Generator: "test"})
	must(t, err)
	must(t, f.Close())
	sameRecords(t, "SQLite → PostgreSQL", a, entries(t, second))

	// And from PostgreSQL's export into a new SQLite file.
	s2, err := sqlite.Open(ctx, filepath.Join(dir, "again.db"))
	must(t, err)
	defer s2.Close()
	_, err = Import(ctx, second, s2.Writer().Pool(), s2.Name(), ImportOptions{})
	must(t, err)
	must(t, s2.Reindex(ctx, nil))
	third := filepath.Join(dir, "third.zip")
	f, err = os.Create(third)
	must(t, err)
	_, err = Export(ctx, s2.Reader().Pool(), s2.Name(), f, ExportOptions{Generator: "test"})
	must(t, err)
	must(t, f.Close())
	sameRecords(t, "PostgreSQL → SQLite", a, entries(t, third))

	// The imported sites work.
	u, err := pg.UserByEmail(ctx, "ed@COURIER.example")
	if err != nil || u.ID != w.user.ID {
		t.Errorf("UserByEmail on PostgreSQL = %+v, %v; want user %d found by its address key", u, err, w.user.ID)
	}
	rents, err := pg.ArticleBySlug(ctx, "rents-rise")
	must(t, err)
	thread, err := pg.Thread(ctx, comment.Query{ArticleID: rents.ID})
	must(t, err)
	var got []string
	for _, c := range thread {
		got = append(got, fmt.Sprintf("%d:%s@%d", c.ID, c.Name, c.Depth))
	}
	if !slices.Equal(got, w.thread) {
		t.Errorf("the thread on PostgreSQL is %v; want %v", got, w.thread)
	}
	m, err := s2.Search(ctx, search.Request{Text: "harbour", Limit: 10})
	must(t, err)
	if m.Total == 0 {
		t.Errorf("searching the imported SQLite site for harbour finds nothing")
	}
	sec := article.Section{Slug: "new", Name: "New"}
	must(t, pg.CreateSection(ctx, &sec))
	if sec.ID <= 1 {
		t.Errorf("a section created after the import got id %d; want one past the imported ones", sec.ID)
	}
	key, err := pg.SigningKey(ctx)
	must(t, err)
	if !bytes.Equal(key, w.key) {
		t.Errorf("the signing key did not come across: links in mails already sent would break")
	}
	sameRedirects(t, s, pg)
	sameRedirects(t, s, s2)
	// The live blog goes on where it was: its update with its bylines,
	// its picture found again, and the next post takes the next number.
	_, err = pg.RenderStored(ctx, 100)
	must(t, err)
	live, err := pg.LiveUpdates(ctx, liveblog.Query{ArticleID: w.live.ID})
	must(t, err)
	if len(live.Updates) != 1 || live.Updates[0].Headline != "Waves over the quay" || len(live.Updates[0].Authors) != 2 ||
		!strings.Contains(live.Updates[0].BodyHTML, "<figure") {
		t.Errorf("the live blog on PostgreSQL = %+v, want its one update as it was", live.Updates)
	}
	next := liveblog.Update{ArticleID: w.live.ID, Body: "After the move."}
	must(t, pg.PostLiveUpdate(ctx, &next))
	if next.Seq != 5 {
		t.Errorf("the first post after the import took number %d, want 5", next.Seq)
	}
	// Redirects imported lead on as they did: what each leads to is
	// worked out again on import.
	r := &redirect.Redirect{FromPath: "/city/harbour-reopens-after-storm", ToURL: "/city/harbour"}
	must(t, pg.CreateRedirect(ctx, r))
	if got, err := pg.RedirectFor(ctx, "/?p=123"); err != nil || got.ToURL != "/city/harbour" {
		t.Errorf("after a redirect from its target, /?p=123 leads to %+v, %v; want /city/harbour", got, err)
	}
}

// exportFile exports the site in s to path and returns path.
func exportFile(t *testing.T, s *sqlite.DB, path string) string {
	t.Helper()
	f, err := os.Create(path)
	must(t, err)
	_, err = Export(context.Background(), s.Reader().Pool(), s.Name(), f, ExportOptions{})
	must(t, err)
	must(t, f.Close())
	return path
}

// An export of format version 1, which had no redirects, is read by this
// version: the new site has none.
func TestImportVersion1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, s, _ := openSite(t)
	now := exportFile(t, s, filepath.Join(dir, "v2.zip"))
	v1 := filepath.Join(dir, "v1.zip")
	rewrite(t, now, v1, func(name string, b []byte) []byte {
		switch name {
		case "records/redirects.jsonl", "records/imported.jsonl", "records/documents.jsonl", "records/article_documents.jsonl", "records/embeds.jsonl",
			"records/live_updates.jsonl", "records/live_update_authors.jsonl", "records/live_update_revisions.jsonl",
			"records/passkeys.jsonl", "records/recovery_codes.jsonl":
			return nil
		case "records/comments.jsonl", "records/articles.jsonl", "records/sections.jsonl", "records/users.jsonl":
			var out []byte
			for line := range bytes.Lines(b) {
				var rec map[string]any
				must(t, json.Unmarshal(line, &rec))
				for _, later := range []string{"url", "edition", "translation_of", "live_blog", "coverage_start", "coverage_end", "live_seq", "totp_secret", "totp_step"} {
					delete(rec, later)
				}
				l, err := json.Marshal(rec)
				must(t, err)
				out = append(append(out, l...), '\n')
			}
			return out
		case "manifest.json":
			var m Manifest
			must(t, json.Unmarshal(b, &m))
			m.Version = 1
			m.Records = slices.DeleteFunc(m.Records, func(mk ManifestKind) bool {
				return slices.Contains([]string{"redirects", "imported", "documents", "article_documents", "embeds",
					"live_updates", "live_update_authors", "live_update_revisions", "passkeys", "recovery_codes"}, mk.Kind)
			})
			out, err := json.Marshal(m)
			must(t, err)
			return out
		}
		return b
	})
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var db interface {
				redirectStore
				ArticleBySlug(ctx context.Context, slug string) (*article.Article, error)
				ImportedID(ctx context.Context, o article.Origin) (int64, error)
			}
			var rep ImportReport
			if engine == "sqlite" {
				fresh, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "new.db"))
				must(t, err)
				defer fresh.Close()
				rep, err = Import(ctx, v1, fresh.Writer().Pool(), fresh.Name(), ImportOptions{})
				must(t, err)
				db = fresh
			} else {
				pg, err := postgres.Open(ctx, pgtest.Database(t))
				must(t, err)
				defer pg.Close()
				rep, err = Import(ctx, v1, pg.Writer().Pool(), pg.Name(), ImportOptions{})
				must(t, err)
				db = pg
			}
			if rep.Manifest.Version != 1 {
				t.Errorf("read version %d, want 1", rep.Manifest.Version)
			}
			if _, err := db.ArticleBySlug(ctx, "harbour-reopens-after-storm"); err != nil {
				t.Errorf("the version 1 export's article: %v", err)
			}
			if a, err := db.ArticleBySlug(ctx, "storm-live"); err != nil || a.LiveBlog || a.LiveSeq != 0 || !a.CoverageStart.IsZero() {
				t.Errorf("an article of a version 1 export = %+v, %v; want no live blog", a, err)
			}
			if list, err := db.Redirects(ctx, redirect.Query{}); err != nil || len(list) != 0 {
				t.Errorf("redirects after a version 1 import = %+v, %v; want none", list, err)
			}
			if id, err := db.ImportedID(ctx, article.Origin{Source: "wordpress https://old.example", Kind: "post", ID: 77}); err != nil || id != 0 {
				t.Errorf("a version 1 import remembers an imported post as %d, %v; want nothing", id, err)
			}
		})
	}
}

// sameRecords compares two exports' files, all but the manifest's time,
// source and generator.
func sameRecords(t *testing.T, trip string, a, b map[string][]byte) {
	t.Helper()
	var names []string
	for name := range a {
		names = append(names, name)
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			t.Errorf("%s: %s appeared", trip, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		x, y := a[name], b[name]
		if name == "manifest.json" {
			x, y = manifestCore(t, x), manifestCore(t, y)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s: %s differs:\n%s\n---\n%s", trip, name, x, y)
		}
	}
}

func manifestCore(t *testing.T, b []byte) []byte {
	var m Manifest
	must(t, json.Unmarshal(b, &m))
	m.ExportedAt, m.Source, m.Generator = "", "", ""
	out, err := json.Marshal(m)
	must(t, err)
	return out
}

// rewrite copies the archive at src to dst, passing each file through
// edit; a nil result leaves the file out.
func rewrite(t *testing.T, src, dst string, edit func(name string, b []byte) []byte) {
	t.Helper()
	out, err := os.Create(dst)
	must(t, err)
	defer out.Close()
	zw := zip.NewWriter(out)
	files := entries(t, src)
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		b := edit(name, files[name])
		if b == nil {
			continue
		}
		f, err := zw.Create(name)
		must(t, err)
		_, err = f.Write(b)
		must(t, err)
	}
	must(t, zw.Close())
}

// An import that cannot be whole changes nothing, and says why: a site
// already there, a damaged or foreign file, a newer format, a record that
// does not fit the format, a record the database refuses.
func TestImportRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "site.db"))
	must(t, err)
	defer s.Close()
	buildSite(t, s)
	good := exportFile(t, s, filepath.Join(dir, "good.zip"))

	// Into the site it came from: refused, naming what is there.
	_, err = Import(ctx, good, s.Writer().Pool(), s.Name(), ImportOptions{})
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "articles") {
		t.Errorf("import into a site = %v; want ErrNotEmpty naming articles", err)
	}

	flipped := filepath.Join(dir, "flipped.zip")
	b, err := os.ReadFile(good)
	must(t, err)
	zr, err := zip.OpenReader(good)
	must(t, err)
	var at int64
	for _, zf := range zr.File {
		if zf.Name == "records/comments.jsonl" {
			at, err = zf.DataOffset()
			must(t, err)
			at += int64(zf.CompressedSize64) / 2
		}
	}
	zr.Close()
	b[at] ^= 0xff
	b[at+1] ^= 0xff
	must(t, os.WriteFile(flipped, b, 0o600))
	notZip := filepath.Join(dir, "notes.zip")
	must(t, os.WriteFile(notZip, []byte("these are my notes, not an export\n"), 0o600))
	truncated := filepath.Join(dir, "truncated.zip")
	good2, _ := os.ReadFile(good)
	must(t, os.WriteFile(truncated, good2[:len(good2)/2], 0o600))

	edited := func(name string, edit func(name string, b []byte) []byte) string {
		p := filepath.Join(dir, name+".zip")
		rewrite(t, good, p, edit)
		return p
	}
	inManifest := func(from, to string) func(string, []byte) []byte {
		return func(name string, b []byte) []byte {
			if name == "manifest.json" {
				return bytes.Replace(b, []byte(from), []byte(to), 1)
			}
			return b
		}
	}
	inRecords := func(file, from, to string) func(string, []byte) []byte {
		return func(name string, b []byte) []byte {
			if name == file {
				return bytes.Replace(b, []byte(from), []byte(to), 1)
			}
			return b
		}
	}
	// What PostgreSQL says when it refuses a record.
	onPostgres := map[string]string{"a refused record": "articles_status_check", "a dangling reference": "comments_article_id_fkey"}
	for _, tt := range []struct {
		name, path string
		damaged    bool
		want       string
	}{
		{"flipped bytes", flipped, true, "comments.jsonl"},
		{"not a ZIP file", notZip, true, "not a valid zip file"},
		{"cut short", truncated, true, ""},
		{"newer version", edited("newer", inManifest(`"version": 7`, `"version": 8`)), false, "format version 8, written by a newer Broadsheet"},
		{"a kind newer than its version", edited("v1redirects", inManifest(`"version": 7`, `"version": 1`)), true,
			"manifest.json of format version 1 lists passkeys records, which version 7 added"},
		{"another format", edited("other", inManifest(`"broadsheet-export"`, `"ghost"`)), true, `"ghost"`},
		{"no manifest", edited("nomanifest", func(name string, b []byte) []byte {
			if name == "manifest.json" {
				return nil
			}
			return b
		}), true, "no manifest.json"},
		{"a kind missing", edited("nokind", func(name string, b []byte) []byte {
			if name == "records/pages.jsonl" {
				return nil
			}
			return b
		}), true, "records/pages.jsonl"},
		{"a media file missing", edited("nomedia", func(name string, b []byte) []byte {
			if strings.HasPrefix(name, "media/") {
				return nil
			}
			return b
		}), false, "image_variants.jsonl line 1: field \"file\": the archive has no media file \"media/1/480.jpg\""},
		{"a blank line", edited("blank", inRecords("records/tags.jsonl", "\n", "\n\n")), true, "tags.jsonl line 2: not a JSON object"},
		{"a record missing", edited("count", func(name string, b []byte) []byte {
			if name == "records/tags.jsonl" {
				return b[:bytes.IndexByte(b, '\n')+1]
			}
			return b
		}), true, "tags.jsonl holds 1 records, and manifest.json says 2"},
		{"an unknown field", edited("unknown", inRecords("records/sections.jsonl", `"position":`, `"colour":"red","position":`)), false,
			`sections.jsonl line 1: a field this format version does not have: "colour"`},
		{"a missing field", edited("missing", inRecords("records/sections.jsonl", `"position":1`, `"pos":1`)), false,
			`sections.jsonl line 1: the field "position" is missing`},
		{"a bad time", edited("time", inRecords("records/users.jsonl", `"created_at":"`, `"created_at":"yesterday`)), false,
			`users.jsonl line 1: field "created_at"`},
		{"a refused record", edited("refused", inRecords("records/articles.jsonl", `"status":"published"`, `"status":"viral"`)), false,
			"import records/articles.jsonl"},
		{"a dangling reference", edited("dangling", inRecords("records/comments.jsonl", `"article_id":`, `"article_id":9`)), false,
			"FOREIGN KEY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fresh, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "new.db"))
			must(t, err)
			defer fresh.Close()
			_, err = Import(ctx, tt.path, fresh.Writer().Pool(), fresh.Name(), ImportOptions{})
			if err == nil {
				t.Fatal("imported; want it refused")
			}
			if errors.Is(err, ErrDamaged) != tt.damaged || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q; want damaged %v, saying %q", err, tt.damaged, tt.want)
			}
			var n int
			must(t, fresh.Reader().Pool().QueryRow(`SELECT (SELECT count(*) FROM sections) + (SELECT count(*) FROM settings)`).Scan(&n))
			if n != 0 {
				t.Errorf("after the refused import the site holds %d sections and settings", n)
			}
			wantPG, ok := onPostgres[tt.name]
			if !ok {
				return
			}
			pg, err := postgres.Open(ctx, pgtest.Database(t))
			must(t, err)
			defer pg.Close()
			_, err = Import(ctx, tt.path, pg.Writer().Pool(), pg.Name(), ImportOptions{})
			if err == nil || !strings.Contains(err.Error(), wantPG) {
				t.Errorf("on PostgreSQL: error %v; want one saying %q", err, wantPG)
			}
			must(t, pg.Reader().Pool().QueryRow(`SELECT (SELECT count(*) FROM sections) + (SELECT count(*) FROM settings)`).Scan(&n))
			if n != 0 {
				t.Errorf("after the refused import PostgreSQL holds %d sections and settings", n)
			}
		})
	}
}

// A column or table the format does not know stops an export before it
// writes anything, naming it: a later migration must decide what the
// format does with it.
func TestExportRefusesUnknownSchema(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct{ ddl, want string }{
		{`ALTER TABLE articles ADD COLUMN mood TEXT`, "articles.mood"},
		{`CREATE TABLE polls (id INTEGER PRIMARY KEY)`, "polls"},
	} {
		s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "site.db"))
		must(t, err)
		_, err = s.Writer().Pool().Exec(tt.ddl)
		must(t, err)
		var out bytes.Buffer
		_, err = Export(ctx, s.Reader().Pool(), s.Name(), &out, ExportOptions{})
		if err == nil || !strings.Contains(err.Error(), tt.want) || out.Len() != 0 {
			t.Errorf("after %s: export wrote %d bytes, error %v; want nothing written and an error naming %s", tt.ddl, out.Len(), err, tt.want)
		}
		s.Close()
	}
}
