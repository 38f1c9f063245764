// Command plainserver sends one file's bytes, gzip-encoded, for every
// request: the least any Go net/http server can do per request. The
// benchmark script runs it beside Broadsheet and nginx to show how much of
// the gap to nginx is net/http itself.
package main

import (
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: plainserver ADDR FILE.gz")
	}
	b, err := os.ReadFile(os.Args[2])
	if err != nil {
		log.Fatal(err)
	}
	n := strconv.Itoa(len(b))
	log.Fatal(http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", n)
		w.Write(b)
	})))
}
