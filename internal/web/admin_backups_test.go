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

// With a replica and no schedule, admins see the replica: where it is,
// how far back it reaches, when it last caught up, an error since; and a
// warning once it has not caught up for a minute.
func TestReplicaInTheNewsroom(t *testing.T) {
	ns := newNewsroom(t)
	if body := ns.do("GET", "/admin/backups", account.Admin, nil).Body.String(); !strings.Contains(body, "No continuous replica") {
		t.Error("the backups page without a replica does not say so")
	}
	rs := &backup.ReplicaStatus{Dir: "/replica", Retention: 72 * time.Hour, LastSync: ns.clock.Add(-2 * time.Second),
		Oldest: ns.clock.Add(-50 * time.Hour), Errors: 3, ErrorAt: ns.clock.Add(-time.Second), Error: "sync error: disk <full>"}
	ns.srv.backups = func() backup.Status { return backup.Status{Replica: rs} }
	body := ns.do("GET", "/admin/backups", account.Admin, nil).Body.String()
	for _, want := range []string{
		"Scheduled backups are off",
		"Every change is copied within about a second into /replica; any moment of the last 72h0m0s can be restored.",
		"Last caught up with the database", "(2s ago)", "Reaches back to",
		`role="alert">Replication failed`, "disk &lt;full&gt;", "Errors since the site started: 3.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("backups page lacks %q", want)
		}
	}
	if strings.Contains(body, "has not caught up with the database for more than a minute") {
		t.Error("a replica two seconds behind is called stale")
	}
	rs.LastSync = ns.clock.Add(-2 * time.Minute)
	if body := ns.do("GET", "/admin/backups", account.Admin, nil).Body.String(); !strings.Contains(body, "has not caught up with the database for more than a minute") {
		t.Error("a replica two minutes behind is not called stale")
	}
}
