package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/errs"
	"broadsheet/internal/outbound"
)

// Store is what the admins' use cases need from storage.
type Store interface {
	// WebhookEndpoints lists every endpoint, oldest first, with how it
	// fares (Last, Queued, Failed).
	WebhookEndpoints(ctx context.Context) ([]Endpoint, error)
	WebhookEndpoint(ctx context.Context, id int64) (*Endpoint, error)
	// CreateWebhookEndpoint stores e, setting its ID and times.
	CreateWebhookEndpoint(ctx context.Context, e *Endpoint) error
	// UpdateWebhookEndpoint stores e's address, description, events and
	// whether it is enabled; DisabledReason is cleared.
	UpdateWebhookEndpoint(ctx context.Context, e *Endpoint) error
	// RotateWebhookSecret makes secret endpoint id's, the one it replaces
	// signing beside it until oldUntil.
	RotateWebhookSecret(ctx context.Context, id int64, secret string, oldUntil time.Time) error
	// DeleteWebhookEndpoint deletes an endpoint with its deliveries.
	DeleteWebhookEndpoint(ctx context.Context, id int64) error
	// WebhookDeliveries lists an endpoint's deliveries newest first, each
	// with its attempts, before the delivery beforeID (0: from the newest).
	WebhookDeliveries(ctx context.Context, endpointID, beforeID int64, limit int) ([]Delivery, error)
	// ResendWebhook queues a delivery of endpointID again, due at now,
	// whatever its state: the same message, the same id.
	ResendWebhook(ctx context.Context, endpointID, deliveryID int64, now time.Time) error
	// QueueWebhook stores m with one delivery, to endpoint id, due at once.
	QueueWebhook(ctx context.Context, id int64, m Message) error
	Audit(ctx context.Context, e article.AuditEntry) error
}

// Config is what a Service is built from.
type Config struct {
	// Site composes test events.
	Site Site
	// AllowPrivate lets endpoints be at internal addresses: the form then
	// takes http://127.0.0.1:9000/ and the worker connects there.
	AllowPrivate bool
	// Wake, when set, is called after a message is queued, to wake the
	// worker.
	Wake func()
	Now  func() time.Time // nil for the wall clock
	Log  *slog.Logger
}

// Service is the admins' use cases of webhooks, whichever door they come
// in by — the newsroom's pages or the Admin API: every one needs
// account.ManageSettings, and every change is in the audit log.
type Service struct {
	store Store
	c     Config
}

// NewService returns the Service.
func NewService(st Store, c Config) *Service {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Wake == nil {
		c.Wake = func() {}
	}
	return &Service{store: st, c: c}
}

// ErrForbidden means the user may not manage webhooks.
var ErrForbidden = errs.Shown(errs.Forbidden, "your role does not allow this")

// RotationOverlap is how long a replaced secret keeps signing beside the
// new one.
const RotationOverlap = 24 * time.Hour

// Input is an endpoint as an admin describes it.
type Input struct {
	URL         string
	Description string
	Events      []string
	Enabled     bool
}

// check reads in into e, or says every problem with it at once.
func (s *Service) check(in Input, e *Endpoint) error {
	inv := &errs.InvalidError{}
	e.URL = strings.TrimSpace(in.URL)
	e.Description = strings.TrimSpace(in.Description)
	switch u, err := outbound.ParseURL(e.URL); {
	case e.URL == "" || err != nil || hasControl(e.URL):
		inv.AddKey("url", "problem.webhook_url")
	case len(e.URL) > MaxURL:
		inv.AddKey("url", "problem.webhook_url_long", MaxURL)
	case !s.c.AllowPrivate && outbound.InternalHost(u.Hostname()):
		// The check when connecting refuses it anyway; saying so now
		// spares an admin a day of failed deliveries.
		inv.AddKey("url", "problem.webhook_url_internal", u.Hostname())
	}
	if utf8.RuneCountInString(e.Description) > MaxDescription || hasControl(e.Description) {
		inv.AddKey("description", "problem.webhook_description", MaxDescription)
	}
	e.Events = e.Events[:0]
	for _, t := range in.Events {
		if !Known(t) {
			inv.AddKey("events", "problem.webhook_event_unknown", t)
		} else if !slices.Contains(e.Events, t) {
			e.Events = append(e.Events, t)
		}
	}
	slices.SortFunc(e.Events, func(a, b string) int { return slices.Index(Types, a) - slices.Index(Types, b) })
	if len(e.Events) == 0 && !inv.Has("events") {
		inv.AddKey("events", "problem.webhook_events")
	}
	e.Enabled = in.Enabled
	return inv.OrNil()
}

// hasControl reports a control character: an address or a description
// is one line.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func (s *Service) allowed(u *account.User) error {
	if !u.Can(account.ManageSettings) {
		return ErrForbidden
	}
	return nil
}

// Endpoints lists every endpoint with how it fares.
func (s *Service) Endpoints(ctx context.Context, u *account.User) ([]Endpoint, error) {
	if err := s.allowed(u); err != nil {
		return nil, err
	}
	return s.store.WebhookEndpoints(ctx)
}

// Endpoint returns one endpoint.
func (s *Service) Endpoint(ctx context.Context, u *account.User, id int64) (*Endpoint, error) {
	if err := s.allowed(u); err != nil {
		return nil, err
	}
	return s.store.WebhookEndpoint(ctx, id)
}

// Create registers an endpoint with a new secret, which the answer holds
// for the admin to copy.
func (s *Service) Create(ctx context.Context, u *account.User, in Input) (*Endpoint, error) {
	if err := s.allowed(u); err != nil {
		return nil, err
	}
	e := &Endpoint{Secret: NewSecret()}
	if err := s.check(in, e); err != nil {
		return nil, err
	}
	if err := s.store.CreateWebhookEndpoint(ctx, e); err != nil {
		return nil, err
	}
	s.audit(ctx, u, "webhook.create", e.ID, describe(e))
	return e, nil
}

// Update changes an endpoint's address, description, events and whether
// it is enabled. Its secret stays.
func (s *Service) Update(ctx context.Context, u *account.User, id int64, in Input) (*Endpoint, error) {
	if err := s.allowed(u); err != nil {
		return nil, err
	}
	e, err := s.store.WebhookEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	before := describe(e)
	if err := s.check(in, e); err != nil {
		return nil, err
	}
	if err := s.store.UpdateWebhookEndpoint(ctx, e); err != nil {
		return nil, err
	}
	e.DisabledReason = ""
	s.audit(ctx, u, "webhook.update", e.ID, before+" ⇒ "+describe(e))
	return e, nil
}

// Rotate gives an endpoint a new secret; the old one signs beside it for
// RotationOverlap. A second rotation within that time drops the secret
// before the last.
func (s *Service) Rotate(ctx context.Context, u *account.User, id int64) (*Endpoint, error) {
	if err := s.allowed(u); err != nil {
		return nil, err
	}
	e, err := s.store.WebhookEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.c.Now()
	secret := NewSecret()
	if err := s.store.RotateWebhookSecret(ctx, id, secret, now.Add(RotationOverlap)); err != nil {
		return nil, err
	}
	e.OldSecret, e.OldUntil, e.Secret = e.Secret, now.Add(RotationOverlap).Truncate(time.Second), secret
	s.audit(ctx, u, "webhook.rotate", id, redact(e.URL))
	return e, nil
}

// Delete removes an endpoint and its deliveries.
func (s *Service) Delete(ctx context.Context, u *account.User, id int64) error {
	if err := s.allowed(u); err != nil {
		return err
	}
	e, err := s.store.WebhookEndpoint(ctx, id)
	if err != nil {
		return err
	}
	if err := s.store.DeleteWebhookEndpoint(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, u, "webhook.delete", id, describe(e))
	return nil
}

// Deliveries lists an endpoint's deliveries, newest first, with their
// attempts.
func (s *Service) Deliveries(ctx context.Context, u *account.User, endpointID, beforeID int64, limit int) ([]Delivery, error) {
	if err := s.allowed(u); err != nil {
		return nil, err
	}
	return s.store.WebhookDeliveries(ctx, endpointID, beforeID, limit)
}

// errDisabled refuses to send to an endpoint that is off.
func errDisabled() error { return errs.InvalidKey("", "problem.webhook_disabled") }

// Resend queues a delivery again: the same message, with the same id, at
// once, with a fresh schedule of attempts.
func (s *Service) Resend(ctx context.Context, u *account.User, endpointID, deliveryID int64) error {
	if err := s.allowed(u); err != nil {
		return err
	}
	e, err := s.store.WebhookEndpoint(ctx, endpointID)
	if err != nil {
		return err
	}
	if !e.Enabled {
		return errDisabled()
	}
	if err := s.store.ResendWebhook(ctx, endpointID, deliveryID, s.c.Now()); err != nil {
		return err
	}
	s.audit(ctx, u, "webhook.resend", endpointID, fmt.Sprintf("delivery %d", deliveryID))
	s.c.Wake()
	return nil
}

// SendTest queues a webhook.test message to one endpoint and returns it.
func (s *Service) SendTest(ctx context.Context, u *account.User, id int64) (Message, error) {
	if err := s.allowed(u); err != nil {
		return Message{}, err
	}
	e, err := s.store.WebhookEndpoint(ctx, id)
	if err != nil {
		return Message{}, err
	}
	if !e.Enabled {
		return Message{}, errDisabled()
	}
	m, err := s.c.Site.TestMessage(id, s.c.Now())
	if err != nil {
		return Message{}, err
	}
	if err := s.store.QueueWebhook(ctx, id, m); err != nil {
		return Message{}, err
	}
	s.audit(ctx, u, "webhook.test", id, m.ID)
	s.c.Wake()
	return m, nil
}

// describe is what the audit log says of an endpoint: never its secret,
// nor its address's query, which may hold a receiver's token.
func describe(e *Endpoint) string {
	state := "enabled"
	if !e.Enabled {
		state = "disabled"
	}
	return fmt.Sprintf("%s [%s] %s", redact(e.URL), strings.Join(e.Events, " "), state)
}

func (s *Service) audit(ctx context.Context, u *account.User, action string, id int64, detail string) {
	// The change is made and must not be reported as failed; a lost
	// audit entry is an operator's problem, so it is logged loudly.
	if err := s.store.Audit(ctx, article.AuditEntry{UserID: u.ID, Action: action, ObjectType: "webhook", ObjectID: id, Detail: detail}); err != nil {
		s.c.Log.Error("audit log write failed", "action", action, "webhook", id, "user", u.ID, "err", err)
	}
}
