// Command broadsheet runs a news site: the reading site, its storage and
// its maintenance commands, in one binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"slices"
	"strings"
	"syscall"
	"time"

	"broadsheet/internal/api"
	"broadsheet/internal/article"
	"broadsheet/internal/challenge"
	"broadsheet/internal/clientip"
	"broadsheet/internal/comment"
	"broadsheet/internal/demo"
	"broadsheet/internal/embed"
	"broadsheet/internal/fastpath"
	"broadsheet/internal/library"
	"broadsheet/internal/metrics"
	"broadsheet/internal/newsroom"
	"broadsheet/internal/progress"
	"broadsheet/internal/store/transfer"
	"broadsheet/internal/subscription"
	"broadsheet/internal/tlscert"
	"broadsheet/internal/web"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Broadsheet: a news publishing platform in one binary.

Usage:
  broadsheet serve [flags]        run the site (see broadsheet serve -h)
  broadsheet migrate [flags]      bring the database schema up to date and exit
  broadsheet reindex [flags]      rebuild the search and More Articles index
  broadsheet copy --from sqlite:PATH --to postgres://…
                                  move a whole site into PostgreSQL
  broadsheet backup --to FILE     write a checked, compressed backup of the
                                  database in --data, while the site runs
  broadsheet restore --from FILE [--force]
                                  put a backup in place as the database in --data
  broadsheet restore --from-replica DIR [--to-time TIME] [--force]
                                  rebuild the database in --data from a replica
                                  written by serve --replicate-to, as of TIME
  broadsheet export --to FILE     write the whole site, on either engine, as one
                                  documented archive (docs/export-format.md)
  broadsheet import broadsheet FILE
                                  read an export into a site that is still empty
  broadsheet import wordpress FILE.xml [--uploads DIR] [--dry-run] [--accounts] [--time-zone ZONE]
                                  bring a WordPress site across from its export
                                  (docs/migrating-from-wordpress.md)
  broadsheet user add [flags]     create a newsroom account
  broadsheet user reset-second-step --email E
                                  remove an account's passkeys, authenticator app and
                                  recovery codes, and sign it out everywhere
  broadsheet token create [flags] print a new Admin API token
  broadsheet version              print the version
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if len(os.Args) > 1 && os.Args[1] == "backup" {
		yield() // a backup beside a running site leaves it the processor first
	}
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "broadsheet:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError marks a mistake in the command line (exit code 2).
type usageError struct{ error }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{errors.New("no command given")}
	}
	switch args[0] {
	case "serve":
		c, err := parseServe(args[1:])
		if err != nil {
			return usageError{err}
		}
		return serve(ctx, c, stderr)
	case "migrate":
		c, err := parseServe(args[1:])
		if err != nil {
			return usageError{err}
		}
		return migrate(ctx, c, stdout)
	case "reindex":
		c, err := parseServe(args[1:])
		if err != nil {
			return usageError{err}
		}
		return reindex(ctx, c, stdout, stderr)
	case "copy":
		return copySite(ctx, args[1:], stdout, stderr)
	case "backup":
		return backupSite(ctx, args[1:], stdout, stderr)
	case "restore":
		return restoreSite(ctx, args[1:], stdout, stderr)
	case "export":
		return exportSite(ctx, args[1:], stdout, stderr)
	case "import":
		return importSite(ctx, args[1:], stdout, stderr)
	case "user":
		switch {
		case len(args) >= 2 && args[1] == "add":
			return userAdd(ctx, args[2:], stdin, stdout, stderr)
		case len(args) >= 2 && args[1] == "reset-second-step":
			return userResetSecondStep(ctx, args[2:], stdout, stderr)
		}
		return usageError{errors.New("usage: broadsheet user add --email E --name N --role ROLE, or broadsheet user reset-second-step --email E")}
	case "token":
		if len(args) < 2 || args[1] != "create" {
			return usageError{errors.New("usage: broadsheet token create --user EMAIL --name LABEL")}
		}
		return tokenCreate(ctx, args[2:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "broadsheet %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}

func migrate(ctx context.Context, c Config, stdout io.Writer) error {
	db, err := openEngine(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("cannot migrate database: %w", err)
	}
	fmt.Fprintf(stdout, "%s: applied %d migration(s); schema is up to date\n", dbName(c), n)
	return nil
}

// reindex rebuilds the search and More Articles index, with a progress
// bar on a terminal. The site can keep running meanwhile.
func reindex(ctx context.Context, c Config, stdout, stderr io.Writer) error {
	db, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	var bar *progress.Bar
	start := time.Now()
	err = db.Reindex(ctx, func(done, total int) {
		if bar == nil {
			bar = progress.New(stderr, "Reindexing", total)
		}
		bar.Add(done - bar.Done())
	})
	if err != nil {
		return err
	}
	if bar != nil {
		bar.Finish()
	}
	fmt.Fprintf(stdout, "%s: index rebuilt in %s\n", dbName(c), time.Since(start).Round(time.Millisecond))
	return nil
}

func serve(ctx context.Context, c Config, stderr io.Writer) error {
	log := newLogger(c, stderr)
	memLimit, ownLimit := setMemoryLimit(c)
	// Listen before anything else: a taken address ends the command at
	// once with a message naming it, before any background work (the mail
	// worker, scheduled publishing) has started.
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", c.Addr, err)
	}
	defer ln.Close()
	var metricsLn net.Listener
	if c.MetricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", c.MetricsAddr); err != nil {
			return fmt.Errorf("cannot listen on %s for metrics: %w", c.MetricsAddr, err)
		}
		defer metricsLn.Close()
	}
	var redirectLn net.Listener
	if c.HTTPRedirectAddr != "" {
		if redirectLn, err = net.Listen("tcp", c.HTTPRedirectAddr); err != nil {
			return fmt.Errorf("cannot listen on %s for plain HTTP: %w", c.HTTPRedirectAddr, err)
		}
		defer redirectLn.Close()
	}
	var certs *tlscert.Keeper
	var hup <-chan os.Signal
	if c.TLSCert != "" {
		if certs, err = tlscert.Load(c.TLSCert, c.TLSKey); err != nil {
			return err
		}
		var stop func()
		hup, stop = reloadSignal()
		defer stop()
	}
	var toTLS http.Handler
	if redirectLn != nil {
		if toTLS, err = toHTTPS(c.BaseURL, c.ACMEWebroot); err != nil {
			return err
		}
	}
	db, err := openDB(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()

	if c.Demo {
		// A progress bar is for a person at a terminal; JSON logs get
		// records only.
		var bar *progress.Bar
		var p demo.Progress = quiet{}
		if c.LogFormat != "json" {
			bar = progress.New(stderr, "Loading demo content", demo.Steps())
			p = bar
		}
		err := demo.Load(ctx, db, time.Now(), p)
		switch {
		case errors.Is(err, demo.ErrNotEmpty):
			log.Info("database already has content; demo not loaded")
		case err != nil:
			return err
		case bar != nil:
			bar.Finish()
		default:
			log.Info("demo content loaded")
		}
	}

	ips, err := clientip.New(c.TrustedProxies)
	if err != nil {
		return usageError{err}
	}
	if limit, ok := openFileLimit(); ok && !streamsFit(limit, c.LiveStreams) {
		log.Warn("the open-file limit leaves no room for --live-streams: each stream holds a connection; raise the limit (LimitNOFILE= in systemd, ulimit -n) or lower --live-streams",
			"open_file_limit", limit, "live_streams", c.LiveStreams)
	}
	worker, err := newMailWorker(ctx, c, db, log)
	if err != nil {
		return err
	}
	// The anti-bot check and the use cases readers reach, made once and
	// handed to the site's forms and to the API alike, so that one rule
	// and one count hold whichever door a request comes in by.
	key, err := db.SigningKey(ctx)
	if err != nil {
		return err
	}
	challenges, err := challenge.New(challenge.Config{Key: key, Expiry: c.ChallengeExpiry}, db)
	if err != nil {
		return err
	}
	var external *challenge.External
	if c.CaptchaProvider != "" {
		host := strings.TrimPrefix(strings.TrimPrefix(c.BaseURL, "https://"), "http://")
		host, _, _ = strings.Cut(host, "/")
		host, _, _ = strings.Cut(host, ":")
		external = &challenge.External{Provider: challenge.Provider(c.CaptchaProvider), Secret: c.CaptchaSecret, Hostname: host,
			MinScore: 0.5, Used: db}
	}
	antibot := challenge.Policy{Builtin: challenges, External: external}
	comments := comment.NewService(db, comment.Config{Key: key, Antibot: antibot, MinFill: c.CommentMinFill})
	subscriptions := subscription.NewService(db, subscription.Config{Antibot: antibot, Consent: "double opt-in from " + strings.TrimSuffix(c.BaseURL, "/"), Wake: worker.Wake})

	// Every save asks providers about the body's new embeds, once; the
	// pages readers load never do.
	embeds := &embed.Keeper{Store: db, Log: log, Resolver: embed.NewResolver(embed.Options{Endpoints: c.OEmbedEndpoints,
		MetaToken: c.MetaAppToken, AllowPrivate: c.EmbedsAllowPrivate, Images: db, Log: log})}
	desk := newsroom.New(db, nil, log).WithEmbeds(embeds) // the newsroom's pages and the Admin API share it
	media := library.New(db, log)                         // one image processed at a time, from the pages or the API
	hooks, hooksWorker := newWebhooks(c, db, log)
	live := newsroom.NewLiveBlogs(db, nil, log).WithEmbeds(embeds)
	deps := api.Deps{Store: db, Newsroom: desk, Library: media, LiveBlogs: live, Webhooks: hooks, BaseURL: c.BaseURL, IPs: ips, Log: log,
		Challenges: challenges, Comments: comments, Subscriptions: subscriptions, MailQueued: worker.Wake}
	if c.DatabaseURL != "" {
		deps.Limits = db // instances sharing the database limit together
	}
	reg := metrics.New()
	db.Observe(reg.ObserveQuery) // what the database is asked, in /metrics
	opts := web.Options{BaseURL: c.BaseURL, Logger: log, CacheBytes: c.CacheMB << 20, IPs: ips, API: api.New(deps), Metrics: reg,
		Challenges: challenges, Comments: comments, Subscriptions: subscriptions, Newsroom: desk, LiveBlogs: live, Library: media, Webhooks: hooks, External: external, SiteKey: c.CaptchaSiteKey,
		MetricsToken: c.MetricsToken, MetricsElsewhere: metricsLn != nil, LiveStreams: c.LiveStreams, LiveStreamsPerIP: c.LiveStreamsPerIP}
	opts.MailQueued, opts.MailSending = worker.Wake, worker.SMTP != nil
	opts.Export = func(ctx context.Context, w io.Writer) error {
		_, err := transfer.Export(ctx, db.Reader().Pool(), db.Name(), w, transfer.ExportOptions{Generator: "Broadsheet " + version})
		return err
	}
	var backups *backupSchedule
	if c.BackupDir != "" {
		if err := checkDir("backup directory", c.BackupDir); err != nil {
			return usageError{err}
		}
		backups = &backupSchedule{src: dbPath(c), dir: c.BackupDir, every: c.BackupEvery, keep: c.BackupKeep, log: log}
		backups.register(reg)
	}
	replica, err := startReplica(ctx, c, log, reg)
	if err != nil {
		return err
	}
	// Last of all, once every write is done: the database, then the replica.
	defer replica.stop(db, log)
	opts.Backups = backupStatus(backups, replica)
	srv, err := web.New(db, opts)
	if err != nil {
		return err
	}
	if link, err := srv.SetupLink(ctx); err != nil {
		return err
	} else if link != "" {
		announceSetupLink(c, log, stderr, link)
	}

	// Background work starts here, and every way out of this function
	// stops it and waits for the mail and webhook workers.
	ctx, cancel := context.WithCancel(ctx)
	mailDone, hooksDone := make(chan struct{}), make(chan struct{})
	defer func() {
		cancel()
		<-mailDone
		<-hooksDone
	}()
	db.OnChange(srv.Invalidate)
	// A write may have queued mail (an article going live fans out) and
	// recorded webhook events.
	db.OnChange(func([]string) { worker.Wake(); hooksWorker.Wake() })
	go func() {
		defer close(mailDone)
		worker.Run(ctx, 2*time.Second)
	}()
	go func() {
		defer close(hooksDone)
		hooksWorker.Run(ctx, time.Second)
	}()
	if err := srv.Follow(ctx, db, time.Second); err != nil {
		return err
	}
	// With PostgreSQL, other instances' writes are announced at once; a
	// lost connection drops the whole cache (what was announced meanwhile
	// is gone), and the change log read each second bounds staleness.
	if c.DatabaseURL != "" {
		// Several instances may share this database: limits count there.
		srv.ShareLimits(db)
	}
	if l, ok := db.(interface {
		Listen(ctx context.Context, changed, lost func())
	}); ok {
		go l.Listen(ctx, srv.Poke, func() {
			log.Warn("change notifications were interrupted; dropping the page cache")
			srv.DropCache()
		})
	}
	go pruneChanges(ctx, db, log)
	// An article written may belong in other articles' More Articles.
	relatedWake := make(chan struct{}, 1)
	db.OnChange(func(keys []string) {
		if slices.Contains(keys, article.KeyAllArticles) {
			select {
			case relatedWake <- struct{}{}:
			default:
			}
		}
	})
	go keepRelated(ctx, db, relatedWake, log)
	go renderStored(ctx, db, log)
	if backups != nil {
		// Shutdown waits for a backup under way to remove its temporaries.
		backupsDone := make(chan struct{})
		defer func() { cancel(); <-backupsDone }()
		go func() {
			defer close(backupsDone)
			backups.run(ctx)
		}()
	}
	// The last flush at shutdown waits for the periodic one: one cut short
	// puts its views back (FlushViews), and the last flush then saves them.
	flushing := make(chan struct{})
	go func() {
		defer close(flushing)
		flushViews(ctx, srv, log)
	}()
	go schedule(ctx, db, srv, log)
	if ownLimit {
		go limitFollowsStreams(ctx, memLimit, srv.LiveStreams)
	}

	// Starting left garbage behind (templates parsed, static files
	// compressed): hand its memory back before the first reader comes.
	debug.FreeOSMemory()
	go giveBackWhenQuiet(ctx, time.Minute, heapAllocated, debug.FreeOSMemory)
	hs := newHTTPServer(srv, log)
	hs.RegisterOnShutdown(srv.Shutdown)
	errc := make(chan error, 3)
	var servers []interface{ Shutdown(context.Context) error }
	scheme := "http"
	if certs != nil {
		// TLS served here: net/http speaks HTTP/2 and HTTP/1.1 over it;
		// the fast path is plain HTTP/1.1 only (ADR 0026).
		scheme = "https"
		hs.Handler = hsts(hs.Handler)
		hs.TLSConfig = certs.Config()
		certificateMetrics(reg, certs)
		go keepCertificate(ctx, certs, c.certCheck, hup, log)
		go func() { errc <- hs.ServeTLS(ln, "", "") }()
		servers = append(servers, hs)
	} else {
		// Cached pages are answered on the fast path; everything else, and
		// every connection after its first request the fast path does not
		// answer, by hs (ADR 0023).
		fast := &fastpath.Server{Handler: srv.FastHandler(), Fallback: hs, CloseAfterHandoff: true,
			IdleTimeout: hs.IdleTimeout, ReadHeaderTimeout: hs.ReadHeaderTimeout, WriteTimeout: hs.WriteTimeout}
		reg.CounterByLabel("broadsheet_fastpath_handoffs_total",
			"Connections the fast path handed to net/http, by reason: a request it does not take (refused), a head too long for it, or a page it does not hold (declined).",
			"reason", func() map[string]uint64 {
				h := fast.Handoffs()
				return map[string]uint64{"refused": h.Refused, "too_long": h.TooLong, "declined": h.Declined}
			})
		go func() { errc <- fast.Serve(ln) }()
		servers = append(servers, fast)
	}
	if redirectLn != nil {
		rs := newHTTPServer(toTLS, log)
		servers = append(servers, rs)
		go func() { errc <- rs.Serve(redirectLn) }()
		log.Info("sending plain HTTP to https", "url", "http://"+redirectLn.Addr().String(), "acme_webroot", c.ACMEWebroot)
	}
	if metricsLn != nil {
		ms := newHTTPServer(srv.Metrics(), log)
		servers = append(servers, ms)
		go func() { errc <- ms.Serve(metricsLn) }()
		log.Info("serving metrics", "url", "http://"+metricsLn.Addr().String()+"/metrics")
	}
	log.Info("serving", "url", scheme+"://"+ln.Addr().String(), "base_url", c.BaseURL, "database", dbName(c), "version", version,
		"memory_limit_mib", memLimit>>20)

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancelShutdown := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancelShutdown()
	var stopErr error
	for _, s := range servers {
		if err := s.Shutdown(shutdown); err != nil && stopErr == nil {
			stopErr = fmt.Errorf("shutdown: %w", err)
		}
	}
	// Even when requests outlived the deadline, what answered requests
	// left and the views counted so far are still saved.
	finish, cancelFinish := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelFinish()
	if err := srv.FinishAnswered(finish); err != nil {
		log.Warn("finishing work of answered requests", "err", err)
	}
	<-flushing
	if err := srv.FlushViews(finish); err != nil {
		log.Warn("saving page views", "err", err)
	}
	return stopErr
}

// setMemoryLimit gives the garbage collector a soft limit unless
// GOMEMLIMIT sets one, and returns the limit in effect and whether it is
// serve's own. Without a limit the collector lets the heap grow to twice
// what is live before it collects: under load, twice the page cache. The
// limit leaves room for the cache as it is held (a page may keep up to
// twice the bytes it is counted for: the buffer it was rendered into) and
// 48 MiB for the rest of the program (docs/performance.md, Memory at
// 100,000 articles); limitFollowsStreams adds the readers' live streams.
func setMemoryLimit(c Config) (int64, bool) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return debug.SetMemoryLimit(-1), false
	}
	limit := int64(2*c.CacheMB+48) << 20
	debug.SetMemoryLimit(limit)
	return limit, true
}

// streamMemory is the memory limit's room for one open live stream: a
// stream holds about 36 KB (docs/performance.md, Live blog fan-out).
const streamMemory = 48 << 10

// limitFollowsStreams raises serve's memory limit above base by the live
// streams open, each second: ten thousand readers of a live blog hold some
// 350 MB, which a limit made for pages would have the collector chase
// without end.
func limitFollowsStreams(ctx context.Context, base int64, streams func() int) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := base
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if limit := base + int64(streams())*streamMemory; limit != last {
				debug.SetMemoryLimit(limit)
				last = limit
			}
		}
	}
}

// quietMinute is what the program allocates in a minute with no reader:
// its own clocks (publishing, mail, views, More Articles) make about
// 0.3 MB of garbage a minute, and a single page rendered makes hundreds
// of kilobytes.
const quietMinute = 4 << 20

// giveBackWhenQuiet hands the heap's unused memory back to the system
// (give: debug.FreeOSMemory, a collection and a scavenge) after each
// interval in which the program allocated less than quietMinute. Idle,
// the runtime collects only every two minutes and keeps what it frees
// for reuse, so an idle site's resident memory crept up by about
// 0.3 MiB a minute towards its heap goal; this holds it where it
// started. Under load nothing is given back: the collector is running
// anyway, and the pages would only be faulted in again.
func giveBackWhenQuiet(ctx context.Context, every time.Duration, allocated func() uint64, give func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	w := quietWatch{last: allocated(), limit: uint64(quietMinute * every / time.Minute)}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if w.quiet(allocated()) {
				give()
				w.last = allocated() // what giving back allocated is not a reader's
			}
		}
	}
}

// quietWatch tells a quiet interval from the program's running total of
// bytes allocated.
type quietWatch struct{ last, limit uint64 }

// quiet reports whether less than limit was allocated since the last
// look, and takes now as the last look.
func (w *quietWatch) quiet(now uint64) bool {
	q := now-w.last < w.limit
	w.last = now
	return q
}

// heapAllocated is how many bytes the program has allocated since it
// started.
func heapAllocated() uint64 {
	s := []rtmetrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	rtmetrics.Read(s)
	return s[0].Value.Uint64()
}

// quiet is progress nobody watches.
type quiet struct{}

func (quiet) Add(int) {}

func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    web.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// announceSetupLink tells the operator how to create the first admin: a
// paragraph for a person reading a terminal, or one log record when logs
// are JSON, so that a log collector reads every line.
func announceSetupLink(c Config, log *slog.Logger, stderr io.Writer, link string) {
	if c.LogFormat == "json" {
		log.Warn("no administrator yet: create one within the hour at setup_url, or run broadsheet user add --role admin",
			"setup_url", link)
		return
	}
	fmt.Fprintf(stderr, "\nNo administrator yet. Create one within the hour at:\n\n    %s\n\n(or run: broadsheet user add --role admin ...)\n\n", link)
}

// schedule publishes scheduled articles when their time comes. It is driven
// by the database, not by traffic: after downtime the first tick publishes
// everything that fell due meanwhile, and each article exactly once however
// many instances run it. It also drops cached pages when the breaking-news
// banner expires.
// moderationNoticeEvery batches the mail telling moderators of held
// comments.
const moderationNoticeEvery = 15 * time.Minute

func schedule(ctx context.Context, db engine, srv *web.Server, log *slog.Logger) {
	const tick = 5 * time.Second
	bannerShown := false
	for {
		if ids, err := db.PublishDue(ctx, time.Now()); err != nil {
			if ctx.Err() == nil {
				log.Error("publishing scheduled articles", "err", err)
			}
		} else if len(ids) > 0 {
			log.Info("published scheduled articles", "ids", ids)
		}
		if n, err := db.QueueModerationNotice(ctx, time.Now(), moderationNoticeEvery); err != nil {
			if ctx.Err() == nil {
				log.Error("moderation notice", "err", err)
			}
		} else if n > 0 {
			log.Info("moderators told of held comments", "comments", n)
		}
		if site, err := db.Site(ctx); err == nil {
			if day, due := subscription.DigestDue(time.Now(), site.Location(), site.DigestHour); due {
				if err := db.QueueDigest(ctx, day, time.Now()); err != nil && ctx.Err() == nil {
					log.Error("daily digest", "err", err)
				}
			}
		}
		if b, err := db.Banner(ctx); err == nil {
			active := b.Active(time.Now())
			if bannerShown && !active {
				srv.Invalidate([]string{article.KeySite})
			}
			bannerShown = active
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(tick):
		}
	}
}

// flushViews adds the page views counted in memory to the database twice
// a minute: never a write per view.
func flushViews(ctx context.Context, srv *web.Server, log *slog.Logger) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := srv.FlushViews(ctx); err != nil && ctx.Err() == nil {
				log.Warn("saving page views", "err", err)
			}
		}
	}
}

// keepRelated works out the More Articles lists that are missing or old,
// so that article pages read theirs: at once after an article is written,
// and every 15 seconds (lists grown old, other processes' writes). Newest
// articles go first, a batch at a time, with a pause as long as the batch
// took, so that readers keep at least half of the cores. On an idle site
// a look reads only the index of old lists: the published articles are
// walked for missing lists after this process indexes an article, and
// every store.RelatedRecheck for those another process dropped.
func keepRelated(ctx context.Context, db engine, wake <-chan struct{}, log *slog.Logger) {
	const batch = 100
	for {
		start := time.Now()
		n, err := db.KeepRelated(ctx, batch)
		if err != nil && ctx.Err() == nil {
			log.Warn("working out More Articles", "err", err)
		}
		wait := 15 * time.Second
		if n > 0 {
			// More may be waiting: the rest, and the lists these marked.
			wait = max(100*time.Millisecond, time.Since(start))
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(wait):
		}
	}
}

// renderStored stores the HTML of comments and articles stored without it
// or by an earlier version (pages render those as they show them), a
// batch at a time with a pause as long as the batch took, and stops when
// none is left: only a new version makes more.
func renderStored(ctx context.Context, db engine, log *slog.Logger) {
	total := 0
	for {
		start := time.Now()
		n, err := db.RenderStored(ctx, 500)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("rendering stored comments and articles", "err", err)
			}
			return
		}
		total += n
		if n == 0 {
			if total > 0 {
				log.Info("rendered and stored comments and articles kept by an earlier version", "rows", total)
			}
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(max(10*time.Millisecond, time.Since(start))):
		}
	}
}

// pruneChanges keeps the change log to a day (every process reads it within
// seconds), forgets used challenges once expired, and clears commenters'
// network hashes after their retention period.
func pruneChanges(ctx context.Context, db engine, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := time.Now()
			if err := db.PruneRateEvents(ctx, now.Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				log.Warn("pruning rate limits", "err", err)
			}
			if err := db.PruneViews(ctx, now.Add(-8*24*time.Hour)); err != nil && ctx.Err() == nil {
				log.Warn("pruning page views", "err", err)
			}
			if err := db.PruneChanges(ctx, now.Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				log.Warn("pruning change log", "err", err)
			}
			// An hour of grace covers clocks that differ between instances.
			if err := db.PruneUsedChallenges(ctx, now.Add(-time.Hour)); err != nil && ctx.Err() == nil {
				log.Warn("pruning used challenges", "err", err)
			}
			if _, err := db.ForgetAddresses(ctx, now.Add(-comment.AddressRetention)); err != nil && ctx.Err() == nil {
				log.Warn("forgetting commenters' addresses", "err", err)
			}
		}
	}
}
