package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/challenge"
	"broadsheet/internal/store/sqlite"
)

// signIn posts the login form from remote with the given cookies and
// proof-of-work payload ("" for none).
func signIn(h http.Handler, email, password, remote, altcha string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	form := url.Values{"email": {email}, "password": {password}, "next": {"/admin"}}
	if altcha != "" {
		form.Set("altcha", altcha)
	}
	req := httptest.NewRequest("POST", "/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = remote
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func solved(t testing.TB, srv *Server) string {
	t.Helper()
	ch, err := srv.challenges.Challenge()
	must(t, err)
	payload, err := challenge.Solve(ch)
	must(t, err)
	return payload
}

func cookieNamed(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Five wrong passwords from each of ten addresses do not keep the owner
// out: each failing address is refused, the account asks strangers for
// the proof of work, and the owner signs in from an address the account
// knows, from a browser it knows, or from anywhere after the check.
func TestStrangersCannotLockTheOwnerOut(t *testing.T) {
	ns := newNewsroom(t)
	owner := ns.users[account.Author].Email
	first := signIn(ns.srv, owner, testPassword, "203.0.113.20:1", "")
	known := cookieNamed(first, knownDeviceCookie)
	if first.Code != http.StatusSeeOther || known == nil || !known.Secure || !known.HttpOnly {
		t.Fatalf("first sign-in = %d, known-device cookie %+v", first.Code, known)
	}

	codes := map[int]int{}
	for i := range 10 {
		for range 5 {
			codes[signIn(ns.srv, owner, "a guess", fmt.Sprintf("198.51.100.%d:1", i+1), "").Code]++
		}
		if rec := signIn(ns.srv, owner, "a guess", fmt.Sprintf("198.51.100.%d:1", i+1), ""); rec.Code != http.StatusTooManyRequests {
			t.Errorf("sixth guess from address %d = %d, want 429", i+1, rec.Code)
		}
	}
	if codes[http.StatusUnauthorized] != loginFailuresBeforeCheck || codes[http.StatusTooManyRequests] != 50-loginFailuresBeforeCheck {
		t.Errorf("50 guesses from ten addresses: %v; want %d checked, then the proof of work asked for", codes, loginFailuresBeforeCheck)
	}

	// The owner is not locked out.
	if rec := signIn(ns.srv, owner, testPassword, "203.0.113.20:2", ""); rec.Code != http.StatusSeeOther {
		t.Errorf("the owner from an address with a session = %d, want 303", rec.Code)
	}
	if rec := signIn(ns.srv, owner, testPassword, "192.0.2.77:1", "", known); rec.Code != http.StatusSeeOther {
		t.Errorf("the owner's browser from a new address = %d, want 303", rec.Code)
	}
	asked := signIn(ns.srv, owner, testPassword, "192.0.2.78:1", "")
	if asked.Code != http.StatusTooManyRequests || asked.Header().Get("Retry-After") == "" ||
		!strings.Contains(asked.Body.String(), "<altcha-widget") || !strings.Contains(asked.Body.String(), "failed sign-ins from elsewhere") {
		t.Errorf("the owner from a new browser and address = %d, want 429 with the check and Retry-After", asked.Code)
	}
	if !strings.Contains(asked.Body.String(), `value="`+owner+`"`) {
		t.Error("the check's page lost the email address")
	}
	payload := solved(t, ns.srv)
	if rec := signIn(ns.srv, owner, testPassword, "192.0.2.78:1", payload); rec.Code != http.StatusSeeOther {
		t.Errorf("the owner from a new address with the check solved = %d, want 303", rec.Code)
	}
	if rec := signIn(ns.srv, owner, testPassword, "192.0.2.79:1", payload); rec.Code != http.StatusTooManyRequests {
		t.Errorf("a solution used twice = %d, want 429", rec.Code)
	}
	// A stranger who pays for the check is slowed, not refused: the guess
	// is checked, and the page asks for the check again.
	guess := signIn(ns.srv, owner, "another guess", "192.0.2.80:1", solved(t, ns.srv))
	if guess.Code != http.StatusUnauthorized || !strings.Contains(guess.Body.String(), "<altcha-widget") {
		t.Errorf("a guess with the check solved = %d, want 401 offering the check again", guess.Code)
	}
	// A forged known-device cookie is worth nothing.
	forged := &http.Cookie{Name: knownDeviceCookie, Value: ns.srv.deviceMark("someone@else.example")}
	if rec := signIn(ns.srv, owner, testPassword, "192.0.2.81:1", "", forged); rec.Code != http.StatusTooManyRequests {
		t.Errorf("another account's known-device cookie = %d, want 429", rec.Code)
	}
	// Once the window has passed, no check is asked.
	ns.clock = ns.clock.Add(loginWindow + time.Minute)
	if rec := signIn(ns.srv, owner, testPassword, "192.0.2.82:1", ""); rec.Code != http.StatusSeeOther {
		t.Errorf("after the window = %d, want 303", rec.Code)
	}
}

// Addresses in one IPv6 /64 are one source.
func TestSignInFailuresKeyIPv6By64(t *testing.T) {
	ns := newNewsroom(t)
	owner := ns.users[account.Editor].Email
	for i := range loginFailuresPerSource {
		if rec := signIn(ns.srv, owner, "a guess", fmt.Sprintf("[2001:db8:5:6::%x]:1", i+1), ""); rec.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d = %d", i+1, rec.Code)
		}
	}
	if rec := signIn(ns.srv, owner, "a guess", "[2001:db8:5:6:ffff::1]:1", ""); rec.Code != http.StatusTooManyRequests {
		t.Errorf("another address of the same /64 = %d, want 429", rec.Code)
	}
	if rec := signIn(ns.srv, owner, testPassword, "[2001:db8:5:7::1]:1", ""); rec.Code != http.StatusSeeOther {
		t.Errorf("the next /64 = %d, want 303", rec.Code)
	}
}

// Only failures count: many sign-ins that succeed leave every limit
// untouched, and after them the address still has all its tries.
func TestSignInCountsFailuresOnly(t *testing.T) {
	ns := newNewsroom(t)
	owner := ns.users[account.Admin].Email
	for i := range 60 {
		if rec := signIn(ns.srv, owner, testPassword, "203.0.113.5:1", ""); rec.Code != http.StatusSeeOther {
			t.Fatalf("successful sign-in %d = %d, want 303", i+1, rec.Code)
		}
	}
	for i := range loginFailuresPerSource {
		if rec := signIn(ns.srv, owner, "typo", "203.0.113.5:1", ""); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d after 60 successes = %d, want 401", i+1, rec.Code)
		}
	}
	if rec := signIn(ns.srv, owner, testPassword, "203.0.113.5:1", ""); rec.Code != http.StatusTooManyRequests {
		t.Errorf("after %d failures = %d, want 429", loginFailuresPerSource, rec.Code)
	}
}

// One address may fail the README's number of times across accounts, and
// no more; the README gives the limits the code has.
func TestSignInLimitsAreTheREADMEs(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	must(t, err)
	m := regexp.MustCompile(`Sign-in:\s+(\d+)\s+failed\s+attempts\s+per\s+account\s+from\s+one\s+client\s+address,\s+(\d+)\s+per\s+client\s+address,\s+in\s+(\d+)\s+minutes`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("README does not state the sign-in limits")
	}
	perSource, _ := strconv.Atoi(string(m[1]))
	perIP, _ := strconv.Atoi(string(m[2]))
	minutes, _ := strconv.Atoi(string(m[3]))
	if perSource != loginFailuresPerSource || perIP != loginFailuresPerIP || time.Duration(minutes)*time.Minute != loginWindow {
		t.Errorf("README says %d per account and address, %d per address in %d minutes; the code %d, %d, %s",
			perSource, perIP, minutes, loginFailuresPerSource, loginFailuresPerIP, loginWindow)
	}
	m = regexp.MustCompile(`after\s+(\d+)\s+failed\s+attempts\s+at\s+one\s+account\s+from\s+anywhere`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("README does not state the account-wide threshold")
	}
	if n, _ := strconv.Atoi(string(m[1])); n != loginFailuresBeforeCheck {
		t.Errorf("README's account-wide threshold = %d, the code's %d", n, loginFailuresBeforeCheck)
	}

	ns := newNewsroom(t)
	for i := range perIP {
		if rec := signIn(ns.srv, fmt.Sprintf("guess%d@courier.example", i), "wrong", "192.0.2.66:1", ""); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d of %d = %d, want 401", i+1, perIP, rec.Code)
		}
	}
	if rec := signIn(ns.srv, ns.users[account.Admin].Email, testPassword, "192.0.2.66:1", ""); rec.Code != http.StatusTooManyRequests {
		t.Errorf("attempt %d from one address = %d, want 429", perIP+1, rec.Code)
	}
}

// With instances sharing a database, failures on either count together,
// and successes on either do not count.
func TestSignInLimitsShared(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	var servers []*Server
	clock := func() time.Time { return time.Date(2026, 6, 1, 12, 1, 0, 0, time.UTC) } // early in a 15-minute window
	for range 2 {
		db, err := sqlite.Open(ctx, path)
		must(t, err)
		t.Cleanup(func() { db.Close() })
		srv := newServer(t, db, Options{BaseURL: "https://news.example.org", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock})
		srv.ShareLimits(db)
		for _, l := range []interface{ SetClock(func() time.Time) }{srv.loginByAccount, srv.loginByIP, srv.loginByAccountAll} {
			l.SetClock(clock)
		}
		servers = append(servers, srv)
	}
	hash, err := account.HashPassword(testPassword)
	must(t, err)
	db, err := sqlite.Open(ctx, path)
	must(t, err)
	defer db.Close()
	must(t, db.CreateUser(ctx, &account.User{Email: "ed@courier.example", Name: "Ed", Role: account.Editor, PasswordHash: hash}))

	for i := range 30 {
		if rec := signIn(servers[i%2], "ed@courier.example", testPassword, "203.0.113.9:1", ""); rec.Code != http.StatusSeeOther {
			t.Fatalf("success %d = %d", i+1, rec.Code)
		}
	}
	for i := range loginFailuresPerSource {
		if rec := signIn(servers[i%2], "ed@courier.example", "typo", "203.0.113.9:1", ""); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d after 30 successes = %d, want 401", i+1, rec.Code)
		}
	}
	for _, srv := range servers {
		if rec := signIn(srv, "ed@courier.example", testPassword, "203.0.113.9:1", ""); rec.Code != http.StatusTooManyRequests {
			t.Errorf("after %d failures spread over both instances = %d, want 429", loginFailuresPerSource, rec.Code)
		}
	}
}

// Changing one's password counts wrong current passwords only: attempts
// that got the current password right do not use up the tries.
func TestPasswordChangeCountsWrongCurrentOnly(t *testing.T) {
	ns := newNewsroom(t)
	change := func(current, next, confirm string) int {
		return ns.do("POST", "/admin/account/password", account.Author, url.Values{"current": {current}, "new": {next}, "confirm": {confirm}}).Code
	}
	for i := range 2 * loginFailuresPerSource {
		if code := change(testPassword, "another long passphrase", "another long passphrase!"); code != http.StatusUnprocessableEntity {
			t.Fatalf("mismatched confirmation %d = %d, want 422", i+1, code)
		}
	}
	for i := range loginFailuresPerSource {
		if code := change("wrong", "another long passphrase", "another long passphrase"); code != http.StatusUnprocessableEntity {
			t.Fatalf("wrong current password %d = %d, want 422", i+1, code)
		}
	}
	if code := change(testPassword, "another long passphrase", "another long passphrase"); code != http.StatusTooManyRequests {
		t.Errorf("after %d wrong current passwords = %d, want 429", loginFailuresPerSource, code)
	}
}
