package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"broadsheet/internal/account"
	"broadsheet/internal/store/transfer"
)

// An admin downloads the whole site from the backups page: a ZIP in the
// export format, named by its time, audited. Editors cannot; two exports
// do not run at once; an export that fails before its first byte is an
// error page, and one that fails midway cuts the download short.
func TestExportInTheNewsroom(t *testing.T) {
	ns := newNewsroom(t)
	ns.create(account.Editor, "Harbour reopens")
	if body := ns.do("GET", "/admin/backups", account.Admin, nil).Body.String(); strings.Contains(body, `action="/admin/export"`) {
		t.Error("the backups page offers an export the server cannot write")
	}
	if rec := ns.do("POST", "/admin/export", account.Admin, nil); rec.Code != http.StatusNotFound {
		t.Errorf("export without an exporter = %d, want 404", rec.Code)
	}
	db := ns.db
	ns.srv.export = func(ctx context.Context, w io.Writer) error {
		_, err := transfer.Export(ctx, db.Reader().Pool(), db.Name(), w, transfer.ExportOptions{Generator: "test"})
		return err
	}
	body := ns.do("GET", "/admin/backups", account.Admin, nil).Body.String()
	if !strings.Contains(body, `<form method="post" action="/admin/export">`) || !strings.Contains(body, "Download an export") {
		t.Errorf("the backups page has no export button:\n%s", body)
	}
	if rec := ns.do("POST", "/admin/export", account.Editor, nil); rec.Code != http.StatusForbidden {
		t.Errorf("an editor's export = %d, want 403", rec.Code)
	}

	rec := ns.do("POST", "/admin/export", account.Admin, nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" ||
		rec.Header().Get("Content-Disposition") != `attachment; filename="broadsheet-export-20260601T090000Z.zip"` ||
		rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("export = %d %v", rec.Code, rec.Header())
	}
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	must(t, err)
	var m transfer.Manifest
	for _, f := range zr.File {
		if f.Name == "manifest.json" {
			r, err := f.Open()
			must(t, err)
			must(t, json.NewDecoder(r).Decode(&m))
		}
	}
	articles := int64(-1)
	for _, k := range m.Records {
		if k.Kind == "articles" {
			articles = k.Count
		}
	}
	if m.Format != transfer.FormatName || articles != 1 {
		t.Errorf("the download's manifest = %+v; want the format's, with the one article", m)
	}
	log, err := db.AuditLog(context.Background(), 0, 1)
	must(t, err)
	if len(log) != 1 || log[0].Action != "site.export" || log[0].UserID != ns.users[account.Admin].ID {
		t.Errorf("audit log = %+v; want the admin's export", log)
	}

	ns.srv.exporting.Store(true)
	rec = ns.do("POST", "/admin/export", account.Admin, nil)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "An export is already being written") {
		t.Errorf("a second export at once = %d", rec.Code)
	}
	ns.srv.exporting.Store(false)

	ns.srv.export = func(context.Context, io.Writer) error { return errors.New("disk on fire") }
	rec = ns.do("POST", "/admin/export", account.Admin, nil)
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" || strings.Contains(rec.Body.String(), "disk on fire") {
		t.Errorf("an export failing at once = %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}

	// Midway: over a real connection, the browser sees the download fail.
	ns.srv.export = func(_ context.Context, w io.Writer) error {
		w.Write(bytes.Repeat([]byte("PK"), 4096))
		return errors.New("disk on fire")
	}
	hs := httptest.NewServer(ns.srv)
	defer hs.Close()
	req, _ := http.NewRequest("POST", hs.URL+"/admin/export", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ns.cookies[account.Admin]})
	resp, err := hs.Client().Do(req)
	must(t, err)
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err == nil {
		t.Errorf("an export failing midway = %d, read error %v; want the body cut short", resp.StatusCode, err)
	}
	if ns.srv.exporting.Load() {
		t.Error("a failed export is still counted as running")
	}
}
