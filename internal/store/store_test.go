package store

import (
	"strings"
	"testing"
	"testing/fstest"
)

// Every engine must have the migration a Go step follows: without it the
// step would silently never run there.
func TestLoadMigrationsWantsEveryStepsMigration(t *testing.T) {
	fsys := fstest.MapFS{"m/0001_content.sql": {Data: []byte(`CREATE TABLE t (x INTEGER)`)}}
	if _, err := LoadMigrations(fsys, "m"); err == nil || !strings.Contains(err.Error(), "email_keys") {
		t.Errorf("LoadMigrations without NNNN_email_keys.sql: err = %v, want it named", err)
	}
	fsys["m/0002_email_keys.sql"] = &fstest.MapFile{Data: []byte(`SELECT 1`)}
	ms, err := LoadMigrations(fsys, "m")
	if err != nil || len(ms) != 2 || ms[0].Then != nil || ms[1].Then == nil {
		t.Errorf("LoadMigrations = %d migrations, %v; want the step on the second only", len(ms), err)
	}
}
