package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/api"
	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/comment"
	"broadsheet/internal/embed"
	"broadsheet/internal/mail"
	"broadsheet/internal/newsroom"
	"broadsheet/internal/ratelimit"
	"broadsheet/internal/store"
	"broadsheet/internal/store/postgres"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/subscription"
	"broadsheet/internal/web"
	"broadsheet/internal/webhook"
)

// engine is what the binary needs of a storage engine: what each part it
// builds asks of storage, and the upkeep it schedules. SQLite (a file in
// --data) is the default; --database-url postgres://… selects PostgreSQL.
type engine interface {
	web.Store
	web.ChangeFeed
	api.Store
	newsroom.Store
	comment.SubmitStore
	subscription.RequestStore
	challenge.UsedStore
	article.Store // the demo newspaper is loaded through it
	account.Store // users and tokens from the command line
	embed.Store   // what providers said of articles' embeds
	mail.Outbox
	webhook.Store // endpoints, for the newsroom and the Admin API
	webhook.Queue // deliveries, for the worker
	SetWebhookSite(s webhook.Site)
	OnChange(fn func(keys []string))
	Observe(fn store.QueryObserver)
	Name() string          // "sqlite" or "postgres"
	Reader() *store.Handle // export reads through it
	Writer() *store.Handle // import writes through it
	Migrate(ctx context.Context) (int, error)
	Reindex(ctx context.Context, progress func(done, total int)) error
	KeepRelated(ctx context.Context, n int) (int, error)
	RenderStored(ctx context.Context, n int) (int, error)
	QueueModerationNotice(ctx context.Context, now time.Time, every time.Duration) (int, error)
	QueueDigest(ctx context.Context, day int64, at time.Time) error
	PruneViews(ctx context.Context, before time.Time) error
	PruneChanges(ctx context.Context, before time.Time) error
	PruneUsedChallenges(ctx context.Context, now time.Time) error
	ForgetAddresses(ctx context.Context, before time.Time) (int, error)
	ratelimit.Counter
	PruneRateEvents(ctx context.Context, before time.Time) error
	Close() error
}

var (
	_ engine = (*sqlite.DB)(nil)
	_ engine = (*postgres.DB)(nil)
)

func dbPath(c Config) string { return filepath.Join(c.DataDir, sqlite.FileName) }

// dbName says which database a command works on, for messages; never the
// password of a URL.
func dbName(c Config) string {
	if c.DatabaseURL != "" {
		return "PostgreSQL database"
	}
	return dbPath(c)
}

// openDB opens the configured engine and brings its schema up to date.
func openDB(ctx context.Context, c Config) (engine, error) {
	return openEngine(ctx, c, true)
}

func openEngine(ctx context.Context, c Config, migrate bool) (engine, error) {
	if c.DatabaseURL != "" {
		open := postgres.Open
		if !migrate {
			open = postgres.OpenNoMigrate
		}
		db, err := open(ctx, c.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("cannot open database: %w", err)
		}
		return db, nil
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	open := sqlite.Open
	if !migrate {
		open = sqlite.OpenNoMigrate
	}
	db, err := open(ctx, dbPath(c))
	if err != nil {
		return nil, fmt.Errorf("cannot open database: %w", err)
	}
	return db, nil
}

// validDatabaseURL accepts PostgreSQL URLs only.
func validDatabaseURL(s string) bool {
	return s == "" || strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}
