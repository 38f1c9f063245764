package main

import (
	"log/slog"

	"broadsheet/internal/outbound"
	"broadsheet/internal/webhook"
)

// newWebhooks sets up webhooks: the events the store records name pages
// by the site's public address, the admins' use cases (shared by the
// newsroom and the Admin API), and the worker that delivers, whose
// connections to internal addresses are refused unless
// --webhooks-allow-private.
func newWebhooks(c Config, db engine, log *slog.Logger) (*webhook.Service, *webhook.Worker) {
	site := webhook.Site{BaseURL: c.BaseURL}
	db.SetWebhookSite(site)
	w := &webhook.Worker{Queue: db, Client: webhook.NewClient(outbound.Options{AllowPrivate: c.WebhooksAllowPrivate}), Log: log}
	return webhook.NewService(db, webhook.Config{Site: site, AllowPrivate: c.WebhooksAllowPrivate, Wake: w.Wake, Log: log}), w
}
