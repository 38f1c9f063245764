package storetest

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/mail"
	"broadsheet/internal/store"
)

// Upgrade is an engine's database migrated up to, and not including, a
// migration, for the cases that test that migration on data written
// before it.
type Upgrade struct {
	// Store is the database as it is: its methods that touch nothing the
	// migration changes work on it.
	Store Store
	// DB runs statements in SQL both engines speak, without parameters.
	DB *sql.DB
	// Migrate applies the remaining migrations.
	Migrate func(ctx context.Context) (int, error)
}

// RunUpgrades runs the cases of migrations that rewrite data. before must
// return a new database at the migration before the one named, and
// register its cleanup.
func RunUpgrades(t *testing.T, before func(t *testing.T, migration string) Upgrade) {
	for _, tt := range []struct {
		name, migration string
		fn              func(t *testing.T, u Upgrade)
	}{
		{"AddressKeys", "email_keys", testAddressKeysUpgrade},
		{"AddressKeysShared", "email_keys", testAddressKeysShared},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, before(t, tt.migration)) })
	}
}

// MigrateBefore applies an engine's migrations, embedded in fsys, up to
// and not including the one named, and says how many remain.
func MigrateBefore(t *testing.T, m store.Migrator, fsys fs.FS, migration string) int {
	t.Helper()
	ms, err := store.LoadMigrations(fsys, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m store.Migration) bool { return m.Name == migration })
	if i < 0 {
		t.Fatalf("no migration %s", migration)
	}
	if _, err := m.Apply(context.Background(), ms[:i]); err != nil {
		t.Fatal(err)
	}
	return len(ms) - i
}

func execAll(t *testing.T, db *sql.DB, statements ...string) {
	t.Helper()
	for _, q := range statements {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func schemaVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// testAddressKeysUpgrade: addresses written before their keys, in mixed
// case and outside ASCII, are found in any case once migrated, and are
// still shown as typed.
func testAddressKeysUpgrade(t *testing.T, u Upgrade) {
	ctx := context.Background()
	s := u.Store
	// The section and the article are written in SQL: CreateSection and
	// CreateArticle write columns that later migrations add.
	execAll(t, u.DB,
		`INSERT INTO sections (slug, name) VALUES ('city', 'City')`,
		`INSERT INTO articles (slug, headline, section_id, status, created_at, modified_at)
			SELECT 'story', 'Story', id, 'published', 0, 0 FROM sections WHERE slug = 'city'`,
		`INSERT INTO users (email, name, role, password_hash, created_at) VALUES ('Édith@example.org', 'Édith', 'editor', '', 0)`,
		`INSERT INTO subscribers (email, confirmed_at, consent, created_at) VALUES ('Иван@example.org', 0, 'form', 0)`,
		`INSERT INTO subscriptions (subscriber_id, scope_kind, scope_id, frequency, status, created_at)
			SELECT id, 'site', 0, 'immediate', 'active', 0 FROM subscribers`,
		`INSERT INTO comments (article_id, name, email, body, status, idem_key, edit_hash, created_at)
			SELECT id, 'Ivan', 'ИВАН@example.org', 'First.', 'approved', 'k1', 'ivan-hash', 0 FROM articles WHERE slug = 'story'`,
		`INSERT INTO outbox (key, recipient, kind, object_id, next_at, created_at)
			VALUES ('иван@example.org|digest|20260301', 'Иван@example.org', 'digest', 20260301, 0, 0)`,
	)
	if _, err := u.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	if got, err := s.UserByEmail(ctx, "ÉDITH@example.org"); err != nil || got.Email != "Édith@example.org" {
		t.Errorf("UserByEmail in another case = %v, %v; want the user, as typed", got, err)
	}
	if err := s.CreateUser(ctx, &account.User{Email: "édith@example.org", Name: "Twin", Role: account.Author}); !errors.Is(err, account.ErrConflict) {
		t.Errorf("a second user with the address in another case: err = %v, want ErrConflict", err)
	}
	if got, err := s.SubscriberByEmail(ctx, "иван@example.org"); err != nil || got.Email != "Иван@example.org" {
		t.Errorf("SubscriberByEmail in another case = %v, %v; want the subscriber, as typed", got, err)
	}
	if list, err := s.CommentsByEmail(ctx, "Иван@example.org"); err != nil || len(list) != 1 || list[0].Email != "ИВАН@example.org" {
		t.Errorf("CommentsByEmail in another case = %v, %v; want the comment, as typed", list, err)
	}
	if ok, err := s.Returning(ctx, "иван@example.org", "ivan-hash"); err != nil || !ok {
		t.Errorf("Returning in another case = %v, %v; want true", ok, err)
	}
	if found, err := s.EraseSubscriber(ctx, "иван@example.org"); err != nil || !found {
		t.Errorf("EraseSubscriber in another case = %v, %v; want true", found, err)
	}
	if counts, err := s.OutboxCounts(ctx); err != nil || counts[mail.Queued] != 0 {
		t.Errorf("mail queued after erasing the subscriber = %d, %v; want none", counts[mail.Queued], err)
	}
}

// testAddressKeysShared: two users, or two subscribers, whose addresses
// differ only in case outside ASCII — apart before, one address after —
// stop the migration, which names them and leaves the database as it
// was; once one of each is gone, it runs.
func testAddressKeysShared(t *testing.T, u Upgrade) {
	ctx := context.Background()
	execAll(t, u.DB,
		`INSERT INTO users (email, name, role, password_hash, created_at) VALUES ('Édith@example.org', 'Édith', 'editor', '', 0)`,
		`INSERT INTO users (email, name, role, password_hash, created_at) VALUES ('édith@example.org', 'Edith', 'author', '', 0)`,
		`INSERT INTO subscribers (email, confirmed_at, consent, created_at) VALUES ('Иван@example.org', 0, 'form', 0)`,
		`INSERT INTO subscribers (email, confirmed_at, consent, created_at) VALUES ('иван@example.org', 0, 'form', 0)`,
	)
	version := schemaVersion(t, u.DB)
	_, err := u.Migrate(ctx)
	if err == nil {
		t.Fatal("Migrate with two accounts of one address succeeded, want it refused")
	}
	for _, want := range []string{`users 1 "Édith@example.org" and 2 "édith@example.org"`, `subscribers 1 "Иван@example.org" and 2 "иван@example.org"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Migrate err = %v; want it to name %s", err, want)
		}
	}
	if v := schemaVersion(t, u.DB); v != version {
		t.Errorf("schema version after the refusal = %d, want %d: left as it was", v, version)
	}
	if _, err := u.Store.UserByID(ctx, 2); err != nil {
		t.Errorf("after the refusal, the second user: %v", err)
	}

	execAll(t, u.DB,
		`DELETE FROM users WHERE id = 2`,
		`DELETE FROM subscribers WHERE id = 2`,
	)
	if _, err := u.Migrate(ctx); err != nil {
		t.Fatalf("Migrate once one of each is gone: %v", err)
	}
	if got, err := u.Store.UserByEmail(ctx, "édith@example.org"); err != nil || got.ID != 1 {
		t.Errorf("UserByEmail after the migration = %v, %v; want user 1", got, err)
	}
	if got, err := u.Store.SubscriberByEmail(ctx, "иван@example.org"); err != nil || got.ID != 1 {
		t.Errorf("SubscriberByEmail after the migration = %v, %v; want subscriber 1", got, err)
	}
}
