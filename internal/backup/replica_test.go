package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"broadsheet/internal/store/sqlite"
)

// filed is an article written and when its write was acknowledged.
type filed struct {
	slug  string
	acked time.Time
}

// A site is written to without a break, but for one pause, while its
// database is replicated. Restored to a moment T in that pause, the
// replica gives exactly the articles acknowledged before T. The replica
// directory is copied while the writes go on, as a crash would leave it:
// restored, that copy holds every article acknowledged more than two
// seconds before the copy began, and no article without all those filed
// before it. Closed cleanly, the replica holds every article.
func TestReplicaPointInTime(t *testing.T) {
	ctx := context.Background()
	live, dir := t.TempDir(), filepath.Join(t.TempDir(), "replica")
	db := openSite(t, live)
	d := newDesk(t, db)
	logs, err := os.Create(filepath.Join(t.TempDir(), "replica.log"))
	must(t, err)
	defer logs.Close()
	rep, err := StartReplica(ctx, db.Path(), dir, DefaultReplicaRetention, slog.New(slog.NewTextHandler(logs, nil)))
	must(t, err)
	defer func() {
		if t.Failed() {
			b, _ := os.ReadFile(logs.Name())
			t.Logf("replica's log:\n%s", b)
		}
	}()

	var (
		mu      sync.Mutex
		written []filed
		pause   = make(chan chan struct{})
		stop    = make(chan struct{})
		failed  error
	)
	var wg sync.WaitGroup
	wg.Go(func() {
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case resume := <-pause:
				<-resume
			default:
			}
			slug := fmt.Sprintf("story-%04d", n)
			if err := db.CreateArticle(ctx, d.article(slug, "Filed while the replica ran.")); err != nil {
				failed = err
				return
			}
			mu.Lock()
			written = append(written, filed{slug, time.Now()})
			mu.Unlock()
			time.Sleep(10 * time.Millisecond)
		}
	})
	acked := func() []filed {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(written)
	}

	time.Sleep(3 * time.Second) // the first batch
	resume := make(chan struct{})
	pause <- resume
	first := acked()
	// Long enough for the last of them to be shipped, and for T to fall
	// well between the two batches.
	time.Sleep(3 * time.Second)
	at := time.Now()
	time.Sleep(500 * time.Millisecond)
	close(resume)
	time.Sleep(4 * time.Second) // the second batch, going on

	// A crash: the replica as it is on disk now, while writes go on.
	crashed := time.Now()
	copied := filepath.Join(t.TempDir(), "copied")
	copyDir(t, dir, copied)
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	if failed != nil {
		t.Fatal(failed)
	}
	all := acked()
	if n := rep.Errors(); n != 0 || rep.LastSync().Before(crashed) {
		t.Errorf("replica: %d errors, last sync %s; want none, and a sync in the last second", n, rep.LastSync())
	}
	must(t, rep.Close(ctx))
	must(t, db.Close())
	if len(first) < 20 || len(all)-len(first) < 20 {
		t.Fatalf("%d articles in the first batch, %d in the second; want more", len(first), len(all)-len(first))
	}

	// To T: the first batch, exactly.
	into := t.TempDir()
	r, err := RestoreReplica(ctx, dir, into, at, false, nil)
	must(t, err)
	if got, want := slugsIn(t, into), slugs(first); !slices.Equal(got, want) {
		t.Errorf("restored to T: %d articles (%s … %s), want the first batch's %d (%s … %s)",
			len(got), head(got), tail(got), len(want), head(want), tail(want))
	}
	if !r.At.Before(at) || r.At.Before(first[len(first)-1].acked) || r.Latest.Before(all[len(all)-1].acked) {
		t.Errorf("restored to T = %s: the state of %s, replica's latest %s; want a moment between the first batch's last write (%s) and T",
			at.Format(time.StampMilli), r.At.Format(time.StampMilli), r.Latest.Format(time.StampMilli), first[len(first)-1].acked.Format(time.StampMilli))
	}
	if want, _ := sqlite.SchemaVersion(); r.Version != want || r.Rows[0] != (Count{"articles", int64(len(first))}) || r.Files == 0 {
		t.Errorf("RestoreReplica = %+v", r)
	}
	if st, err := os.Stat(r.Path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("restored file: %v, %v; want it readable by its owner only", st, err)
	}

	// The copy taken as if the site crashed: everything up to two seconds
	// before, and nothing out of order.
	into = t.TempDir()
	_, err = RestoreReplica(ctx, copied, into, time.Time{}, false, nil)
	must(t, err)
	got := slugsIn(t, into)
	if !slices.Equal(got, slugs(all[:len(got)])) {
		t.Errorf("restored from the crashed replica: %d articles that are not the first %d filed", len(got), len(got))
	}
	var due []filed
	for _, f := range all {
		if f.acked.Before(crashed.Add(-2 * time.Second)) {
			due = append(due, f)
		}
	}
	if len(got) < len(due) {
		t.Errorf("restored from the crashed replica: %d articles; want at least the %d acknowledged two seconds before the crash", len(got), len(due))
	} else if len(got) > 0 {
		newest := all[len(got)-1]
		t.Logf("the crashed replica held every article acknowledged up to %s before the crash", crashed.Sub(newest.acked).Round(time.Millisecond))
	}

	// Closed cleanly: everything.
	into = t.TempDir()
	_, err = RestoreReplica(ctx, dir, into, time.Time{}, false, nil)
	must(t, err)
	if got := slugsIn(t, into); !slices.Equal(got, slugs(all)) {
		t.Errorf("restored after a clean stop: %d articles, want all %d", len(got), len(all))
	}
}

// The database of a site that is replicated holds Litestream's two
// tables; backed up and restored, it opens, and replicates again.
func TestReplicatedSiteBackedUp(t *testing.T) {
	ctx := context.Background()
	live := t.TempDir()
	db := openSite(t, live)
	seedSite(t, db, "Replicated")
	rep, err := StartReplica(ctx, db.Path(), t.TempDir(), DefaultReplicaRetention, slog.New(slog.DiscardHandler))
	must(t, err)
	waitSynced(t, rep)
	raw, err := sqlOpen(db.Path())
	must(t, err)
	var tables string
	err = raw.QueryRow(`SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master
		WHERE type = 'table' AND name LIKE '\_litestream%' ESCAPE '\' ORDER BY name)`).Scan(&tables)
	raw.Close()
	must(t, err)
	if tables != "_litestream_lock _litestream_seq" {
		t.Errorf("Litestream's tables in the replicated database: %q", tables)
	}
	dst := filepath.Join(t.TempDir(), "site.db.zst")
	_, err = Snapshot(ctx, db.Path(), dst, nil)
	must(t, err)
	must(t, rep.Close(ctx))
	into := t.TempDir()
	_, err = Restore(ctx, dst, into, false, nil)
	must(t, err)
	restored := openSite(t, into)
	if a, err := restored.ArticleBySlug(ctx, "harbour"); err != nil || a.Headline != "Replicated" {
		t.Fatalf("article: %+v, %v", a, err)
	}
	again, err := StartReplica(ctx, restored.Path(), t.TempDir(), DefaultReplicaRetention, slog.New(slog.DiscardHandler))
	must(t, err)
	waitSynced(t, again)
	must(t, again.Close(ctx))
	if n := again.Errors(); n != 0 {
		t.Errorf("replicating the restored site: %d errors", n)
	}
}

// A replica that cannot be written to, or a log that cannot be read, is
// reported: errors counted, the last one kept, and the moment it last
// caught up left where it was, for /metrics and the newsroom to show its
// age. Once the way is clear again, it catches up.
func TestReplicaFailureReported(t *testing.T) {
	ctx := context.Background()
	live, dir := t.TempDir(), t.TempDir()
	db := openSite(t, live)
	d := newDesk(t, db)
	rep, err := StartReplica(ctx, db.Path(), dir, DefaultReplicaRetention, slog.New(slog.DiscardHandler))
	must(t, err)
	defer rep.Close(ctx)
	waitSynced(t, rep)

	for i, blocked := range []string{
		filepath.Join(dir, "ltx", "0"),                    // where the replica's files go
		filepath.Join(replicaMeta(db.Path()), "ltx", "0"), // where the log is read to, beside the database
	} {
		// A file where a directory should be: refused even to root.
		must(t, os.Rename(blocked, blocked+".away"))
		must(t, os.WriteFile(blocked, nil, 0o600))
		must(t, db.CreateArticle(ctx, d.article(fmt.Sprintf("blocked-%d", i), "Written while the replica was blocked.")))
		deadline := time.Now().Add(20 * time.Second)
		for rep.Status().Error == "" && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		last := rep.LastSync()
		time.Sleep(2 * time.Second)
		st := rep.Status()
		if st.Error == "" || st.Errors == 0 || !st.LastSync.Equal(last) || !st.ErrorAt.After(st.LastSync) {
			t.Errorf("%s blocked: %+v; want an error counted and kept, and no sync since %s", blocked, st, last.Format(time.StampMilli))
		}
		must(t, os.Remove(blocked))
		must(t, os.Rename(blocked+".away", blocked))
		deadline = time.Now().Add(60 * time.Second)
		for !rep.LastSync().After(st.ErrorAt) {
			if time.Now().After(deadline) {
				t.Fatalf("%s cleared: the replica has not caught up in a minute: %+v", blocked, rep.Status())
			}
			time.Sleep(100 * time.Millisecond)
		}
		if st := rep.Status(); st.Error != "" {
			t.Errorf("%s cleared: still reported: %+v", blocked, st)
		}
	}
	must(t, rep.Close(ctx))
	must(t, db.Close())
	into := t.TempDir()
	_, err = RestoreReplica(ctx, dir, into, time.Time{}, false, nil)
	must(t, err)
	if got := slugsIn(t, into); !slices.Equal(got, []string{"blocked-0", "blocked-1"}) {
		t.Errorf("restored after the failures: %v", got)
	}
}

// A restore from a replica is refused, and changes nothing, when the
// directory holds no replica, when the moment asked for is older than
// the replica, and over a database unless forced; forced, the database
// there is kept beside, with Litestream's record of it.
func TestReplicaRestoreRefusals(t *testing.T) {
	ctx := context.Background()
	live, dir := t.TempDir(), t.TempDir()
	db := openSite(t, live)
	seedSite(t, db, "Replicated")
	rep, err := StartReplica(ctx, db.Path(), dir, DefaultReplicaRetention, slog.New(slog.DiscardHandler))
	must(t, err)
	waitSynced(t, rep)

	into := t.TempDir()
	for _, tt := range []struct {
		dir  string
		at   time.Time
		want error
	}{
		{t.TempDir(), time.Time{}, ErrNoReplica},
		{filepath.Join(t.TempDir(), "missing"), time.Time{}, ErrNoReplica},
		{dir, time.Now().Add(-time.Hour), ErrNotInReplica},
	} {
		if _, err := RestoreReplica(ctx, tt.dir, into, tt.at, false, nil); !errors.Is(err, tt.want) {
			t.Errorf("RestoreReplica(%s, %s) = %v, want %v", tt.dir, tt.at, err, tt.want)
		}
		if got := files(t, into); len(got) > 0 {
			t.Errorf("a refused restore left %v", got)
		}
	}
	// Over the replicated site itself: refused, then refused while it runs.
	if _, err := RestoreReplica(ctx, dir, live, time.Time{}, false, nil); !errors.Is(err, ErrExists) {
		t.Errorf("restore over a database without force: %v, want ErrExists", err)
	}
	if _, err := RestoreReplica(ctx, dir, live, time.Time{}, true, nil); !errors.Is(err, ErrInUse) {
		t.Errorf("restore over a database being replicated: %v, want ErrInUse", err)
	}
	must(t, rep.Close(ctx))
	must(t, db.Close())
	var steps []string
	r, err := RestoreReplica(ctx, dir, live, time.Time{}, true, func(step string, done, total int64) {
		if done > total {
			t.Errorf("%s: done %d of %d", step, done, total)
		}
		if len(steps) == 0 || steps[len(steps)-1] != step {
			steps = append(steps, step)
		}
	})
	must(t, err)
	if r.Kept == "" || !slices.Equal(steps, []string{"replaying"}) {
		t.Errorf("RestoreReplica --force = %+v, steps %v", r, steps)
	}
	if _, err := os.Stat(replicaMeta(r.Kept)); err != nil {
		t.Errorf("Litestream's record of the database kept: %v", err)
	}
	if _, err := os.Stat(replicaMeta(r.Path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Litestream's record of the old database beside the restored one: %v", err)
	}
	if got := temporaries(t, live); len(got) > 0 {
		t.Errorf("temporary files left: %v", got)
	}
}

func waitSynced(t *testing.T, r *Replica) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if oldest := r.Status().Oldest; !oldest.IsZero() && r.LastSync().After(oldest) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica took no snapshot in 30s: %+v", r.Status())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// slugsIn lists the articles of the site in dir, once the database has
// opened as serve opens it.
func slugsIn(t *testing.T, dir string) []string {
	t.Helper()
	path := filepath.Join(dir, sqlite.FileName)
	site, err := sqlite.Open(context.Background(), path)
	must(t, err)
	must(t, site.Close())
	db, err := sqlOpen(path)
	must(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT slug FROM articles ORDER BY slug`)
	must(t, err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s))
		got = append(got, s)
	}
	must(t, rows.Err())
	return got
}

func slugs(fs []filed) []string {
	var s []string
	for _, f := range fs {
		s = append(s, f.slug)
	}
	return s
}

func head(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return s[0]
}

func tail(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return s[len(s)-1]
}

// copyDir copies the files under src to dst, as they are; a file removed
// meanwhile is left out.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		in, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		defer in.Close()
		st, err := in.Stat()
		if err != nil {
			return err
		}
		out, err := os.Create(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		// Litestream reads a file's time as the moment its changes were shipped.
		return os.Chtimes(filepath.Join(dst, rel), st.ModTime(), st.ModTime())
	})
	must(t, err)
}
