package web

import (
	"net/http"

	"broadsheet/internal/account"
)

// routes lists every URL Broadsheet answers. Literal segments win over
// wildcards, so /tag/x never reaches the article route.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()

	// The reading site.
	mux.HandleFunc("GET /{$}", s.page(s.home))
	mux.HandleFunc("GET /latest", s.page(s.latest))
	mux.HandleFunc("GET /corrections", s.page(s.corrections))
	mux.HandleFunc("GET /{slug}", s.page(s.sectionOrPage))
	mux.HandleFunc("GET /{section}/{slug}", s.page(s.article))
	// POST /{section}/{slug}/comments, written with a wildcard last segment
	// so that the newsroom's literal /admin/... routes stay more specific.
	mux.HandleFunc("POST /{section}/{slug}/{action}", s.postComment)
	mux.HandleFunc("GET /tag/{slug}", s.page(s.tagArchive))
	mux.HandleFunc("GET /author/{slug}", s.page(s.authorArchive))
	mux.HandleFunc("GET /preview/{id}", s.signedPreview)
	mux.HandleFunc("GET /media/{id}/{file}", s.media)
	mux.HandleFunc("GET /static/{file}", s.static)
	mux.HandleFunc("GET /favicon.ico", s.favicon)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /metrics", s.metricsPage)

	// The newsroom. Every page names the permission it needs.
	mux.HandleFunc("GET /admin/login", s.loginForm)
	mux.HandleFunc("POST /admin/login", s.login)
	mux.HandleFunc("GET /admin/setup", s.setupForm)
	mux.HandleFunc("POST /admin/setup", s.setup)
	mux.HandleFunc("POST /admin/logout", s.staff(account.WriteDrafts, s.logout))
	mux.HandleFunc("GET /admin", s.staff(account.WriteDrafts, s.adminHome))
	mux.HandleFunc("GET /admin/articles", s.staff(account.WriteDrafts, s.adminArticles))
	mux.HandleFunc("GET /admin/articles/new", s.staff(account.WriteDrafts, s.newArticle))
	mux.HandleFunc("POST /admin/articles", s.staff(account.WriteDrafts, s.createArticle))
	mux.HandleFunc("POST /admin/articles/preview", s.staff(account.WriteDrafts, s.previewArticle))
	mux.HandleFunc("GET /admin/articles/{id}", s.staff(account.WriteDrafts, s.editArticle))
	mux.HandleFunc("POST /admin/articles/{id}", s.staff(account.WriteDrafts, s.saveArticle))
	mux.HandleFunc("GET /admin/articles/{id}/revisions", s.staff(account.WriteDrafts, s.articleRevisions))
	mux.HandleFunc("POST /admin/articles/{id}/restore", s.staff(account.WriteDrafts, s.restoreRevision))
	mux.HandleFunc("POST /admin/articles/{id}/notes", s.staff(account.PublishOwn, s.addNote))
	mux.HandleFunc("GET /admin/media", s.staff(account.UploadMedia, s.mediaPage))
	mux.HandleFunc("POST /admin/media", s.staff(account.UploadMedia, s.uploadMedia))
	mux.HandleFunc("GET /admin/account", s.staff(account.WriteDrafts, s.accountPage))
	mux.HandleFunc("POST /admin/account/password", s.staff(account.WriteDrafts, s.changePassword))
	mux.HandleFunc("POST /admin/account/sessions/{id}/revoke", s.staff(account.WriteDrafts, s.revokeSession))
	mux.HandleFunc("POST /admin/account/tokens/{id}/revoke", s.staff(account.WriteDrafts, s.revokeToken))
	mux.HandleFunc("GET /admin/banner", s.staff(account.ManageTaxonomy, s.bannerPage))
	mux.HandleFunc("POST /admin/banner", s.staff(account.ManageTaxonomy, s.setBanner))
	mux.HandleFunc("GET /admin/{kind}", s.staff(account.ManageTaxonomy, s.taxonomyPage))
	mux.HandleFunc("POST /admin/{kind}", s.staff(account.ManageTaxonomy, s.saveTaxonomy))
	mux.HandleFunc("POST /admin/{kind}/{id}", s.staff(account.ManageTaxonomy, s.saveTaxonomy))
	mux.HandleFunc("GET /admin/settings", s.staff(account.ManageSettings, s.settingsPage))
	mux.HandleFunc("POST /admin/settings", s.staff(account.ManageSettings, s.saveSettings))
	mux.HandleFunc("GET /admin/comments", s.staff(account.ManageTaxonomy, s.moderationPage))
	mux.HandleFunc("POST /admin/comments", s.staff(account.ManageTaxonomy, s.moderate))
	mux.HandleFunc("GET /admin/users", s.staff(account.ManageUsers, s.usersPage))
	mux.HandleFunc("POST /admin/users", s.staff(account.ManageUsers, s.createUser))
	mux.HandleFunc("POST /admin/users/{id}", s.staff(account.ManageUsers, s.updateUser))
	mux.HandleFunc("GET /admin/audit", s.staff(account.ViewAudit, s.auditPage))

	if s.api != nil {
		mux.Handle("/api/v1/", s.api)
	}
	mux.HandleFunc("/", s.fallback)
	return mux
}

// adminRoutes lists every newsroom route with the least role that may use
// it, for the test that walks them all with every role.
var adminRoutes = []struct {
	method, path string
	min          account.Role // "" means anyone, signed in or not
}{
	{"GET", "/admin/login", ""},
	{"GET", "/admin/setup", ""},
	{"GET", "/admin", account.Contributor},
	{"GET", "/admin/articles", account.Contributor},
	{"GET", "/admin/articles/new", account.Contributor},
	{"POST", "/admin/articles", account.Contributor},
	{"POST", "/admin/articles/preview", account.Contributor},
	{"GET", "/admin/account", account.Contributor},
	{"GET", "/admin/media", account.Contributor},
	{"POST", "/admin/media", account.Contributor},
	{"GET", "/admin/banner", account.Editor},
	{"POST", "/admin/banner", account.Editor},
	{"GET", "/admin/sections", account.Editor},
	{"POST", "/admin/sections", account.Editor},
	{"GET", "/admin/tags", account.Editor},
	{"GET", "/admin/authors", account.Editor},
	{"POST", "/admin/authors", account.Editor},
	{"GET", "/admin/settings", account.Admin},
	{"POST", "/admin/settings", account.Admin},
	{"GET", "/admin/comments", account.Editor},
	{"POST", "/admin/comments", account.Editor},
	{"GET", "/admin/users", account.Admin},
	{"POST", "/admin/users", account.Admin},
	{"GET", "/admin/audit", account.Admin},
}

// GET /admin
func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/admin/articles", http.StatusSeeOther)
}

// GET /favicon.ico: browsers ask for it whatever the page says.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, s.assetURL("favicon.svg"), http.StatusMovedPermanently)
}
