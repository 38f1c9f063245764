// Command plainserver sends files' gzip bytes from memory, answering 304
// when If-None-Match names the file's ETag: the least any Go net/http
// server can do per request. The benchmark script runs it beside
// Broadsheet and nginx to show how much of the gap to nginx is net/http
// itself. It is a module of its own, like the fasthttp server that shares
// its package pages, so that Broadsheet's module holds none of the
// benchmark.
//
// Usage: plainserver ADDR ROOT (see pages.Load for what ROOT holds).
package main

import (
	"log"
	"net/http"
	"os"
	"strconv"

	"broadsheet-bench/plainserver/pages"
)

// file is a page with its headers ready as header values, so a request
// allocates none.
type file struct {
	body                     []byte
	etag, length, typeHeader []string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("plainserver: ")
	if len(os.Args) != 3 {
		log.Fatal("usage: plainserver ADDR ROOT")
	}
	loaded, err := pages.Load(os.Args[2])
	if err != nil {
		log.Fatal(err)
	}
	files := map[string]file{}
	for addr, p := range loaded {
		files[addr] = file{
			body:       p.Gzip,
			etag:       []string{p.ETag},
			length:     []string{strconv.Itoa(len(p.Gzip))},
			typeHeader: []string{p.ContentType},
		}
	}
	gzip := []string{"gzip"}
	log.Fatal(http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h["Etag"] = f.etag
		if r.Header.Get("If-None-Match") == f.etag[0] {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h["Content-Type"] = f.typeHeader
		h["Content-Encoding"] = gzip
		h["Content-Length"] = f.length
		w.Write(f.body)
	})))
}
