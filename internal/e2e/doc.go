// Package e2e holds end-to-end tests that drive a real browser against the
// reading site, built from the demo content, the SQLite store and the web
// server. It has no code of its own; see browser_test.go.
package e2e
