package web

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"broadsheet/internal/article"
)

// GET /healthz answers 200 when the database answers a query within two
// seconds, 503 otherwise. Load balancers take an instance out on 503.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

// GET /metrics in the Prometheus text format, on the site's listener. The
// figures tell a stranger what the site runs and how busy it is, so they
// are not public: with a metrics listener of its own the site's answers
// 404; with a token, a scraper must send it; without either, only a
// scraper on this machine, talking to the process directly, gets them.
func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request) {
	switch {
	case s.metricsElsewhere:
		s.fail(w, r, article.ErrNotFound)
	case s.metricsToken != "":
		s.metricsWithToken(w, r)
	case fromThisMachine(r):
		s.writeMetrics(w)
	default:
		s.fail(w, r, article.ErrNotFound)
	}
}

// Metrics serves /metrics alone, for a listener of its own
// (--metrics-addr): whoever reaches that address may scrape, and must send
// the token when one is set.
func (s *Server) Metrics() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if s.metricsToken != "" {
			s.metricsWithToken(w, r)
			return
		}
		s.writeMetrics(w)
	})
	return mux
}

func (s *Server) metricsWithToken(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(s.metricsToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "metrics need a bearer token", http.StatusUnauthorized)
		return
	}
	s.writeMetrics(w)
}

func (s *Server) writeMetrics(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	s.metrics.WriteTo(w)
}

// fromThisMachine reports whether the request came over loopback from a
// client on this machine itself, not relayed by a proxy there (a proxy on
// the same host connects from loopback for every visitor, so a request
// carrying forwarding headers is not trusted as local).
func fromThisMachine(r *http.Request) bool {
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
