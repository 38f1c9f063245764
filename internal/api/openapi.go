package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/webhook"
)

// The OpenAPI 3.1 document of the whole API, served at
// GET /api/v1/openapi.json. It is made at start-up from the route table
// (every route registered through handle), the operations described in
// openapi_ops.go and the Go types the handlers encode: New refuses to
// start when a route has no description or a description no route, so
// the document cannot drift from what the mux serves.

// operation describes one route for the document. Its security, its path
// parameters and the errors common to its kind of route come from the
// route table.
type operation struct {
	id, tag, summary, description string
	query                         []param
	body                          any      // a value of the JSON request body's type; nil for none
	optionalBody                  bool     // the body may be left out (decodeOptional); otherwise it must be sent
	required                      []string // body fields that must be sent
	upload                        any      // a value of the multipart form's type, for an upload
	status                        int      // the success status; 200 when 0
	resp                          any      // a value of the success body's type; nil for none (204)
	alsoOK                        []int    // other success statuses, with the same body
	location                      bool     // a 201 with a Location header
	etag                          bool     // may answer 304 to If-None-Match
	errors                        []int    // statuses beyond those of every route of its kind
}

// param is one query parameter.
type param struct {
	name, typ, description string
	enum                   []string
}

// Errors every route of a kind may answer: the body cap and our own
// fault on all of them.
var kindErrors = map[routeKind][]int{
	contentRoute:   {http.StatusTooManyRequests},
	preflightRoute: nil,
	adminRoute:     {http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests},
	doorRoute:      {http.StatusTooManyRequests},
}

// errorNames name the shared error responses of components/responses.
var errorNames = map[int]string{
	400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
	413: "TooLarge", 415: "UnsupportedMediaType", 422: "Invalid", 429: "RateLimited", 500: "Internal",
	503: "Unavailable",
}

var wildcardPattern = regexp.MustCompile(`\{([^}]+)\}`)

// integerParams are the path wildcards that hold a record's id.
var integerParams = map[string]bool{"id": true, "update": true, "delivery": true}

// document makes the OpenAPI document, or says which route lacks its
// description.
func (h *handler) document() ([]byte, error) {
	schemas := &schemaSet{names: schemaNames, enums: schemaEnums, oneOf: schemaOneOf, schemas: map[string]schema{}, modes: map[string]bool{}}
	errorRef := schemas.ref(reflect.TypeFor[errorBody](), false)
	paths := map[string]map[string]any{}
	described := map[string]bool{}
	for _, pattern := range h.routeList {
		method, path, _ := strings.Cut(pattern, " ")
		kind := h.routeKinds[pattern]
		op, ok := operations[pattern]
		if kind == preflightRoute {
			op, ok = preflightOperation(path), true
		}
		if !ok {
			return nil, fmt.Errorf("api: route %q has no description in openapi_ops.go", pattern)
		}
		described[pattern] = true
		item := paths[path]
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		item[strings.ToLower(method)] = h.describe(pattern, path, kind, op, schemas)
	}
	for pattern := range operations {
		if !described[pattern] {
			return nil, fmt.Errorf("api: openapi_ops.go describes %q, which no route serves", pattern)
		}
	}
	responses := map[string]any{}
	for status, name := range errorNames {
		responses[name] = map[string]any{"description": http.StatusText(status),
			"content": map[string]any{"application/json": map[string]any{"schema": errorRef}}}
	}
	server := h.baseURL
	if server == "" {
		server = "/"
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Broadsheet API",
			"version":     "1",
			"description": "The Content API (public, read-only), the Admin API (a bearer token acting as its newsroom user) and the reading site's JSON doors. docs/api.md explains each with examples.",
		},
		"servers": []any{map[string]any{"url": server}},
		"tags":    apiTags,
		"paths":   paths,
		"components": map[string]any{
			"schemas":   schemas.schemas,
			"responses": responses,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "An API token from `broadsheet token create`; it acts as its user, with that user's role as it is now."}},
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("api: encoding the OpenAPI document: %w", err)
	}
	return buf.Bytes(), nil
}

// describe is one operation object of the document.
func (h *handler) describe(pattern, path string, kind routeKind, op operation, schemas *schemaSet) map[string]any {
	o := map[string]any{"operationId": op.id, "summary": op.summary, "tags": []string{op.tag}}
	description := op.description
	if perm, ok := h.routePerms[pattern]; ok {
		role := account.MinimumRole(perm)
		description = strings.TrimSpace(description + "\n\nLeast role: " + string(role) + ".")
		o["security"] = []any{map[string]any{"bearer": []string{}}}
	} else {
		o["security"] = []any{} // public
	}
	if description != "" {
		o["description"] = description
	}
	var params []any
	for _, m := range wildcardPattern.FindAllStringSubmatch(path, -1) {
		sc := schema{"type": "string"}
		if integerParams[m[1]] && kind != preflightRoute { // a preflight answers any path alike
			sc = schema{"type": "integer", "minimum": 1}
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": sc})
	}
	for _, p := range op.query {
		sc := schema{"type": p.typ}
		if p.enum != nil {
			sc["enum"] = p.enum
		}
		params = append(params, map[string]any{"name": p.name, "in": "query", "description": p.description, "schema": sc})
	}
	if params != nil {
		o["parameters"] = params
	}
	errors := append([]int{http.StatusRequestEntityTooLarge, http.StatusInternalServerError}, kindErrors[kind]...)
	errors = append(errors, op.errors...)
	if len(params) > len(op.query) {
		errors = append(errors, http.StatusNotFound)
	}
	switch {
	case op.body != nil:
		body := schemas.ref(reflect.TypeOf(op.body), true)
		if op.required != nil {
			// The named schema stays as it is; this request adds what it needs.
			body = schema{"allOf": []any{body, schema{"required": op.required}}}
		}
		o["requestBody"] = map[string]any{"required": !op.optionalBody,
			"content": map[string]any{"application/json": map[string]any{"schema": body}}}
		errors = append(errors, http.StatusBadRequest, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
	case op.upload != nil:
		form := schemas.ref(reflect.TypeOf(op.upload), true)
		if props, ok := form["properties"].(schema); ok {
			// The file is bytes, whatever its Go stand-in says.
			if file, ok := props["file"].(schema); ok {
				props["file"] = schema{"type": "string", "contentMediaType": "application/octet-stream", "description": file["description"]}
			}
		}
		form["required"] = op.required
		o["requestBody"] = map[string]any{"required": true,
			"content": map[string]any{"multipart/form-data": map[string]any{"schema": form}}}
		errors = append(errors, http.StatusBadRequest, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
	}
	status := op.status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	if op.resp != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemas.ref(reflect.TypeOf(op.resp), false)}}
	}
	if op.location {
		ok["headers"] = map[string]any{"Location": map[string]any{"description": "where the new record is read",
			"required": true, "schema": schema{"type": "string"}}}
	}
	responses := map[string]any{strconv.Itoa(status): ok}
	for _, also := range op.alsoOK {
		other := maps.Clone(ok)
		other["description"] = http.StatusText(also)
		delete(other, "headers")
		responses[strconv.Itoa(also)] = other
	}
	if op.etag {
		responses["304"] = map[string]any{"description": "Not Modified: the copy named in If-None-Match is current"}
	}
	slices.Sort(errors)
	for _, e := range slices.Compact(errors) {
		name, ok := errorNames[e]
		if !ok {
			panic(fmt.Sprintf("api: no error response for status %d", e))
		}
		responses[strconv.Itoa(e)] = map[string]any{"$ref": "#/components/responses/" + name}
	}
	o["responses"] = responses
	return o
}

// preflightOperation describes OPTIONS on a Content API path.
func preflightOperation(path string) operation {
	id := "preflight" + strings.NewReplacer("/api/v1", "", "/", "_", "{", "", "}", "", ".", "_", "-", "_").Replace(path)
	return operation{id: id, tag: "Content", summary: "A browser's CORS preflight", status: http.StatusNoContent,
		description: "The same answer for every origin: GET and HEAD, any request header, for a day."}
}

// schemaNames name the schemas of components/schemas: every type here is
// described once and referred to. A type not named is described where
// it is used.
var schemaNames = map[reflect.Type]string{
	reflect.TypeFor[errorBody]():           "Error",
	reflect.TypeFor[errorJSON]():           "ErrorDetail",
	reflect.TypeFor[articleJSON]():         "Article",
	reflect.TypeFor[adminArticleJSON]():    "AdminArticle",
	reflect.TypeFor[articleList]():         "ArticlePage",
	reflect.TypeFor[adminArticleList]():    "AdminArticlePage",
	reflect.TypeFor[sectionJSON]():         "Section",
	reflect.TypeFor[sectionList]():         "SectionList",
	reflect.TypeFor[tagJSON]():             "Tag",
	reflect.TypeFor[tagList]():             "TagList",
	reflect.TypeFor[authorJSON]():          "Author",
	reflect.TypeFor[authorList]():          "AuthorList",
	reflect.TypeFor[imageJSON]():           "Image",
	reflect.TypeFor[noteJSON]():            "Note",
	reflect.TypeFor[articleFields]():       "ArticleFields",
	reflect.TypeFor[patchRequest]():        "ArticlePatch",
	reflect.TypeFor[sectionCreate]():       "SectionCreate",
	reflect.TypeFor[sectionPatch]():        "SectionPatch",
	reflect.TypeFor[authorCreate]():        "AuthorCreate",
	reflect.TypeFor[authorPatch]():         "AuthorPatch",
	reflect.TypeFor[commentJSON]():         "CommentSubmission",
	reflect.TypeFor[commentAccepted]():     "CommentAccepted",
	reflect.TypeFor[subscribeRequest]():    "SubscribeRequest",
	reflect.TypeFor[redirectJSON]():        "Redirect",
	reflect.TypeFor[mediaJSON]():           "MediaItem",
	reflect.TypeFor[redirectFields]():      "RedirectFields",
	reflect.TypeFor[bannerJSON]():          "Banner",
	reflect.TypeFor[settingsJSON]():        "Settings",
	reflect.TypeFor[settingsPatch]():       "SettingsPatch",
	reflect.TypeFor[userJSON]():            "User",
	reflect.TypeFor[userCreate]():          "UserCreate",
	reflect.TypeFor[userPatch]():           "UserPatch",
	reflect.TypeFor[publicLiveUpdate]():    "LiveUpdate",
	reflect.TypeFor[adminLiveUpdate]():     "AdminLiveUpdate",
	reflect.TypeFor[liveUpdateList]():      "LiveUpdatePage",
	reflect.TypeFor[adminLiveUpdateList](): "AdminLiveUpdatePage",
	reflect.TypeFor[liveUpdateFields]():    "LiveUpdateFields",
	reflect.TypeFor[liveUpdatePatch]():     "LiveUpdatePatch",
	reflect.TypeFor[webhookJSON]():         "WebhookEndpoint",
	reflect.TypeFor[webhookSecretJSON]():   "WebhookEndpointWithSecret",
	reflect.TypeFor[webhookFields]():       "WebhookEndpointFields",
	reflect.TypeFor[attemptJSON]():         "WebhookAttempt",
	reflect.TypeFor[deliveryJSON]():        "WebhookDelivery",
	reflect.TypeFor[webhookMessage]():      "WebhookMessage",
}

// schemaOneOf are the interface types a response holds one of several
// types in.
var schemaOneOf = map[reflect.Type][]reflect.Type{
	reflect.TypeFor[storedNow](): {reflect.TypeFor[adminArticleJSON](), reflect.TypeFor[adminLiveUpdate]()},
}

// schemaEnums are the string types whose values are a closed list.
var schemaEnums = map[reflect.Type][]string{
	reflect.TypeFor[article.Status](): {"draft", "scheduled", "published", "unpublished"},
	reflect.TypeFor[comment.Status](): {string(comment.Pending), string(comment.Approved), string(comment.Spam), string(comment.Trash)},
	reflect.TypeFor[account.Role]():   {string(account.Contributor), string(account.Author), string(account.Editor), string(account.Admin)},
	reflect.TypeFor[mediaKind]():      {string(imageKind), string(documentKind)},
	reflect.TypeFor[webhook.Status](): {string(webhook.Queued), string(webhook.Delivered), string(webhook.Failed)},
	reflect.TypeFor[account.Policy](): policies(),
}

// policies are the second-step policies' values, "" among them.
func policies() []string {
	out := make([]string, len(account.Policies))
	for i, p := range account.Policies {
		out[i] = string(p)
	}
	return out
}

// GET /api/v1/openapi.json — this API described by OpenAPI 3.1. It changes
// only with the program, so its ETag is its hash.
func (h *handler) openAPIDocument(w http.ResponseWriter, r *http.Request) error {
	doc := h.openAPI()
	sum := sha256.Sum256(doc)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	hd := w.Header()
	hd.Set("Cache-Control", contentCache)
	hd.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Length", strconv.Itoa(len(doc)))
	w.WriteHeader(http.StatusOK)
	w.Write(doc)
	return nil
}
