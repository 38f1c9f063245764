package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"broadsheet/internal/article"
	"broadsheet/internal/store/sqlite"
)

// A server killed with SIGKILL in the middle of an article's fan-out (some
// readers mailed, a batch of messages claimed under a lease, part of the
// subscriber list not yet expanded) must, once restarted on the same data,
// finish the job: every subscriber gets the article exactly once. The real
// binary runs, so nothing in it gets to clean up; the SMTP server lives in
// the test and outlives it.
//
// The kill comes while every SMTP connection waits for the server's answer
// to MAIL FROM, its last message finished on both sides. A message whose
// final dot and whose record as sent are not both done is in doubt: a kill
// then loses it or sends it twice, whichever comes first, and no SMTP
// client can make the two one step. This test does not aim there.
func TestCrashMidFanoutMailsEveryReaderOnce(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH: cannot build the binary")
	}
	// Two and a half fan-out batches (of 2,000), so that the kill, at a
	// tenth delivered, comes before the expansion has ended.
	const readers = 5000
	const headline = "Harbour bridge reopens after two years"

	dir := t.TempDir()
	bin := filepath.Join(dir, "broadsheet")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	emails := seedFanout(t, data, readers, headline)
	outbox := openOutbox(t, data)

	// A millisecond a message over the worker's four connections: the
	// fan-out takes a few seconds.
	mx := startCountingSMTP(t, time.Millisecond, headline)
	addr := freeLoopbackAddr(t)
	args := []string{"serve", "--data", data, "--addr", addr, "--base-url", "http://" + addr,
		"--smtp-url", "smtp://" + mx.addr, "--mail-from", "news@example.org"}

	first := startBroadsheet(t, bin, args)
	mx.waitRecipients(t, first, readers/10, 30*time.Second)
	mx.hold()
	mx.waitIdle(t, 10*time.Second)
	first.kill(t)
	mx.release()
	arrived := mx.messages()
	if arrived >= readers {
		t.Fatalf("all %d readers were mailed before the kill: the fan-out was too quick to crash in the middle", readers)
	}
	st := outbox.state()
	t.Logf("killed the server with %d of %d readers mailed; %s", arrived, readers, st)
	if st.sent != arrived {
		t.Errorf("at the kill %d messages were recorded as sent and %d had arrived", st.sent, arrived)
	}

	second := startBroadsheet(t, bin, args)
	deadline := time.Now().Add(60 * time.Second)
	for mx.recipients() < readers && !outbox.state().drained() {
		select {
		case <-second.exited:
			t.Fatalf("broadsheet exited after the restart (%v):\n%s", second.err, second.log.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Errorf("%d of %d readers mailed a minute after the restart; %s", mx.recipients(), readers, outbox.state())
			break
		}
	}
	// A message sent twice, or the last ones, may still be on their way.
	time.Sleep(3 * time.Second)

	got := mx.deliveries()
	var missing, twice []string
	for _, e := range emails {
		switch n := got[e]; {
		case n == 0:
			missing = append(missing, e)
		case n > 1:
			twice = append(twice, fmt.Sprintf("%s (%d times)", e, n))
		}
		delete(got, e)
	}
	if len(missing) > 0 {
		t.Errorf("%d readers never got the article: %s%s", len(missing), sample(missing), outbox.rows(missing))
	}
	if len(twice) > 0 {
		t.Errorf("%d readers got the article more than once: %s", len(twice), sample(twice))
	}
	if len(got) > 0 {
		t.Errorf("mail to %d addresses nobody subscribed: %v", len(got), got)
	}
	if bad := mx.wrongMessages(); len(bad) > 0 {
		t.Errorf("messages about something else: %s", sample(bad))
	}
	if t.Failed() {
		t.Logf("first run's log:\n%s\nsecond run's log:\n%s", first.log.String(), second.log.String())
	}
}

// seedFanout creates a database in data with readers confirmed site
// subscribers and one article published a minute ago, whose fan-out is
// queued by the same transaction; it returns the readers' addresses. A
// server started on data sends the fan-out at once.
func seedFanout(t *testing.T, data string, readers int, headline string) []string {
	t.Helper()
	ctx := context.Background()
	if err := os.MkdirAll(data, 0o750); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(data, "broadsheet.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// Thousands of readers through Subscribe and Confirm would take two
	// commits each: one transaction of plain SQL instead.
	raw, err := sql.Open("sqlite", sqliteDSN(path, "foreign_keys(1)"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	now := time.Now().Unix()
	emails := make([]string, readers)
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for i := range emails {
		emails[i] = fmt.Sprintf("reader%05d@example.org", i)
		res, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, email_key, confirmed_at, consent, created_at) VALUES (?, ?, ?, 'crash test', ?)`,
			emails[i], emails[i], now, now)
		if err != nil {
			t.Fatal(err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (subscriber_id, scope_kind, scope_id, frequency, status, created_at)
			VALUES (?, 'site', 0, 'immediate', 'active', ?)`, id, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	sec := article.Section{Slug: "city", Name: "City"}
	if err := db.CreateSection(ctx, &sec); err != nil {
		t.Fatal(err)
	}
	a := &article.Article{Slug: "harbour-bridge-reopens", Headline: headline, Standfirst: "Traffic crosses again from Monday.",
		Section: sec, Status: article.Published, Language: "en", PublishedAt: time.Now().Add(-time.Minute)}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	return emails
}

func sqliteDSN(path, pragma string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=" + pragma
}

// outboxReader reads the outbox of the database the server runs on.
type outboxReader struct {
	t  *testing.T
	db *sql.DB
}

func openOutbox(t *testing.T, data string) *outboxReader {
	t.Helper()
	db, err := sql.Open("sqlite", sqliteDSN(filepath.Join(data, "broadsheet.db"), "query_only(1)"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &outboxReader{t: t, db: db}
}

type outboxState struct {
	rows, sent, queued, leased int
	cursor                     int64
	expanded                   bool // the fan-out is done
}

// drained: nothing is left to send.
func (s outboxState) drained() bool { return s.expanded && s.queued == 0 }

func (s outboxState) String() string {
	return fmt.Sprintf("outbox: %d rows, %d sent, %d queued of which %d under a lease; fan-out cursor at subscriber %d, done: %t",
		s.rows, s.sent, s.queued, s.leased, s.cursor, s.expanded)
}

func (o *outboxReader) state() outboxState {
	o.t.Helper()
	var s outboxState
	var done sql.NullInt64
	err := o.db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'queued'),
		count(*) FILTER (WHERE status = 'queued' AND lease_until > ?),
		(SELECT cursor FROM fanouts WHERE kind = 'article'), (SELECT done_at FROM fanouts WHERE kind = 'article')
		FROM outbox`, time.Now().Unix()).Scan(&s.rows, &s.sent, &s.queued, &s.leased, &s.cursor, &done)
	if err != nil {
		o.t.Fatalf("reading the outbox: %v", err)
	}
	s.expanded = done.Valid
	return s
}

// rows describes the outbox rows of a few recipients, for a failure
// message. A row still queued under a lease was claimed by a process that
// has not sent it; one recorded as sent that never arrived was recorded
// before its final dot reached the server.
func (o *outboxReader) rows(recipients []string) string {
	var b strings.Builder
	now := time.Now().Unix()
	for _, r := range recipients[:min(len(recipients), 5)] {
		var status, lastErr string
		var attempts int
		var leaseUntil int64
		err := o.db.QueryRow(`SELECT status, attempts, lease_until, last_error FROM outbox WHERE recipient = ?`, r).
			Scan(&status, &attempts, &leaseUntil, &lastErr)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			fmt.Fprintf(&b, "\n%s: no outbox row (the fan-out never reached it)", r)
		case err != nil:
			fmt.Fprintf(&b, "\n%s: %v", r, err)
		case leaseUntil > now:
			fmt.Fprintf(&b, "\n%s: %s after %d attempts, leased for %ds more", r, status, attempts, leaseUntil-now)
		default:
			fmt.Fprintf(&b, "\n%s: %s after %d attempts, last error %q", r, status, attempts, lastErr)
		}
	}
	return b.String()
}

func sample(s []string) string {
	if len(s) > 10 {
		return strings.Join(s[:10], ", ") + ", …"
	}
	return strings.Join(s, ", ")
}

func freeLoopbackAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// broadsheetProcess is the binary running serve.
type broadsheetProcess struct {
	cmd    *exec.Cmd
	log    *syncBuffer
	exited chan struct{}
	err    error // once exited is closed
}

func startBroadsheet(t testing.TB, bin string, args []string) *broadsheetProcess {
	t.Helper()
	return startBroadsheetIn(t, "", bin, args)
}

// startBroadsheetIn is startBroadsheet in the working directory dir.
func startBroadsheetIn(t testing.TB, dir, bin string, args []string) *broadsheetProcess {
	t.Helper()
	p := &broadsheetProcess{cmd: exec.Command(bin, args...), log: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			t.Errorf("broadsheet (pid %d) did not exit after SIGKILL", p.cmd.Process.Pid)
		}
	})
	return p
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *broadsheetProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v", err)
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("broadsheet (pid %d) did not exit after SIGKILL", p.cmd.Process.Pid)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// countingSMTP is a receiving SMTP server on loopback that counts the
// messages each recipient was handed, taking delay over each. A message
// counts once its final dot has arrived: from then on it is the server's.
// While held, it answers no MAIL FROM: transactions under way finish, no
// new one starts.
type countingSMTP struct {
	addr    string
	delay   time.Duration
	subject string // every message should be about this

	mu      sync.Mutex
	count   map[string]int
	total   int
	wrong   []string      // recipients and subjects of other messages
	open    int           // transactions begun (MAIL FROM answered) and not finished
	live    int           // sessions not yet logged out
	waiting int           // sessions waiting, held, for an answer to MAIL FROM
	held    chan struct{} // non-nil while held; closed by release
	arrived chan struct{}
}

func startCountingSMTP(t *testing.T, delay time.Duration, subject string) *countingSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &countingSMTP{addr: ln.Addr().String(), delay: delay, subject: subject, count: map[string]int{}, arrived: make(chan struct{}, 1)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.live++
		return &countingSession{s: s}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.MaxRecipients = 1
	srv.ErrorLog = log.New(io.Discard, "", 0) // connections reset by the kill are expected
	go srv.Serve(ln)
	t.Cleanup(func() {
		s.release()
		srv.Close()
	})
	return s
}

// recipients is how many distinct addresses have had a message.
func (s *countingSMTP) recipients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.count)
}

// messages is how many messages have arrived.
func (s *countingSMTP) messages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

func (s *countingSMTP) deliveries() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.count))
	for k, v := range s.count {
		out[k] = v
	}
	return out
}

func (s *countingSMTP) wrongMessages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.wrong)
}

func (s *countingSMTP) hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = make(chan struct{})
	}
}

func (s *countingSMTP) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held != nil {
		close(s.held)
		s.held = nil
	}
}

// waitIdle waits, while held, until no transaction is under way and every
// session waits for an answer to MAIL FROM: the client has done all it
// does after a message, whatever that is, and started no other.
func (s *countingSMTP) waitIdle(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		open, live, waiting := s.open, s.live, s.waiting
		s.mu.Unlock()
		if open == 0 && waiting == live {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %d SMTP transactions under way, %d of %d sessions waiting", timeout, open, waiting, live)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitRecipients waits until n distinct addresses have had mail, failing
// the test if p exits first or timeout passes.
func (s *countingSMTP) waitRecipients(t *testing.T, p *broadsheetProcess, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for s.recipients() < n {
		select {
		case <-s.arrived:
		case <-p.exited:
			t.Fatalf("broadsheet exited (%v) with %d of %d readers mailed:\n%s", p.err, s.recipients(), n, p.log.String())
		case <-deadline.C:
			t.Fatalf("%d of %d readers mailed after %s; log:\n%s", s.recipients(), n, timeout, p.log.String())
		}
	}
}

type countingSession struct {
	s    *countingSMTP
	to   string
	inTx bool
}

func (ss *countingSession) Mail(string, *smtp.MailOptions) error {
	s := ss.s
	s.mu.Lock()
	for s.held != nil {
		held := s.held
		s.waiting++
		s.mu.Unlock()
		<-held
		s.mu.Lock()
		s.waiting--
	}
	if !ss.inTx {
		ss.inTx = true
		s.open++
	}
	s.mu.Unlock()
	return nil
}

// end finishes the session's transaction, however it ended.
func (ss *countingSession) end() {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.inTx {
		ss.inTx = false
		ss.s.open--
	}
}

func (ss *countingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = strings.ToLower(to)
	return nil
}

func (ss *countingSession) Data(r io.Reader) error {
	defer ss.end()
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // the client went away before its final dot: not taken
	}
	subject := "(unreadable)"
	if m, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		subject, _ = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	}
	s := ss.s
	s.mu.Lock()
	s.count[ss.to]++
	s.total++
	if subject != s.subject {
		s.wrong = append(s.wrong, ss.to+": "+subject)
	}
	s.mu.Unlock()
	select {
	case s.arrived <- struct{}{}:
	default:
	}
	time.Sleep(s.delay)
	return nil
}

func (ss *countingSession) Reset() {
	ss.to = ""
	ss.end()
}

func (ss *countingSession) Logout() error {
	ss.end()
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.live--
	return nil
}
