package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/backup"
)

// Admins see how scheduled backups stand: off, or the schedule, the last
// success, a failure since and the files kept; editors see none of it.
func TestBackupsInTheNewsroom(t *testing.T) {
	ns := newNewsroom(t)
	rec := ns.do("GET", "/admin/backups", account.Admin, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Scheduled backups are off") {
		t.Fatalf("backups page without a schedule = %d", rec.Code)
	}
	if rec := ns.do("GET", "/admin/backups", account.Editor, nil); rec.Code != http.StatusForbidden {
		t.Errorf("an editor reading backups = %d, want 403", rec.Code)
	}
	last := ns.clock.Add(-time.Hour)
	st := backup.Status{Dir: "/backups", Every: 6 * time.Hour, Keep: 28, Last: last, Size: 18_200_000, Took: 412 * time.Millisecond, Failures: 1,
		FailedAt: ns.clock.Add(-time.Minute), Error: "backup: no space left on <device>",
		Files: []backup.File{{Name: "broadsheet-20260601T080000Z.db.zst", Size: 18_200_000, At: last}}}
	ns.srv.backups = func() backup.Status { return st }
	body := ns.do("GET", "/admin/backups", account.Admin, nil).Body.String()
	for _, want := range []string{
		"A backup is written every 6h0m0s; the newest 28 are kept in /backups.",
		"Last backup, written and verified", "18.2 MB, 412ms",
		`role="alert">The last backup failed`, "no space left on &lt;device&gt;",
		"Failed since the site started: 1.",
		"<td>broadsheet-20260601T080000Z.db.zst</td>",
		`href="/admin/backups"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("backups page lacks %q", want)
		}
	}
	if strings.Contains(body, "No backup has succeeded for more than two intervals") {
		t.Error("a backup an hour old on a six-hour schedule is called stale")
	}
	st.Last, st.Error = ns.clock.Add(-13*time.Hour), ""
	if body := ns.do("GET", "/admin/backups", account.Admin, nil).Body.String(); !strings.Contains(body, "No backup has succeeded for more than two intervals") {
		t.Error("a backup thirteen hours old on a six-hour schedule is not called stale")
	}
}
