package transfer

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// table is one table to copy: its target columns and, for each, what to
// select from the source.
type table struct {
	name string
	cols []column
}

type column struct {
	name     string
	source   string // SQLite expression, usually the column's name
	udt      string // the target's type: bool, int8, text, bytea…
	sequence bool   // an identity or serial column
}

type plan struct {
	tables  []table // referenced tables first
	skipped []string
}

// makePlan matches the two schemas. Every target table is copied except
// those in notCopied; a target table the source lacks, or a column either
// side has and the other does not, is an error: the schemas are from
// different versions of Broadsheet, and copying would lose data.
func makePlan(ctx context.Context, src *sql.Tx, dst pgx.Tx) (plan, error) {
	var p plan
	srcTables, err := sourceTables(ctx, src)
	if err != nil {
		return p, fmt.Errorf("transfer: source: %w", err)
	}
	if _, ok := srcTables["articles"]; !ok {
		return p, fmt.Errorf("transfer: the source holds no Broadsheet site: it has no articles table")
	}
	dstCols, err := targetColumns(ctx, dst)
	if err != nil {
		return p, fmt.Errorf("transfer: target: %w", err)
	}
	if len(dstCols) == 0 {
		return p, fmt.Errorf("transfer: the target has no tables: migrate it with the PostgreSQL engine first")
	}
	var problems []string
	byName := map[string]table{}
	for name, cols := range dstCols {
		if _, skip := notCopied[name]; skip {
			continue
		}
		have, ok := srcTables[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("the source has no table %s", name))
			continue
		}
		t := table{name: name}
		used := map[string]bool{}
		for _, c := range cols {
			c.source = c.name
			if s, ok := sourceColumn[name+"."+c.name]; ok {
				c.source = s
			} else if !slices.Contains(have, c.name) {
				problems = append(problems, fmt.Sprintf("the source has no column %s.%s", name, c.name))
				continue
			}
			used[c.source] = true
			t.cols = append(t.cols, c)
		}
		for _, c := range have {
			if _, skip := notCopiedColumn[name+"."+c]; !used[c] && !skip {
				problems = append(problems, fmt.Sprintf("the target has no column %s.%s", name, c))
			}
		}
		byName[name] = t
	}
	for name := range srcTables {
		if _, skip := notCopied[name]; skip {
			p.skipped = append(p.skipped, name)
		} else if _, ok := dstCols[name]; !ok {
			problems = append(problems, fmt.Sprintf("the target has no table %s", name))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return p, fmt.Errorf("transfer: the schemas differ (are both databases migrated by this version of Broadsheet?): %s", strings.Join(problems, "; "))
	}
	refs, err := targetReferences(ctx, dst)
	if err != nil {
		return p, fmt.Errorf("transfer: target: %w", err)
	}
	order, err := referencedFirst(byName, refs)
	if err != nil {
		return p, err
	}
	for _, name := range order {
		p.tables = append(p.tables, byName[name])
	}
	slices.Sort(p.skipped)
	return p, nil
}

// sourceTables returns the SQLite database's tables and their columns,
// without SQLite's own tables and the shadow tables of virtual tables
// (FTS5 keeps an index in article_fts_data, article_fts_idx and others).
func sourceTables(ctx context.Context, src *sql.Tx) (map[string][]string, error) {
	type master struct{ name, sql string }
	var all []master
	rows, err := src.QueryContext(ctx, `SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var m master
		if err := rows.Scan(&m.name, &m.sql); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var virtual []string
	for _, m := range all {
		if strings.HasPrefix(strings.ToUpper(m.sql), "CREATE VIRTUAL TABLE") {
			virtual = append(virtual, m.name)
		}
	}
	shadow := func(name string) bool {
		for _, v := range virtual {
			if rest, ok := strings.CutPrefix(name, v+"_"); ok && slices.Contains([]string{"data", "idx", "content", "docsize", "config"}, rest) {
				return true
			}
		}
		return false
	}
	tables := map[string][]string{}
	for _, m := range all {
		if shadow(m.name) {
			continue
		}
		rows, err := src.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, m.name)
		if err != nil {
			return nil, err
		}
		var cols []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return nil, err
			}
			cols = append(cols, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		tables[m.name] = cols
	}
	return tables, nil
}

// targetColumns returns the target's tables and the columns a copy
// writes: all but generated ones, which PostgreSQL computes itself.
func targetColumns(ctx context.Context, dst pgx.Tx) (map[string][]column, error) {
	rows, err := dst.Query(ctx, `SELECT c.table_name, c.column_name, c.udt_name,
			c.is_identity = 'YES' OR COALESCE(c.column_default, '') LIKE 'nextval(%'
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tables := map[string][]column{}
	for rows.Next() {
		var t string
		var c column
		if err := rows.Scan(&t, &c.name, &c.udt, &c.sequence); err != nil {
			return nil, err
		}
		tables[t] = append(tables[t], c)
	}
	return tables, rows.Err()
}

// targetReferences returns, for each table, the tables its foreign keys
// point to.
func targetReferences(ctx context.Context, dst pgx.Tx) (map[string][]string, error) {
	rows, err := dst.Query(ctx, `SELECT t.relname, r.relname
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_class r ON r.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE c.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	refs := map[string][]string{}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			return nil, err
		}
		refs[from] = append(refs[from], to)
	}
	return refs, rows.Err()
}

// referencedFirst orders tables so that each comes after every table it
// references, and otherwise by name. A table referencing itself (a
// comment's parent, the article that replaced another) needs nothing:
// PostgreSQL checks a foreign key at the end of the statement, and each
// table is copied in one COPY statement.
func referencedFirst(tables map[string]table, refs map[string][]string) ([]string, error) {
	var order []string
	placed := map[string]bool{}
	for len(order) < len(tables) {
		var ready []string
		for name := range tables {
			if placed[name] {
				continue
			}
			ok := true
			for _, r := range refs[name] {
				if _, copied := tables[r]; r != name && copied && !placed[r] {
					ok = false
				}
			}
			if ok {
				ready = append(ready, name)
			}
		}
		if len(ready) == 0 {
			return nil, fmt.Errorf("transfer: the target's foreign keys form a cycle; no table order satisfies them")
		}
		slices.Sort(ready)
		order = append(order, ready[0])
		placed[ready[0]] = true
	}
	return order, nil
}
