package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// After yield, every thread of the process runs at nice 10. It runs in a
// child process, so that the tests after it keep their priority.
func TestYieldLowersEveryThread(t *testing.T) {
	if os.Getenv("BROADSHEET_TEST_YIELD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestYieldLowersEveryThread$", "-test.count=1")
		cmd.Env = append(os.Environ(), "BROADSHEET_TEST_YIELD=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return
	}
	yield()
	stats, err := filepath.Glob("/proc/self/task/*/stat")
	if err != nil || len(stats) == 0 {
		t.Skip("no /proc: cannot read the threads' priorities")
	}
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the thread has gone
		}
		// nice is the 19th field of the line: the 17th after the command's
		// closing parenthesis.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) < 17 || f[16] != "10" {
			t.Errorf("%s: nice %v, want 10", p, f)
		}
	}
}
