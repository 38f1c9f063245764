package main

import (
	"os"
	"strconv"
	"syscall"
)

// yield lowers this process's CPU priority to nice 10, so that a backup
// taken beside a running site leaves the processor to the site first. On
// Linux a priority belongs to each thread: every thread the process has is
// lowered, and the ones it starts later inherit it.
func yield() {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return
	}
	for _, t := range tasks {
		if tid, err := strconv.Atoi(t.Name()); err == nil {
			syscall.Setpriority(syscall.PRIO_PROCESS, tid, 10)
		}
	}
}
