package backup

import "time"

// Status is what the newsroom shows of scheduled backups and of the
// replica. Dir is empty when backups are not scheduled.
type Status struct {
	Dir   string
	Every time.Duration
	Keep  int
	// The last backup written and verified; zero before the first.
	Last     time.Time
	Size     int64
	Took     time.Duration
	Failures int // since the site started
	// The last failure and why, when it came after the last success.
	FailedAt time.Time
	Error    string
	Files    []File // the backups kept, newest first
	// Replica is the continuous replica, when serve keeps one.
	Replica *ReplicaStatus
}

// File is one backup kept.
type File struct {
	Name string
	Size int64
	At   time.Time
}
