package web

import (
	"net/http"

	"broadsheet/internal/account"
)

// routes lists every URL Broadsheet answers. Literal segments win over
// wildcards, so /tag/x never reaches the article route.
func (s *Server) routes() *http.ServeMux {
	// Three trees, so that the reading site's wildcards (/{section}/{slug})
	// never compete with the newsroom's or the API's literal paths.
	mux := http.NewServeMux()
	admin := http.NewServeMux()

	// The reading site.
	mux.HandleFunc("GET /{$}", s.page(s.home))
	mux.HandleFunc("GET /latest", s.page(s.latest))
	mux.HandleFunc("GET /corrections", s.page(s.corrections))
	mux.HandleFunc("GET /{slug}", s.page(s.sectionOrPage))
	mux.HandleFunc("GET /{section}/{slug}", s.countViews(s.page(s.article)))
	// POST /{section}/{slug}/comments, written with a wildcard last segment
	// so that the newsroom's literal /admin/... routes stay more specific.
	mux.HandleFunc("POST /{section}/{slug}/{action}", s.postComment)
	mux.HandleFunc("GET /{section}/{slug}/{feed}", s.page(s.commentFeed))
	mux.HandleFunc("POST /{section}/{slug}/{comments}/{id}/{op}", s.commentAction)
	mux.HandleFunc("GET /{section}/{slug}/comments/live", s.liveComments)
	mux.HandleFunc("POST /subscribe", s.subscribe)
	mux.HandleFunc("GET /subscribe/sent", s.subscribeSent)
	mux.HandleFunc("GET /subscribe/confirm", s.confirmForm)
	mux.HandleFunc("POST /subscribe/confirm", s.confirm)
	mux.HandleFunc("GET /subscriptions", s.managePage)
	mux.HandleFunc("POST /subscriptions", s.manage)
	mux.HandleFunc("GET /unsubscribe", s.unsubscribeForm)
	mux.HandleFunc("POST /unsubscribe", s.unsubscribe)
	mux.HandleFunc("GET /tag/{slug}", s.page(s.tagArchive))
	mux.HandleFunc("GET /author/{slug}", s.page(s.authorArchive))
	mux.HandleFunc("GET /preview/{id}", s.signedPreview)
	mux.HandleFunc("GET /media/{id}/{file}", s.media)
	mux.HandleFunc("GET /static/{file}", s.static)
	mux.HandleFunc("GET /favicon.ico", s.favicon)
	mux.HandleFunc("GET /robots.txt", s.page(s.robots))
	mux.HandleFunc("GET /search", s.searchHandler)
	mux.HandleFunc("GET /opensearch.xml", s.page(s.openSearch))
	mux.HandleFunc("GET /sitemap.xml", s.page(s.sitemapIndex))
	mux.HandleFunc("GET /sitemaps/{file}", s.page(s.sitemap))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /metrics", s.metricsPage)

	// The newsroom. Every page names the permission it needs.
	admin.HandleFunc("GET /admin/login", s.loginForm)
	admin.HandleFunc("POST /admin/login", s.login)
	admin.HandleFunc("GET /admin/forgot", s.forgotForm)
	admin.HandleFunc("POST /admin/forgot", s.forgot)
	admin.HandleFunc("GET /admin/reset", s.resetForm)
	admin.HandleFunc("POST /admin/reset", s.reset)
	admin.HandleFunc("GET /admin/setup", s.setupForm)
	admin.HandleFunc("POST /admin/setup", s.setup)
	admin.HandleFunc("POST /admin/logout", s.staff(account.WriteDrafts, s.logout))
	admin.HandleFunc("GET /admin", s.staff(account.WriteDrafts, s.adminHome))
	admin.HandleFunc("GET /admin/articles", s.staff(account.WriteDrafts, s.adminArticles))
	admin.HandleFunc("GET /admin/articles/new", s.staff(account.WriteDrafts, s.newArticle))
	admin.HandleFunc("POST /admin/articles", s.staff(account.WriteDrafts, s.createArticle))
	admin.HandleFunc("POST /admin/articles/preview", s.staff(account.WriteDrafts, s.previewArticle))
	admin.HandleFunc("GET /admin/articles/{id}", s.staff(account.WriteDrafts, s.editArticle))
	admin.HandleFunc("POST /admin/articles/{id}", s.staff(account.WriteDrafts, s.saveArticle))
	admin.HandleFunc("GET /admin/articles/{id}/revisions", s.staff(account.WriteDrafts, s.articleRevisions))
	admin.HandleFunc("POST /admin/articles/{id}/restore", s.staff(account.WriteDrafts, s.restoreRevision))
	admin.HandleFunc("POST /admin/articles/{id}/notes", s.staff(account.PublishOwn, s.addNote))
	admin.HandleFunc("GET /admin/media", s.staff(account.UploadMedia, s.mediaPage))
	admin.HandleFunc("POST /admin/media", s.staff(account.UploadMedia, s.uploadMedia))
	admin.HandleFunc("GET /admin/account", s.staff(account.WriteDrafts, s.accountPage))
	admin.HandleFunc("POST /admin/account/password", s.staff(account.WriteDrafts, s.changePassword))
	admin.HandleFunc("POST /admin/account/sessions/{id}/revoke", s.staff(account.WriteDrafts, s.revokeSession))
	admin.HandleFunc("POST /admin/account/tokens/{id}/revoke", s.staff(account.WriteDrafts, s.revokeToken))
	admin.HandleFunc("GET /admin/banner", s.staff(account.ManageTaxonomy, s.bannerPage))
	admin.HandleFunc("POST /admin/banner", s.staff(account.ManageTaxonomy, s.setBanner))
	admin.HandleFunc("GET /admin/{kind}", s.staff(account.ManageTaxonomy, s.taxonomyPage))
	admin.HandleFunc("POST /admin/{kind}", s.staff(account.ManageTaxonomy, s.saveTaxonomy))
	admin.HandleFunc("POST /admin/{kind}/{id}", s.staff(account.ManageTaxonomy, s.saveTaxonomy))
	admin.HandleFunc("GET /admin/settings", s.staff(account.ManageSettings, s.settingsPage))
	admin.HandleFunc("POST /admin/settings", s.staff(account.ManageSettings, s.saveSettings))
	admin.HandleFunc("GET /admin/comments", s.staff(account.ManageTaxonomy, s.moderationPage))
	admin.HandleFunc("POST /admin/comments", s.staff(account.ManageTaxonomy, s.moderate))
	admin.HandleFunc("POST /admin/comments/blocklist", s.staff(account.ManageTaxonomy, s.saveBlocklist))
	admin.HandleFunc("POST /admin/comments/{id}/edit", s.staff(account.ManageTaxonomy, s.moderatorEdit))
	admin.HandleFunc("GET /admin/commenters", s.staff(account.ManageUsers, s.commentersPage))
	admin.HandleFunc("GET /admin/commenters/export", s.staff(account.ManageUsers, s.exportCommenter))
	admin.HandleFunc("POST /admin/commenters/erase", s.staff(account.ManageUsers, s.eraseCommenter))
	admin.HandleFunc("GET /admin/subscribers", s.staff(account.ManageUsers, s.subscribersPage))
	admin.HandleFunc("GET /admin/subscribers/export", s.staff(account.ManageUsers, s.exportSubscribers))
	admin.HandleFunc("POST /admin/subscribers/import", s.staff(account.ManageUsers, s.importSubscribers))
	admin.HandleFunc("POST /admin/subscribers/erase", s.staff(account.ManageUsers, s.eraseSubscriber))
	admin.HandleFunc("GET /admin/mail", s.staff(account.ManageSettings, s.mailPage))
	admin.HandleFunc("POST /admin/mail/retry", s.staff(account.ManageSettings, s.retryMail))
	admin.HandleFunc("GET /admin/mail/{id}", s.staff(account.ManageSettings, s.mailMessage))
	admin.HandleFunc("POST /admin/mail/{id}/retry", s.staff(account.ManageSettings, s.retryMail))
	admin.HandleFunc("GET /admin/users", s.staff(account.ManageUsers, s.usersPage))
	admin.HandleFunc("POST /admin/users", s.staff(account.ManageUsers, s.createUser))
	admin.HandleFunc("POST /admin/users/{id}", s.staff(account.ManageUsers, s.updateUser))
	admin.HandleFunc("GET /admin/audit", s.staff(account.ViewAudit, s.auditPage))

	admin.HandleFunc("/admin/", s.fallback)

	root := http.NewServeMux()
	root.HandleFunc("GET /api/v1/challenge", s.challengeHandler)
	root.HandleFunc("POST /api/v1/articles/{id}/comments", s.apiPostComment)
	root.HandleFunc("POST /api/v1/subscriptions", s.apiSubscribe)
	root.Handle("/admin", admin)
	root.Handle("/admin/", admin)
	if s.api != nil {
		root.Handle("/api/v1/", s.api)
	}
	mux.HandleFunc("/", s.fallback)
	root.Handle("/", mux)
	return root
}

// adminRoutes lists every newsroom route with the least role that may use
// it, for the test that walks them all with every role.
var adminRoutes = []struct {
	method, path string
	min          account.Role // "" means anyone, signed in or not
}{
	{"GET", "/admin/login", ""},
	{"GET", "/admin/setup", ""},
	{"GET", "/admin/forgot", ""},
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
	{"POST", "/admin/comments/blocklist", account.Editor},
	{"GET", "/admin/commenters", account.Admin},
	{"GET", "/admin/commenters/export", account.Admin},
	{"POST", "/admin/commenters/erase", account.Admin},
	{"GET", "/admin/subscribers", account.Admin},
	{"GET", "/admin/subscribers/export", account.Admin},
	{"POST", "/admin/subscribers/import", account.Admin},
	{"POST", "/admin/subscribers/erase", account.Admin},
	{"GET", "/admin/mail", account.Admin},
	{"POST", "/admin/mail/retry", account.Admin},
	{"GET", "/admin/users", account.Admin},
	{"POST", "/admin/users", account.Admin},
	{"GET", "/admin/audit", account.Admin},
}

// GET /admin
func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) {
	redirect(w, r, "/admin/articles", http.StatusSeeOther)
}

// GET /favicon.ico: browsers ask for it whatever the page says.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	redirect(w, r, s.assetURL("favicon.svg"), http.StatusMovedPermanently)
}
