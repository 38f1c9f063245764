package wordpress

import (
	"os"
	"path/filepath"
	"testing"
)

// An attachment's file is read only from under the uploads directory,
// however the export writes its path.
func TestReadUploadStaysUnderUploads(t *testing.T) {
	dir := t.TempDir()
	uploads := filepath.Join(dir, "uploads")
	if err := os.MkdirAll(filepath.Join(uploads, "2024", "05"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"secret.jpg": "outside", "uploads/2024/05/photo.jpg": "inside"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "secret.jpg"), filepath.Join(uploads, "2024", "link.jpg")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(uploads)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if b, err := readUpload(root, "2024/05/photo.jpg"); err != nil || string(b) != "inside" {
		t.Errorf("the upload itself: %q, %v", b, err)
	}
	for _, name := range []string{"../secret.jpg", "2024/../../secret.jpg", "%2e%2e/secret.jpg", "/etc/passwd", filepath.Join(dir, "secret.jpg"), "2024/link.jpg", ""} {
		if b, err := readUpload(root, name); err == nil {
			t.Errorf("readUpload(%q) read %q; want it refused", name, b)
		}
	}
}
