package backup

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Temporary files start with these, then the process's id: the next run
// in the same directory removes those whose process has gone.
const (
	backupPrefix  = ".broadsheet-backup-"
	restorePrefix = ".broadsheet-restore-"
	verifyPrefix  = ".broadsheet-verify-"
)

// createTemp creates a new file in dir, named prefix, this process's id
// and ext around a random part, readable by its owner only: a backup holds
// password hashes and readers' addresses.
func createTemp(dir, prefix, ext string) (*os.File, error) {
	return os.CreateTemp(dir, fmt.Sprintf("%s%d-*%s", prefix, os.Getpid(), ext))
}

// removeStale removes the temporary files in dir that a process that no
// longer runs left there: killed midway, it could not remove them itself.
func removeStale(dir, prefix string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		id, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(id)
		if err != nil || pid <= 0 || pid == os.Getpid() || running(pid) {
			continue
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}

// running reports whether a process with this id runs. Where that cannot
// be told, it says yes, and the files are left alone.
func running(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return !errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}

// removeDatabase removes a temporary database and the files SQLite may
// have made beside it.
func removeDatabase(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // a directory cannot be opened for syncing there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// dsn is the data source name of the database file at path.
func dsn(path, query string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + query
}

// describe names the SQLite errors a person can act on.
func describe(err error) error {
	switch code(err) {
	case sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("the file is not a SQLite database: %w", err)
	case sqlite3.SQLITE_CORRUPT:
		return fmt.Errorf("the database is damaged: %w", err)
	}
	return err
}

// code is err's primary SQLite result code, or 0.
func code(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}
