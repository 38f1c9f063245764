package main

import (
	"context"
	"log/slog"
	"time"

	"broadsheet/internal/mail"
	"broadsheet/internal/subscription"
)

// newMailWorker sets up the outbox's sender. Without --smtp-url it only
// expands fan-outs, and mail waits in the outbox, readable in the newsroom.
func newMailWorker(ctx context.Context, c Config, db engine, log *slog.Logger) (*mail.Worker, error) {
	key, err := db.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	letters, err := mail.NewLetters(db, c.BaseURL, subscription.Links{Key: key, Now: time.Now})
	if err != nil {
		return nil, err
	}
	w := &mail.Worker{Outbox: db, Letters: letters, From: c.MailFrom, Log: log}
	if c.SMTPURL != "" {
		if w.SMTP, err = mail.ParseSMTP(c.SMTPURL); err != nil {
			return nil, usageError{err}
		}
	} else {
		log.Info("no --smtp-url: mail waits in the outbox (newsroom: Mail)")
	}
	return w, nil
}
