package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"broadsheet/internal/errs"
	"broadsheet/internal/httperr"
	"broadsheet/internal/webhook"
)

// The newsroom's webhooks pages, for admins: the endpoints with how each
// fares, the form that registers one, and each endpoint's page — its
// change form, its secret (shown in the answer that made it, once), a test
// event, its deliveries with every attempt and "send again", and delete.
// The use cases are internal/webhook's; these pages only translate HTTP.

// webhookForm is an endpoint as the admin typed it.
type webhookForm struct {
	URL, Description string
	Events           map[string]bool
	Enabled          bool
}

func readWebhookForm(r *http.Request) webhookForm {
	f := webhookForm{URL: r.PostFormValue("url"), Description: r.PostFormValue("description"), Events: map[string]bool{},
		Enabled: r.PostFormValue("enabled") != ""}
	for _, ev := range r.PostForm["events"] {
		f.Events[ev] = true
	}
	return f
}

func (f webhookForm) input() webhook.Input {
	in := webhook.Input{URL: f.URL, Description: f.Description, Enabled: f.Enabled}
	for ev := range f.Events {
		in.Events = append(in.Events, ev)
	}
	return in
}

// storedWebhookForm is the change form holding e as it is stored.
func storedWebhookForm(e *webhook.Endpoint) webhookForm {
	f := webhookForm{URL: e.URL, Description: e.Description, Events: map[string]bool{}, Enabled: e.Enabled}
	for _, ev := range e.Events {
		f.Events[ev] = true
	}
	return f
}

// webhooksView is the list page.
type webhooksView struct {
	Endpoints []webhook.Endpoint
	Types     []string
	Form      webhookForm
	Errors    []string
	Fields    map[string]string
}

// webhookView is one endpoint's page.
type webhookView struct {
	Endpoint *webhook.Endpoint
	Types    []string
	Form     webhookForm
	Errors   []string
	Fields   map[string]string
	// Secret is shown in the answer that made it: the endpoint just
	// registered, or its secret just rotated (Rotated).
	Secret     string
	Rotated    bool
	Deliveries []webhook.Delivery
	Next       string
	// Problem says why a test or "send again" was refused.
	Problem     string
	DeleteError string
}

// Insecure reports an endpoint reached over plain http.
func (v webhookView) Insecure() bool { return strings.HasPrefix(v.Endpoint.URL, "http://") }

// deliveriesPage is how many deliveries an endpoint's page lists.
const deliveriesPage = 20

// GET /admin/webhooks
func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request) {
	s.renderWebhooks(w, r, http.StatusOK, webhooksView{Form: webhookForm{Enabled: true}})
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, v webhooksView) {
	ctx := r.Context()
	u := currentUser(ctx)
	list, err := s.webhooks.Endpoints(ctx, u)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v.Endpoints, v.Types = list, webhook.Types
	s.renderAdmin(w, r, status, "webhooks", u, "admin.webhooks.title", v)
}

// POST /admin/webhooks: the answer shows the new endpoint with its secret.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	form := readWebhookForm(r)
	e, err := s.webhooks.Create(ctx, u, form.input())
	if err != nil {
		if !refusesInput(err) {
			s.adminFail(w, r, u, err)
			return
		}
		v := webhooksView{Form: form}
		v.Errors, v.Fields = s.formProblems(ctx, err)
		s.renderWebhooks(w, r, httperr.Of(err).Status, v)
		return
	}
	s.renderWebhook(w, r, http.StatusCreated, e, webhookView{Secret: e.Secret})
}

// renderWebhook renders e's page, with its deliveries from ?before=.
func (s *Server) renderWebhook(w http.ResponseWriter, r *http.Request, status int, e *webhook.Endpoint, v webhookView) {
	ctx := r.Context()
	u := currentUser(ctx)
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	list, err := s.webhooks.Deliveries(ctx, u, e.ID, before, deliveriesPage+1)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if len(list) > deliveriesPage {
		list = list[:deliveriesPage]
		v.Next = "/admin/webhooks/" + strconv.FormatInt(e.ID, 10) + "?" + url.Values{"before": {strconv.FormatInt(list[len(list)-1].ID, 10)}}.Encode()
	}
	v.Endpoint, v.Deliveries, v.Types = e, list, webhook.Types
	if v.Form.Events == nil {
		v.Form = storedWebhookForm(e)
	}
	s.renderAdmin(w, r, status, "webhook", u, "admin.webhooks.one", v)
}

// webhookOf is the endpoint the path names.
func (s *Server) webhookOf(r *http.Request) (*webhook.Endpoint, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, webhook.ErrNotFound
	}
	return s.webhooks.Endpoint(r.Context(), currentUser(r.Context()), id)
}

// onWebhook runs fn on the endpoint the path names, answering a missing
// one with the newsroom's error page.
func (s *Server) onWebhook(fn func(w http.ResponseWriter, r *http.Request, e *webhook.Endpoint)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e, err := s.webhookOf(r)
		if err != nil {
			s.adminFail(w, r, currentUser(r.Context()), err)
			return
		}
		fn(w, r, e)
	}
}

// GET /admin/webhooks/{id}
func (s *Server) webhookPage(w http.ResponseWriter, r *http.Request, e *webhook.Endpoint) {
	s.renderWebhook(w, r, http.StatusOK, e, webhookView{})
}

// webhookPath is an endpoint's page.
func webhookPath(id int64) string { return "/admin/webhooks/" + strconv.FormatInt(id, 10) }

// POST /admin/webhooks/{id}
func (s *Server) saveWebhook(w http.ResponseWriter, r *http.Request, e *webhook.Endpoint) {
	ctx := r.Context()
	u := currentUser(ctx)
	form := readWebhookForm(r)
	if _, err := s.webhooks.Update(ctx, u, e.ID, form.input()); err != nil {
		if !refusesInput(err) {
			s.adminFail(w, r, u, err)
			return
		}
		v := webhookView{Form: form}
		v.Errors, v.Fields = s.formProblems(ctx, err)
		s.renderWebhook(w, r, httperr.Of(err).Status, e, v)
		return
	}
	seeOther(w, r, webhookPath(e.ID), "saved")
}

// POST /admin/webhooks/{id}/rotate: the answer shows the new secret.
func (s *Server) rotateWebhook(w http.ResponseWriter, r *http.Request, e *webhook.Endpoint) {
	ctx := r.Context()
	u := currentUser(ctx)
	rotated, err := s.webhooks.Rotate(ctx, u, e.ID)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.renderWebhook(w, r, http.StatusOK, rotated, webhookView{Secret: rotated.Secret, Rotated: true})
}

// POST /admin/webhooks/{id}/delete, confirmed by a ticked box.
func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, e *webhook.Endpoint) {
	ctx := r.Context()
	u := currentUser(ctx)
	if r.PostFormValue("confirm") != "yes" {
		s.renderWebhook(w, r, http.StatusUnprocessableEntity, e, webhookView{DeleteError: s.adminView(ctx, u).T("admin.webhooks.confirm_missing")})
		return
	}
	if err := s.webhooks.Delete(ctx, u, e.ID); err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	seeOther(w, r, "/admin/webhooks", "deleted")
}

// POST /admin/webhooks/{id}/test
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request, e *webhook.Endpoint) {
	_, err := s.webhooks.SendTest(r.Context(), currentUser(r.Context()), e.ID)
	s.sent(w, r, e, err, "test_sent")
}

// POST /admin/webhooks/{id}/deliveries/{delivery}/resend
func (s *Server) resendWebhook(w http.ResponseWriter, r *http.Request, e *webhook.Endpoint) {
	id, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil || id <= 0 {
		s.adminFail(w, r, currentUser(r.Context()), webhook.ErrNotFound)
		return
	}
	s.sent(w, r, e, s.webhooks.Resend(r.Context(), currentUser(r.Context()), e.ID, id), "retried")
}

// sent answers a test or "send again": back to the endpoint's page with
// notice, or the page saying why not (a disabled endpoint).
func (s *Server) sent(w http.ResponseWriter, r *http.Request, e *webhook.Endpoint, err error, notice string) {
	ctx := r.Context()
	u := currentUser(ctx)
	switch {
	case err == nil:
		seeOther(w, r, webhookPath(e.ID), notice)
	case errs.KindOf(err) == errs.Invalid:
		problems, _ := s.formProblems(ctx, err)
		s.renderWebhook(w, r, httperr.Of(err).Status, e, webhookView{Problem: strings.Join(problems, " ")})
	default:
		s.adminFail(w, r, u, err)
	}
}
