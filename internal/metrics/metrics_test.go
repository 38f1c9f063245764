package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestExposition(t *testing.T) {
	r := New()
	r.ObserveRequest("GET /{section}/{slug}", "GET", 200, 2*time.Millisecond)
	r.ObserveRequest("GET /{section}/{slug}", "GET", 200, 300*time.Microsecond)
	r.ObserveRequest("GET /{section}/{slug}", "GET", 404, 3*time.Second)
	r.Gauge("broadsheet_page_cache_entries", "Pages in the cache.", func() float64 { return 7 })
	r.Counter("broadsheet_page_cache_hits_total", "Cache hits.", func() uint64 { return 3 })
	r.Series("GET /{section}/{slug}", "HEAD", 304).Observe(time.Millisecond)
	r.CounterByLabel("broadsheet_fastpath_handoffs_total", "Handoffs.", "reason", func() map[string]uint64 {
		return map[string]uint64{"refused": 4, "declined": 9}
	})
	r.ObserveQuery("postgres", 80*time.Microsecond)
	r.ObserveQuery("postgres", 3*time.Millisecond)
	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`broadsheet_http_requests_total{route="GET /{section}/{slug}",method="GET",code="200"} 2`,
		`broadsheet_http_requests_total{route="GET /{section}/{slug}",method="GET",code="404"} 1`,
		`broadsheet_http_request_duration_seconds_bucket{route="GET /{section}/{slug}",le="0.0005"} 1`,
		`broadsheet_http_request_duration_seconds_bucket{route="GET /{section}/{slug}",le="0.0025"} 3`,
		`broadsheet_http_request_duration_seconds_bucket{route="GET /{section}/{slug}",le="2.5"} 3`,
		`broadsheet_http_request_duration_seconds_bucket{route="GET /{section}/{slug}",le="+Inf"} 4`,
		`broadsheet_http_requests_total{route="GET /{section}/{slug}",method="HEAD",code="304"} 1`,
		`broadsheet_http_request_duration_seconds_count{route="GET /{section}/{slug}"} 4`,
		`broadsheet_http_request_duration_seconds_sum{route="GET /{section}/{slug}"} 3.0033`,
		"# TYPE broadsheet_fastpath_handoffs_total counter\nbroadsheet_fastpath_handoffs_total{reason=\"declined\"} 9\nbroadsheet_fastpath_handoffs_total{reason=\"refused\"} 4\n",
		"# TYPE broadsheet_page_cache_entries gauge\nbroadsheet_page_cache_entries 7\n",
		"# TYPE broadsheet_page_cache_hits_total counter\nbroadsheet_page_cache_hits_total 3\n",
		"# TYPE broadsheet_db_queries_total counter\nbroadsheet_db_queries_total{engine=\"postgres\"} 2\n",
		`broadsheet_db_query_duration_seconds_bucket{engine="postgres",le="0.0001"} 1`,
		`broadsheet_db_query_duration_seconds_bucket{engine="postgres",le="0.0025"} 1`,
		`broadsheet_db_query_duration_seconds_bucket{engine="postgres",le="0.005"} 2`,
		`broadsheet_db_query_duration_seconds_count{engine="postgres"} 2`,
		"go_goroutines ",
		"go_memstats_stack_inuse_bytes ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %q\n%s", want, out)
		}
	}
}
