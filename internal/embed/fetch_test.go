package embed

import (
	"testing"
)

func TestRedact(t *testing.T) {
	got := redact("https://graph.facebook.com/instagram_oembed?url=x&access_token=1234|secret#f")
	if want := "https://graph.facebook.com/instagram_oembed"; got != want {
		t.Errorf("redact = %q, want %q", got, want)
	}
}

func TestEndpointSchemes(t *testing.T) {
	for _, tt := range []struct {
		flag, page string
		want       bool
	}{
		{"https://media.example.org/video/*=https://media.example.org/oembed", "https://media.example.org/video/42", true},
		{"https://media.example.org/video/*=https://media.example.org/oembed", "https://MEDIA.example.org/video/42?t=1", true},
		{"https://media.example.org/video/*=https://media.example.org/oembed", "http://media.example.org/video/42", false},
		{"https://media.example.org/video/*=https://media.example.org/oembed", "https://media.example.org/audio/42", false},
		{"https://media.example.org/video/*=https://media.example.org/oembed", "https://media.example.org.evil.example/video/42", false},
		{"https://media.example.org/video/*=https://media.example.org/oembed", "https://evil.example/?https://media.example.org/video/42", false},
		{"https://*.example.org/v/*=https://example.org/oembed", "https://tv.example.org/v/1", true},
		{"https://*.example.org/v/*=https://example.org/oembed", "https://a.b.example.org/v/1", true},
		{"https://*.example.org/v/*=https://example.org/oembed", "https://example.org/v/1", false},
		{"https://*.example.org/v/*=https://example.org/oembed", "https://evilexample.org/v/1", false},
		{"https://media.example.org/watch?v=*=https://media.example.org/oembed?format=json", "https://media.example.org/watch?v=abc", true},
	} {
		e, err := ParseEndpoint(tt.flag)
		if err != nil {
			t.Errorf("ParseEndpoint(%q): %v", tt.flag, err)
			continue
		}
		if got := e.Matches(tt.page); got != tt.want {
			t.Errorf("%q matches %q: %v, want %v", tt.flag, tt.page, got, tt.want)
		}
	}
	e, err := ParseEndpoint("https://media.example.org/watch?v=*=https://media.example.org/oembed?format=json")
	if err != nil || e.Scheme != "https://media.example.org/watch?v=*" || e.Endpoint != "https://media.example.org/oembed?format=json" {
		t.Errorf("ParseEndpoint split %+v, %v", e, err)
	}
	for _, bad := range []string{
		"https://media.example.org/video/*",
		"=https://media.example.org/oembed",
		"media.example.org/*=https://media.example.org/oembed",
		"ftp://media.example.org/*=https://media.example.org/oembed",
		"https://media.*.org/*=https://media.example.org/oembed",
		"https://user@media.example.org/*=https://media.example.org/oembed",
		"https://media.example.org/*=httpx://media.example.org/oembed",
		"https://media.example.org/*=https:///oembed",
	} {
		if _, err := ParseEndpoint(bad); err == nil {
			t.Errorf("ParseEndpoint(%q) accepted it", bad)
		}
	}
}
