package media

import "testing"

func TestSniffDocument(t *testing.T) {
	for _, tt := range []struct {
		name string
		head string
		want string // Content-Type, "" for refused
	}{
		{"pdf", "%PDF-1.7\n%\xe2\xe3", "application/pdf"},
		{"mp3 with tags", "ID3\x04\x00\x00\x00\x00", "audio/mpeg"},
		{"mp3 frame", "\xff\xfb\x90\x64\x00", "audio/mpeg"},
		{"aac frame is not mp3", "\xff\xf1\x50\x80", ""},
		{"m4a", "\x00\x00\x00\x20ftypM4A \x00\x00", "audio/mp4"},
		{"mp4 video", "\x00\x00\x00\x20ftypisom\x00\x00", ""},
		{"ogg", "OggS\x00\x02", "audio/ogg"},
		{"wav", "RIFF\x24\x08\x00\x00WAVEfmt ", "audio/wav"},
		{"webp is not wav", "RIFF\x24\x08\x00\x00WEBPVP8 ", ""},
		{"flac", "fLaC\x00\x00\x00\x22", "audio/flac"},
		{"html", "<!doctype html><script>", ""},
		{"pdf after a prefix", " %PDF-1.7", ""},
		{"svg", "<svg xmlns=", ""},
		{"empty", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := SniffDocument([]byte(tt.head))
			if got.ContentType != tt.want || ok != (tt.want != "") {
				t.Errorf("SniffDocument(%q) = %q, %v; want %q", tt.head, got.ContentType, ok, tt.want)
			}
		})
	}
}

func TestDocumentName(t *testing.T) {
	for _, tt := range []struct{ upload, ext, want string }{
		{"Budget 2027 (final).PDF", "pdf", "budget-2027-final.pdf"},
		{"C:\\Users\\desk\\Council minutes.pdf", "pdf", "council-minutes.pdf"},
		{"../../etc/passwd", "pdf", "passwd.pdf"},
		{"گزارش.pdf", "pdf", "document.pdf"},
		{"interview — mayor.mp3", "mp3", "interview-mayor.mp3"},
		{"", "ogg", "document.ogg"},
		{"report.pdf.exe", "pdf", "report-pdf.pdf"},
	} {
		if got := DocumentName(tt.upload, tt.ext); got != tt.want {
			t.Errorf("DocumentName(%q, %q) = %q, want %q", tt.upload, tt.ext, got, tt.want)
		}
	}
}
