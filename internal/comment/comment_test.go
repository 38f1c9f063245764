package comment

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		c    Comment
		want map[string]string // field → message; nil for valid
	}{
		{"valid", Comment{Name: "Ana", Body: "Good piece."}, nil},
		{"valid with email and notify", Comment{Name: "Ana", Email: "ana@example.org", Body: "Thanks", Notify: true}, nil},
		{"everything missing", Comment{}, map[string]string{"name": MsgNameMissing, "body": MsgBodyMissing}},
		{"body missing", Comment{Name: "Ana"}, map[string]string{"body": MsgBodyMissing}},
		{"name missing", Comment{Body: "Hello there"}, map[string]string{"name": MsgNameMissing}},
		{"body too short", Comment{Name: "Ana", Body: "x"}, map[string]string{"body": MsgBodyTooShort}},
		{"body too long", Comment{Name: "Ana", Body: strings.Repeat("é", MaxBody+1)}, map[string]string{"body": MsgBodyTooLong}},
		{"body at the limit", Comment{Name: "Ana", Body: strings.Repeat("é", MaxBody)}, nil},
		{"name too long", Comment{Name: strings.Repeat("n", MaxName+1), Body: "Hi there"}, map[string]string{"name": MsgNameTooLong}},
		{"notify without email", Comment{Name: "Ana", Body: "Hi there", Notify: true}, map[string]string{"email": MsgEmailNotify}},
		{"bad email", Comment{Name: "Ana", Body: "Hi there", Email: "ana at example"}, map[string]string{"email": MsgEmailInvalid}},
		{"display-name email", Comment{Name: "Ana", Body: "Hi there", Email: "Ana <ana@example.org>"}, map[string]string{"email": MsgEmailInvalid}},
		{"control character", Comment{Name: "Ana", Body: "Hi\x00there"}, map[string]string{"body": MsgControlChars}},
		{"bidi override", Comment{Name: "Ana\u202eevil", Body: "Hi there"}, map[string]string{"name": MsgControlChars}},
		{"newline in name", Comment{Name: "Ana\nBen", Body: "Hi there"}, map[string]string{"name": MsgControlChars}},
		{"newlines and tabs in body", Comment{Name: "Ana", Body: "Line one\n\n\tLine two"}, nil},
		{"invalid utf-8", Comment{Name: "Ana", Body: "Hi \xff there"}, map[string]string{"body": MsgBadEncoding}},
		{"persian", Comment{Name: "سارا", Body: "مقاله\u200cی خوبی بود."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.Normalize()
			err := c.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("Validate() = %v, want FieldErrors", err)
			}
			if len(fe) != len(tt.want) {
				t.Errorf("got %d errors %v, want %v", len(fe), fe, tt.want)
			}
			for f, msg := range tt.want {
				if fe[f] != msg {
					t.Errorf("field %s: got %q, want %q", f, fe[f], msg)
				}
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	c := Comment{Name: "  Ana ", Email: " ana@example.org ", Body: "\r\n Hello\r\nthere \n"}
	c.Normalize()
	if c.Name != "Ana" || c.Email != "ana@example.org" || c.Body != "Hello\nthere" {
		t.Errorf("Normalize = %+v", c)
	}
}

func TestReplyPlace(t *testing.T) {
	for _, tt := range []struct {
		parent     int
		depth      int
		replyTo    string
		wantBeside bool
	}{
		{0, 1, "", false},
		{MaxDepth - 1, MaxDepth, "", false},
		{MaxDepth, MaxDepth, "Ann", true},
	} {
		depth, replyTo, beside := ReplyPlace(tt.parent, "Ann")
		if depth != tt.depth || replyTo != tt.replyTo || beside != tt.wantBeside {
			t.Errorf("ReplyPlace(%d) = %d, %q, %v; want %d, %q, %v", tt.parent, depth, replyTo, beside, tt.depth, tt.replyTo, tt.wantBeside)
		}
	}
}
