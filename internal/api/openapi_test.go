package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"broadsheet/internal/account"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// Every response of this package's tests is checked against the OpenAPI
// document, by a library that reads OpenAPI 3.1 on its own
// (libopenapi-validator): its status must be documented for the
// operation, and its body must match the schema documented for it.
// Answers of the catch-all (no such endpoint, wrong method) must be the
// documented error body. A request the API accepted (any 2xx) must be one
// the document allows: its parameters, and its body, present where the
// document requires one, matching the schema. (Refused requests are the
// tests' deliberate mistakes.)

// spec is the document as the validator reads it, made once per test
// binary: it is the same for every handler the tests build.
type spec struct {
	doc         []byte
	v           validator.Validator
	errorSchema *base.Schema
	errs        []string // what was wrong with the document itself
}

var (
	specOnce sync.Once
	theSpec  spec
)

func loadSpec(t *testing.T, h *handler) *spec {
	t.Helper()
	specOnce.Do(func() {
		s := &theSpec
		s.doc = h.openAPI()
		doc, err := libopenapi.NewDocument(s.doc)
		if err != nil {
			s.errs = append(s.errs, "reading: "+err.Error())
			return
		}
		v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
		for _, err := range errs {
			s.errs = append(s.errs, "validator: "+err.Error())
		}
		if v == nil {
			return
		}
		s.v = v
		if ok, verrs := v.ValidateDocument(); !ok {
			for _, e := range verrs {
				s.errs = append(s.errs, "against the OpenAPI 3.1 schema: "+describeError(e))
			}
		}
		model, err := doc.BuildV3Model()
		if err != nil {
			s.errs = append(s.errs, "model: "+err.Error())
			return
		}
		if p := model.Model.Components.Schemas.GetOrZero("Error"); p != nil {
			s.errorSchema = p.Schema()
		} else {
			s.errs = append(s.errs, "no Error schema in components")
		}
	})
	if len(theSpec.errs) > 0 {
		t.Fatalf("the OpenAPI document is not valid:\n%s", strings.Join(theSpec.errs, "\n"))
	}
	return &theSpec
}

func describeError(e *liberrors.ValidationError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Message, e.Reason)
	for _, f := range e.SchemaValidationErrors {
		fmt.Fprintf(&b, "\n    at %s (%s): %s", f.FieldPath, f.KeywordLocation, f.Reason)
	}
	return b.String()
}

// reporter is where a mismatch is told: the test.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// checked serves h and checks each answer against the document.
type checked struct {
	t    reporter
	h    *handler
	spec *spec
	mu   sync.Mutex // the validator's caches are filled as it goes
}

func checkResponses(t *testing.T, h http.Handler) http.Handler {
	t.Helper()
	api := h.(*handler)
	return &checked{t: t, h: api, spec: loadSpec(t, api)}
}

func (c *checked) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// What the API reads of the body is kept, to be checked after; what
	// it leaves unread (a body too large) stays unread.
	var read bytes.Buffer
	if r.Body != nil {
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(r.Body, &read), r.Body}
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, r)
	c.check(r, read.Bytes(), rec)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func (c *checked) check(r *http.Request, body []byte, rec *httptest.ResponseRecorder) {
	c.t.Helper()
	where := r.Method + " " + r.URL.RequestURI()
	probe := r.Clone(r.Context())
	probe.Body = io.NopCloser(bytes.NewReader(body))
	head := r.Method == http.MethodHead
	if head {
		probe.Method = http.MethodGet // HEAD is GET without the body
	}
	if _, pattern := c.h.mux.Handler(probe); pattern == "/api/v1/" {
		// The catch-all: no route of its own, so no operation.
		if rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
			c.t.Errorf("%s: the catch-all answered %d", where, rec.Code)
		}
		if !head {
			c.mu.Lock()
			ok, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(c.spec.errorSchema, rec.Body.Bytes())
			c.mu.Unlock()
			if !ok {
				c.fail(where, rec, errs)
			}
		}
		return
	}
	resp := rec.Result()
	if rec.Code >= 200 && rec.Code < 300 {
		c.mu.Lock()
		ok, errs := c.spec.v.ValidateHttpRequest(probe)
		c.mu.Unlock()
		if !ok {
			c.failRequest(where, rec, errs)
		}
		probe.Body = io.NopCloser(bytes.NewReader(body))
	}
	c.mu.Lock()
	ok, errs := c.spec.v.ValidateHttpResponse(probe, resp)
	c.mu.Unlock()
	if ok {
		return
	}
	if head {
		// Only the status counts: a HEAD answer has no body to match.
		errs = slices.DeleteFunc(errs, func(e *liberrors.ValidationError) bool {
			return e.ValidationSubType != helpers.ResponseBodyResponseCode
		})
		if len(errs) == 0 {
			return
		}
	}
	c.fail(where, rec, errs)
}

// failRequest reports a request the API accepted and the document does
// not allow.
func (c *checked) failRequest(where string, rec *httptest.ResponseRecorder, errs []*liberrors.ValidationError) {
	c.t.Helper()
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, describeError(e))
	}
	c.t.Errorf("%s answered %d to a request the OpenAPI document does not allow:\n%s", where, rec.Code, strings.Join(msgs, "\n"))
}

func (c *checked) fail(where string, rec *httptest.ResponseRecorder, errs []*liberrors.ValidationError) {
	c.t.Helper()
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, describeError(e))
	}
	body := rec.Body.String()
	if len(body) > 2000 {
		body = body[:2000] + "…"
	}
	c.t.Errorf("%s answered %d, which the OpenAPI document does not allow:\n%s\n%s", where, rec.Code, strings.Join(msgs, "\n"), body)
}

// The document is valid OpenAPI 3.1, served publicly and cacheably, and
// names exactly the routes the mux serves — no fewer, no more.
func TestOpenAPIDocument(t *testing.T) {
	f := newFixture(t)
	w := f.get("/api/v1/openapi.json")
	if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != contentCache || w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("GET /api/v1/openapi.json = %d, %v", w.Code, w.Header())
	}
	var doc struct {
		OpenAPI    string                    `json:"openapi"`
		Servers    []struct{ URL string }    `json:"servers"`
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct{ Type, Scheme string } `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != baseURL {
		t.Errorf("openapi %q, servers %v", doc.OpenAPI, doc.Servers)
	}
	if s := doc.Components.SecuritySchemes["bearer"]; s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("security scheme = %+v, want http bearer", s)
	}
	var inDoc, served []string
	for path, item := range doc.Paths {
		for method, op := range item {
			inDoc = append(inDoc, strings.ToUpper(method)+" "+path)
			security, _ := op.(map[string]any)["security"].([]any)
			if admin := strings.HasPrefix(path, "/api/v1/admin/"); admin != (len(security) == 1) {
				t.Errorf("%s %s: security %v", method, path, security)
			}
		}
	}
	served = append(served, f.api.routeList...)
	slices.Sort(inDoc)
	slices.Sort(served)
	if !slices.Equal(inDoc, served) {
		t.Errorf("the document's operations differ from the routes:\ndocument: %v\nroutes:   %v", inDoc, served)
	}
	etag := w.Header().Get("ETag")
	if w := f.serve(req{method: "GET", path: "/api/v1/openapi.json", headers: []string{"If-None-Match", etag}}); etag == "" || w.Code != http.StatusNotModified {
		t.Errorf("again with If-None-Match %q = %d, want 304", etag, w.Code)
	}
}

// A route without its description, or a description without its route,
// stops the API from starting.
func TestOpenAPIRefusesUndescribedRoutes(t *testing.T) {
	f := newFixture(t)
	h := f.api
	saved := slices.Clone(h.routeList)
	defer func() { h.routeList = saved }()
	h.routeList = append(h.routeList, "GET /api/v1/admin/nothing")
	if _, err := h.document(); err == nil || !strings.Contains(err.Error(), "/api/v1/admin/nothing") {
		t.Errorf("an undescribed route: %v", err)
	}
	h.routeList = slices.DeleteFunc(slices.Clone(saved), func(p string) bool { return p == "GET /api/v1/tags" })
	if _, err := h.document(); err == nil || !strings.Contains(err.Error(), "GET /api/v1/tags") {
		t.Errorf("a description without its route: %v", err)
	}
}

// The checker itself catches an answer the document does not allow.
func TestResponseCheckerCatchesMismatches(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		name string
		fake http.HandlerFunc
	}{
		{"undocumented status", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusTeapot, map[string]string{})
		}},
		{"a field missing", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]any{"sections": []any{map[string]any{"id": 1, "slug": "city"}}})
		}},
		{"an undocumented field", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]any{"sections": []any{}, "extra": true})
		}},
	} {
		ft := &fakeT{}
		c := &checked{t: ft, h: f.api, spec: loadSpec(t, f.api)}
		rec := httptest.NewRecorder()
		tt.fake(rec, nil)
		c.check(httptest.NewRequest("GET", "/api/v1/sections", nil), nil, rec)
		if !ft.failed {
			t.Errorf("%s: the checker let it pass", tt.name)
		}
	}
	// A request the API accepted that the document does not allow: a
	// body it requires left out, a body of the wrong shape.
	for _, tt := range []struct{ name, body string }{
		{"no body where one is required", ""},
		{"a field of the wrong type", `{"role":7}`},
	} {
		ft := &fakeT{}
		c := &checked{t: ft, h: f.api, spec: loadSpec(t, f.api)}
		rec := httptest.NewRecorder()
		writeJSON(rec, http.StatusOK, userView(f.users[account.Author]))
		r := httptest.NewRequest("PATCH", "/api/v1/admin/users/1", strings.NewReader(tt.body))
		r.Header.Set("Authorization", "Bearer "+f.tokens[account.Admin])
		if tt.body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		c.check(r, []byte(tt.body), rec)
		if !ft.failed {
			t.Errorf("%s: the checker let it pass", tt.name)
		}
	}
}

// fakeT records a failure instead of failing the test.
type fakeT struct{ failed bool }

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }

// The library that checks the document knows OpenAPI 3.1 itself: a
// document breaking the specification's schema is refused.
func TestOpenAPIValidatorRefusesABrokenDocument(t *testing.T) {
	f := newFixture(t)
	var doc map[string]any
	must(t, json.Unmarshal(f.api.openAPI(), &doc))
	op := doc["paths"].(map[string]any)["/api/v1/tags"].(map[string]any)["get"].(map[string]any)
	delete(op, "responses")                               // required of every operation
	op["parameters"] = []any{map[string]any{"name": "x"}} // a parameter must say where it is
	broken, err := json.Marshal(doc)
	must(t, err)
	d, err := libopenapi.NewDocument(broken)
	must(t, err)
	v, _ := validator.NewValidator(d)
	if ok, errs := v.ValidateDocument(); ok || len(errs) == 0 {
		t.Error("a document without an operation's responses passed as OpenAPI 3.1")
	}
}

// A JSON request body the document marks required is one the API refuses
// to go without, and one it marks optional is one the API does without:
// every route taking a JSON body is sent an empty one, for records that
// exist, by an admin.
func TestRequestBodiesRequiredAsDocumented(t *testing.T) {
	f := newFixture(t)
	published := f.create(account.Editor, story("Ferry timetable", `"status":"published"`))
	offline := f.create(account.Editor, story("Tram depot", `"status":"published"`))
	draft := f.create(account.Editor, story("A draft"))
	c := f.readerComment(published.ID, "Ana", "When does the late ferry start?")
	rd := decodeAs[redirectJSON](t, f.as(account.Admin, "POST", "/api/v1/admin/redirects", `{"from_path":"/old","to_url":"/city"}`))
	live := f.create(account.Editor, story("Storm live", `"live_blog":true`, `"status":"published"`))
	up := f.postUpdate(account.Editor, live.ID, `{"body":"Roads shut."}`)
	hook := decodeAs[webhookJSON](t, f.as(account.Admin, "POST", "/api/v1/admin/webhooks", `{"url":"https://hooks.example.org/in","events":["article.published"]}`))
	ids := map[string]int64{
		"/api/v1/admin/articles/{id}/publish":            draft.ID,
		"/api/v1/admin/articles/{id}/unpublish":          offline.ID,
		"/api/v1/admin/articles/{id}":                    published.ID,
		"/api/v1/admin/articles/{id}/notes":              published.ID,
		"/api/v1/articles/{id}/comments":                 published.ID,
		"/api/v1/admin/comments/{id}":                    c,
		"/api/v1/admin/comments/{id}/replies":            c,
		"/api/v1/admin/redirects/{id}":                   rd.ID,
		"/api/v1/admin/users/{id}":                       f.users[account.Author].ID,
		"/api/v1/admin/live-blogs/{id}/updates":          live.ID,
		"/api/v1/admin/live-blogs/{id}/updates/{update}": live.ID,
		"/api/v1/admin/webhooks/{id}":                    hook.ID,
	}
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody *struct {
				Required bool           `json:"required"`
				Content  map[string]any `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	must(t, json.Unmarshal(f.api.openAPI(), &doc))
	checked := 0
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		for method, op := range doc.Paths[path] {
			if op.RequestBody == nil || op.RequestBody.Content["application/json"] == nil {
				continue
			}
			target := strings.NewReplacer("{slug}", "city").Replace(path)
			if strings.Contains(path, "/authors/") {
				target = strings.Replace(path, "{slug}", "ada", 1)
			}
			if strings.Contains(path, "{id}") {
				id, ok := ids[path]
				if !ok {
					t.Errorf("%s %s: no record to send it to", method, path)
					continue
				}
				target = strings.Replace(target, "{id}", strconv.FormatInt(id, 10), 1)
			}
			target = strings.Replace(target, "{update}", strconv.FormatInt(up.ID, 10), 1)
			w := f.serve(req{method: strings.ToUpper(method), path: target, token: f.tokens[account.Admin],
				headers: []string{"Content-Type", "application/json"}})
			if w.Code == http.StatusNotFound || w.Code == http.StatusForbidden {
				t.Errorf("%s %s: %d %s; the test sent it to the wrong record", method, target, w.Code, w.Body)
				continue
			}
			refused := w.Code == http.StatusBadRequest && decodeAs[apiErr](t, w).Error.Message == "the request body is empty"
			if refused != op.RequestBody.Required {
				t.Errorf("%s %s: the document says the body is required: %v; an empty one answered %d %s",
					method, path, op.RequestBody.Required, w.Code, w.Body)
			}
			checked++
		}
	}
	if checked < 15 {
		t.Errorf("checked %d routes; the document lost its request bodies", checked)
	}
}

// A value from a closed list is an enum in the document, so a client
// generator makes it one.
func TestOpenAPIEnums(t *testing.T) {
	f := newFixture(t)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	must(t, json.Unmarshal(f.api.openAPI(), &doc))
	for _, tt := range []struct {
		schema, property string
		want             []string
	}{
		{"MediaItem", "kind", []string{"image", "document"}},
		{"User", "role", []string{"contributor", "author", "editor", "admin"}},
		{"WebhookDelivery", "status", []string{"queued", "delivered", "failed"}},
		{"Settings", "second_step", []string{"", "editors", "everyone"}},
	} {
		if got := doc.Components.Schemas[tt.schema].Properties[tt.property].Enum; !slices.Equal(got, tt.want) {
			t.Errorf("%s.%s: enum %v, want %v", tt.schema, tt.property, got, tt.want)
		}
	}
}
