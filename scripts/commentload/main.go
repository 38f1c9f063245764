// Command commentload posts comments to a Broadsheet site on this machine
// for a fixed time, as readers do: it fetches an anti-bot challenge from
// the JSON API, solves it (the reader's work, here done by this program)
// and posts a comment with it, on articles drawn at random from a list.
// It is the writing half of scripts/memory.sh; wrk does the reading.
//
// Each comment comes from an address of its own, sent in X-Forwarded-For,
// so that the per-address limits do not stop the run; the site must trust
// this machine as a proxy (serve --trusted-proxies 127.0.0.1). The site's
// own limit on comments an hour still applies. Comments without a form
// stamp are held for moderation: the run writes them, the pages do not
// change.
//
// It talks to loopback addresses only and stops by itself: after -d, plus
// at most the solve and the request under way.
//
//	go run ./scripts/commentload -base http://127.0.0.1:18090 -ids ids.txt -d 30s
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"broadsheet/internal/challenge"
)

// longest is the longest run asked for: the tool is for bounded runs.
const longest = 10 * time.Minute

func main() {
	log.SetFlags(0)
	log.SetPrefix("commentload: ")
	base := flag.String("base", "http://127.0.0.1:8080", "the site, on a loopback address")
	idsFile := flag.String("ids", "", "file of article ids, one a line (the first field of each line)")
	duration := flag.Duration("d", 30*time.Second, "how long to post, at most "+longest.String())
	solvers := flag.Int("c", 1, "readers solving and posting at once (each solve takes a core about a second)")
	flag.Parse()
	if *duration <= 0 || *duration > longest || *solvers < 1 || *solvers > 64 || *idsFile == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	u, err := url.Parse(*base)
	if err != nil || u.Scheme != "http" || !loopback(u.Hostname()) {
		log.Fatalf("-base %q: want http:// and a loopback address", *base)
	}
	ids, err := readIDs(*idsFile)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	r := &run{base: strings.TrimSuffix(*base, "/"), ids: ids, status: map[string]int{},
		client: &http.Client{Timeout: 10 * time.Second}}
	start := time.Now()
	var wg sync.WaitGroup
	for w := range *solvers {
		wg.Go(func() { r.post(ctx, w) })
	}
	wg.Wait()
	r.report(time.Since(start))
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func readIDs(name string) ([]int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ids []int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		field, _, _ := strings.Cut(strings.TrimSpace(sc.Text()), "\t")
		if field == "" {
			continue
		}
		id, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not an article id", name, field)
		}
		ids = append(ids, id)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no article ids", name)
	}
	return ids, nil
}

type run struct {
	base   string
	ids    []int64
	client *http.Client
	seq    atomic.Uint32

	mu      sync.Mutex
	status  map[string]int  // "201 pending", "429", "error", …
	latency []time.Duration // of the posts answered 201
}

// post sends comments until ctx ends; w tells workers' addresses apart.
func (r *run) post(ctx context.Context, w int) {
	for ctx.Err() == nil {
		n := r.seq.Add(1)
		// 10.w.x.y: one address a comment, as many readers.
		addr := fmt.Sprintf("10.%d.%d.%d", w%256, n/256%256, n%256)
		outcome, took := r.one(ctx, addr, n)
		if ctx.Err() != nil && !strings.HasPrefix(outcome, "201") {
			return // cut short by the end of the run, not answered
		}
		r.mu.Lock()
		r.status[outcome]++
		if strings.HasPrefix(outcome, "201") {
			r.latency = append(r.latency, took)
		}
		r.mu.Unlock()
	}
}

// one fetches a challenge, solves it and posts a comment with it.
func (r *run) one(ctx context.Context, addr string, n uint32) (string, time.Duration) {
	var ch challenge.Challenge
	if outcome := r.do(ctx, http.MethodGet, "/api/v1/challenge", addr, nil, &ch); outcome != "200" {
		return "challenge " + outcome, 0
	}
	payload, err := challenge.Solve(ch)
	if err != nil {
		return "solve failed", 0
	}
	id := r.ids[rand.IntN(len(r.ids))]
	body, _ := json.Marshal(map[string]string{
		"name":   "Reader " + strconv.Itoa(int(n)),
		"body":   fmt.Sprintf("A reader's view, number %d: the council should publish the figures before the vote.", n),
		"key":    "commentload-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.Itoa(int(n)),
		"altcha": payload,
	})
	var got struct {
		Status string `json:"status"`
	}
	start := time.Now()
	outcome := r.do(ctx, http.MethodPost, "/api/v1/articles/"+strconv.FormatInt(id, 10)+"/comments", addr, body, &got)
	if outcome == "201" {
		outcome += " " + got.Status
	}
	return outcome, time.Since(start)
}

// do sends one request and decodes a JSON answer into into; it returns the
// status code, or "error" when no answer came (ctx ending included).
func (r *run) do(ctx context.Context, method, path, addr string, body []byte, into any) string {
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, bytes.NewReader(body))
	if err != nil {
		return "error"
	}
	req.Header.Set("X-Forwarded-For", addr)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return "error"
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 300 {
		json.Unmarshal(b, into)
	}
	return strconv.Itoa(resp.StatusCode)
}

func (r *run) report(took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	posted := 0
	keys := make([]string, 0, len(r.status))
	for k, v := range r.status {
		keys = append(keys, k)
		if strings.HasPrefix(k, "201") {
			posted += v
		}
	}
	slices.Sort(keys)
	fmt.Printf("commentload: %d comments posted in %s (%.2f/s)\n", posted, took.Round(time.Millisecond), float64(posted)/took.Seconds())
	for _, k := range keys {
		fmt.Printf("  %-20s %d\n", k, r.status[k])
	}
	if len(r.latency) > 0 {
		slices.Sort(r.latency)
		at := func(q float64) time.Duration { return r.latency[int(q*float64(len(r.latency)-1))] }
		fmt.Printf("  post latency p50 %s p99 %s max %s\n", at(0.5).Round(time.Microsecond), at(0.99).Round(time.Microsecond), r.latency[len(r.latency)-1].Round(time.Microsecond))
	}
	fmt.Printf("COMMENTS posted=%d seconds=%.1f\n", posted, took.Seconds())
}
