package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"broadsheet/internal/article"
)

// Listen hears the commits of every instance; when its connection is
// lost it says so, connects again and hears on; it returns when its
// context ends.
func TestListen(t *testing.T) {
	dbs := instances(t, 2)
	listener, writer := dbs[0], dbs[1]
	ctx, cancel := context.WithCancel(context.Background())
	changed, lost := make(chan struct{}, 1000), make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		listener.Listen(ctx, func() { changed <- struct{}{} }, func() { lost <- struct{}{} })
	}()
	defer func() {
		cancel()
		<-done
	}()
	n := 0
	write := func() {
		t.Helper()
		n++
		if err := writer.CreateTag(context.Background(), &article.Tag{Slug: fmt.Sprint("t-", n), Name: "T"}); err != nil {
			t.Fatal(err)
		}
	}
	// Until the listener is connected, writes go unheard: write until one
	// is heard.
	heard := func(what string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			write()
			select {
			case <-changed:
				for len(changed) > 0 {
					<-changed
				}
				return
			case <-deadline:
				t.Fatalf("%s: no change heard", what)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	heard("first connection")
	if len(lost) != 0 {
		t.Error("the first connection was reported lost")
	}
	write()
	select {
	case <-changed:
	case <-time.After(5 * time.Second):
		t.Fatal("a write of another instance was not heard")
	}

	var killed int
	if err := writer.pool.QueryRowContext(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d listening connections, %v; want 1", killed, err)
	}
	select {
	case <-lost:
	case <-time.After(10 * time.Second):
		t.Fatal("the lost connection was not reported")
	}
	heard("after reconnecting")

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Listen did not return when its context ended")
	}
}
