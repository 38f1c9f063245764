package challenge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Provider names a third-party check speaking the siteverify protocol.
type Provider string

const (
	ReCAPTCHA Provider = "recaptcha"
	HCaptcha  Provider = "hcaptcha"
	Turnstile Provider = "turnstile"
)

// siteverify endpoints, as each provider documents them.
var endpoints = map[Provider]string{
	ReCAPTCHA: "https://www.google.com/recaptcha/api/siteverify",
	HCaptcha:  "https://api.hcaptcha.com/siteverify",
	Turnstile: "https://challenges.cloudflare.com/turnstile/v0/siteverify",
}

// External checks a token from a third-party widget with its provider.
// It fails closed: any doubt (network, timeout, a field that does not
// match) is a refusal, and the caller keeps the reader's text.
type External struct {
	Provider Provider
	Secret   string
	Hostname string  // the site's host name the token must have been made for
	Action   string  // reCAPTCHA v3 / Turnstile action expected, "" for any
	MinScore float64 // reCAPTCHA v3 lowest score accepted; 0 ignores scores
	Endpoint string  // override of the siteverify URL (tests)
	Client   *http.Client
	Used     UsedStore // tokens are single use here too, whatever the provider says
	Now      func() time.Time
}

// GetProvider returns e's provider, "" for a nil verifier.
func (e *External) GetProvider() Provider {
	if e == nil {
		return ""
	}
	return e.Provider
}

// siteverifyAnswer is the part of the providers' JSON answer checked.
type siteverifyAnswer struct {
	Success    bool     `json:"success"`
	Hostname   string   `json:"hostname"`
	Action     string   `json:"action"`
	Score      *float64 `json:"score"`
	ErrorCodes []string `json:"error-codes"`
}

// ErrUnavailable means the provider could not be asked; the comment is
// refused for now, its text kept.
var ErrUnavailable = errors.New("the verification service could not be reached")

// Verify asks the provider whether token is good for remoteIP.
func (e *External) Verify(ctx context.Context, token, remoteIP string) error {
	if _, ok := endpoints[e.Provider]; !ok {
		return fmt.Errorf("challenge: unknown provider %q", e.Provider)
	}
	if token == "" || len(token) > 4096 || e.Secret == "" {
		return ErrInvalid
	}
	endpoint := e.Endpoint
	if endpoint == "" {
		endpoint = endpoints[e.Provider]
	}
	client := e.Client
	if client == nil {
		// The default transport verifies certificates; the timeout keeps a
		// slow provider from holding readers' requests.
		client = &http.Client{Timeout: 5 * time.Second}
	}
	form := url.Values{"secret": {e.Secret}, "response": {token}}
	if remoteIP != "" {
		form.Set("remoteip", remoteIP)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("challenge: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("challenge: %s: %w: %v", e.Provider, ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("challenge: %s answered %d: %w", e.Provider, resp.StatusCode, ErrUnavailable)
	}
	var a siteverifyAnswer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&a); err != nil {
		return fmt.Errorf("challenge: %s: %w", e.Provider, ErrUnavailable)
	}
	switch {
	case !a.Success:
		for _, c := range a.ErrorCodes {
			if c == "timeout-or-duplicate" {
				return ErrExpired
			}
		}
		return ErrInvalid
	case e.Hostname != "" && !strings.EqualFold(a.Hostname, e.Hostname):
		return ErrInvalid
	case e.Action != "" && a.Action != e.Action:
		return ErrInvalid
	case e.MinScore > 0 && (a.Score == nil || *a.Score < e.MinScore):
		return ErrInvalid
	}
	if e.Used != nil {
		now := time.Now
		if e.Now != nil {
			now = e.Now
		}
		sum := sha256.Sum256([]byte(string(e.Provider) + ":" + token))
		first, err := e.Used.MarkUsed(ctx, hex.EncodeToString(sum[:]), now().Add(10*time.Minute))
		if err != nil {
			return fmt.Errorf("challenge: %w", err)
		}
		if !first {
			return ErrReplayed
		}
	}
	return nil
}

// Widget says how a provider's widget is put on a page: its script, the
// element class that holds it, the form field its token arrives in, and
// the origins the page's CSP must allow for it.
type Widget struct {
	Script, Class, Field string
	Origins              []string
}

// Widgets lists the documented embedding of each provider.
var Widgets = map[Provider]Widget{
	ReCAPTCHA: {Script: "https://www.google.com/recaptcha/api.js", Class: "g-recaptcha", Field: "g-recaptcha-response",
		Origins: []string{"https://www.google.com", "https://www.gstatic.com"}},
	HCaptcha: {Script: "https://js.hcaptcha.com/1/api.js", Class: "h-captcha", Field: "h-captcha-response",
		Origins: []string{"https://hcaptcha.com", "https://*.hcaptcha.com"}},
	Turnstile: {Script: "https://challenges.cloudflare.com/turnstile/v0/api.js", Class: "cf-turnstile", Field: "cf-turnstile-response",
		Origins: []string{"https://challenges.cloudflare.com"}},
}
