package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/webhook"
)

// Webhooks, as on the newsroom's webhooks pages (an admin's): endpoints
// listed with how each fares, registered, changed, deleted, their secret
// rotated, a test event sent, and their deliveries listed with every
// attempt and sent again — every step through webhook.Service, which
// checks the address and the events and writes the audit log. A secret
// is shown in the answer that made it, and never again.

// webhookJSON is an endpoint, without its secret.
type webhookJSON struct {
	ID          int64    `json:"id"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	Events      []string `json:"events" doc:"the events it receives, in the order of the site's list"`
	Enabled     bool     `json:"enabled"`
	// DisabledReason says why the site turned it off.
	DisabledReason string `json:"disabled_reason" doc:"why the site itself turned it off (it answered 410 Gone); \"\" when an admin did, or it is on"`
	// OldSecretUntil is the end of a rotation's overlap.
	OldSecretUntil *time.Time   `json:"old_secret_until" doc:"after a rotation, the secret before signs beside the new one until then; null otherwise"`
	LastAttempt    *attemptJSON `json:"last_attempt" doc:"its latest attempt, of any delivery; null before the first"`
	Queued         int          `json:"queued" doc:"deliveries waiting for their next attempt"`
	Failed         int          `json:"failed" doc:"deliveries failed for good (dead letters), which resend sends once more"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// webhookSecretJSON is an endpoint with its secret: the answer that
// registered it or rotated its secret.
type webhookSecretJSON struct {
	webhookJSON
	Secret string `json:"secret" doc:"whsec_ and base64: the secret that signs every message, shown in this answer only"`
}

type webhookList struct {
	Endpoints []webhookJSON `json:"endpoints"`
}

// attemptJSON is one request of a delivery and what came of it.
type attemptJSON struct {
	ID           int64     `json:"id"`
	At           time.Time `json:"at"`
	ResponseCode int       `json:"response_code" doc:"the answer's HTTP status; 0 when there was none"`
	Error        string    `json:"error" doc:"why there was no answer (refused, timed out, not an address to send to) or a redirect, which is not followed; \"\" when the endpoint answered"`
	DurationMS   int64     `json:"duration_ms"`
	Response     string    `json:"response" doc:"the opening of the answer's body, as text"`
}

// deliveryJSON is one message on its way to the endpoint.
type deliveryJSON struct {
	ID          int64          `json:"id"`
	MessageID   string         `json:"message_id" doc:"the webhook-id header: the same on every attempt and resend"`
	Type        string         `json:"type"`
	Status      webhook.Status `json:"status" doc:"queued (waiting for its next attempt), delivered, or failed for good"`
	NextAttempt *time.Time     `json:"next_attempt_at" doc:"when a queued delivery is tried next; null otherwise"`
	CreatedAt   time.Time      `json:"created_at"`
	DoneAt      *time.Time     `json:"done_at" doc:"when it was delivered or given up; null while queued"`
	Attempts    []attemptJSON  `json:"attempts" doc:"every attempt, newest first"`
}

type deliveryList struct {
	Deliveries []deliveryJSON `json:"deliveries"`
	Next       *string        `json:"next" doc:"pass as ?before= for the next (older) page; null on the last"`
}

// webhookMessage is a message queued: what the endpoint will receive.
type webhookMessage struct {
	ID        string          `json:"id" doc:"its webhook-id header"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Payload   json.RawMessage `json:"payload" doc:"the body the endpoint receives, {\"type\", \"timestamp\", \"data\"}"`
}

// webhookFields is the body of POST (url and events required) and PATCH
// (a field left out keeps its value).
type webhookFields struct {
	URL         *string   `json:"url" doc:"where events are POSTed: https (or http), at most 2,000 characters, not an internal address unless the site allows it"`
	Description *string   `json:"description" doc:"for people, one line of at most 300 characters"`
	Events      *[]string `json:"events" doc:"at least one of article.published, article.updated, article.unpublished, article.corrected, liveblog.update_posted, comment.created, comment.approved, subscriber.confirmed"`
	Enabled     *bool     `json:"enabled" doc:"default true"`
}

// input lays f over in.
func (f *webhookFields) input(in webhook.Input) webhook.Input {
	overlay(&in.URL, f.URL)
	overlay(&in.Description, f.Description)
	overlay(&in.Events, f.Events)
	overlay(&in.Enabled, f.Enabled)
	return in
}

func attemptView(a *webhook.Attempt) attemptJSON {
	return attemptJSON{ID: a.ID, At: a.At.UTC(), ResponseCode: a.Status, Error: a.Error, DurationMS: a.Duration.Milliseconds(), Response: a.Response}
}

func (h *handler) webhookView(e *webhook.Endpoint) webhookJSON {
	j := webhookJSON{ID: e.ID, URL: e.URL, Description: e.Description, Events: append([]string{}, e.Events...), Enabled: e.Enabled,
		DisabledReason: e.DisabledReason, Queued: e.Queued, Failed: e.Failed, CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
	if e.OldSecret != "" && h.now().Before(e.OldUntil) {
		j.OldSecretUntil = timeOrNull(e.OldUntil)
	}
	if e.Last != nil {
		a := attemptView(e.Last)
		j.LastAttempt = &a
	}
	return j
}

func deliveryView(d *webhook.Delivery) deliveryJSON {
	j := deliveryJSON{ID: d.ID, MessageID: d.MessageID, Type: d.Type, Status: d.Status, CreatedAt: d.CreatedAt.UTC(),
		DoneAt: timeOrNull(d.DoneAt), Attempts: make([]attemptJSON, 0, len(d.Log))}
	if d.Status == webhook.Queued {
		j.NextAttempt = timeOrNull(d.NextAt)
	}
	for i := range d.Log {
		j.Attempts = append(j.Attempts, attemptView(&d.Log[i]))
	}
	return j
}

// webhookID reads the path's {id}: anything but a positive integer names
// no endpoint.
func webhookID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, webhook.ErrNotFound
	}
	return id, nil
}

// webhookOf is the endpoint the path's {id} names, for u.
func (h *handler) webhookOf(r *http.Request, u *account.User) (*webhook.Endpoint, error) {
	id, err := webhookID(r)
	if err != nil {
		return nil, err
	}
	return h.webhooks.Endpoint(r.Context(), u, id)
}

// faring is endpoint id as the list shows it, with how it fares: its
// latest attempt and its deliveries waiting and failed.
func (h *handler) faring(r *http.Request, u *account.User, id int64) (webhookJSON, error) {
	list, err := h.webhooks.Endpoints(r.Context(), u)
	if err != nil {
		return webhookJSON{}, err
	}
	for i := range list {
		if list[i].ID == id {
			return h.webhookView(&list[i]), nil
		}
	}
	return webhookJSON{}, webhook.ErrNotFound
}

// sendWebhook answers with endpoint id as now stored, and with secret
// when it is the answer that made the secret.
func (h *handler) sendWebhook(w http.ResponseWriter, r *http.Request, u *account.User, status int, id int64, secret string) error {
	j, err := h.faring(r, u, id)
	if err != nil {
		return err
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/admin/webhooks/"+strconv.FormatInt(id, 10))
	}
	if secret != "" {
		writeJSON(w, status, webhookSecretJSON{webhookJSON: j, Secret: secret})
		return nil
	}
	writeJSON(w, status, j)
	return nil
}

// GET /api/v1/admin/webhooks
func (h *handler) listWebhooks(w http.ResponseWriter, r *http.Request, u *account.User) error {
	list, err := h.webhooks.Endpoints(r.Context(), u)
	if err != nil {
		return err
	}
	res := webhookList{Endpoints: make([]webhookJSON, 0, len(list))}
	for i := range list {
		res.Endpoints = append(res.Endpoints, h.webhookView(&list[i]))
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// POST /api/v1/admin/webhooks
func (h *handler) createWebhook(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var req webhookFields
	if err := decode(w, r, &req); err != nil {
		return err
	}
	e, err := h.webhooks.Create(r.Context(), u, req.input(webhook.Input{Enabled: true}))
	if err != nil {
		return err
	}
	return h.sendWebhook(w, r, u, http.StatusCreated, e.ID, e.Secret)
}

// GET /api/v1/admin/webhooks/{id}
func (h *handler) getWebhook(w http.ResponseWriter, r *http.Request, u *account.User) error {
	e, err := h.webhookOf(r, u)
	if err != nil {
		return err
	}
	return h.sendWebhook(w, r, u, http.StatusOK, e.ID, "")
}

// PATCH /api/v1/admin/webhooks/{id}
func (h *handler) patchWebhook(w http.ResponseWriter, r *http.Request, u *account.User) error {
	var req webhookFields
	if err := decode(w, r, &req); err != nil {
		return err
	}
	e, err := h.webhookOf(r, u)
	if err != nil {
		return err
	}
	stored := webhook.Input{URL: e.URL, Description: e.Description, Events: e.Events, Enabled: e.Enabled}
	if _, err := h.webhooks.Update(r.Context(), u, e.ID, req.input(stored)); err != nil {
		return err
	}
	return h.sendWebhook(w, r, u, http.StatusOK, e.ID, "")
}

// DELETE /api/v1/admin/webhooks/{id}: the endpoint, its deliveries and
// their log.
func (h *handler) deleteWebhook(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := webhookID(r)
	if err != nil {
		return err
	}
	if err := h.webhooks.Delete(r.Context(), u, id); err != nil {
		return err
	}
	noContent(w)
	return nil
}

// POST /api/v1/admin/webhooks/{id}/rotate: the answer shows the new
// secret.
func (h *handler) rotateWebhook(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := webhookID(r)
	if err != nil {
		return err
	}
	rotated, err := h.webhooks.Rotate(r.Context(), u, id)
	if err != nil {
		return err
	}
	return h.sendWebhook(w, r, u, http.StatusOK, id, rotated.Secret)
}

// POST /api/v1/admin/webhooks/{id}/test queues a webhook.test message to
// the endpoint and answers with it.
func (h *handler) testWebhook(w http.ResponseWriter, r *http.Request, u *account.User) error {
	id, err := webhookID(r)
	if err != nil {
		return err
	}
	m, err := h.webhooks.SendTest(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, webhookMessage{ID: m.ID, Type: m.Type, CreatedAt: m.CreatedAt.UTC().Truncate(time.Second), Payload: m.Payload})
	return nil
}

// GET /api/v1/admin/webhooks/{id}/deliveries
func (h *handler) listDeliveries(w http.ResponseWriter, r *http.Request, u *account.User) error {
	e, err := h.webhookOf(r, u)
	if err != nil {
		return err
	}
	limit, n, before, err := listPage(r)
	if err != nil {
		return err
	}
	list, err := h.webhooks.Deliveries(r.Context(), u, e.ID, before, n)
	if err != nil {
		return err
	}
	var res deliveryList
	list, res.Next = cutPage(list, limit, func(d *webhook.Delivery) int64 { return d.ID })
	res.Deliveries = make([]deliveryJSON, 0, len(list))
	for i := range list {
		res.Deliveries = append(res.Deliveries, deliveryView(&list[i]))
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// POST /api/v1/admin/webhooks/{id}/deliveries/{delivery}/resend queues a
// delivery again, whatever its state, and answers with it.
func (h *handler) resendDelivery(w http.ResponseWriter, r *http.Request, u *account.User) error {
	endpointID, err := webhookID(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil || id <= 0 {
		return webhook.ErrNotFound
	}
	if err := h.webhooks.Resend(r.Context(), u, endpointID, id); err != nil {
		return err
	}
	// The newest delivery before the next id is this one.
	list, err := h.webhooks.Deliveries(r.Context(), u, endpointID, id+1, 1)
	if err != nil {
		return err
	}
	if len(list) == 0 || list[0].ID != id {
		return webhook.ErrNotFound // deleted with its endpoint this instant
	}
	writeJSON(w, http.StatusAccepted, deliveryView(&list[0]))
	return nil
}
