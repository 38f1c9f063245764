package backup

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/klauspost/compress/zstd"

	"broadsheet/internal/store"
	"broadsheet/internal/store/sqlite"
)

// Verify reads the backup at path back into a database in the system's
// temporary directory ($TMPDIR), checks it as Snapshot checked it, and
// removes it. A file changed or cut short anywhere gives ErrDamaged; a
// backup made by a newer Broadsheet gives store.ErrSchemaTooNew, naming
// both versions (an older one is fine: serve brings it up to date).
func Verify(ctx context.Context, path string) (info Info, err error) {
	start := time.Now()
	dir := os.TempDir()
	removeStale(dir, verifyPrefix)
	tmp, err := createTemp(dir, verifyPrefix, ".db")
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	defer removeDatabase(tmp.Name())
	info, err = unpack(ctx, path, tmp, nil)
	if err != nil {
		return info, err
	}
	info.Duration = time.Since(start)
	return info, nil
}

// unpack decompresses the backup at path into out, which it closes, and
// checks the database it holds.
func unpack(ctx context.Context, path string, out *os.File, progress Progress) (Info, error) {
	var info Info
	size, dbSize, err := decompress(ctx, path, out, orNothing(progress))
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return info, err
	}
	if info, err = inspect(ctx, out.Name()); err != nil {
		if ctx.Err() != nil {
			return info, fmt.Errorf("backup: %w", ctx.Err())
		}
		if errors.Is(err, store.ErrSchemaTooNew) {
			return info, fmt.Errorf("backup: %s: %w", path, err)
		}
		return info, fmt.Errorf("backup: %s: %w: %v", path, ErrDamaged, err)
	}
	info.Size, info.DatabaseSize = size, dbSize
	return info, nil
}

var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// maxWindow is the largest window the decoder accepts: the encoder uses
// 8 MiB at most, and a damaged header cannot make it allocate gigabytes.
const maxWindow = 64 << 20

// decompress writes the database in the backup at path to out and returns
// the sizes of both.
func decompress(ctx context.Context, path string, out io.Writer, progress Progress) (size, dbSize int64, err error) {
	in, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("backup: %w", err)
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return 0, 0, fmt.Errorf("backup: %w", err)
	}
	if st.IsDir() {
		return 0, 0, fmt.Errorf("backup: %s is a directory, not a backup file", path)
	}
	size = st.Size()
	m := &meter{ctx: ctx, r: in, step: "decompressing", total: size, progress: progress}
	br := bufio.NewReaderSize(m, 1<<20)
	if size == 0 {
		return size, 0, fmt.Errorf("backup: %s: %w: it is empty", path, ErrDamaged)
	}
	if head, _ := br.Peek(4); !bytes.Equal(head, zstdMagic) {
		return size, 0, fmt.Errorf("backup: %s: %w: it is not zstd-compressed, as a Broadsheet backup is", path, ErrDamaged)
	}
	progress(m.step, 0, size)
	dec, err := zstd.NewReader(br, zstd.WithDecoderMaxWindow(maxWindow), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return size, 0, fmt.Errorf("backup: %w", err)
	}
	defer dec.Close()
	dbSize, err = io.Copy(out, dec)
	switch {
	case ctx.Err() != nil:
		return size, dbSize, fmt.Errorf("backup: %w", ctx.Err())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return size, dbSize, fmt.Errorf("backup: %s: %w: it ends early (cut short while it was written or copied?)", path, ErrDamaged)
	case err != nil:
		var pe *os.PathError
		if errors.As(err, &pe) {
			return size, dbSize, fmt.Errorf("backup: %w", err) // the disk, not the backup
		}
		return size, dbSize, fmt.Errorf("backup: %s: %w: its compressed data does not read back (%v)", path, ErrDamaged, err)
	}
	return size, dbSize, nil
}

// inspect checks the database at path, opened read-only: its integrity,
// that it holds a Broadsheet site whose schema this program knows, and
// the rows of its main tables.
func inspect(ctx context.Context, path string) (Info, error) {
	var info Info
	db, err := sql.Open("sqlite", dsn(path, "mode=ro"))
	if err != nil {
		return info, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	var problems string
	if err := db.QueryRowContext(ctx, `SELECT group_concat(integrity_check, '; ') FROM pragma_integrity_check`).Scan(&problems); err != nil {
		return info, describe(err)
	}
	if problems != "ok" {
		return info, fmt.Errorf("the database fails its integrity check: %s", problems)
	}
	has := func(table string) (bool, error) {
		var n int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n)
		return n > 0, err
	}
	if ok, err := has("schema_migrations"); err != nil {
		return info, describe(err)
	} else if !ok {
		return info, errors.New("the database holds no Broadsheet site: it has no schema_migrations table")
	}
	var version sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil {
		return info, err
	}
	info.Version = int(version.Int64)
	known, err := sqlite.SchemaVersion()
	if err != nil {
		return info, err
	}
	if info.Version > known {
		return info, fmt.Errorf("%w: the backup's schema is at version %d and this program knows versions up to %d: use the Broadsheet that made it, or a newer one",
			store.ErrSchemaTooNew, info.Version, known)
	}
	for _, t := range mainTables {
		if ok, err := has(t); err != nil {
			return info, err
		} else if !ok {
			continue
		}
		c := Count{Table: t}
		// t is one of mainTables, never input.
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&c.Rows); err != nil {
			return info, fmt.Errorf("counting %s: %w", t, err)
		}
		info.Rows = append(info.Rows, c)
	}
	return info, nil
}
