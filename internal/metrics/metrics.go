// Package metrics keeps the counters and histograms Broadsheet exposes at
// /metrics in the Prometheus text format. A few dozen lines of our own beat
// the client library's dependency tree for the handful of series we need.
package metrics

import (
	"fmt"
	"io"
	"maps"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Registry holds every series. The zero value is not usable; call New.
type Registry struct {
	mu       sync.Mutex
	requests map[requestKey]*atomic.Uint64
	latency  map[string]*histogram // by route
	queries  map[string]*histogram // database statements, by engine
	gauges   []gauge
	counters []counterFunc
	started  time.Time
}

type requestKey struct {
	route, method string
	code          int
}

type gauge struct {
	name, help string
	fn         func() float64
}

type counterFunc struct {
	name, help string
	fn         func() uint64
	// label and byLabel, when set, make the counter one series per value
	// of label instead of fn's one.
	label   string
	byLabel func() map[string]uint64
}

// Latency buckets in seconds: a cached page is well under a millisecond,
// an uncached one a few.
var buckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// Query buckets in seconds: a statement on loopback takes tens of
// microseconds, one over a network a millisecond or more.
var queryBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}

type histogram struct {
	counts [13]atomic.Uint64 // len(buckets)+1, the last is +Inf
	sumNS  atomic.Uint64
}

func (h *histogram) observe(bs []float64, d time.Duration) {
	i, _ := slices.BinarySearch(bs, d.Seconds())
	h.counts[i].Add(1)
	h.sumNS.Add(uint64(d.Nanoseconds()))
}

// write writes h as the series name with the label label="value".
func (h *histogram) write(b *strings.Builder, name, label, value string, bs []float64) {
	var cum uint64
	for i, le := range bs {
		cum += h.counts[i].Load()
		fmt.Fprintf(b, "%s_bucket{%s=%s,le=\"%s\"} %d\n", name, label, quote(value), strconv.FormatFloat(le, 'g', -1, 64), cum)
	}
	cum += h.counts[len(bs)].Load()
	fmt.Fprintf(b, "%s_bucket{%s=%s,le=\"+Inf\"} %d\n", name, label, quote(value), cum)
	fmt.Fprintf(b, "%s_sum{%s=%s} %s\n", name, label, quote(value), float(float64(h.sumNS.Load())/1e9))
	fmt.Fprintf(b, "%s_count{%s=%s} %d\n", name, label, quote(value), cum)
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{requests: map[requestKey]*atomic.Uint64{}, latency: map[string]*histogram{}, queries: map[string]*histogram{}, started: time.Now()}
}

// ObserveRequest counts one finished HTTP request.
func (r *Registry) ObserveRequest(route, method string, code int, d time.Duration) {
	r.Series(route, method, code).Observe(d)
}

// Series is the request counter of one route, method and status code with
// its route's latency histogram, looked up once: a path that serves the
// same answer many times keeps it and observes with two atomic adds.
type Series struct {
	n *atomic.Uint64
	h *histogram
}

// Series returns the series ObserveRequest(route, method, code, …) adds to.
func (r *Registry) Series(route, method string, code int) Series {
	k := requestKey{route, method, code}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.requests[k]
	if !ok {
		c = new(atomic.Uint64)
		r.requests[k] = c
	}
	h, ok := r.latency[route]
	if !ok {
		h = new(histogram)
		r.latency[route] = h
	}
	return Series{c, h}
}

// Observe counts one request that took d.
func (s Series) Observe(d time.Duration) {
	s.n.Add(1)
	s.h.observe(buckets, d)
}

// ObserveQuery counts one database statement of engine and its duration.
func (r *Registry) ObserveQuery(engine string, d time.Duration) {
	r.mu.Lock()
	h, ok := r.queries[engine]
	if !ok {
		h = new(histogram)
		r.queries[engine] = h
	}
	r.mu.Unlock()
	h.observe(queryBuckets, d)
}

// Gauge registers a value read at scrape time.
func (r *Registry) Gauge(name, help string, fn func() float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gauges = append(r.gauges, gauge{name, help, fn})
}

// Counter registers a monotonically increasing value read at scrape time.
func (r *Registry) Counter(name, help string, fn func() uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counters = append(r.counters, counterFunc{name: name, help: help, fn: fn})
}

// CounterByLabel registers a counter read at scrape time as one series for
// each value of label that fn returns.
func (r *Registry) CounterByLabel(name, help, label string, fn func() map[string]uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counters = append(r.counters, counterFunc{name: name, help: help, label: label, byLabel: fn})
}

// WriteTo writes every series in the Prometheus text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	r.mu.Lock()
	keys := make([]requestKey, 0, len(r.requests))
	for k := range r.requests {
		keys = append(keys, k)
	}
	routes := make([]string, 0, len(r.latency))
	for k := range r.latency {
		routes = append(routes, k)
	}
	gauges := slices.Clone(r.gauges)
	counters := slices.Clone(r.counters)
	r.mu.Unlock()

	slices.SortFunc(keys, func(a, b requestKey) int {
		return strings.Compare(fmt.Sprint(a.route, a.method, a.code), fmt.Sprint(b.route, b.method, b.code))
	})
	b.WriteString("# HELP broadsheet_http_requests_total HTTP requests served, by route pattern, method and status code.\n")
	b.WriteString("# TYPE broadsheet_http_requests_total counter\n")
	for _, k := range keys {
		r.mu.Lock()
		n := r.requests[k].Load()
		r.mu.Unlock()
		fmt.Fprintf(&b, "broadsheet_http_requests_total{route=%s,method=%s,code=\"%d\"} %d\n", quote(k.route), quote(k.method), k.code, n)
	}

	slices.Sort(routes)
	b.WriteString("# HELP broadsheet_http_request_duration_seconds Time to serve HTTP requests, by route pattern.\n")
	b.WriteString("# TYPE broadsheet_http_request_duration_seconds histogram\n")
	for _, route := range routes {
		r.mu.Lock()
		h := r.latency[route]
		r.mu.Unlock()
		h.write(&b, "broadsheet_http_request_duration_seconds", "route", route, buckets)
	}

	r.mu.Lock()
	engines := slices.Sorted(maps.Keys(r.queries))
	r.mu.Unlock()
	if len(engines) > 0 {
		b.WriteString("# HELP broadsheet_db_queries_total Statements sent to the database, by engine.\n")
		b.WriteString("# TYPE broadsheet_db_queries_total counter\n")
		for _, e := range engines {
			r.mu.Lock()
			h := r.queries[e]
			r.mu.Unlock()
			var n uint64
			for i := range h.counts {
				n += h.counts[i].Load()
			}
			fmt.Fprintf(&b, "broadsheet_db_queries_total{engine=%s} %d\n", quote(e), n)
		}
		b.WriteString("# HELP broadsheet_db_query_duration_seconds Time the database took to answer a statement, by engine.\n")
		b.WriteString("# TYPE broadsheet_db_query_duration_seconds histogram\n")
		for _, e := range engines {
			r.mu.Lock()
			h := r.queries[e]
			r.mu.Unlock()
			h.write(&b, "broadsheet_db_query_duration_seconds", "engine", e, queryBuckets)
		}
	}

	for _, c := range counters {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", c.name, c.help, c.name)
		if c.byLabel == nil {
			fmt.Fprintf(&b, "%s %d\n", c.name, c.fn())
			continue
		}
		vals := c.byLabel()
		for _, v := range slices.Sorted(maps.Keys(vals)) {
			fmt.Fprintf(&b, "%s{%s=%s} %d\n", c.name, c.label, quote(v), vals[v])
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	builtin := []gauge{
		{"broadsheet_uptime_seconds", "Seconds since the process started.", func() float64 { return time.Since(r.started).Seconds() }},
		{"go_goroutines", "Number of goroutines that currently exist.", func() float64 { return float64(runtime.NumGoroutine()) }},
		{"go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", func() float64 { return float64(ms.HeapAlloc) }},
		{"go_memstats_stack_inuse_bytes", "Bytes of goroutine stacks in use.", func() float64 { return float64(ms.StackInuse) }},
		{"go_memstats_sys_bytes", "Bytes of memory obtained from the OS.", func() float64 { return float64(ms.Sys) }},
	}
	for _, g := range append(gauges, builtin...) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", g.name, g.help, g.name, g.name, float(g.fn()))
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func float(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
