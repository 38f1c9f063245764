package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"broadsheet/internal/store"
)

// Group commit. With synchronous=FULL every commit waits for the disk, and
// SQLite has one writer: writes that arrive together would each wait for
// their own flush, one after another. Writes sent through inBatch are
// instead gathered by one goroutine into a single transaction — whatever
// queued while the previous commit was flushing — each in a savepoint of
// its own, so one write failing rolls back only itself. Nobody is told a
// write succeeded until the transaction holding it has committed; when a
// commit fails, every write in it reports the failure. An idle database
// adds no delay: a lone write commits at once.

// maxBatch bounds one transaction, and so the wait of its first writer.
const maxBatch = 64

type batchJob struct {
	ctx   context.Context
	fn    func(ctx context.Context, tx *sql.Tx) ([]string, error)
	after func()   // run on the committing goroutine once durable
	keys  []string // what fn returned, once it has run
	done  chan error
}

var errClosed = errors.New("sqlite: database closed")

// inBatch runs fn in a savepoint of a shared write transaction, records the
// cache keys it returns in the change log, and returns them with fn's
// error or the commit's. fn must not keep tx, and is not interrupted by ctx
// once it has started: interrupting one statement could roll back the
// others' work. after, when not nil, runs on the committing goroutine as
// soon as fn's work is durable, before any waiting writer is woken: for a
// step that must follow the commit as closely as possible. It must be
// quick and must not write to the database.
func (db *DB) inBatch(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) ([]string, error), after func()) ([]string, error) {
	j := &batchJob{ctx: ctx, fn: fn, after: after, done: make(chan error, 1)}
	select {
	case db.jobs <- j:
	case <-db.closing:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := <-j.done; err != nil {
		return nil, err
	}
	return j.keys, nil
}

// commitLoop is the one goroutine that runs batches, until Close.
func (db *DB) commitLoop() {
	defer close(db.stopped)
	batch := make([]*batchJob, 0, maxBatch)
	for {
		select {
		case j := <-db.jobs:
			batch = append(batch[:0], j)
		case <-db.closing:
			return
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case j := <-db.jobs:
				batch = append(batch, j)
			default:
				break gather
			}
		}
		db.runBatch(batch)
	}
}

func (db *DB) runBatch(batch []*batchJob) {
	errs := make([]error, len(batch))
	err := db.commitBatch(batch, errs)
	if err == nil {
		for i, j := range batch {
			if errs[i] == nil && j.after != nil {
				j.after()
			}
		}
	}
	for i, j := range batch {
		if errs[i] == nil {
			errs[i] = err
		}
		j.done <- errs[i]
	}
}

// commitBatch runs each job in its own savepoint, setting errs[i] for a job
// that failed, and commits the rest together, with one change-log entry
// for all their cache keys. It returns the error that lost them all.
func (db *DB) commitBatch(batch []*batchJob, errs []error) error {
	ctx := context.Background()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var keys []string
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			errs[i] = err // gone before its turn: never run
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT job`); err != nil {
			return err
		}
		k, err := j.fn(context.WithoutCancel(j.ctx), tx)
		if err != nil {
			errs[i] = err
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO job`); err != nil {
				return err
			}
		} else {
			j.keys = store.Dedupe(k)
			keys = append(keys, k...)
		}
		if _, err := tx.ExecContext(ctx, `RELEASE job`); err != nil {
			return err
		}
	}
	if keys = store.Dedupe(keys); len(keys) > 0 {
		if err := (engine{db}).LogChange(ctx, tx, keys); err != nil {
			return err
		}
	}
	return tx.Commit()
}
