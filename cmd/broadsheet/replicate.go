package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"broadsheet/internal/backup"
	"broadsheet/internal/metrics"
)

// postgresReplica is the answer of --replicate-to on PostgreSQL.
const postgresReplica = "--replicate-to replicates the SQLite database only; on PostgreSQL, continuous protection is " +
	"base backups (pg_basebackup) with WAL archiving, which recover to any moment: see docs/operations.md"

// replication is serve's continuous replica of the database.
type replication struct {
	*backup.Replica
	dir string
}

// startReplica starts replicating the database into c.ReplicateTo and
// puts its figures in /metrics; nil when replication is off.
func startReplica(ctx context.Context, c Config, log *slog.Logger, reg *metrics.Registry) (*replication, error) {
	if c.ReplicateTo == "" {
		return nil, nil
	}
	if err := checkDir("replica directory", c.ReplicateTo); err != nil {
		return nil, usageError{err}
	}
	r, err := backup.StartReplica(ctx, dbPath(c), c.ReplicateTo, c.ReplicateRetention, log.With("replica", c.ReplicateTo))
	if err != nil {
		return nil, err
	}
	rep := &replication{Replica: r, dir: c.ReplicateTo}
	reg.Gauge("broadsheet_replica_last_sync_timestamp_seconds",
		"When the replica last caught up with the database (Unix time; 0 before the first time). It tries every second.",
		func() float64 {
			if at := rep.LastSync(); !at.IsZero() {
				return float64(at.UnixMilli()) / 1e3
			}
			return 0
		})
	reg.Gauge("broadsheet_replica_oldest_timestamp_seconds", "The earliest moment the replica can restore (Unix time; 0 before its first snapshot).",
		func() float64 {
			if at := rep.Status().Oldest; !at.IsZero() {
				return float64(at.Unix())
			}
			return 0
		})
	reg.Counter("broadsheet_replica_errors_total", "Errors replicating the database (one that repeats counts at most every 30 seconds).",
		func() uint64 { return uint64(rep.Errors()) })
	log.Info("replicating the database continuously", "to", c.ReplicateTo, "every", backup.ReplicaSyncInterval, "retention", c.ReplicateRetention)
	return rep, nil
}

// stop closes the site's database, then ships what the replica lacks
// and stops it (see backup.Replica.Close). Nothing is left to ship after
// it: a restore from the replica gives every write serve acknowledged.
func (r *replication) stop(db interface{ Close() error }, log *slog.Logger) {
	if r == nil {
		return
	}
	if err := db.Close(); err != nil {
		log.Error("closing the database", "err", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := r.Close(ctx); err != nil {
		log.Error("the replica may lack the last writes", "to", r.dir, "err", err)
		return
	}
	log.Info("replica up to date and stopped", "to", r.dir)
}

// backupStatus is what the newsroom shows of scheduled backups and of
// the replica; nil when there are neither.
func backupStatus(s *backupSchedule, r *replication) func() backup.Status {
	if s == nil && r == nil {
		return nil
	}
	return func() backup.Status {
		var st backup.Status
		if s != nil {
			st = s.status()
		}
		if r != nil {
			rs := r.Status()
			st.Replica = &rs
		}
		return st
	}
}

// restoreReplica rebuilds the database in dataDir from the replica in
// dir, as it was at the moment toTime names (RFC 3339), or the latest:
//
//	broadsheet restore --from-replica DIR [--to-time TIME] [--data DIR] [--force]
func restoreReplica(ctx context.Context, dir, toTime, dataDir string, force bool, stdout, stderr io.Writer) error {
	var at time.Time
	if toTime != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, toTime); err != nil {
			return usageError{fmt.Errorf("--to-time %q: want a moment such as 2026-12-04T17:30:00Z (UTC) or 2026-12-04T18:30:00+01:00", toTime)}
		}
		if at.After(time.Now()) {
			return usageError{fmt.Errorf("--to-time %s is in the future", toTime)}
		}
	}
	bars := newBars(stderr)
	if bars != nil { // a person at a terminal; a script reads the one line at the end
		moment := "its latest state"
		if !at.IsZero() {
			moment = "the moment " + at.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(stderr, "Restoring %s from the replica in %s, as of %s\n", dbPath(Config{DataDir: dataDir}), dir, moment)
	}
	r, err := backup.RestoreReplica(ctx, dir, dataDir, at, force, bars.progress())
	bars.finish()
	if err != nil {
		return restoreError(err)
	}
	latest := ""
	if !at.IsZero() && !at.Before(r.Latest) {
		latest = " (the replica's latest state: nothing was shipped after it)"
	}
	fmt.Fprintf(stdout, "restored %s from the replica in %s as of %s%s, %d files read: %s; database %s, schema version %d, in %s%s\n",
		r.Path, dir, r.At.UTC().Format("2006-01-02T15:04:05.000Z"), latest, r.Files, counts(r.Rows), size(r.DatabaseSize), r.Version,
		r.Duration.Round(time.Millisecond), keptNote(r.Restored))
	return nil
}
