package media

import (
	"errors"
	"fmt"
	"strconv"

	"broadsheet/internal/errs"
)

// Sentinel errors. Every error that Process returns for a bad upload wraps
// exactly one of these, so a handler can choose a status code with
// errors.Is (for example 413, 422 and 415) without parsing text.
var (
	// ErrTooLarge means the upload has more bytes than Limits.MaxBytes.
	ErrTooLarge = errors.New("media: file too large")
	// ErrTooManyPixels means the header declares more pixels than
	// Limits.MaxPixels (half of it at 16 bits per channel), or a side
	// longer than Limits.MaxSide. It is raised before any pixel is decoded.
	ErrTooManyPixels = errors.New("media: image has too many pixels")
	// ErrUnsupported means the content is not a JPEG, PNG, GIF or WebP image
	// (judged by its bytes, never its name), or uses a feature of one of those
	// formats that the decoders cannot read.
	ErrUnsupported = errors.New("media: unsupported file type")
	// ErrCorrupt means the content claims to be a supported image but cannot
	// be decoded: it is truncated or damaged.
	ErrCorrupt = errors.New("media: image is damaged or incomplete")
)

// Error is the concrete type behind every rejection of an upload.
//
// Its Error method returns "media: " followed by Message, which is written for
// a journalist: it never contains decoder internals, file paths or bytes from
// the upload, so it is safe to echo back. The low-level cause (for logs) is
// kept in Err and reachable with errors.Unwrap/errors.As, but is deliberately
// left out of the text.
type Error struct {
	Kind    error  // ErrTooLarge, ErrTooManyPixels, ErrUnsupported or ErrCorrupt
	Message string // plain words, safe to show an editor
	Err     error  // underlying decoder or reader error, or nil
}

func (e *Error) Error() string { return "media: " + e.Message }

// Unwrap lets errors.Is match both the sentinel Kind and the underlying cause
// (for example io.ErrUnexpectedEOF for a truncated JPEG).
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Shown says the rejection as the vocabulary does: invalid input, a
// problem with the file, in Message's words.
func (e *Error) Shown() *errs.Error {
	return &errs.Error{Kind: errs.Invalid, Message: e.Message, Fields: []errs.Problem{{Field: "file", Message: e.Message}}}
}

// Message returns text about err that is safe and useful to show the editor
// who uploaded the file. Errors that did not come from judging the upload
// itself (such as a dropped connection while reading it) get a generic
// sentence, because their text may mention internals.
func Message(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "the upload could not be read; please try again"
}

func newError(kind error, cause error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: cause}
}

// formatBytes renders a byte count in the units an editor sees in a file
// browser: "20 MB", "512 KB", "300 bytes" (binary multiples, as most
// desktop tools use).
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return trimFloat(float64(n)/(1<<20)) + " MB"
	case n >= 1<<10:
		return trimFloat(float64(n)/(1<<10)) + " KB"
	case n == 1:
		return "1 byte"
	default:
		return strconv.FormatInt(n, 10) + " bytes"
	}
}

// formatMegapixels renders a pixel count as "40 megapixels" or "2.5 megapixels".
func formatMegapixels(n int64) string {
	return trimFloat(float64(n)/1e6) + " megapixels"
}

// trimFloat formats with at most one decimal and no trailing ".0".
func trimFloat(f float64) string {
	return strconv.FormatFloat(float64(int64(f*10+0.5))/10, 'f', -1, 64)
}

// formatName is the user-facing name of a detected format.
func formatName(format string) string {
	switch format {
	case "jpeg":
		return "JPEG"
	case "png":
		return "PNG"
	case "gif":
		return "GIF"
	case "webp":
		return "WebP"
	}
	return "image"
}
