package web

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/mail"
)

// /admin/forgot answers before it looks at the address: with the database
// refusing writes (another connection holds the write lock), a known
// address is answered at once, exactly as an unknown one, and its link is
// queued once the lock is gone. An answer that waited for the account's
// work (look-up, link, queued mail) would wait for the lock, which this
// test holds for far longer than any answer takes.
func TestForgotAnswersBeforeLookingAtTheAddress(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	ed := ns.users[account.Editor]

	locker, err := sql.Open("sqlite", ns.db.Path())
	must(t, err)
	defer locker.Close()
	conn, err := locker.Conn(ctx)
	must(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	must(t, err)
	locked := true
	unlock := func() {
		if locked {
			_, err := conn.ExecContext(ctx, "COMMIT")
			must(t, err)
			locked = false
		}
	}
	defer unlock()

	answer := func(email string) *httptest.ResponseRecorder {
		got := make(chan *httptest.ResponseRecorder, 1)
		go func() { got <- ns.do("POST", "/admin/forgot", "", url.Values{"email": {email}}) }()
		select {
		case rec := <-got:
			return rec
		case <-time.After(3 * time.Second):
			unlock()
			t.Fatalf("forgot(%s) waited for the database's write lock before answering", email)
			return nil
		}
	}
	unknown := answer("nobody@courier.example")
	known := answer(ed.Email)
	if known.Code != http.StatusOK || unknown.Code != known.Code || unknown.Body.String() != known.Body.String() {
		t.Errorf("known address = %d, unknown = %d, bodies equal %v; want the same 200 page",
			known.Code, unknown.Code, unknown.Body.String() == known.Body.String())
	}
	if c, _ := ns.db.OutboxCounts(ctx); c[mail.Queued] != 0 {
		t.Fatalf("outbox %v while the database was locked", c)
	}
	unlock()
	must(t, ns.srv.FinishAnswered(ctx))
	if c, _ := ns.db.OutboxCounts(ctx); c[mail.Queued] != 1 {
		t.Errorf("outbox %v after the lock, want the one reset link", c)
	}
}

// BenchmarkForgot gives the answer's time for an address with an account
// and one without; they should be the same figure (docs/performance.md).
func BenchmarkForgot(b *testing.B) {
	for _, who := range []string{"known", "unknown"} {
		b.Run(who, func(b *testing.B) {
			ns := newNewsroom(b)
			email := ns.users[account.Editor].Email
			if who == "unknown" {
				email = "nobody@courier.example"
			}
			body := url.Values{"email": {email}}.Encode()
			b.ResetTimer()
			for i := range b.N {
				req := httptest.NewRequest("POST", "/admin/forgot", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.RemoteAddr = fmt.Sprintf("198.51.%d.%d:1", i/250%250, i%250) // under the per-address limit
				rec := httptest.NewRecorder()
				ns.srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("forgot = %d", rec.Code)
				}
				// The work after the answer is not the answer's time; and
				// each request finds the account under its hourly limit,
				// so a known address always gets its link.
				b.StopTimer()
				ns.srv.FinishAnswered(context.Background())
				ns.srv.loginByAccount.Undo("reset|" + email)
				b.StartTimer()
			}
		})
	}
}
