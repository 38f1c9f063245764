package media

import (
	"bytes"
	"errors"
	"image/jpeg"
	"image/png"
)

// Magic numbers of the accepted formats. They are the same signatures that
// net/http.DetectContentType uses for these types (the tests check that the
// two agree); we match them directly so the package does not depend on
// net/http, and so that nothing but these four prefixes can ever be accepted.
var (
	magicJPEG  = []byte("\xff\xd8\xff")
	magicPNG   = []byte("\x89PNG\r\n\x1a\n")
	magicGIF87 = []byte("GIF87a")
	magicGIF89 = []byte("GIF89a")
	magicRIFF  = []byte("RIFF")
	magicWEBP  = []byte("WEBP")
)

// sniff returns "jpeg", "png", "gif" or "webp" when data starts with that
// format's signature, and "" otherwise.
//
// Only a signature at offset 0 counts. That is deliberate: SVG, HTML, text
// and "polyglot" files that hide an image after a script-bearing prefix all
// fail here, while a file that really starts as an image is decoded and
// re-encoded, which discards whatever else it carries.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, magicJPEG):
		return "jpeg"
	case bytes.HasPrefix(data, magicPNG):
		return "png"
	case bytes.HasPrefix(data, magicGIF87), bytes.HasPrefix(data, magicGIF89):
		return "gif"
	case len(data) >= 12 && bytes.HasPrefix(data, magicRIFF) && bytes.Equal(data[8:12], magicWEBP):
		// RIFF is a container (WAV and AVI use it too); only the form type
		// at bytes 8–12 says WebP.
		return "webp"
	}
	return ""
}

// unsupported builds the ErrUnsupported error for content that did not sniff
// as an image, naming the common mistakes in words an editor recognises.
func unsupported(data []byte) *Error {
	const ask = "please upload a JPEG, PNG, GIF or WebP image"
	if len(data) == 0 {
		return newError(ErrUnsupported, nil, "the file is empty; %s", ask)
	}
	head := bytes.ToLower(data[:min(len(data), 1024)])
	switch {
	case bytes.Contains(head, []byte("<svg")):
		return newError(ErrUnsupported, nil, "SVG drawings are not accepted because they can contain scripts; %s", ask)
	case bytes.Contains(head, []byte("<html")), bytes.Contains(head, []byte("<!doctype html")):
		return newError(ErrUnsupported, nil, "the file is a web page, not an image; %s", ask)
	}
	return newError(ErrUnsupported, nil, "the file is not a JPEG, PNG, GIF or WebP image; %s", ask)
}

// decodeError classifies a decoder failure. Decoders say "unsupported" for
// valid files that use features they lack (arithmetic-coded or 12-bit JPEG,
// for example); everything else is damage or truncation.
func decodeError(format string, err error) *Error {
	name := formatName(format)
	var ju jpeg.UnsupportedError
	var pu png.UnsupportedError
	if errors.As(err, &ju) || errors.As(err, &pu) {
		return newError(ErrUnsupported, err,
			"this %s uses an encoding that cannot be read; please re-save it as a standard %s", name, name)
	}
	if format == "webp" {
		// x/image/webp reports unsupported features (such as animation) and
		// damage with the same error, so the message covers both.
		return newError(ErrCorrupt, err,
			"the WebP image could not be read: it is damaged, incomplete, or uses a feature that is not supported (such as animation)")
	}
	return newError(ErrCorrupt, err, "the %s image is damaged or incomplete and could not be read", name)
}
