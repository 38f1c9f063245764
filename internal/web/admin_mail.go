package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/errs"
	"broadsheet/internal/mail"
	"broadsheet/internal/subscription"
)

const adminListSize = 50

// GET /admin/mail?status=&before=: the outbox, one status at a time.
func (s *Server) mailPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	status := mail.Status(r.URL.Query().Get("status"))
	switch status {
	case mail.Queued, mail.Sent, mail.Failed, mail.Cancelled:
	default:
		status = mail.Queued
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	counts, err := s.store.OutboxCounts(ctx)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	list, err := s.store.OutboxList(ctx, status, before, adminListSize)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	next := ""
	if len(list) == adminListSize {
		next = fmt.Sprintf("/admin/mail?status=%s&before=%d", status, list[len(list)-1].ID)
	}
	s.renderAdmin(w, r, http.StatusOK, "mail", u, "admin.mail.title", map[string]any{
		"Status": status, "Counts": counts, "Messages": list, "Next": next,
		"Statuses": []mail.Status{mail.Queued, mail.Sent, mail.Failed, mail.Cancelled}, "SMTP": s.smtpConfigured,
	})
}

// GET /admin/mail/{id}: one message as it reads (or would read) in the
// recipient's inbox.
func (s *Server) mailMessage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	id, err := pathID(r)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	m, err := s.store.OutboxMessage(ctx, id)
	if errors.Is(err, mail.ErrNotFound) {
		s.adminFail(w, r, u, refuse(errs.NotFound, "admin.error.not_found"))
		return
	}
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	data := map[string]any{"Message": m}
	switch letter, err := s.letters.Compose(ctx, *m); {
	case err == nil:
		data["Letter"] = letter
	case errors.Is(err, mail.ErrSkip):
		data["Gone"] = true
	default:
		s.adminFail(w, r, u, err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "message", u, "admin.mail.message", data)
}

// POST /admin/mail/{id}/retry, POST /admin/mail/retry (every failed one).
func (s *Server) retryMail(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			s.adminFail(w, r, u, err)
			return
		}
	}
	n, err := s.store.Retry(ctx, id, s.now())
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "mail.retry", "mail", id, strconv.Itoa(n)+" queued again"))
	s.wakeMail()
	seeOther(w, r, "/admin/mail?status=queued", "retried")
}

// GET /admin/subscribers?q=&after=
func (s *Server) subscribersPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	stats, err := s.store.SubscriberStats(ctx)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	list, err := s.store.Subscribers(ctx, subscription.Query{Search: q, AfterID: after, Limit: adminListSize})
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	v := s.adminView(ctx, u)
	type scopeCount struct {
		Label string
		Count int
	}
	var scopes []scopeCount
	for _, sc := range s.knownScopes(r, v, stats) {
		scopes = append(scopes, scopeCount{sc.Label, stats.ByScope[sc.Scope]})
	}
	for i := range list {
		s.labelSubs(r, v, list[i].Subs)
	}
	next := ""
	if len(list) == adminListSize {
		next = fmt.Sprintf("/admin/subscribers?q=%s&after=%d", url.QueryEscape(q), list[len(list)-1].ID)
	}
	s.renderAdmin(w, r, http.StatusOK, "subscribers", u, "admin.subscribers.title", map[string]any{
		"Stats": stats, "Scopes": scopes, "Subscribers": list, "Query": q, "Next": next,
		"Imported": r.URL.Query().Get("imported"),
	})
}

// knownScopes lists the scopes that have subscribers, labelled, the
// whole site first.
func (s *Server) knownScopes(r *http.Request, v *view, st subscription.Stats) []subscription.Subscription {
	var out []subscription.Subscription
	for sc := range st.ByScope {
		out = append(out, subscription.Subscription{Scope: sc})
	}
	slices.SortFunc(out, func(a, b subscription.Subscription) int {
		if c := strings.Compare(string(b.Scope.Kind), string(a.Scope.Kind)); c != 0 {
			return c
		}
		return int(a.Scope.ID - b.Scope.ID)
	})
	s.labelSubs(r, v, out)
	return out
}

// labelSubs names each subscription's scope for people.
func (s *Server) labelSubs(r *http.Request, v *view, subs []subscription.Subscription) {
	for i := range subs {
		if label, err := s.scopeLabel(r, v, subs[i].Scope); err == nil {
			subs[i].Label = label
		} else {
			subs[i].Label = v.T("subscribe.label_gone")
		}
	}
}

// GET /admin/subscribers/export: every subscription as CSV, one row each.
func (s *Server) exportSubscribers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	v := s.adminView(ctx, u)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="subscribers.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"email", "scope", "status", "frequency", "confirmed_at", "consent", "subscribed_at"})
	var after int64
	rows := 0
	for {
		list, err := s.store.Subscribers(ctx, subscription.Query{AfterID: after, Limit: 1000})
		if err != nil {
			s.log.Error("subscriber export", "err", err)
			return // the download ends short; the error is logged
		}
		for _, sub := range list {
			confirmed := ""
			if sub.Confirmed() {
				confirmed = sub.ConfirmedAt.Format(time.RFC3339)
			}
			for _, sc := range sub.Subs {
				cw.Write([]string{sub.Email, s.scopeValue(v, sc.Scope), string(sc.Status), string(sc.Frequency), confirmed, csvSafe(sub.Consent), sc.CreatedAt.Format(time.RFC3339)})
				rows++
			}
			after = sub.ID
		}
		if len(list) < 1000 {
			break
		}
	}
	cw.Flush()
	s.store.Audit(ctx, auditEntry(u, "subscribers.export", "subscriber", int64(rows), ""))
}

// scopeValue writes a scope as the form and the import take it.
func (s *Server) scopeValue(v *view, sc subscription.Scope) string {
	if sc.Kind == subscription.Section {
		for _, sec := range v.Sections {
			if sec.ID == sc.ID {
				return "section:" + sec.Slug
			}
		}
	}
	return sc.String()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// POST /admin/subscribers/import: a CSV with the columns email, scope and
// consent (how and when the person agreed; required on every row). All
// rows or none: a file with a bad row imports nothing and says which.
func (s *Server) importSubscribers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	f, _, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			err = badRequest("admin.subscribers.no_file")
		}
		s.adminFail(w, r, u, err)
		return
	}
	defer f.Close()
	v := s.adminView(ctx, u)
	rows, problems := s.readImport(r, v, f)
	if len(problems) > 0 {
		s.renderAdmin(w, r, http.StatusUnprocessableEntity, "subscribers", u, "admin.subscribers.title", map[string]any{"Problems": problems})
		return
	}
	added, err := s.store.ImportSubscribers(ctx, rows)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	s.store.Audit(ctx, auditEntry(u, "subscribers.import", "subscriber", int64(added), fmt.Sprintf("%d rows", len(rows))))
	redirect(w, r, "/admin/subscribers?imported="+strconv.Itoa(added), http.StatusSeeOther)
}

// readImport parses and checks an import file; problems name the line.
func (s *Server) readImport(r *http.Request, v *view, f io.Reader) ([]subscription.Import, []string) {
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, []string{v.T("admin.subscribers.bad_header")}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"email", "scope", "consent"} {
		if _, ok := col[need]; !ok {
			return nil, []string{v.T("admin.subscribers.bad_header")}
		}
	}
	var rows []subscription.Import
	var problems []string
	sections := func(slug string) (int64, error) {
		for _, sec := range v.Sections {
			if sec.Slug == slug {
				return sec.ID, nil
			}
		}
		return 0, errors.New("no such section")
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			problems = append(problems, v.T("admin.subscribers.bad_line", line, err.Error()))
			break
		}
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		email, err := subscription.NormalizeEmail(get("email"))
		if err != nil {
			problems = append(problems, v.T("admin.subscribers.bad_email", line))
			continue
		}
		scope, err := subscription.ParseScope(get("scope"), sections)
		if err == nil {
			_, err = s.scopeLabel(r, v, scope)
		}
		if err != nil {
			problems = append(problems, v.T("admin.subscribers.bad_scope", line))
			continue
		}
		if get("consent") == "" {
			problems = append(problems, v.T("admin.subscribers.no_consent", line))
			continue
		}
		rows = append(rows, subscription.Import{Email: email, Scope: scope, Consent: get("consent")})
		if len(problems) > 20 {
			break
		}
	}
	if len(rows) == 0 && len(problems) == 0 {
		problems = append(problems, v.T("admin.subscribers.empty"))
	}
	return rows, problems
}

// POST /admin/subscribers/erase: the address, its subscriptions and every
// message to it, on the person's request.
func (s *Server) eraseSubscriber(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	email := strings.TrimSpace(r.PostFormValue("email"))
	if email == "" || !strings.EqualFold(r.PostFormValue("confirm"), email) {
		s.adminFail(w, r, u, badRequest("admin.commenters.confirm"))
		return
	}
	found, err := s.store.EraseSubscriber(ctx, email)
	if err != nil {
		s.adminFail(w, r, u, err)
		return
	}
	if !found {
		s.adminFail(w, r, u, refuse(errs.NotFound, "admin.subscribers.not_found"))
		return
	}
	s.store.Audit(ctx, auditEntry(u, "subscriber.erase", "subscriber", 0, email))
	seeOther(w, r, "/admin/subscribers", "erased")
}
