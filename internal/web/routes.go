package web

import "net/http"

// routes lists every URL the reading site answers. Literal segments win
// over wildcards, so /tag/x never reaches the article route.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page(s.home))
	mux.HandleFunc("GET /latest", s.page(s.latest))
	mux.HandleFunc("GET /{slug}", s.page(s.sectionOrPage))
	mux.HandleFunc("GET /{section}/{slug}", s.page(s.article))
	mux.HandleFunc("GET /tag/{slug}", s.page(s.tagArchive))
	mux.HandleFunc("GET /author/{slug}", s.page(s.authorArchive))
	mux.HandleFunc("GET /media/{id}/{file}", s.media)
	mux.HandleFunc("GET /static/{file}", s.static)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /metrics", s.metricsPage)
	mux.HandleFunc("/", s.fallback)
	return mux
}
