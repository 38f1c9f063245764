package transfer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"broadsheet/internal/article"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/klauspost/compress/flate"
)

// ImportOptions change how Import works.
type ImportOptions struct {
	// Progress, when set, is told for each kind of record how many of its
	// total have been read: first with done = 0, last with done = total.
	Progress func(kind string, done, total int)
}

// ImportReport says what an import read.
type ImportReport struct {
	Manifest   Manifest
	Records    int64
	MediaFiles int
	Elapsed    time.Duration
}

// ErrDamaged means an export file is not one, or has been damaged.
var ErrDamaged = errors.New("transfer: the export file is damaged or is not a Broadsheet export")

// Limits on what one record may hold, so that a hostile or damaged file
// cannot ask for unbounded memory.
const (
	maxRecord    = 64 << 20 // one line of JSON
	maxMediaFile = 64 << 20 // one image size
)

// replaced are the kinds a new site writes by itself before it holds any
// content — its settings (a signing key) and its first fan-outs (the
// day's digest) — which an import replaces with the export's.
var replaced = map[string]bool{"settings": true, "fanouts": true}

// Import reads the export at path into db, a SQLite or PostgreSQL
// database (engine "sqlite" or "postgres") migrated by this version of
// Broadsheet that holds no site yet: a database with any record but
// those in replaced is refused with ErrNotEmpty, and those are replaced. Ids are kept. Everything is written in one transaction and
// counted before it is committed, so an import either arrives whole or
// leaves the database as it was. The search index is not in an export:
// rebuild it afterwards (Reindex).
func Import(ctx context.Context, path string, db *sql.DB, engine string, opts ImportOptions) (ImportReport, error) {
	start := time.Now()
	var rep ImportReport
	zr, err := zip.OpenReader(path)
	if err != nil {
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) {
			return rep, fmt.Errorf("%w: %s: %v", ErrDamaged, path, err)
		}
		return rep, fmt.Errorf("transfer: import: %w", err)
	}
	defer zr.Close()
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	a := &archive{files: map[string]*zip.File{}}
	for _, f := range zr.File {
		a.files[f.Name] = f
	}
	if rep.Manifest, err = a.manifest(); err != nil {
		return rep, err
	}
	check, err := db.BeginTx(ctx, nil)
	if err != nil {
		return rep, fmt.Errorf("transfer: import: %w", err)
	}
	err = checkSchema(ctx, check, engine)
	check.Rollback()
	if err != nil {
		return rep, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return rep, fmt.Errorf("transfer: import: %w", err)
	}
	defer conn.Close()
	write := func(t target) error { return a.importAll(ctx, t, rep.Manifest, opts, &rep) }
	if engine == "postgres" {
		err = conn.Raw(func(dc any) error {
			sc, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("transfer: import: not a PostgreSQL database opened with the pgx driver (got %T)", dc)
			}
			tx, err := sc.Conn().Begin(ctx)
			if err != nil {
				return fmt.Errorf("transfer: import: %w", err)
			}
			defer tx.Rollback(context.WithoutCancel(ctx))
			return write(pgTarget{tx})
		})
	} else {
		var tx *sql.Tx
		if tx, err = conn.BeginTx(ctx, nil); err != nil {
			return rep, fmt.Errorf("transfer: import: %w", err)
		}
		defer tx.Rollback()
		// Checked at commit: an article may name, as the one replacing
		// it, an article that comes later.
		if _, err = tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err == nil {
			err = write(sqliteTarget{tx})
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, err
}

// archive is an open export file.
type archive struct {
	files map[string]*zip.File
}

// manifest reads and checks manifest.json.
func (a *archive) manifest() (Manifest, error) {
	var m Manifest
	f := a.files["manifest.json"]
	if f == nil {
		return m, fmt.Errorf("%w: it has no manifest.json", ErrDamaged)
	}
	b, err := a.read(f, maxRecord)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%w: manifest.json: %v", ErrDamaged, err)
	}
	switch {
	case m.Format != FormatName:
		return m, fmt.Errorf("%w: manifest.json names the format %q, not %q", ErrDamaged, m.Format, FormatName)
	case m.Version > FormatVersion:
		return m, fmt.Errorf("transfer: the export is in format version %d, written by a newer Broadsheet; this one reads versions 1 to %d: upgrade Broadsheet first", m.Version, FormatVersion)
	case m.Version < 1:
		return m, fmt.Errorf("%w: manifest.json gives no format version", ErrDamaged)
	}
	listed := map[string]ManifestKind{}
	for _, mk := range m.Records {
		listed[mk.Kind] = mk
	}
	for _, k := range kinds {
		mk, ok := listed[k.name]
		switch {
		case !ok && k.since > m.Version:
			continue // added after the export's version: it has none
		case !ok:
			return m, fmt.Errorf("%w: manifest.json lists no %s records", ErrDamaged, k.name)
		case k.since > m.Version:
			return m, fmt.Errorf("%w: manifest.json of format version %d lists %s records, which version %d added", ErrDamaged, m.Version, k.name, k.since)
		}
		if mk.File != k.file() || a.files[mk.File] == nil {
			return m, fmt.Errorf("%w: the archive has no %s", ErrDamaged, k.file())
		}
		delete(listed, k.name)
	}
	for name := range listed {
		return m, fmt.Errorf("%w: manifest.json lists records of a kind this version does not know: %q", ErrDamaged, name)
	}
	return m, nil
}

// read returns the whole of f, at most limit bytes, checking its CRC.
func (a *archive) read(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%w: %s is %d bytes, more than the %d allowed", ErrDamaged, f.Name, f.UncompressedSize64, limit)
	}
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, f.Name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, f.Name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: %s is larger than the %d bytes allowed", ErrDamaged, f.Name, limit)
	}
	return b, nil
}

// target is where an import writes: one transaction on either engine.
type target interface {
	exec(ctx context.Context, query string) error
	count(ctx context.Context, query string) (int64, error)
	insert(ctx context.Context, table string, cols []string, src *recordSource) error
	resetIdentity(ctx context.Context, table string) error
	commit(ctx context.Context) error
}

// importAll writes every kind of record, checks the counts and commits.
func (a *archive) importAll(ctx context.Context, t target, m Manifest, opts ImportOptions, rep *ImportReport) error {
	var full []string
	for _, k := range kinds {
		if replaced[k.name] {
			continue
		}
		n, err := t.count(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+quote(k.name)+` LIMIT 1) s`)
		if err != nil {
			return fmt.Errorf("transfer: import: %s: %w", k.name, err)
		}
		if n > 0 {
			full = append(full, k.name)
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("%w: it holds %s; import into a new site", ErrNotEmpty, strings.Join(full, ", "))
	}
	for _, k := range kinds {
		if replaced[k.name] {
			if err := t.exec(ctx, `DELETE FROM `+quote(k.name)); err != nil {
				return fmt.Errorf("transfer: import: %s: %w", k.name, err)
			}
		}
	}
	counts := map[string]int64{}
	for _, mk := range m.Records {
		counts[mk.Kind] = mk.Count
	}
	for _, k := range kinds {
		if k.since > m.Version {
			continue // an older export, without this kind
		}
		total := int(counts[k.name])
		progress := func(done int) {
			if opts.Progress != nil {
				opts.Progress(k.name, done, total)
			}
		}
		progress(0)
		src, err := a.records(k, m.Version, progress)
		if err != nil {
			return err
		}
		cols := make([]string, 0, len(k.fields)+len(k.derived))
		for _, f := range k.fields {
			cols = append(cols, f.column())
		}
		cols = append(cols, src.derived...)
		err = t.insert(ctx, k.name, cols, src)
		src.close()
		if src.err != nil {
			return src.err
		}
		if err != nil {
			return fmt.Errorf("transfer: import %s: %w", src.where(), err)
		}
		if src.n != counts[k.name] {
			return fmt.Errorf("%w: %s holds %d records, and manifest.json says %d", ErrDamaged, k.file(), src.n, counts[k.name])
		}
		stored, err := t.count(ctx, `SELECT count(*) FROM `+quote(k.name))
		if err != nil {
			return fmt.Errorf("transfer: import: %s: %w", k.name, err)
		}
		if stored != src.n {
			return fmt.Errorf("transfer: import: %s: read %d records and the database holds %d; nothing was imported", k.name, src.n, stored)
		}
		if k.index("id") >= 0 {
			if err := t.resetIdentity(ctx, k.name); err != nil {
				return fmt.Errorf("transfer: import: %w", err)
			}
		}
		progress(total)
		rep.Records += src.n
		rep.MediaFiles += src.media
	}
	// A site already serving from this database drops every cached page.
	if err := t.exec(ctx, fmt.Sprintf(`INSERT INTO changes (keys, at) VALUES ('%s', %d)`, article.KeySite, time.Now().Unix())); err != nil {
		return fmt.Errorf("transfer: import: change log: %w", err)
	}
	if err := t.commit(ctx); err != nil {
		return fmt.Errorf("transfer: import: commit: %w", err)
	}
	return nil
}

// records opens k's file as a source of rows.
func (a *archive) records(k kind, version int, progress func(done int)) (*recordSource, error) {
	f := a.files[k.file()]
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, f.Name, err)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxRecord)
	src := &recordSource{a: a, k: k, version: version, r: r, sc: sc, progress: progress, row: make([]any, len(k.fields), len(k.fields)+len(k.derived))}
	for c := range k.derived {
		src.derived = append(src.derived, c)
	}
	return src, nil
}

// recordSource reads one kind's records as rows: the fields in order,
// then the derived columns. It is what pgx's COPY reads from, and the
// SQLite import reads it the same way.
type recordSource struct {
	a        *archive
	k        kind
	version  int // the export's format version
	r        io.ReadCloser
	sc       *bufio.Scanner
	progress func(done int)
	derived  []string

	row   []any
	n     int64 // records read
	media int
	err   error
}

func (s *recordSource) close() { s.r.Close() }

func (s *recordSource) where() string { return fmt.Sprintf("%s line %d", s.k.file(), s.n) }

func (s *recordSource) Next() bool {
	if s.err != nil {
		return false
	}
	if !s.sc.Scan() {
		if err := s.sc.Err(); err != nil {
			s.err = fmt.Errorf("%w: %s line %d: %v", ErrDamaged, s.k.file(), s.n+1, err)
		}
		return false
	}
	s.n++
	if err := s.decode(s.sc.Bytes()); err != nil {
		s.err = fmt.Errorf("transfer: import %s: %w", s.where(), err)
		if errors.Is(err, errSyntax) {
			s.err = fmt.Errorf("%w: %s: %w", ErrDamaged, s.where(), err)
		}
		return false
	}
	if s.n%progressStep == 0 {
		s.progress(int(s.n))
	}
	return true
}

func (s *recordSource) Values() ([]any, error) { return s.row, s.err }

func (s *recordSource) Err() error { return s.err }

// errSyntax is a line that is not one JSON object.
var errSyntax = errors.New("not a JSON object")

// decode turns one line into s.row.
func (s *recordSource) decode(line []byte) error {
	var rec map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(line))
	if err := d.Decode(&rec); err != nil {
		return fmt.Errorf("%w: %v", errSyntax, err)
	}
	if d.More() {
		return fmt.Errorf("%w: more than one JSON value on the line", errSyntax)
	}
	s.row = s.row[:len(s.k.fields)]
	for i, f := range s.k.fields {
		raw, ok := rec[f.name]
		if !ok && f.since > s.version {
			s.row[i] = f.absent()
			continue
		}
		if !ok {
			return fmt.Errorf("the field %q is missing", f.name)
		}
		v, err := s.value(f, raw)
		if err != nil {
			return fmt.Errorf("field %q: %w", f.name, err)
		}
		s.row[i] = v
	}
	if len(rec) != len(s.k.fields) {
		for name := range rec {
			if s.k.index(name) < 0 {
				return fmt.Errorf("a field this format version does not have: %q", name)
			}
		}
	}
	for _, c := range s.derived {
		s.row = append(s.row, s.k.derived[c](s.row))
	}
	return nil
}

// value decodes one field.
func (s *recordSource) value(f field, raw json.RawMessage) (any, error) {
	if string(raw) == "null" {
		if f.typ == tFile {
			return nil, errors.New("null, not a file name")
		}
		return nil, nil
	}
	switch f.typ {
	case tInt:
		var n int64
		err := json.Unmarshal(raw, &n)
		return n, err
	case tText:
		var v string
		err := json.Unmarshal(raw, &v)
		return v, err
	case tBool:
		var v bool
		err := json.Unmarshal(raw, &v)
		return v, err
	case tTime:
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, fmt.Errorf("%q is not an RFC 3339 time", v)
		}
		return t.Unix(), nil
	case tFile:
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return nil, err
		}
		f := s.a.files[name]
		if f == nil || !strings.HasPrefix(name, "media/") {
			return nil, fmt.Errorf("the archive has no media file %q", name)
		}
		b, err := s.a.read(f, maxMediaFile)
		if err != nil {
			return nil, err
		}
		s.media++
		return b, nil
	}
	return nil, fmt.Errorf("unknown field type %d", f.typ)
}

// sqliteTarget imports into SQLite through database/sql.
type sqliteTarget struct{ tx *sql.Tx }

func (t sqliteTarget) exec(ctx context.Context, q string) error {
	_, err := t.tx.ExecContext(ctx, q)
	return err
}

func (t sqliteTarget) count(ctx context.Context, q string) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

func (t sqliteTarget) insert(ctx context.Context, table string, cols []string, src *recordSource) error {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quote(c)
	}
	stmt, err := t.tx.PrepareContext(ctx, `INSERT INTO `+quote(table)+` (`+strings.Join(names, ", ")+`) VALUES (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")+`)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for src.Next() {
		if _, err := stmt.ExecContext(ctx, src.row...); err != nil {
			return err
		}
	}
	return src.Err()
}

func (sqliteTarget) resetIdentity(context.Context, string) error { return nil } // the next rowid follows the largest

func (t sqliteTarget) commit(context.Context) error { return t.tx.Commit() }

// pgTarget imports into PostgreSQL with COPY.
type pgTarget struct{ tx pgx.Tx }

func (t pgTarget) exec(ctx context.Context, q string) error {
	_, err := t.tx.Exec(ctx, q)
	return err
}

func (t pgTarget) count(ctx context.Context, q string) (int64, error) {
	var n int64
	err := t.tx.QueryRow(ctx, q).Scan(&n)
	return n, err
}

func (t pgTarget) insert(ctx context.Context, table string, cols []string, src *recordSource) error {
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
	return err
}

func (t pgTarget) resetIdentity(ctx context.Context, table string) error {
	return resetIdentity(ctx, t.tx, table, "id")
}

func (t pgTarget) commit(ctx context.Context) error { return t.tx.Commit(ctx) }
