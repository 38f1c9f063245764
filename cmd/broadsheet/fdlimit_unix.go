//go:build unix

package main

import "syscall"

// openFileLimit is how many files this process may hold open: its soft
// limit, which Go raises to the hard one at start.
func openFileLimit() (uint64, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, false
	}
	return uint64(lim.Cur), true
}
