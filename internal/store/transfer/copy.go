package transfer

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"
)

// progressEvery is how many rows pass between progress reports.
const progressEvery = 250

// copyTable streams one table from the source into the target with COPY,
// converting each value to its target column's type, and returns how many
// rows it copied.
func copyTable(ctx context.Context, src *sql.Tx, dst pgx.Tx, t table, total int, progress func(string, int, int)) (int64, error) {
	exprs := make([]string, len(t.cols))
	names := make([]string, len(t.cols))
	conv := make([]func(any) (any, error), len(t.cols))
	for i, c := range t.cols {
		exprs[i] = quote(c.name)
		if c.source != c.name {
			exprs[i] = c.source // rowid and the like are not names to quote
		}
		names[i] = c.name
		conv[i] = converter(c)
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(exprs, ", ")+` FROM `+quote(t.name))
	if err != nil {
		return 0, fmt.Errorf("source: %w", err)
	}
	defer rows.Close()
	report := func(done int) {
		if progress != nil {
			progress(t.name, done, total)
		}
	}
	report(0)
	rs := &rowSource{rows: rows, conv: conv, vals: make([]any, len(conv)), ptrs: make([]any, len(conv)),
		report: report}
	for i := range rs.vals {
		rs.ptrs[i] = &rs.vals[i]
	}
	n, err := dst.CopyFrom(ctx, pgx.Identifier{t.name}, names, rs)
	if rs.err != nil {
		return n, rs.err // the server only echoes it back, as a failed COPY
	}
	if err != nil {
		return n, err
	}
	if int(n) != rs.done {
		return n, fmt.Errorf("read %d rows from the source, the target took %d", rs.done, n)
	}
	report(rs.done)
	return n, nil
}

// rowSource feeds pgx's COPY from a source query.
type rowSource struct {
	rows   *sql.Rows
	conv   []func(any) (any, error)
	vals   []any
	ptrs   []any
	out    []any
	done   int
	err    error
	report func(done int)
}

func (s *rowSource) Next() bool {
	if s.err != nil || !s.rows.Next() {
		return false
	}
	if err := s.rows.Scan(s.ptrs...); err != nil {
		s.err = err
		return false
	}
	// COPY encodes a row before asking for the next, so one slice serves.
	if s.out == nil {
		s.out = make([]any, len(s.vals))
	}
	for i, v := range s.vals {
		if s.out[i], s.err = s.conv[i](v); s.err != nil {
			return false
		}
	}
	s.done++
	if s.done%progressEvery == 0 {
		s.report(s.done)
	}
	return true
}

func (s *rowSource) Values() ([]any, error) { return s.out, s.err }

func (s *rowSource) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

// converter returns the function that turns a value read from SQLite
// (int64, float64, string, []byte or nil) into one for the target column.
// NULL stays NULL; SQLite's 0 and 1 become false and true.
func converter(c column) func(any) (any, error) {
	bad := func(v any) error {
		return fmt.Errorf("column %s: the source holds %T %v, which does not fit the target's %s", c.name, v, v, c.udt)
	}
	switch c.udt {
	case "bool":
		return func(v any) (any, error) {
			switch v := v.(type) {
			case nil:
				return nil, nil
			case int64:
				if v == 0 || v == 1 {
					return v == 1, nil
				}
			case bool:
				return v, nil
			}
			return nil, bad(v)
		}
	case "int2", "int4", "int8":
		return func(v any) (any, error) {
			switch v := v.(type) {
			case nil, int64:
				return v, nil
			case float64:
				if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
					return int64(v), nil
				}
			}
			return nil, bad(v)
		}
	case "float4", "float8", "numeric":
		return func(v any) (any, error) {
			switch v := v.(type) {
			case nil, float64:
				return v, nil
			case int64:
				return float64(v), nil
			}
			return nil, bad(v)
		}
	case "text", "varchar", "bpchar":
		return func(v any) (any, error) {
			switch v := v.(type) {
			case nil, string:
				return v, nil
			case []byte:
				return string(v), nil
			}
			return nil, bad(v)
		}
	case "bytea":
		return func(v any) (any, error) {
			switch v := v.(type) {
			case nil, []byte:
				return v, nil
			case string:
				return []byte(v), nil
			}
			return nil, bad(v)
		}
	}
	return func(v any) (any, error) { return v, nil }
}
