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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/superfly/ltx"
)

// Continuous replication ships the database's write-ahead log into a
// directory as it is written (Litestream's file replica, ADR 0015): what
// a snapshot taken every few hours would lose in a crash is there within
// about a second, and any moment of the last days can be restored.
const (
	// ReplicaSyncInterval is how often the write-ahead log is read, and
	// what it gained shipped at once: a change is in the replica at most
	// about this long after it was committed.
	ReplicaSyncInterval = time.Second
	// DefaultReplicaRetention is how far back a replica reaches unless
	// told otherwise.
	DefaultReplicaRetention = 72 * time.Hour
	// MinReplicaRetention is the shortest retention accepted: less than a
	// snapshot interval would leave most moments unrestorable.
	MinReplicaRetention = time.Hour
)

// snapshotEvery is how often a replica takes a whole copy of the
// database, from which a restore starts: daily, or as often as the
// retention when that is shorter.
func snapshotEvery(retention time.Duration) time.Duration {
	return min(retention, 24*time.Hour)
}

// Replica replicates a live database continuously into a directory.
type Replica struct {
	dir       string
	retention time.Duration
	db        *litestream.DB
	store     *litestream.Store
	errs      *replicaErrors
	caughtUp  atomic.Pointer[time.Time] // see LastSync
	closeOnce sync.Once
	closeErr  error
}

// StartReplica starts shipping the database at dbPath into dir, which it
// creates if need be, and keeps every moment of the last retention
// restorable (see RestoreReplica). Litestream keeps its own record of what
// it has shipped beside the database (.broadsheet.db-litestream) and adds
// two tables of its own to it, _litestream_seq and _litestream_lock; it
// takes over the folding of the write-ahead log into the database, which
// it does once a minute or every thousand pages. Its routine messages go
// to log at debug level, its warnings and errors as they are.
func StartReplica(ctx context.Context, dbPath, dir string, retention time.Duration, log *slog.Logger) (*Replica, error) {
	if retention < MinReplicaRetention {
		return nil, fmt.Errorf("replica: retention %s: want at least %s", retention, MinReplicaRetention)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("replica directory: %w", err)
	}
	r := &Replica{dir: dir, retention: retention, errs: &replicaErrors{}}
	logger := slog.New(replicaLog{inner: log.Handler(), errs: r.errs})

	r.db = litestream.NewDB(dbPath)
	r.db.MonitorInterval = ReplicaSyncInterval
	// As long as the site's own writers wait for the lock (the SQLite
	// engine's busy_timeout): a checkpoint waits for a long write, such
	// as a reindex, rather than failing and being reported as an error.
	r.db.BusyTimeout = 10 * time.Second
	client := file.NewReplicaClient(dir)
	rep := litestream.NewReplicaWithClient(r.db, client)
	// What the log gained is shipped as soon as it has been read: the
	// replica waits this long between two shipments, and would otherwise
	// miss, by a hair, the read that falls on the same tick as its own.
	rep.SyncInterval = ReplicaSyncInterval / 10
	client.Replica = rep // its files take the database file's mode and owner
	r.db.Replica = rep

	r.store = litestream.NewStore([]*litestream.DB{r.db}, litestream.DefaultCompactionLevels)
	every := snapshotEvery(retention)
	r.store.SnapshotInterval = every
	// Snapshots are kept an interval longer than the retention, so that
	// one at least as old as the retention is always there to start from.
	r.store.SnapshotRetention = retention + every
	r.store.SetShutdownSyncTimeout(10 * time.Second)
	r.store.Logger = logger
	r.db.SetLogger(logger)
	if err := r.store.Open(ctx); err != nil {
		return nil, fmt.Errorf("replica: %w", err)
	}
	return r, nil
}

// Close ships what the write-ahead log holds that the replica does not
// yet, and stops. Close the site's own connections first: Litestream's
// is then the last, and the log is neither folded in nor removed behind
// its back, so the next start carries on where this one stopped rather
// than copying the whole database again.
func (r *Replica) Close(ctx context.Context) error {
	r.closeOnce.Do(func() {
		if err := r.store.Close(ctx); err != nil {
			r.closeErr = fmt.Errorf("replica: %w", err)
		}
	})
	return r.closeErr
}

// LastSync is when the replica last caught up with the database (it
// tries every ReplicaSyncInterval, written to or not); zero before the
// first time.
func (r *Replica) LastSync() time.Time {
	shipped := r.db.LastSuccessfulSyncAt()
	if r.db.SyncDiagnostic().Error != "" {
		// The log could not be read: the replica keeps shipping what was
		// read before it, which is not catching up.
		if at := r.caughtUp.Load(); at != nil {
			return *at
		}
		return time.Time{}
	}
	r.caughtUp.Store(&shipped)
	return shipped
}

// Errors counts the errors Litestream reported since the start (a failure
// that repeats is reported at most every 30 seconds).
func (r *Replica) Errors() int {
	r.errs.mu.Lock()
	defer r.errs.mu.Unlock()
	return r.errs.n
}

// Status says how the replica stands, for the newsroom.
func (r *Replica) Status() ReplicaStatus {
	st := ReplicaStatus{Dir: r.dir, Retention: r.retention, LastSync: r.LastSync()}
	r.errs.mu.Lock()
	st.Errors, st.ErrorAt, st.Error = r.errs.n, r.errs.at, r.errs.msg
	r.errs.mu.Unlock()
	if !st.ErrorAt.After(st.LastSync) {
		st.ErrorAt, st.Error = time.Time{}, ""
	}
	st.Oldest, _ = oldestSnapshot(context.Background(), file.NewReplicaClient(r.dir))
	return st
}

// ReplicaStatus is what the newsroom shows of continuous replication.
type ReplicaStatus struct {
	Dir       string
	Retention time.Duration
	// LastSync is when the replica last caught up with the database.
	LastSync time.Time
	// Oldest is the earliest moment it can restore; zero before its
	// first snapshot.
	Oldest time.Time
	Errors int // since the site started
	// The last error and when, if it came after the last sync.
	ErrorAt time.Time
	Error   string
}

// ErrNoReplica means a directory holds no replica.
var ErrNoReplica = errors.New("no replica")

// ErrNotInReplica means a replica does not reach back to the moment asked
// for.
var ErrNotInReplica = errors.New("the replica does not reach back that far")

// ReplicaRestored is what RestoreReplica did.
type ReplicaRestored struct {
	Restored
	// At is when the last change restored was shipped: the database is as
	// it was then. Latest is when the replica's newest change was.
	At, Latest time.Time
	// Files is the number of replica files read.
	Files int
}

// RestoreReplica puts the database the replica in dir held at the moment
// at, or its newest state when at is zero, into dataDir, with Restore's
// refusals and safety: a database already there is refused unless force,
// refused while in use, and kept beside. The database is rebuilt from
// the replica beside it and checked (integrity, schema version, rows)
// before anything in dataDir is touched. A change is included when it was
// shipped before at: up to about two seconds of changes made just before
// at may be left out, and moments older than five minutes are restored
// at the half-minute (Litestream keeps the changes of each second that
// long, then merges them by 30 seconds).
func RestoreReplica(ctx context.Context, dir, dataDir string, at time.Time, force bool, progress Progress) (r ReplicaRestored, err error) {
	if st, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return r, fmt.Errorf("restore: replica %s: %w: there is no such directory", dir, ErrNoReplica)
	} else if err != nil {
		return r, fmt.Errorf("restore: replica: %w", err)
	} else if !st.IsDir() {
		return r, fmt.Errorf("restore: replica %s: %w: it is a file, not a replica's directory", dir, ErrNoReplica)
	}
	files := file.NewReplicaClient(dir)
	quiet := slog.New(slog.DiscardHandler)
	_, r.Latest, err = litestream.NewReplicaWithClient(nil, files).TimeBounds(ctx)
	if err != nil {
		return r, fmt.Errorf("restore: replica %s: %w", dir, err)
	}
	if r.Latest.IsZero() {
		return r, fmt.Errorf("restore: %s: %w: it holds no ltx directory of Litestream's files (is it the directory serve --replicate-to names?)", dir, ErrNoReplica)
	}
	plan, err := litestream.CalcRestorePlan(ctx, files, 0, at, quiet)
	if errors.Is(err, litestream.ErrTxNotAvailable) && !at.IsZero() {
		oldest, _ := oldestSnapshot(ctx, files)
		return r, fmt.Errorf("restore: replica %s: %w: asked for %s, it reaches back to %s", dir, ErrNotInReplica,
			at.UTC().Format(time.RFC3339), oldest.UTC().Format(time.RFC3339))
	}
	if err != nil {
		return r, fmt.Errorf("restore: replica %s: %w", dir, err)
	}
	last := plan[len(plan)-1]
	r.At = last.CreatedAt
	// The restore reads the files that reach that transaction: the same
	// state, not always the same files.
	if plan, err = litestream.CalcRestorePlan(ctx, files, last.MaxTXID, time.Time{}, quiet); err != nil {
		return r, fmt.Errorf("restore: replica %s: %w", dir, err)
	}
	r.Files = len(plan)
	var total int64
	for _, f := range plan {
		total += f.Size
	}
	counted := &countingClient{ReplicaClient: files, total: total, progress: orNothing(progress)}
	counted.progress("replaying", 0, total)
	r.Restored, err = install(ctx, dataDir, force, func(tmp *os.File) (Info, error) {
		// Litestream writes a file of its own there, and renames it into
		// place when whole.
		name := tmp.Name()
		tmp.Close()
		if err := os.Remove(name); err != nil {
			return Info{}, fmt.Errorf("restore: %w", err)
		}
		rep := litestream.NewReplicaWithClient(nil, counted)
		opt := litestream.NewRestoreOptions()
		opt.OutputPath, opt.TXID = name, last.MaxTXID
		if err := rep.Restore(ctx, opt); err != nil {
			return Info{}, fmt.Errorf("restore: replica %s: %w", dir, err)
		}
		// It holds password hashes and readers' addresses.
		if err := os.Chmod(name, 0o600); err != nil {
			return Info{}, fmt.Errorf("restore: %w", err)
		}
		info, err := inspect(ctx, name)
		if err != nil {
			return info, fmt.Errorf("restore: replica %s: the database rebuilt from it fails its checks: %w", dir, err)
		}
		info.Size = counted.read.Load()
		if st, err := os.Stat(name); err == nil {
			info.DatabaseSize = st.Size()
		}
		return info, nil
	})
	return r, err
}

// oldestSnapshot is the time of the replica's oldest whole copy of the
// database: the earliest moment a restore can start from.
func oldestSnapshot(ctx context.Context, c litestream.ReplicaClient) (time.Time, error) {
	itr, err := c.LTXFiles(ctx, litestream.SnapshotLevel, 0, false)
	if err != nil {
		return time.Time{}, err
	}
	defer itr.Close()
	var oldest time.Time
	for itr.Next() {
		if at := itr.Item().CreatedAt; oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
	}
	return oldest, itr.Close()
}

// replicaMeta is where Litestream keeps its record of what it has shipped
// of the database at path.
func replicaMeta(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+litestream.MetaDirSuffix)
}

// countingClient reads a file replica, telling progress how much of the
// restore's files it has read.
type countingClient struct {
	*file.ReplicaClient
	read     atomic.Int64
	total    int64
	mu       sync.Mutex
	progress Progress
}

func (c *countingClient) OpenLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, offset, size int64) (io.ReadCloser, error) {
	rc, err := c.ReplicaClient.OpenLTXFile(ctx, level, minTXID, maxTXID, offset, size)
	if err != nil {
		return nil, err
	}
	return &countingReader{ReadCloser: rc, c: c}, nil
}

type countingReader struct {
	io.ReadCloser
	c *countingClient
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	done := r.c.read.Add(int64(n))
	r.c.mu.Lock()
	r.c.progress("replaying", min(done, r.c.total), r.c.total)
	r.c.mu.Unlock()
	return n, err
}

// replicaLog passes Litestream's records on to the site's log: routine
// news (monitors started, files merged) at debug level, warnings and
// errors as they are, the errors also counted and the last one kept.
type replicaLog struct {
	inner slog.Handler
	errs  *replicaErrors
}

type replicaErrors struct {
	mu  sync.Mutex
	n   int
	at  time.Time
	msg string
}

func demote(l slog.Level) slog.Level {
	if l < slog.LevelWarn {
		return slog.LevelDebug
	}
	return l
}

func (h replicaLog) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError || h.inner.Enabled(ctx, demote(l))
}

func (h replicaLog) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level >= slog.LevelError {
		msg := []string{rec.Message}
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == "error" || a.Key == "err" {
				msg = append(msg, a.Value.String())
			}
			return true
		})
		h.errs.mu.Lock()
		h.errs.n++
		h.errs.at, h.errs.msg = rec.Time, strings.Join(msg, ": ")
		h.errs.mu.Unlock()
	}
	rec.Level = demote(rec.Level)
	if !h.inner.Enabled(ctx, rec.Level) {
		return nil
	}
	return h.inner.Handle(ctx, rec)
}

func (h replicaLog) WithAttrs(as []slog.Attr) slog.Handler {
	return replicaLog{inner: h.inner.WithAttrs(as), errs: h.errs}
}

func (h replicaLog) WithGroup(name string) slog.Handler {
	return replicaLog{inner: h.inner.WithGroup(name), errs: h.errs}
}
