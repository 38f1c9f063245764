//go:build !unix

package main

// openFileLimit is not known here.
func openFileLimit() (uint64, bool) { return 0, false }
