package embed_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/internal/embed"
	"broadsheet/internal/store/sqlite"
)

// provider is a stand-in oEmbed provider on a loopback address: its
// endpoint answers /oembed with answer (the page address requested is
// in got), and /thumb.png with a real PNG.
type provider struct {
	*httptest.Server
	hits   atomic.Int32
	got    atomic.Value // the url parameter of the last /oembed request
	answer func(srv *provider) map[string]any
}

func newProvider(t *testing.T, addr string, answer func(srv *provider) map[string]any) *provider {
	t.Helper()
	p := &provider{answer: answer}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oembed", func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		p.got.Store(r.URL.Query().Get("url"))
		if r.URL.Query().Get("format") != "json" {
			http.Error(w, "json only", http.StatusNotImplemented)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(p.answer(p))
	})
	mux.HandleFunc("GET /thumb.png", func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(testPNG(t, 640, 360))
	})
	p.Server = httptest.NewUnstartedServer(mux)
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("cannot listen on %s (loopback addresses beyond 127.0.0.1 are Linux's): %v", addr, err)
		}
		p.Listener.Close()
		p.Listener = ln
	}
	p.Start()
	t.Cleanup(p.Close)
	return p
}

// testPNG is a real PNG of w×h: a gradient, so that it is no blank.
func testPNG(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "embeds.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func endpoint(t *testing.T, scheme, addr string) embed.Endpoint {
	t.Helper()
	e, err := embed.ParseEndpoint(scheme + "=" + addr)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// mediaAnswer is what media.example.org's endpoint says: a video in an
// iframe, and a thumbnail at thumb.
func mediaAnswer(thumb string) func(*provider) map[string]any {
	return func(p *provider) map[string]any {
		return map[string]any{
			"type": "video", "version": "1.0", "title": "Harbour\u202e reopens\n after the storm", "author_name": "The Courier",
			"provider_name": "Example Media", "width": "640", "height": 360, "thumbnail_url": thumb,
			"html": `<div><iframe width="640" height="360" src="https://media.example.org/embed/42?autoplay=0" allowfullscreen></iframe></div>`,
		}
	}
}

const page = "https://media.example.org/video/42"

// A configured provider on this machine, allowed: the record gets the
// title, author, the frame from the iframe's src, and the thumbnail as an
// image of the media library, re-encoded.
func TestResolveConfiguredProvider(t *testing.T) {
	db := openStore(t)
	var p *provider
	p = newProvider(t, "", func(srv *provider) map[string]any { return mediaAnswer(p.URL + "/thumb.png")(srv) })
	r := embed.NewResolver(embed.Options{Endpoints: []embed.Endpoint{endpoint(t, "https://media.example.org/video/*", p.URL+"/oembed")},
		AllowPrivate: true, Images: db, Log: quiet()})
	rec, err := r.Resolve(context.Background(), page)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.got.Load(); got != page {
		t.Errorf("the endpoint was asked about %q, want %q", got, page)
	}
	want := embed.Record{URL: page, Provider: "Example Media", ProviderKey: "oembed", Title: "Harbour reopens after the storm", Author: "The Courier",
		Frame: "https://media.example.org/embed/42?autoplay=0", FrameOrigin: "https://media.example.org", Width: 640, Height: 360,
		ThumbnailURL: p.URL + "/thumb.png", ThumbnailID: rec.ThumbnailID, Complete: true, FetchedAt: rec.FetchedAt}
	if rec != want {
		t.Errorf("Resolve = %+v\nwant %+v", rec, want)
	}
	if rec.ThumbnailID == 0 || time.Since(rec.FetchedAt) > time.Minute {
		t.Fatalf("no thumbnail kept, or no time: %+v", rec)
	}
	img, err := db.ImageByID(context.Background(), rec.ThumbnailID)
	if err != nil {
		t.Fatal(err)
	}
	if img.Width != 640 || img.Height != 360 || img.Alt != want.Title || img.Credit != "The Courier / Example Media" || len(img.Variants) == 0 {
		t.Errorf("thumbnail image = %+v", img)
	}
	v, err := db.ImageVariant(context.Background(), img.ID, img.Variants[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jpeg.Decode(bytes.NewReader(v.Bytes)); err != nil && v.ContentType == "image/jpeg" {
		t.Errorf("the kept thumbnail does not decode: %v", err)
	}
	// The same thumbnail again is the image kept already.
	again, err := r.Resolve(context.Background(), page)
	if err != nil || again.ThumbnailID != rec.ThumbnailID {
		t.Errorf("resolved again: thumbnail %d, %v; want %d", again.ThumbnailID, err, rec.ThumbnailID)
	}
}

// Without AllowPrivate, nothing on this machine is reached: not by its
// address, not by a name that resolves to it, not by a redirect from a
// server that may be reached, not as a thumbnail.
func TestResolveRefusesInternalAddresses(t *testing.T) {
	ctx := context.Background()
	inside := newProvider(t, "", mediaAnswer(""))
	_, port, _ := net.SplitHostPort(inside.Listener.Addr().String())
	for _, addr := range []string{inside.URL + "/oembed", "http://localhost:" + port + "/oembed", "http://[::ffff:127.0.0.1]:" + port + "/oembed"} {
		r := embed.NewResolver(embed.Options{Endpoints: []embed.Endpoint{endpoint(t, "https://media.example.org/video/*", addr)}, Log: quiet()})
		rec, err := r.Resolve(ctx, page)
		if !errors.Is(err, embed.ErrRefusedAddress) {
			t.Errorf("endpoint %s: err = %v, want %v", addr, err, embed.ErrRefusedAddress)
		}
		if rec.ProviderKey != "oembed" || rec.Title != "" || rec.Complete {
			t.Errorf("endpoint %s: record %+v; want one without metadata", addr, rec)
		}
	}
	if n := inside.hits.Load(); n != 0 {
		t.Fatalf("the internal server was asked %d times", n)
	}

	// A server this resolver may reach (127.0.0.2 is allowed by name)
	// redirecting inside, or naming a thumbnail inside.
	var outside *provider
	outside = newProvider(t, "127.0.0.2:0", func(*provider) map[string]any { return mediaAnswer(inside.URL + "/thumb.png")(outside) })
	allowed := []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}
	db := openStore(t)
	r := embed.NewResolver(embed.Options{Endpoints: []embed.Endpoint{endpoint(t, "https://media.example.org/video/*", outside.URL+"/oembed")},
		Allow: allowed, Images: db, Log: quiet()})
	rec, err := r.Resolve(ctx, page)
	if err != nil || rec.Title == "" || rec.ThumbnailID != 0 {
		t.Errorf("a thumbnail inside: %+v, %v; want the metadata and no thumbnail", rec, err)
	}
	for _, to := range []string{inside.URL + "/oembed", "http://localhost:" + port + "/oembed"} {
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, to+"?"+r.URL.RawQuery, http.StatusFound)
		})
		redirector := httptest.NewUnstartedServer(mux)
		ln, err := net.Listen("tcp", "127.0.0.2:0")
		if err != nil {
			t.Skip(err)
		}
		redirector.Listener.Close()
		redirector.Listener = ln
		redirector.Start()
		defer redirector.Close()
		r := embed.NewResolver(embed.Options{Endpoints: []embed.Endpoint{endpoint(t, "https://media.example.org/video/*", redirector.URL+"/oembed")},
			Allow: allowed, Log: quiet()})
		if _, err := r.Resolve(ctx, page); !errors.Is(err, embed.ErrRefusedAddress) {
			t.Errorf("redirect to %s: err = %v, want %v", to, err, embed.ErrRefusedAddress)
		}
	}
	if n := inside.hits.Load(); n != 0 {
		t.Errorf("the internal server was asked %d times", n)
	}
}

// A provider that answers too much, too slowly or not at all leaves the
// record with what the address gives: provider and frame.
func TestResolveLimits(t *testing.T) {
	ctx := context.Background()
	const video = "https://www.youtube.com/watch?v=M7lc1UVf-VE"
	stalled := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"title": "`))
		for range 300 {
			w.Write(bytes.Repeat([]byte("x"), 1024)) // no Content-Length: it streams
		}
		w.Write([]byte(`"}`))
	})
	mux.HandleFunc("/declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10000000")
		w.Write([]byte(`{"title": "`))
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stalled:
		}
	})
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"title": "`))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-stalled:
		}
	})
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n == 0 {
			w.Write([]byte(`{"title": "Arrived"}`))
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d?%s", n-1, r.URL.RawQuery), http.StatusFound)
	})
	mux.HandleFunc("/notjson", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) })
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(stalled)
	closed := closedAddress(t)
	for _, tt := range []struct {
		path string
		want error
	}{
		{srv.URL + "/big", embed.ErrTooLarge},
		{srv.URL + "/declared", embed.ErrTooLarge},
		{srv.URL + "/stall", context.DeadlineExceeded},
		{srv.URL + "/trickle", context.DeadlineExceeded},
		{srv.URL + "/hop/4", nil}, // more than three redirects
		{srv.URL + "/notjson", nil},
		{srv.URL + "/gone", nil},
		{closed, nil}, // nothing listens
	} {
		r := embed.NewResolver(embed.Options{AllowPrivate: true, Timeout: 300 * time.Millisecond, ProviderEndpoints: map[string]string{"youtube": tt.path}, Log: quiet()})
		start := time.Now()
		rec, err := r.Resolve(ctx, video)
		if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.path, err, tt.want)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s: took %v, beyond its timeout", tt.path, took)
		}
		if rec.ProviderKey != "youtube" || rec.Frame != "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE" || rec.Title != "" || rec.Complete {
			t.Errorf("%s: record %+v; want the provider and frame, no title, not complete", tt.path, rec)
		}
	}
	r := embed.NewResolver(embed.Options{AllowPrivate: true, ProviderEndpoints: map[string]string{"youtube": srv.URL + "/hop/3"}, Log: quiet()})
	if rec, err := r.Resolve(ctx, video); err != nil || rec.Title != "Arrived" {
		t.Errorf("three redirects: %+v, %v; want them followed", rec, err)
	}
}

// closedAddress is a loopback address nothing listens on.
func closedAddress(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + ln.Addr().String() + "/oembed"
	ln.Close()
	return addr
}

// A built-in provider's frame is the one its address makes, whatever its
// endpoint's html says; its size and title are the endpoint's.
func TestResolveKnownProvider(t *testing.T) {
	p := newProvider(t, "", func(*provider) map[string]any {
		return map[string]any{"title": "Me at the zoo", "author_name": "jawed", "width": 200, "height": 113,
			"html": `<iframe src="https://evil.example/frame"></iframe>`}
	})
	r := embed.NewResolver(embed.Options{AllowPrivate: true, ProviderEndpoints: map[string]string{"youtube": p.URL + "/oembed"}, Log: quiet()})
	rec, err := r.Resolve(context.Background(), "https://youtu.be/jNQXAC9IVRw")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Frame != "https://www.youtube-nocookie.com/embed/jNQXAC9IVRw" || rec.Provider != "YouTube" || rec.Title != "Me at the zoo" ||
		rec.Author != "jawed" || rec.Width != 200 || rec.Height != 113 || !rec.Complete {
		t.Errorf("Resolve = %+v", rec)
	}
	if _, err := r.Resolve(context.Background(), "https://example.org/video/1"); !errors.Is(err, embed.ErrNotEmbed) {
		t.Errorf("an unknown address: err = %v, want %v", err, embed.ErrNotEmbed)
	}
}

// Instagram and Facebook ask nothing without a Meta token; with one, the
// token goes to the endpoint and never into an error.
func TestResolveMetaToken(t *testing.T) {
	const post = "https://www.instagram.com/p/C8xYz_1Abc-/"
	var token atomic.Value
	mux := http.NewServeMux()
	mux.HandleFunc("/oembed", func(w http.ResponseWriter, r *http.Request) {
		token.Store(r.URL.Query().Get("access_token"))
		http.Error(w, "rate limited", http.StatusTooManyRequests)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	r := embed.NewResolver(embed.Options{AllowPrivate: true, ProviderEndpoints: map[string]string{"instagram": srv.URL + "/oembed"}, Log: quiet()})
	rec, err := r.Resolve(context.Background(), post)
	if err != nil || !rec.Complete || rec.Frame != "https://www.instagram.com/p/C8xYz_1Abc-/embed" || token.Load() != nil {
		t.Errorf("without a token: %+v, %v; want the frame, complete, nothing asked", rec, err)
	}
	r = embed.NewResolver(embed.Options{AllowPrivate: true, MetaToken: "123|s3cret", ProviderEndpoints: map[string]string{"instagram": srv.URL + "/oembed"}, Log: quiet()})
	rec, err = r.Resolve(context.Background(), post)
	if err == nil || rec.Complete || token.Load() != "123|s3cret" {
		t.Errorf("with a token: %+v, %v, token sent %v", rec, err, token.Load())
	}
	if err != nil && strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error shows the token: %v", err)
	}
}
