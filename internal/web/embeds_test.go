package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
	"broadsheet/internal/embed"
)

// keepEmbeds makes the test site's newsroom keep embeds with r, as
// cmd/broadsheet does.
func (ns *newsroomSite) keepEmbeds(o embed.Options) {
	o.Images, o.Log = ns.db, ns.srv.log
	ns.srv.newsroom.WithEmbeds(&embed.Keeper{Store: ns.db, Resolver: embed.NewResolver(o), Log: ns.srv.log})
}

// Saving an article with a video on a line of its own keeps the video's
// record, even when no provider can be reached; the save goes through.
func TestSaveKeepsEmbedsWithoutNetwork(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	nothing := "http://" + ln.Addr().String() + "/oembed" // closed below: nothing answers
	ln.Close()
	ns.keepEmbeds(embed.Options{ProviderEndpoints: map[string]string{"youtube": nothing, "vimeo": nothing}})

	const video = "https://www.youtube.com/watch?v=M7lc1UVf-VE"
	form := articleForm("Harbour reopens", 0)
	form.Set("body", "The harbour reopened.\n\n"+video+"\n\nShips came in.")
	form.Set("action", "save")
	rec := ns.do("POST", "/admin/articles", account.Author, form)
	m := articleIDInLocation.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("create = %d %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	got, err := ns.db.Embed(ctx, video)
	if err != nil {
		t.Fatalf("no record of the video after the save: %v", err)
	}
	if got.ProviderKey != "youtube" || got.Frame != "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE" || got.Title != "" || got.Complete {
		t.Errorf("record = %+v; want the frame, without metadata", got)
	}

	// An autosave of the text with another embed keeps that one too.
	const other = "https://vimeo.com/76979871"
	form = articleForm("Harbour reopens", 1)
	form.Set("body", "The harbour reopened.\n\n"+video+"\n\n<"+other+">")
	form.Set("action", "autosave")
	rec = ns.do("POST", "/admin/articles/"+m[1], account.Author, form)
	if rec.Code != http.StatusOK {
		t.Fatalf("autosave = %d: %s", rec.Code, rec.Body.String())
	}
	if _, err := ns.db.Embed(ctx, other); err != nil {
		t.Errorf("no record of the second embed after the autosave: %v", err)
	}
	// A link in a sentence is no embed.
	form = articleForm("Harbour reopens", 2)
	form.Set("body", "See [the ferry](https://youtu.be/aqz-KE-bpKQ).")
	form.Set("action", "save")
	if rec = ns.do("POST", "/admin/articles/"+m[1], account.Author, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("save = %d: %s", rec.Code, rec.Body.String())
	}
	if _, err := ns.db.Embed(ctx, "https://youtu.be/aqz-KE-bpKQ"); !errors.Is(err, article.ErrNotFound) {
		t.Errorf("a link in a sentence was kept as an embed: %v", err)
	}
}

// Through the Admin API too; and with a provider that answers, the
// thumbnail is an image of our own, shown to readers once the article is
// published.
func TestAPISaveKeepsEmbedsWithThumbnail(t *testing.T) {
	ns := newNewsroom(t)
	ctx := context.Background()
	thumb := testPNG(480, 360)
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/oembed", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"title": "Me at the zoo", "author_name": "jawed", "width": 200, "height": 113,
			"thumbnail_url": srv.URL + "/hq.png"})
	})
	mux.HandleFunc("/hq.png", func(w http.ResponseWriter, r *http.Request) { w.Write(thumb) })
	srv = httptest.NewServer(mux)
	defer srv.Close()
	ns.keepEmbeds(embed.Options{AllowPrivate: true, ProviderEndpoints: map[string]string{"youtube": srv.URL + "/oembed"}})

	token, hash := account.NewToken()
	must(t, ns.db.CreateToken(ctx, &account.Token{UserID: ns.users[account.Editor].ID, Name: "test", TokenHash: hash}))
	const video = "https://youtu.be/jNQXAC9IVRw"
	body := fmt.Sprintf(`{"headline":"The zoo","body":"Elephants.\n\n%s\n\nThe end.","section":"city","authors":["ada"],"status":"published"}`, video)
	req := httptest.NewRequest("POST", "/api/v1/admin/articles", bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	ns.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /api/v1/admin/articles = %d: %s", rec.Code, rec.Body.String())
	}
	got, err := ns.db.Embed(ctx, video)
	if err != nil || got.Title != "Me at the zoo" || got.Author != "jawed" || !got.Complete || got.ThumbnailID == 0 {
		t.Fatalf("record = %+v, %v; want the title, author and a thumbnail", got, err)
	}
	img, err := ns.db.ImageByID(ctx, got.ThumbnailID)
	must(t, err)
	path := fmt.Sprintf("/media/%d/%d.jpg", img.ID, img.Variants[0])
	if code, _ := getWith(ns, path); code != http.StatusOK {
		t.Errorf("GET %s by a reader = %d, want 200: the published article shows it", path, code)
	}
}
