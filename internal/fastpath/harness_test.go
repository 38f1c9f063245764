package fastpath

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The page both servers serve: net/http through pageHTTP, the fast path
// through pageHandler, from the same rules.
const pagePath = "/city/tram-depot"

// wordPath is a second address of the page, in Persian: sent as
// percent-escapes of its UTF-8.
const wordPath = "/شهر/tram-depot"

var (
	pageBody    = bytes.Repeat([]byte("<p>The council votes on the tram depot.</p>\n"), 100)
	pageETag    = `"v1"`
	pageLastMod = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	page200     = renderHead(http.StatusOK, pageHeader(true))
	page304     = renderHead(http.StatusNotModified, pageHeader(false))
)

func pageHeader(full bool) http.Header {
	h := http.Header{}
	h.Set("Etag", pageETag)
	h.Set("Last-Modified", pageLastMod.Format(http.TimeFormat))
	h.Set("Cache-Control", "no-cache")
	if full {
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(pageBody)))
	}
	return h
}

func renderHead(status int, h http.Header) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	h.Write(&b)
	return b.Bytes()
}

func notModified(inm, ims string) bool {
	if inm != "" {
		return inm == pageETag || inm == "*"
	}
	if ims == "" {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !pageLastMod.After(t)
}

// pageHandler answers the page, declines a signed-in reader (whose page
// would be rendered afresh), and counts its answers.
func pageHandler(hits *atomic.Uint64) Handler {
	return func(r *Request) (Answer, bool) {
		var buf [64]byte
		if p := string(r.AppendPath(buf[:0])); p != pagePath && p != wordPath || bytes.Contains(r.Cookie, []byte("session=")) {
			return Answer{}, false
		}
		hits.Add(1)
		if notModified(string(r.IfNoneMatch), string(r.IfModifiedSince)) {
			return Answer{Head: page304}, true
		}
		if r.Method == "HEAD" {
			return Answer{Head: page200}, true
		}
		return Answer{Head: page200, Body: pageBody}, true
	}
}

// fallback is what net/http serves, alone or behind the fast path.
func fallback() *http.Server {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, r *http.Request) {
		if notModified(r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")) {
			for k, v := range pageHeader(false) {
				w.Header()[k] = v
			}
			w.WriteHeader(http.StatusNotModified)
			return
		}
		for k, v := range pageHeader(true) {
			w.Header()[k] = v
		}
		if r.Method != http.MethodHead {
			w.Write(pageBody)
		}
	}
	mux.HandleFunc("GET "+pagePath, page)
	mux.HandleFunc("GET "+wordPath, page)
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		fmt.Fprintf(w, "got %d bytes: %.20s", len(b), b)
	})
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for i := range 3 {
			fmt.Fprintf(w, "data: tick %d\n\n", i)
			rc.Flush()
			time.Sleep(50 * time.Millisecond)
		}
	})
	return &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 32 << 10}
}

func listen(t testing.TB) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func startReference(t testing.TB) string {
	l := listen(t)
	hs := fallback()
	go hs.Serve(l)
	t.Cleanup(func() { hs.Close() })
	return l.Addr().String()
}

type fastServer struct {
	*Server
	addr   string
	hits   atomic.Uint64
	served chan error
}

// startFast serves the page through the fast path; adjust, if given,
// changes the Server before it starts.
func startFast(t testing.TB, adjust func(*Server)) *fastServer {
	l := listen(t)
	fs := &fastServer{addr: l.Addr().String(), served: make(chan error, 1)}
	fs.Server = &Server{
		Handler:           pageHandler(&fs.hits),
		Fallback:          fallback(),
		IdleTimeout:       time.Minute,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      time.Minute,
	}
	if adjust != nil {
		adjust(fs.Server)
	}
	go func() { fs.served <- fs.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		fs.Shutdown(ctx)
	})
	return fs
}

func dial(t testing.TB, addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// exchange sends raw on a new connection, half-closes it and reads every
// byte the server sends back.
func exchange(t *testing.T, addr, raw string) []byte {
	c := dial(t, addr)
	c.Write([]byte(raw))
	c.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("no end to the answer after 10 s: %q", b)
	}
	return b
}

// responses prints each response in b: status, whether it closes, the
// fields but Date in order, and the body, in a form two servers' bytes
// can be compared by.
func responses(b []byte, methods []string) string {
	var out strings.Builder
	br := bufio.NewReader(bytes.NewReader(b))
	for i := 0; ; i++ {
		m := "GET"
		if i < len(methods) {
			m = methods[i]
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: m})
		if err != nil {
			if err != io.EOF {
				fmt.Fprintf(&out, "[unparsed: %v]\n", err)
			}
			return out.String()
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Header.Del("Date")
		fmt.Fprintf(&out, "%s close=%v\n", resp.Status, resp.Close)
		var h bytes.Buffer
		resp.Header.Write(&h) // sorted
		fmt.Fprintf(&out, "%s body %d bytes %.30q\n", h.String(), len(body), body)
	}
}

func get(fields string) string {
	return "GET " + pagePath + " HTTP/1.1\r\nHost: example.org\r\n" + fields + "\r\n"
}
