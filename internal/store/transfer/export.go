package transfer

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/flate"
)

// Manifest is manifest.json: what an export holds.
type Manifest struct {
	Format     string         `json:"format"`
	Version    int            `json:"version"`
	ExportedAt string         `json:"exported_at"`
	Generator  string         `json:"generator,omitempty"`
	Source     string         `json:"source"`
	Records    []ManifestKind `json:"records"`
	Media      ManifestMedia  `json:"media"`
}

// ManifestKind is one kind of record in the manifest.
type ManifestKind struct {
	Kind  string `json:"kind"`
	File  string `json:"file"`
	Count int64  `json:"count"`
}

// ManifestMedia counts the media files.
type ManifestMedia struct {
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
}

// ExportOptions change how Export works.
type ExportOptions struct {
	// Generator names the program in the manifest, e.g. "Broadsheet 1.4".
	Generator string
	// Progress, when set, is told for each kind of record, and then for
	// "media", how many of its total have been written: first with done =
	// 0, last with done = total.
	Progress func(kind string, done, total int)
	// Now is the export's time in the manifest; time.Now when nil.
	Now func() time.Time
}

// ExportReport says what an export wrote.
type ExportReport struct {
	Manifest Manifest
	Records  int64
	Elapsed  time.Duration
}

// mediaMethod stores media as they are: images are compressed already.
const mediaMethod = zip.Store

// Export writes the whole site in db, a SQLite or PostgreSQL database
// (engine "sqlite" or "postgres") with the current schema, to w as one
// ZIP archive in the export format. It reads one snapshot, so a site
// being written to is exported as it stood at one instant, and it streams:
// memory does not grow with the site. A table or column the format does
// not know stops it before anything is written.
func Export(ctx context.Context, db *sql.DB, engine string, w io.Writer, opts ExportOptions) (ExportReport, error) {
	start := time.Now()
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	rep := ExportReport{Manifest: Manifest{Format: FormatName, Version: FormatVersion, Generator: opts.Generator, Source: engine,
		ExportedAt: now().UTC().Format(time.RFC3339)}}
	progress := func(kind string, done, total int) {
		if opts.Progress != nil {
			opts.Progress(kind, done, total)
		}
	}
	txo := &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	if engine == "sqlite" {
		txo = nil // a read in WAL mode sees one snapshot until it ends
	}
	tx, err := db.BeginTx(ctx, txo)
	if err != nil {
		return rep, fmt.Errorf("transfer: export: %w", err)
	}
	defer tx.Rollback()
	if err := checkSchema(ctx, tx, engine); err != nil {
		return rep, err
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, 5) })
	modified := now()
	for _, k := range kinds {
		n, err := countRows(ctx, tx, k.name)
		if err != nil {
			return rep, fmt.Errorf("transfer: export %s: %w", k.name, err)
		}
		progress(k.name, 0, int(n))
		out, err := zw.CreateHeader(&zip.FileHeader{Name: k.file(), Method: zip.Deflate, Modified: modified})
		if err != nil {
			return rep, fmt.Errorf("transfer: export: %w", err)
		}
		written, err := writeRecords(ctx, tx, k, out, func(done int) { progress(k.name, done, int(n)) })
		if err != nil {
			return rep, fmt.Errorf("transfer: export %s: %w", k.name, err)
		}
		if written != n {
			return rep, fmt.Errorf("transfer: export %s: counted %d records and read %d in the same snapshot", k.name, n, written)
		}
		progress(k.name, int(n), int(n))
		rep.Manifest.Records = append(rep.Manifest.Records, ManifestKind{Kind: k.name, File: k.file(), Count: n})
		rep.Records += n
	}
	if rep.Manifest.Media, err = writeMedia(ctx, tx, zw, modified, progress); err != nil {
		return rep, fmt.Errorf("transfer: export media: %w", err)
	}
	m, err := json.MarshalIndent(rep.Manifest, "", "  ")
	if err != nil {
		return rep, err
	}
	out, err := zw.CreateHeader(&zip.FileHeader{Name: "manifest.json", Method: zip.Deflate, Modified: modified})
	if err == nil {
		_, err = out.Write(append(m, '\n'))
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return rep, fmt.Errorf("transfer: export: %w", err)
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// checkSchema makes sure every table of the database is either a kind of
// record or deliberately left out, and that each kind's columns are the
// format's.
func checkSchema(ctx context.Context, tx *sql.Tx, engine string) error {
	names, err := tableNames(ctx, tx, engine)
	if err != nil {
		return fmt.Errorf("transfer: tables: %w", err)
	}
	var problems []string
	for _, name := range names {
		if _, skip := notExported[name]; !skip && !slices.ContainsFunc(kinds, func(k kind) bool { return k.name == name }) {
			problems = append(problems, "a table the export format does not know: "+name)
		}
	}
	for _, k := range kinds {
		if !slices.Contains(names, k.name) {
			problems = append(problems, "no table "+k.name)
			continue
		}
		rows, err := tx.QueryContext(ctx, `SELECT * FROM `+quote(k.name)+` WHERE 1 = 0`)
		if err != nil {
			return fmt.Errorf("transfer: %s: %w", k.name, err)
		}
		cols, err := rows.Columns()
		rows.Close()
		if err != nil {
			return fmt.Errorf("transfer: %s: %w", k.name, err)
		}
		if err := k.checkColumns(cols); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("transfer: the database and export format version %d differ (is the database migrated by this version of Broadsheet?): %s",
			FormatVersion, strings.Join(problems, "; "))
	}
	return nil
}

// tableNames lists the database's tables, without the engine's own.
func tableNames(ctx context.Context, tx *sql.Tx, engine string) ([]string, error) {
	if engine == "sqlite" {
		tables, err := sourceTables(ctx, tx)
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(tables))
		for name := range tables {
			names = append(names, name)
		}
		slices.Sort(names)
		return names, nil
	}
	var names []string
	rows, err := tx.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

func countRows(ctx context.Context, tx *sql.Tx, table string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quote(table)).Scan(&n)
	return n, err
}

// progressStep is how many records pass between progress reports.
const progressStep = 1000

// writeRecords writes every row of k's table as one line of JSON.
func writeRecords(ctx context.Context, tx *sql.Tx, k kind, out io.Writer, progress func(done int)) (int64, error) {
	exprs := make([]string, len(k.fields))
	for i, f := range k.fields {
		exprs[i] = quote(f.column())
		if f.typ == tFile {
			exprs[i] = "NULL" // the bytes are written as files, after the records
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+strings.Join(exprs, ", ")+` FROM `+quote(k.name)+` ORDER BY `+k.key)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	vals := make([]any, len(k.fields))
	ptrs := make([]any, len(k.fields))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var enc recordEncoder
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		line, err := enc.encode(k, vals)
		if err != nil {
			return n, fmt.Errorf("record %d: %w", n+1, err)
		}
		if _, err := out.Write(line); err != nil {
			return n, err
		}
		n++
		if n%progressStep == 0 {
			progress(int(n))
		}
	}
	return n, rows.Err()
}

// recordEncoder writes records; one is reused for a whole kind.
type recordEncoder struct {
	line bytes.Buffer
	str  bytes.Buffer
	json *json.Encoder
}

// encode returns the record's line, newline included, valid until the
// next call.
func (e *recordEncoder) encode(k kind, vals []any) ([]byte, error) {
	if e.json == nil {
		e.json = json.NewEncoder(&e.str)
		e.json.SetEscapeHTML(false)
	}
	e.line.Reset()
	e.line.WriteByte('{')
	for i, f := range k.fields {
		if i > 0 {
			e.line.WriteByte(',')
		}
		e.writeString(f.name)
		e.line.WriteByte(':')
		if f.typ == tFile {
			e.writeString(mediaName(k, vals))
			continue
		}
		if err := e.writeValue(f, vals[i]); err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	e.line.WriteString("}\n")
	return e.line.Bytes(), nil
}

func (e *recordEncoder) writeString(s string) {
	e.str.Reset()
	e.json.Encode(s) // cannot fail for a string
	e.line.Write(bytes.TrimSuffix(e.str.Bytes(), []byte("\n")))
}

func (e *recordEncoder) writeValue(f field, v any) error {
	if v == nil {
		e.line.WriteString("null")
		return nil
	}
	switch f.typ {
	case tInt, tTime:
		n, ok := v.(int64)
		if !ok {
			return fmt.Errorf("the database holds %T, not an integer", v)
		}
		if f.typ == tInt {
			e.line.WriteString(strconv.FormatInt(n, 10))
		} else {
			e.line.WriteByte('"')
			e.line.WriteString(time.Unix(n, 0).UTC().Format(time.RFC3339))
			e.line.WriteByte('"')
		}
	case tText:
		switch s := v.(type) {
		case string:
			e.writeString(s)
		case []byte:
			e.writeString(string(s))
		default:
			return fmt.Errorf("the database holds %T, not text", v)
		}
	case tBool:
		switch b := v.(type) {
		case bool:
			e.line.WriteString(strconv.FormatBool(b))
		case int64:
			if b != 0 && b != 1 {
				return fmt.Errorf("the database holds %d, not 0 or 1", b)
			}
			e.line.WriteString(strconv.FormatBool(b == 1))
		default:
			return fmt.Errorf("the database holds %T, not a boolean", v)
		}
	}
	return nil
}

// mediaName is the archive's name for the bytes of one image size,
// media/ID/WIDTH.EXT, or of one document, media/documents/ID/NAME.
func mediaName(k kind, vals []any) string {
	if k.name == "documents" {
		id, _ := vals[k.index("id")].(int64)
		name, _ := vals[k.index("name")].(string)
		return fmt.Sprintf("media/documents/%d/%s", id, path.Base("/"+name))
	}
	id, _ := vals[k.index("image_id")].(int64)
	width, _ := vals[k.index("width")].(int64)
	ct, _ := vals[k.index("content_type")].(string)
	return fmt.Sprintf("media/%d/%d%s", id, width, mediaExt(ct))
}

// mediaFiles are the kinds whose records name files, and the columns
// mediaName needs, then the bytes.
var mediaFiles = []struct{ kind, columns string }{
	{"image_variants", "image_id, width, content_type, bytes"},
	{"documents", "id, name, bytes"},
}

// writeMedia writes the bytes of every image size and every document as
// its own file, in the order of the records that name them.
func writeMedia(ctx context.Context, tx *sql.Tx, zw *zip.Writer, modified time.Time, progress func(string, int, int)) (ManifestMedia, error) {
	var m ManifestMedia
	var total int64
	for _, mf := range mediaFiles {
		n, err := countRows(ctx, tx, mf.kind)
		if err != nil {
			return m, err
		}
		total += n
	}
	progress("media", 0, int(total))
	for _, mf := range mediaFiles {
		if err := writeMediaOf(ctx, tx, zw, modified, mf.kind, mf.columns, &m, func() {
			if m.Files%100 == 0 {
				progress("media", m.Files, int(total))
			}
		}); err != nil {
			return m, err
		}
	}
	progress("media", m.Files, int(total))
	return m, nil
}

func writeMediaOf(ctx context.Context, tx *sql.Tx, zw *zip.Writer, modified time.Time, kindName, columns string, m *ManifestMedia, step func()) error {
	k := kinds[slices.IndexFunc(kinds, func(k kind) bool { return k.name == kindName })]
	cols := strings.Split(columns, ", ")
	rows, err := tx.QueryContext(ctx, `SELECT `+columns+` FROM `+k.name+` ORDER BY `+k.key)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, len(k.fields))
	scanned := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range scanned {
		ptrs[i] = &scanned[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, c := range cols[:len(cols)-1] {
			v := scanned[i]
			if b, ok := v.([]byte); ok { // text as some drivers scan it
				v = string(b)
			}
			vals[k.index(c)] = v
		}
		b, _ := scanned[len(cols)-1].([]byte)
		out, err := zw.CreateHeader(&zip.FileHeader{Name: mediaName(k, vals), Method: mediaMethod, Modified: modified})
		if err != nil {
			return err
		}
		if _, err := out.Write(b); err != nil {
			return err
		}
		m.Files++
		m.Bytes += int64(len(b))
		step()
	}
	return rows.Err()
}
