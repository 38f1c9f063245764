package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/clientip"
	"broadsheet/internal/embed"
	bmail "broadsheet/internal/mail"
	"broadsheet/internal/web"
)

// Config is everything an operator can set, from flags or BROADSHEET_*
// environment variables (a flag wins over the variable).
type Config struct {
	Addr      string
	DataDir   string
	BaseURL   string
	Demo      bool
	LogLevel  slog.Level
	LogFormat string
	CacheMB   int
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []string
	// An optional third-party check instead of the built-in one.
	CaptchaProvider, CaptchaSiteKey, CaptchaSecret string
	// ChallengeExpiry is how long a built-in anti-bot challenge lasts.
	ChallengeExpiry time.Duration
	// CommentMinFill: a comment sent sooner after its form appeared is
	// held; zero turns the rule off.
	CommentMinFill time.Duration
	// Mail: the SMTP server, and the sender's address.
	SMTPURL, MailFrom string
	// DatabaseURL selects PostgreSQL; empty keeps SQLite in DataDir.
	DatabaseURL string
	// MetricsAddr, when set, serves /metrics on a listener of its own
	// instead of the site's; MetricsToken, when set, is the bearer token
	// a scraper must send.
	MetricsAddr, MetricsToken string
	// BackupDir, when set, receives a checked backup every BackupEvery,
	// of which the newest BackupKeep are kept (SQLite only).
	BackupDir   string
	BackupEvery time.Duration
	BackupKeep  int
	// ReplicateTo, when set, receives the SQLite database's changes
	// continuously; the replica reaches back ReplicateRetention.
	ReplicateTo        string
	ReplicateRetention time.Duration
	// OEmbedEndpoints are oEmbed providers embedded beside the built-in
	// ones; MetaAppToken lets Instagram and Facebook be asked about
	// theirs; EmbedsAllowPrivate lets the requests about embeds reach
	// internal addresses.
	OEmbedEndpoints    []embed.Endpoint
	MetaAppToken       string
	EmbedsAllowPrivate bool
	// WebhooksAllowPrivate lets webhooks be registered at, and delivered
	// to, internal addresses.
	WebhooksAllowPrivate bool
	// TLSCert and TLSKey, when set, are the PEM files of the certificate
	// the site serves itself over TLS, with HTTP/2; HTTPRedirectAddr, when
	// set, is a plain HTTP listener that sends readers to the https site
	// and answers ACME challenges from ACMEWebroot.
	TLSCert, TLSKey, HTTPRedirectAddr, ACMEWebroot string
	// certCheck is how often the certificate files are looked at for a
	// renewal; tests shorten it.
	certCheck time.Duration
	// LiveStreams bounds the readers' event streams open at once (each a
	// held connection), LiveStreamsPerIP those of one client address.
	LiveStreams, LiveStreamsPerIP int
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// parseServe reads serve's flags over the environment.
func parseServe(args []string) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", env("BROADSHEET_ADDR", "127.0.0.1:8080"), "address to listen on, host:port (env BROADSHEET_ADDR)")
	fs.StringVar(&c.DataDir, "data", env("BROADSHEET_DATA", "./data"), "directory for the database file (env BROADSHEET_DATA)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("BROADSHEET_DATABASE_URL", ""), "postgres://… to use PostgreSQL instead of SQLite in --data; prefer the environment variable (env BROADSHEET_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", env("BROADSHEET_BASE_URL", ""), "public URL of the site, for canonical links; default http://ADDR (env BROADSHEET_BASE_URL)")
	demo, err := envBool("BROADSHEET_DEMO")
	if err != nil {
		return c, err
	}
	fs.BoolVar(&c.Demo, "demo", demo, "load demo content into an empty database (env BROADSHEET_DEMO)")
	level := fs.String("log-level", env("BROADSHEET_LOG_LEVEL", "info"), "debug, info, warn or error (env BROADSHEET_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("BROADSHEET_LOG_FORMAT", "text"), "text or json (env BROADSHEET_LOG_FORMAT)")
	proxies := fs.String("trusted-proxies", env("BROADSHEET_TRUSTED_PROXIES", ""), "comma-separated CIDRs of proxies whose X-Forwarded-For is believed (env BROADSHEET_TRUSTED_PROXIES)")
	fs.StringVar(&c.CaptchaProvider, "captcha-provider", env("BROADSHEET_CAPTCHA_PROVIDER", ""), "recaptcha, hcaptcha or turnstile instead of the built-in check (env BROADSHEET_CAPTCHA_PROVIDER)")
	fs.StringVar(&c.CaptchaSiteKey, "captcha-site-key", env("BROADSHEET_CAPTCHA_SITE_KEY", ""), "the provider's public site key (env BROADSHEET_CAPTCHA_SITE_KEY)")
	fs.StringVar(&c.CaptchaSecret, "captcha-secret", env("BROADSHEET_CAPTCHA_SECRET", ""), "the provider's secret; prefer the environment variable (env BROADSHEET_CAPTCHA_SECRET)")
	expiry := fs.String("challenge-expiry", env("BROADSHEET_CHALLENGE_EXPIRY", "20m"), "how long an anti-bot challenge may be solved and sent (env BROADSHEET_CHALLENGE_EXPIRY)")
	minFill := fs.String("comment-min-fill", env("BROADSHEET_COMMENT_MIN_FILL", "3s"), "hold a comment sent sooner than this after its form appeared; 0 turns it off (env BROADSHEET_COMMENT_MIN_FILL)")
	fs.StringVar(&c.SMTPURL, "smtp-url", env("BROADSHEET_SMTP_URL", ""), "SMTP server for outgoing mail, smtp[s]://user:pass@host:port; none keeps mail in the outbox (env BROADSHEET_SMTP_URL)")
	fs.StringVar(&c.MailFrom, "mail-from", env("BROADSHEET_MAIL_FROM", ""), "sender of outgoing mail, e.g. \"The Courier <news@example.org>\"; default news@ the base URL's host (env BROADSHEET_MAIL_FROM)")
	fs.StringVar(&c.TLSCert, "tls-cert", env("BROADSHEET_TLS_CERT", ""), "PEM file of the certificate chain to serve https with, HTTP/2 included; read again when it changes or on SIGHUP (env BROADSHEET_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", env("BROADSHEET_TLS_KEY", ""), "PEM file of the certificate's private key (env BROADSHEET_TLS_KEY)")
	fs.StringVar(&c.HTTPRedirectAddr, "http-redirect-addr", env("BROADSHEET_HTTP_REDIRECT_ADDR", ""), "with --tls-cert, also listen for plain HTTP on this host:port (e.g. :80) and send every request to the https site (env BROADSHEET_HTTP_REDIRECT_ADDR)")
	fs.StringVar(&c.ACMEWebroot, "acme-webroot", env("BROADSHEET_ACME_WEBROOT", ""), "answer ACME HTTP-01 challenges on --http-redirect-addr from DIR/.well-known/acme-challenge/, as certbot --webroot -w DIR writes them (env BROADSHEET_ACME_WEBROOT)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("BROADSHEET_METRICS_ADDR", ""), "serve /metrics on this host:port instead of the site's address (env BROADSHEET_METRICS_ADDR)")
	fs.StringVar(&c.MetricsToken, "metrics-token", env("BROADSHEET_METRICS_TOKEN", ""), "bearer token a scraper of /metrics must send; prefer the environment variable (env BROADSHEET_METRICS_TOKEN)")
	streams := fs.String("live-streams", env("BROADSHEET_LIVE_STREAMS", strconv.Itoa(web.DefaultLiveStreams)), "most readers' live event streams open at once, each a held connection and a file descriptor (env BROADSHEET_LIVE_STREAMS)")
	streamsPerIP := fs.String("live-streams-per-ip", env("BROADSHEET_LIVE_STREAMS_PER_IP", strconv.Itoa(web.DefaultLiveStreamsPerIP)), "most live event streams open at once from one client address (env BROADSHEET_LIVE_STREAMS_PER_IP)")
	cache := fs.String("cache-mb", env("BROADSHEET_CACHE_MB", "16"), "memory for rendered pages, in MiB; the Go runtime is asked to stay under twice this plus 48 MiB unless GOMEMLIMIT says otherwise (env BROADSHEET_CACHE_MB)")
	fs.StringVar(&c.BackupDir, "backup-dir", env("BROADSHEET_BACKUP_DIR", ""), "directory for scheduled backups of the SQLite database; empty, the default, writes none (env BROADSHEET_BACKUP_DIR)")
	every := fs.String("backup-every", env("BROADSHEET_BACKUP_EVERY", "6h"), "how often to write a scheduled backup, e.g. 6h (env BROADSHEET_BACKUP_EVERY)")
	keep := fs.String("backup-keep", env("BROADSHEET_BACKUP_KEEP", "28"), "how many scheduled backups to keep, newest first (env BROADSHEET_BACKUP_KEEP)")
	fs.StringVar(&c.ReplicateTo, "replicate-to", env("BROADSHEET_REPLICATE_TO", ""), "directory to replicate the SQLite database into as it is written, for restores to any moment; none turns it off (env BROADSHEET_REPLICATE_TO)")
	retention := fs.String("replicate-retention", env("BROADSHEET_REPLICATE_RETENTION", "72h"), "how far back the replica reaches, at least 1h (env BROADSHEET_REPLICATE_RETENTION)")
	endpoints := []string{env("BROADSHEET_OEMBED_ENDPOINT", "")}
	flagged := false
	fs.Func("oembed-endpoint", "an oEmbed provider to embed, PATTERN=ENDPOINT, e.g. https://media.example.org/video/*=https://media.example.org/oembed; repeat it or separate several with commas (env BROADSHEET_OEMBED_ENDPOINT)", func(v string) error {
		if !flagged {
			endpoints, flagged = nil, true // the flags replace the variable
		}
		endpoints = append(endpoints, v)
		return nil
	})
	fs.StringVar(&c.MetaAppToken, "meta-app-token", env("BROADSHEET_META_APP_TOKEN", ""), "a Meta app's access token, APP_ID|CLIENT_TOKEN, to ask Instagram and Facebook about their embeds; prefer the environment variable (env BROADSHEET_META_APP_TOKEN)")
	allowPrivate, err := envBool("BROADSHEET_EMBEDS_ALLOW_PRIVATE")
	if err != nil {
		return c, err
	}
	fs.BoolVar(&c.EmbedsAllowPrivate, "embeds-allow-private", allowPrivate, "let the requests about embeds reach loopback and private addresses, for a provider on your own network (env BROADSHEET_EMBEDS_ALLOW_PRIVATE)")
	hooksPrivate, err := envBool("BROADSHEET_WEBHOOKS_ALLOW_PRIVATE")
	if err != nil {
		return c, err
	}
	fs.BoolVar(&c.WebhooksAllowPrivate, "webhooks-allow-private", hooksPrivate, "let webhooks be sent to loopback, private and link-local addresses, for receivers on your own network and tests (env BROADSHEET_WEBHOOKS_ALLOW_PRIVATE)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return c, fmt.Errorf("log level %q: want debug, info, warn or error", *level)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("log format %q: want text or json", c.LogFormat)
	}
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if _, err := clientip.New(c.TrustedProxies); err != nil {
		return c, err
	}
	if c.CacheMB, err = strconv.Atoi(*cache); err != nil || c.CacheMB < 1 {
		return c, fmt.Errorf("cache size %q: want a whole number of MiB, at least 1", *cache)
	}
	if c.LiveStreams, err = strconv.Atoi(*streams); err != nil || c.LiveStreams < 1 {
		return c, fmt.Errorf("live streams %q: want a whole number, at least 1", *streams)
	}
	if c.LiveStreamsPerIP, err = strconv.Atoi(*streamsPerIP); err != nil || c.LiveStreamsPerIP < 1 {
		return c, fmt.Errorf("live streams per address %q: want a whole number, at least 1", *streamsPerIP)
	}
	if c.ChallengeExpiry, err = time.ParseDuration(*expiry); err != nil || c.ChallengeExpiry < 10*time.Second || c.ChallengeExpiry > 24*time.Hour {
		return c, fmt.Errorf("challenge expiry %q: want a duration between 10s and 24h, e.g. 20m", *expiry)
	}
	if c.CommentMinFill, err = time.ParseDuration(*minFill); err != nil || c.CommentMinFill < 0 || c.CommentMinFill > time.Minute {
		return c, fmt.Errorf("comment minimum fill time %q: want a duration between 0s and 1m, e.g. 3s", *minFill)
	}
	if c.BackupEvery, err = time.ParseDuration(*every); err != nil || c.BackupEvery < time.Second {
		return c, fmt.Errorf("backup interval %q: want a duration of at least 1s, e.g. 6h", *every)
	}
	if c.BackupKeep, err = strconv.Atoi(*keep); err != nil || c.BackupKeep < 1 {
		return c, fmt.Errorf("backups to keep %q: want a whole number, at least 1", *keep)
	}
	if c.BackupDir != "" && c.DatabaseURL != "" {
		return c, errors.New("--backup-dir backs up SQLite only; on PostgreSQL use its own tools (pg_dump, or base backups with WAL archiving): see docs/operations.md")
	}
	if c.ReplicateRetention, err = time.ParseDuration(*retention); err != nil || c.ReplicateRetention < time.Hour {
		return c, fmt.Errorf("replica retention %q: want a duration of at least 1h, e.g. 72h", *retention)
	}
	if c.ReplicateTo != "" && c.DatabaseURL != "" {
		return c, errors.New(postgresReplica)
	}
	for _, list := range endpoints {
		for _, e := range strings.Split(list, ",") {
			if e = strings.TrimSpace(e); e == "" {
				continue
			}
			ep, err := embed.ParseEndpoint(e)
			if err != nil {
				return c, err
			}
			c.OEmbedEndpoints = append(c.OEmbedEndpoints, ep)
		}
	}
	if !validDatabaseURL(c.DatabaseURL) {
		return c, errors.New("database URL: want postgres://user:pass@host:5432/dbname")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return c, fmt.Errorf("address %q: want host:port, e.g. 127.0.0.1:8080", c.Addr)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return c, fmt.Errorf("metrics address %q: want host:port, e.g. 127.0.0.1:9100", c.MetricsAddr)
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return c, errors.New("metrics token: want at least 16 characters")
	}
	if err := c.checkTLS(); err != nil {
		return c, err
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
		if c.TLSCert != "" {
			c.BaseURL = "https://" + c.Addr
		}
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return c, fmt.Errorf("base URL %q: want an absolute http(s) URL such as https://news.example.org", c.BaseURL)
	}
	if c.TLSCert != "" && u.Scheme != "https" {
		return c, fmt.Errorf("base URL %q: with --tls-cert the site is served over https, so the base URL must begin https://", c.BaseURL)
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	if c.MailFrom == "" {
		c.MailFrom = bmail.DefaultSender(u.Hostname())
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return c, fmt.Errorf("mail sender %q: want an address such as \"The Courier <news@example.org>\"", c.MailFrom)
	}
	if c.SMTPURL != "" {
		if _, err := bmail.ParseSMTP(c.SMTPURL); err != nil {
			return c, err
		}
	}
	switch c.CaptchaProvider {
	case "":
	case "recaptcha", "hcaptcha", "turnstile":
		if c.CaptchaSiteKey == "" || c.CaptchaSecret == "" {
			return c, fmt.Errorf("captcha provider %s needs --captcha-site-key and --captcha-secret", c.CaptchaProvider)
		}
	default:
		return c, fmt.Errorf("captcha provider %q: want recaptcha, hcaptcha or turnstile", c.CaptchaProvider)
	}
	return c, nil
}

// fdReserve is the files the site holds open besides its live streams:
// the database, listeners, the requests of readers who are not streaming,
// outgoing mail and webhooks.
const fdReserve = 1024

// streamsFit reports whether a process that may open limit files can hold
// streams live streams beside the rest of its work.
func streamsFit(limit uint64, streams int) bool {
	return limit >= uint64(streams)+fdReserve
}

func envBool(name string) (bool, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errors.New(name + ": want true or false")
	}
	return b, nil
}

func newLogger(c Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// checkTLS checks the TLS flags belong together; the files themselves are
// read when serve starts.
func (c *Config) checkTLS() error {
	if c.certCheck == 0 {
		c.certCheck = time.Minute
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together: give both files, or neither")
	}
	if c.HTTPRedirectAddr != "" {
		if c.TLSCert == "" {
			return errors.New("--http-redirect-addr sends readers to the https site: it needs --tls-cert and --tls-key")
		}
		if _, _, err := net.SplitHostPort(c.HTTPRedirectAddr); err != nil {
			return fmt.Errorf("redirect address %q: want host:port, e.g. :80", c.HTTPRedirectAddr)
		}
		if c.HTTPRedirectAddr == c.Addr {
			return errors.New("--http-redirect-addr must differ from --addr")
		}
	}
	if c.ACMEWebroot != "" {
		if c.HTTPRedirectAddr == "" {
			return errors.New("--acme-webroot answers challenges on the plain HTTP listener: it needs --http-redirect-addr")
		}
		if fi, err := os.Stat(c.ACMEWebroot); err != nil || !fi.IsDir() {
			return fmt.Errorf("ACME webroot %q: want an existing directory", c.ACMEWebroot)
		}
	}
	return nil
}
