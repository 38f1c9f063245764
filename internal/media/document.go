package media

import (
	"bytes"
	"strings"
	"unicode"
)

// DocumentType is a kind of file the media library keeps as uploaded
// rather than as pictures: its Content-Type and the extension it is
// served under.
type DocumentType struct {
	ContentType string
	Ext         string
}

// SniffHeadBytes is how much of a file SniffDocument and IsImage need.
const SniffHeadBytes = 16

// IsImage reports whether head starts like one of the images Process
// accepts (it may still turn out corrupt).
func IsImage(head []byte) bool { return sniff(head) != "" }

// SniffDocument reports which document the first bytes of a file show: a
// PDF or an MP3, AAC (M4A), Ogg, WAV or FLAC recording. As with images,
// only a signature at the very start counts, so an HTML or SVG file can
// never be kept as a document whatever its name or claimed type.
func SniffDocument(head []byte) (DocumentType, bool) {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return DocumentType{"application/pdf", "pdf"}, true
	case bytes.HasPrefix(head, []byte("ID3")),
		// An MPEG audio frame without tags: eleven sync bits, then the
		// version and layer III.
		len(head) >= 2 && head[0] == 0xff && head[1]&0xe6 == 0xe2:
		return DocumentType{"audio/mpeg", "mp3"}, true
	case len(head) >= 12 && string(head[4:8]) == "ftyp" && (string(head[8:12]) == "M4A " || string(head[8:12]) == "M4B "):
		return DocumentType{"audio/mp4", "m4a"}, true
	case bytes.HasPrefix(head, []byte("OggS")):
		return DocumentType{"audio/ogg", "ogg"}, true
	case len(head) >= 12 && bytes.HasPrefix(head, magicRIFF) && string(head[8:12]) == "WAVE":
		return DocumentType{"audio/wav", "wav"}, true
	case bytes.HasPrefix(head, []byte("fLaC")):
		return DocumentType{"audio/flac", "flac"}, true
	}
	return DocumentType{}, false
}

// DocumentName is the name a document is served under: the words of the
// uploaded file's name (without its extension) in lower case, joined by
// hyphens, at most 60 characters, then ext. Letters outside ASCII are
// dropped, so the address needs no escaping; a name with no word left is
// "document".
func DocumentName(upload, ext string) string {
	if i := strings.LastIndexAny(upload, `/\`); i >= 0 {
		upload = upload[i+1:]
	}
	if i := strings.LastIndexByte(upload, '.'); i > 0 {
		upload = upload[:i]
	}
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(upload) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	name := strings.TrimRight(b.String(), "-")
	if name == "" {
		name = "document"
	}
	return name + "." + ext
}
