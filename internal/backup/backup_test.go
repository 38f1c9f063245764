package backup

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/mail"
	"broadsheet/internal/store"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/subscription"
)

// openSite opens (creating) the database in dir, closed when the test ends.
func openSite(t *testing.T, dir string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// desk is a section with a reporter, for articles to go in.
type desk struct {
	section article.Section
	author  article.Author
}

func newDesk(t *testing.T, db *sqlite.DB) desk {
	t.Helper()
	ctx := context.Background()
	d := desk{section: article.Section{Slug: "city", Name: "City"}, author: article.Author{Slug: "ada", Name: "Ada Byline", Role: "Reporter"}}
	must(t, db.CreateSection(ctx, &d.section))
	must(t, db.CreateAuthor(ctx, &d.author))
	return d
}

func (d desk) article(slug, body string) *article.Article {
	return &article.Article{Slug: slug, Headline: "Story " + slug, Standfirst: "What happened.", Body: body,
		Section: d.section, Authors: []article.Author{d.author}, Status: article.Published, Language: "en",
		PublishedAt: time.Now().Add(-time.Hour).UTC().Truncate(time.Second)}
}

// files lists the names in dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func temporaries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, name := range files(t, dir) {
		if strings.HasPrefix(name, ".broadsheet-") {
			out = append(out, name)
		}
	}
	return out
}

// write is one write a writer had acknowledged.
type write struct {
	kind         string // "article" or "comment"
	id           int64
	start, acked time.Time
	latency      time.Duration
}

// A backup is taken while four writers keep adding comments and articles
// through the store: it waits for none of them, and every write
// acknowledged before it started is in the copy restored from it. The
// longest write during the backup is logged, not judged: the machine
// running the tests may be busy with other work.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	db := openSite(t, live)
	d := newDesk(t, db)
	// A site of some size: two hundred articles, and photographs, which
	// are most of a news site's bytes and do not compress.
	rng := rand.New(rand.NewPCG(1, 2))
	var ids []int64
	for i := range 200 {
		a := d.article(fmt.Sprintf("seed-%d", i), strings.Repeat(fmt.Sprintf("Paragraph %d of the council's budget debate. ", i), 80))
		must(t, db.CreateArticle(ctx, a))
		ids = append(ids, a.ID)
	}
	for i := range 24 {
		photo := make([]byte, 1<<20)
		for j := range photo {
			photo[j] = byte(rng.Uint32())
		}
		img := &article.Image{Alt: fmt.Sprint("photo ", i), Width: 1600, Height: 1067}
		must(t, db.CreateImage(ctx, img, []article.Variant{{Width: 1600, Height: 1067, ContentType: "image/jpeg", Bytes: photo}}))
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	logs := make([][]write, 4)
	var failed sync.Map
	for w := range 4 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				wr := write{start: time.Now()}
				var err error
				if n%4 == 3 {
					a := d.article(fmt.Sprintf("w%d-%d", w, n), "Filed while the backup ran.")
					err = db.CreateArticle(ctx, a)
					wr.kind, wr.id = "article", a.ID
				} else {
					c := &comment.Comment{ArticleID: ids[(w*31+n)%len(ids)], Name: fmt.Sprint("Reader ", w), Body: fmt.Sprintf("Comment %d of writer %d.", n, w),
						Status: comment.Approved, Key: fmt.Sprintf("w%d-%d", w, n)}
					err = db.CreateComment(ctx, c)
					wr.kind, wr.id = "comment", c.ID
				}
				if err != nil {
					failed.Store(w, err)
					return
				}
				wr.acked = time.Now()
				wr.latency = wr.acked.Sub(wr.start)
				logs[w] = append(logs[w], wr)
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	dst := filepath.Join(t.TempDir(), "site.db.zst")
	begin := time.Now()
	var steps []string
	var stepAt []time.Time
	mark := func(s string) {
		if !slices.Contains(steps, s) {
			steps, stepAt = append(steps, s), append(stepAt, time.Now())
		}
	}
	info, err := Snapshot(ctx, filepath.Join(live, sqlite.FileName), dst, func(step string, done, total int64) {
		mark(step)
		if done == total {
			mark(step + " done")
		}
	})
	end := time.Now()
	time.Sleep(100 * time.Millisecond)
	close(stop)
	wg.Wait()
	must(t, err)
	failed.Range(func(w, err any) bool {
		t.Errorf("writer %d: %v", w, err)
		return true
	})

	var before, during []write
	for _, l := range logs {
		for _, wr := range l {
			if wr.acked.Before(begin) {
				before = append(before, wr)
			}
			if wr.start.Before(end) && wr.acked.After(begin) {
				during = append(during, wr)
			}
		}
	}
	if len(before) == 0 || len(during) == 0 {
		t.Fatalf("%d writes acknowledged before the backup and %d during it; want some of each", len(before), len(during))
	}
	longest := slices.MaxFunc(during, func(a, b write) int { return int(a.latency - b.latency) })
	var slowestBefore time.Duration
	for _, wr := range before {
		slowestBefore = max(slowestBefore, wr.latency)
	}
	t.Logf("database %.1f MB, backup %.1f MB in %s; %d writes during it, the longest %s (a %s); the longest before it %s",
		float64(info.DatabaseSize)/1e6, float64(info.Size)/1e6, end.Sub(begin).Round(time.Millisecond), len(during),
		longest.latency.Round(time.Microsecond), longest.kind, slowestBefore.Round(time.Microsecond))
	var when []string
	for i, s := range steps {
		when = append(when, fmt.Sprintf("%s at %s", s, stepAt[i].Sub(begin).Round(time.Millisecond)))
	}
	t.Logf("steps: %s; the longest write ran from %s to %s", strings.Join(when, ", "),
		longest.start.Sub(begin).Round(time.Millisecond), longest.acked.Sub(begin).Round(time.Millisecond))

	checked, err := Verify(ctx, dst)
	must(t, err)
	if !slices.Equal(checked.Rows, info.Rows) || checked.Size != info.Size || checked.DatabaseSize != info.DatabaseSize {
		t.Errorf("Verify = %+v; Snapshot said %+v", checked, info)
	}

	into := t.TempDir()
	if _, err := Restore(ctx, dst, into, false, nil); err != nil {
		t.Fatal(err)
	}
	restored := openSite(t, into)
	missing := 0
	for _, wr := range before {
		var err error
		if wr.kind == "article" {
			_, err = restored.ArticleByID(ctx, wr.id)
		} else {
			_, err = restored.CommentByID(ctx, wr.id)
		}
		if err != nil {
			missing++
			if missing <= 5 {
				t.Errorf("%s %d, acknowledged %s before the backup began, is not in the restored copy: %v", wr.kind, wr.id, begin.Sub(wr.acked), err)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d writes acknowledged before the backup are missing", missing, len(before))
	}
}

// seedSite writes one of everything a site keeps: an article, a comment,
// a subscriber, a newsroom account, settings, a message in the outbox and
// a photograph.
func seedSite(t *testing.T, db *sqlite.DB, headline string) {
	t.Helper()
	ctx := context.Background()
	d := newDesk(t, db)
	a := d.article("harbour", "The harbour bridge *reopens*.")
	a.Headline = headline
	must(t, db.CreateArticle(ctx, a))
	must(t, db.CreateComment(ctx, &comment.Comment{ArticleID: a.ID, Name: "Rosa", Body: "At last!", Status: comment.Approved, Key: "k1"}))
	out, err := db.Subscribe(ctx, subscription.Request{Email: "reader@example.org", Scope: subscription.Scope{Kind: subscription.Site},
		Frequency: subscription.Immediate, Nonce: "nonce", Consent: "form", Label: "everything"})
	must(t, err)
	if out != subscription.Confirming {
		t.Fatalf("Subscribe = %v", out)
	}
	must(t, db.CreateUser(ctx, &account.User{Email: "ed@courier.example", Name: "Ed", Role: account.Editor, PasswordHash: "hash-of-a-passphrase"}))
	site := article.DefaultSite
	site.Title, site.Tagline = "The Merrow Courier", "News of the estuary"
	must(t, db.SetSite(ctx, site))
	must(t, db.Enqueue(ctx, mail.Message{Key: mail.Key("ed@courier.example", mail.Article, "1"), To: "ed@courier.example", Kind: mail.Article,
		ObjectID: a.ID, Data: "1 1", NextAt: time.Now().Add(time.Hour)}))
	img := &article.Image{Alt: "The bridge at dawn", Caption: "Open again", Width: 800, Height: 533}
	must(t, db.CreateImage(ctx, img, []article.Variant{{Width: 800, Height: 533, ContentType: "image/jpeg", Bytes: []byte("not really a jpeg")}}))
}

// A backup restored into an empty directory is the site as it was: the
// store reads back its articles, comments, subscribers, accounts,
// settings, outbox and media.
func TestRestoreIntoEmptyDirectory(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	seedSite(t, openSite(t, live), "Harbour bridge reopens")
	dst := filepath.Join(t.TempDir(), "site.db.zst")
	made, err := Snapshot(ctx, filepath.Join(live, sqlite.FileName), dst, nil)
	must(t, err)

	into := filepath.Join(t.TempDir(), "data") // created by Restore
	var steps []string
	r, err := Restore(ctx, dst, into, false, func(step string, done, total int64) {
		if done > total {
			t.Errorf("%s: done %d of %d", step, done, total)
		}
		if len(steps) == 0 || steps[len(steps)-1] != step {
			steps = append(steps, step)
		}
	})
	must(t, err)
	if r.Path != filepath.Join(into, sqlite.FileName) || r.Kept != "" || !slices.Equal(steps, []string{"decompressing"}) {
		t.Errorf("Restore = %+v, steps %v", r, steps)
	}
	if want, _ := sqlite.SchemaVersion(); r.Version != want || made.Version != want {
		t.Errorf("schema version: backup %d, restored %d; want %d", made.Version, r.Version, want)
	}
	want := []Count{{"articles", 1}, {"comments", 1}, {"subscribers", 1}, {"users", 1}, {"images", 1}, {"settings", 0}, {"outbox", 2}}
	for i, c := range r.Rows {
		if c.Table == "settings" {
			want[i].Rows = c.Rows // the signing key and the settings, however many
		}
	}
	if !slices.Equal(r.Rows, want) || !slices.Equal(made.Rows, want) {
		t.Errorf("rows: backup %v, restored %v; want %v", made.Rows, r.Rows, want)
	}
	if got := temporaries(t, into); len(got) > 0 {
		t.Errorf("temporary files left: %v", got)
	}
	if st, err := os.Stat(r.Path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("restored file: %v, %v; want it readable by its owner only", st, err)
	}

	db := openSite(t, into)
	a, err := db.ArticleBySlug(ctx, "harbour")
	if err != nil || a.Headline != "Harbour bridge reopens" || !strings.Contains(a.BodyHTML, "<em>reopens</em>") {
		t.Errorf("article: %+v, %v", a, err)
	}
	cs, err := db.Thread(ctx, comment.Query{ArticleID: a.ID, Limit: 10})
	if err != nil || len(cs) != 1 || cs[0].Name != "Rosa" || cs[0].Body != "At last!" {
		t.Errorf("comments: %+v, %v", cs, err)
	}
	sub, err := db.SubscriberByEmail(ctx, "reader@example.org")
	if err != nil || len(sub.Subs) != 1 || sub.Consent != "form" {
		t.Errorf("subscriber: %+v, %v", sub, err)
	}
	u, err := db.UserByEmail(ctx, "ed@courier.example")
	if err != nil || u.Name != "Ed" || u.Role != account.Editor || u.PasswordHash != "hash-of-a-passphrase" {
		t.Errorf("user: %+v, %v", u, err)
	}
	site, err := db.Site(ctx)
	if err != nil || site.Title != "The Merrow Courier" || site.Tagline != "News of the estuary" {
		t.Errorf("settings: %+v, %v", site, err)
	}
	queued, err := db.OutboxList(ctx, mail.Queued, 0, 10)
	var to []string
	for _, m := range queued {
		to = append(to, m.To)
	}
	slices.Sort(to)
	if err != nil || !slices.Equal(to, []string{"ed@courier.example", "reader@example.org"}) {
		t.Errorf("outbox: %v, %v; want the editor's message and the reader's confirmation", to, err)
	}
	imgs, err := db.Images(ctx, 10)
	must(t, err)
	if len(imgs) != 1 || imgs[0].Alt != "The bridge at dawn" {
		t.Fatalf("images: %+v", imgs)
	}
	v, err := db.ImageVariant(ctx, imgs[0].ID, 800)
	if err != nil || string(v.Bytes) != "not really a jpeg" {
		t.Errorf("image bytes: %+v, %v", v, err)
	}
}

// A data directory that holds a database is not restored into without
// force; with force, not while a program has the database open; and then
// the database that was there is kept beside the restored one, with what
// its write-ahead log held when its server died.
func TestRestoreOverExistingDatabase(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	seedSite(t, openSite(t, live), "From the backup")
	dst := filepath.Join(t.TempDir(), "site.db.zst")
	_, err := Snapshot(ctx, filepath.Join(live, sqlite.FileName), dst, nil)
	must(t, err)

	// The data directory of a server killed with a write in its log: the
	// files a live database has on disk, copied while nothing writes.
	running := t.TempDir()
	old := openSite(t, running)
	d := newDesk(t, old)
	must(t, old.CreateArticle(ctx, d.article("old-site", "Was here first.")))
	must(t, old.CreateArticle(ctx, d.article("last-word", "Only in the log.")))
	data := t.TempDir()
	for _, name := range []string{sqlite.FileName, sqlite.FileName + "-wal"} {
		b, err := os.ReadFile(filepath.Join(running, name))
		must(t, err)
		if name == sqlite.FileName+"-wal" && len(b) == 0 {
			t.Fatal("the write-ahead log is empty: nothing to carry over")
		}
		must(t, os.WriteFile(filepath.Join(data, name), b, 0o600))
	}
	before := snapshotDir(t, data)

	_, err = Restore(ctx, dst, data, false, nil)
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), filepath.Join(data, sqlite.FileName)) {
		t.Errorf("Restore without force: %v; want ErrExists naming the file", err)
	}
	sameDir(t, data, before, "after a restore without force")

	open := openSite(t, data)
	_, err = Restore(ctx, dst, data, true, nil)
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "serve") {
		t.Errorf("Restore while the database is open: %v; want ErrInUse", err)
	}
	must(t, open.Close())

	r, err := Restore(ctx, dst, data, true, nil)
	must(t, err)
	wantKept := filepath.Join(data, sqlite.FileName+".before-restore-")
	if !strings.HasPrefix(r.Kept, wantKept) || len(r.Kept) != len(wantKept)+len("20061204T153000Z") {
		t.Errorf("Kept = %q, want %sYYYYMMDDTHHMMSSZ", r.Kept, wantKept)
	}
	if got := temporaries(t, data); len(got) > 0 {
		t.Errorf("temporary files left: %v", got)
	}
	for _, name := range files(t, data) {
		if name == sqlite.FileName+"-wal" || name == sqlite.FileName+"-shm" {
			t.Errorf("%s is left beside the restored database", name)
		}
	}
	restored := openSite(t, data)
	if a, err := restored.ArticleBySlug(ctx, "harbour"); err != nil || a.Headline != "From the backup" {
		t.Errorf("restored database: %+v, %v", a, err)
	}
	if _, err := restored.ArticleBySlug(ctx, "old-site"); err == nil {
		t.Error("the old site's article is in the restored database")
	}
	kept, err := sqlite.Open(ctx, r.Kept)
	must(t, err)
	defer kept.Close()
	for _, slug := range []string{"old-site", "last-word"} {
		if _, err := kept.ArticleBySlug(ctx, slug); err != nil {
			t.Errorf("kept database: %s: %v", slug, err)
		}
	}
}

// snapshotDir is every file in dir with its bytes.
func snapshotDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range files(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		must(t, err)
		out[name] = b
	}
	return out
}

func sameDir(t *testing.T, dir string, want map[string][]byte, when string) {
	t.Helper()
	got := snapshotDir(t, dir)
	for name, b := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: %s is gone", when, name)
		} else if !bytes.Equal(g, b) {
			t.Errorf("%s: %s changed", when, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s appeared", when, name)
		}
	}
}

// A backup changed anywhere, cut short, or not a backup at all is refused
// by Verify and by Restore with a message saying so, and the data
// directory is left as it was, empty or not.
func TestDamagedBackupRefused(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	site := openSite(t, live)
	seedSite(t, site, "Intact")
	good := filepath.Join(t.TempDir(), "site.db.zst")
	_, err := Snapshot(ctx, filepath.Join(live, sqlite.FileName), good, nil)
	must(t, err)
	must(t, site.Close()) // stopped, as a site is before a restore
	orig, err := os.ReadFile(good)
	must(t, err)

	type damage struct {
		name string
		b    []byte
		want string
	}
	var cases []damage
	for _, at := range []int{4, 12, len(orig) / 4, len(orig) / 2, 3 * len(orig) / 4, len(orig) - 6, len(orig) - 1} {
		b := bytes.Clone(orig)
		b[at] ^= 0x5a
		b[min(at+1, len(b)-1)] ^= 0xff
		cases = append(cases, damage{fmt.Sprintf("bytes flipped at %d of %d", at, len(orig)), b, "damaged"})
	}
	cases = append(cases,
		damage{"end cut off", orig[:len(orig)-100], "ends early"},
		damage{"cut in half", orig[:len(orig)/2], "ends early"},
		damage{"empty", nil, "it is empty"},
		damage{"not a backup", []byte("name,email\nAna,ana@example.org\n"), "not zstd-compressed"},
	)
	// A database damaged before it was compressed: the stream is sound,
	// the database inside is not.
	broken := filepath.Join(t.TempDir(), sqlite.FileName)
	pages, err := os.ReadFile(filepath.Join(live, sqlite.FileName))
	must(t, err)
	for i := 2 * 4096; i < 6*4096 && i < len(pages); i++ {
		pages[i] = 0xff
	}
	must(t, os.WriteFile(broken, pages, 0o600))
	packed, err := os.ReadFile(packDatabase(t, broken))
	must(t, err)
	cases = append(cases, damage{"damaged database inside", packed, "damaged"})
	notSite := filepath.Join(t.TempDir(), "notes.db")
	raw, err := sqlOpen(notSite)
	must(t, err)
	_, err = raw.Exec(`CREATE TABLE notes (body TEXT)`)
	must(t, err)
	must(t, raw.Close())
	packed, err = os.ReadFile(packDatabase(t, notSite))
	must(t, err)
	cases = append(cases, damage{"another program's database", packed, "no Broadsheet site"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad.db.zst")
			must(t, os.WriteFile(bad, c.b, 0o600))
			_, err := Verify(ctx, bad)
			t.Log(err)
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), bad) {
				t.Errorf("Verify: %v; want ErrDamaged saying %q and naming the file", err, c.want)
			}
			empty := t.TempDir()
			if _, err := Restore(ctx, bad, empty, false, nil); !errors.Is(err, ErrDamaged) {
				t.Errorf("Restore into an empty directory: %v; want ErrDamaged", err)
			}
			if got := files(t, empty); len(got) > 0 {
				t.Errorf("Restore left %v in the empty directory", got)
			}
			if _, err := Restore(ctx, bad, live, true, nil); !errors.Is(err, ErrDamaged) {
				t.Errorf("Restore --force over a site: %v; want ErrDamaged", err)
			}
			for _, name := range files(t, live) {
				if name != sqlite.FileName {
					t.Errorf("Restore --force of a damaged backup left %s beside the site", name)
				}
			}
		})
	}
	// The site is still the one that was there.
	db := openSite(t, live)
	if a, err := db.ArticleBySlug(ctx, "harbour"); err != nil || a.Headline != "Intact" {
		t.Errorf("after the refused restores: %+v, %v", a, err)
	}
}

// sqlOpen opens the database at path as a program other than Broadsheet
// would.
func sqlOpen(path string) (*sql.DB, error) {
	return sql.Open("sqlite", dsn(path, "_pragma=busy_timeout(10000)"))
}

// packDatabase writes the database at path as a backup file without the
// checks Snapshot makes, as another program, or a newer one, might have.
func packDatabase(t *testing.T, path string) string {
	t.Helper()
	// Only the database file is packed: whatever a connection left in the
	// write-ahead log must be in it first.
	raw, err := sqlOpen(path)
	must(t, err)
	raw.SetMaxOpenConns(1)
	var busy, logged, moved int
	must(t, raw.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &moved))
	must(t, raw.Close())
	if busy != 0 {
		t.Fatalf("%s: the write-ahead log could not be checkpointed (%d of %d frames)", path, moved, logged)
	}
	out, err := os.Create(filepath.Join(t.TempDir(), "packed.db.zst"))
	must(t, err)
	defer out.Close()
	_, err = compress(context.Background(), path, out, orNothing(nil))
	must(t, err)
	return out.Name()
}

// A backup from a newer Broadsheet, whose schema this one does not know,
// is refused with both versions named; one from an older Broadsheet is
// accepted, since serve brings it up to date.
func TestSchemaVersions(t *testing.T) {
	ctx := context.Background()
	known, err := sqlite.SchemaVersion()
	must(t, err)
	for _, tt := range []struct {
		name    string
		version int
		newer   bool
	}{
		{"newer", known + 1, true},
		{"older", known - 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			db := openSite(t, dir)
			seedSite(t, db, "Versioned")
			must(t, db.Close())
			path := filepath.Join(dir, sqlite.FileName)
			raw, err := sqlOpen(path)
			must(t, err)
			_, err = raw.Exec(`DELETE FROM schema_migrations WHERE version >= ?`, known)
			must(t, err)
			if tt.newer {
				_, err = raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0), (?, 'future2', 0)`, known, known+1)
				must(t, err)
			}
			must(t, raw.Close())
			packed := packDatabase(t, path)

			info, verr := Verify(ctx, packed)
			_, serr := Snapshot(ctx, path, filepath.Join(t.TempDir(), "snap.db.zst"), nil)
			into := t.TempDir()
			_, rerr := Restore(ctx, packed, into, false, nil)
			if !tt.newer {
				if verr != nil || serr != nil || rerr != nil || info.Version != known-1 {
					t.Errorf("an older schema: Verify %+v, %v; Snapshot %v; Restore %v", info, verr, serr, rerr)
				}
				return
			}
			versions := fmt.Sprintf("version %d and this program knows versions up to %d", known+1, known)
			for name, err := range map[string]error{"Verify": verr, "Snapshot": serr, "Restore": rerr} {
				if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), versions) {
					t.Errorf("%s: %v; want ErrSchemaTooNew saying %q", name, err, versions)
				}
			}
			if got := files(t, into); len(got) > 0 {
				t.Errorf("the refused restore left %v", got)
			}
		})
	}
}

// A backup stopped at any step — its context cancelled — leaves nothing
// at its destination and no temporary file.
func TestSnapshotCancelled(t *testing.T) {
	live := t.TempDir()
	seedSite(t, openSite(t, live), "Cancelled")
	for _, at := range []string{"copying", "compressing"} {
		t.Run(at, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dir := t.TempDir()
			dst := filepath.Join(dir, "site.db.zst")
			_, err := Snapshot(ctx, filepath.Join(live, sqlite.FileName), dst, func(step string, done, total int64) {
				if step == at {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Snapshot cancelled while %s: %v", at, err)
			}
			if got := files(t, dir); len(got) > 0 {
				t.Errorf("left behind: %v", got)
			}
		})
	}
}

// Temporary files of a backup whose process has gone (killed midway) are
// removed by the next backup into that directory; those of a process
// still running are not.
func TestStaleTemporariesRemoved(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	seedSite(t, openSite(t, live), "Stale")
	gone := exec.Command(os.Args[0], "-test.run=^$")
	must(t, gone.Run())
	dir := t.TempDir()
	stale := []string{
		fmt.Sprintf(".broadsheet-backup-%d-1234.db", gone.Process.Pid),
		fmt.Sprintf(".broadsheet-backup-%d-1234.db-journal", gone.Process.Pid),
		fmt.Sprintf(".broadsheet-backup-%d-5678.zst", gone.Process.Pid),
	}
	alive := []string{
		fmt.Sprintf(".broadsheet-backup-%d-1.zst", os.Getppid()), // the go command, running
		fmt.Sprintf(".broadsheet-backup-%d-2.zst", os.Getpid()),
		".broadsheet-backup-notes.txt", // not one of ours
		"site-2026-12-03.db.zst",
	}
	for _, name := range append(slices.Clone(stale), alive...) {
		must(t, os.WriteFile(filepath.Join(dir, name), []byte("partial"), 0o600))
	}
	_, err := Snapshot(ctx, filepath.Join(live, sqlite.FileName), filepath.Join(dir, "site-2026-12-04.db.zst"), nil)
	must(t, err)
	got := files(t, dir)
	want := append(slices.Clone(alive), "site-2026-12-04.db.zst")
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("after the backup the directory holds %v; want %v", got, want)
	}
}

// A backup is a zstd stream of a SQLite database file, with its checksum:
// any zstd decoder gives back a database sqlite3 opens.
func TestFormat(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	seedSite(t, openSite(t, live), "Format")
	dst := filepath.Join(t.TempDir(), "site.db.zst")
	info, err := Snapshot(ctx, filepath.Join(live, sqlite.FileName), dst, nil)
	must(t, err)
	f, err := os.Open(dst)
	must(t, err)
	defer f.Close()
	dec, err := zstd.NewReader(f)
	must(t, err)
	defer dec.Close()
	db, err := io.ReadAll(dec)
	must(t, err)
	if !bytes.HasPrefix(db, []byte("SQLite format 3\x00")) || int64(len(db)) != info.DatabaseSize {
		t.Errorf("decompressed: %d bytes starting %q; want the %d bytes of a SQLite database", len(db), db[:min(16, len(db))], info.DatabaseSize)
	}
	// Bytes 18 and 19 are the read and write versions: 1 is a rollback
	// journal, 2 WAL. A restored file stands alone.
	if db[18] != 1 || db[19] != 1 {
		t.Errorf("file format versions %d, %d; want 1, 1 (rollback journal)", db[18], db[19])
	}
	if fi, _ := f.Stat(); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v, want readable by its owner only", fi.Mode().Perm())
	}
	missing := filepath.Join(t.TempDir(), "data", sqlite.FileName)
	if _, err := Snapshot(ctx, missing, filepath.Join(t.TempDir(), "x.zst"), nil); err == nil || !strings.Contains(err.Error(), "no database at "+missing) {
		t.Errorf("Snapshot of a database that does not exist: %v", err)
	}
	if exists(missing) {
		t.Error("Snapshot created the database it was asked to back up")
	}
}

// A write-ahead log or rollback journal with no database beside it would
// be replayed into the restored database: it counts as a database there,
// refused without force and kept aside with it.
func TestRestoreMovesAStrayLog(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	seedSite(t, openSite(t, live), "Clean")
	dst := filepath.Join(t.TempDir(), "site.db.zst")
	_, err := Snapshot(ctx, filepath.Join(live, sqlite.FileName), dst, nil)
	must(t, err)
	for _, stray := range []string{"-wal", "-journal"} {
		data := t.TempDir()
		must(t, os.WriteFile(filepath.Join(data, sqlite.FileName+stray), []byte("frames of another database"), 0o600))
		if _, err := Restore(ctx, dst, data, false, nil); !errors.Is(err, ErrExists) {
			t.Errorf("%s alone, without force: %v; want ErrExists", stray, err)
		}
		r, err := Restore(ctx, dst, data, true, nil)
		must(t, err)
		if !exists(r.Kept+stray) || exists(r.Path+stray) {
			t.Errorf("%s alone, with force: kept %q; the directory holds %v", stray, r.Kept, files(t, data))
		}
	}
}
