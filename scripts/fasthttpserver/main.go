// Command fasthttpserver is plainserver on fasthttp instead of net/http:
// files' gzip bytes from memory, 304 when If-None-Match names the file's
// ETag. It is the benchmark's second reference, a Go server that skips
// net/http's per-request allocations, and lives in its own module so that
// Broadsheet never depends on fasthttp.
//
// Usage: fasthttpserver ADDR ROOT (see pages.Load for what ROOT holds).
package main

import (
	"bytes"
	"log"
	"os"

	"broadsheet-bench/plainserver/pages"

	"github.com/valyala/fasthttp"
)

type file struct {
	pages.Page
	etag []byte // the ETag as fasthttp compares it, converted once
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("fasthttpserver: ")
	if len(os.Args) != 3 {
		log.Fatal("usage: fasthttpserver ADDR ROOT")
	}
	loaded, err := pages.Load(os.Args[2])
	if err != nil {
		log.Fatal(err)
	}
	files := map[string]file{}
	for addr, p := range loaded {
		files[addr] = file{p, []byte(p.ETag)}
	}
	log.Fatal(fasthttp.ListenAndServe(os.Args[1], func(ctx *fasthttp.RequestCtx) {
		p, ok := files[string(ctx.Path())]
		if !ok {
			ctx.NotFound()
			return
		}
		ctx.Response.Header.SetBytesV("ETag", p.etag)
		if bytes.Equal(ctx.Request.Header.Peek("If-None-Match"), p.etag) {
			ctx.SetStatusCode(fasthttp.StatusNotModified)
			return
		}
		ctx.SetContentType(p.ContentType)
		ctx.Response.Header.Set("Content-Encoding", "gzip")
		ctx.SetBody(p.Gzip)
	}))
}
