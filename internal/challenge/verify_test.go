package challenge

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// payloadJSON returns the JSON inside a payload.
func payloadJSON(t testing.TB, payload string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// edit decodes a payload into maps (numbers kept as written), lets f change
// it, and encodes it again.
func edit(t testing.TB, payload string, f func(top, params, sol map[string]any)) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(payloadJSON(t, payload)))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		t.Fatal(err)
	}
	ch := top["challenge"].(map[string]any)
	f(top, ch["parameters"].(map[string]any), top["solution"].(map[string]any))
	b, err := json.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// replaceJSON edits the payload's JSON as text, once, failing if old is absent.
func replaceJSON(t testing.TB, payload, old, new string) string {
	t.Helper()
	js := payloadJSON(t, payload)
	if !strings.Contains(js, old) {
		t.Fatalf("%q not in %s", old, js)
	}
	return b64(strings.Replace(js, old, new, 1))
}

func solvedCounter(t testing.TB, payload string) int {
	t.Helper()
	var p struct{ Solution struct{ Counter int } }
	if err := json.Unmarshal([]byte(payloadJSON(t, payload)), &p); err != nil {
		t.Fatal(err)
	}
	return p.Solution.Counter
}

// unpadded returns the base64 of js, padded with JSON whitespace to need
// "=" padding, with the padding removed.
func unpadded(js string) string {
	for len(js)%3 == 0 {
		js += " "
	}
	return strings.TrimRight(b64(js), "=")
}

func flipHex(s string) string {
	last := s[len(s)-1]
	r := byte('0')
	if last == '0' {
		r = '1'
	}
	return s[:len(s)-1] + string(r)
}

// TestSplicing: nothing a client does to the parameters extends the expiry
// (CVE-2025-68113 was v1's expiry moved between salt and number). Each case
// starts from a genuine solution whose challenge has expired, so any pass
// would be an extension.
func TestSplicing(t *testing.T) {
	iss, clk, _ := newTestIssuer(t, testKey)
	ch, payload := issueSolved(t, iss)
	other, _ := issueSolved(t, iss)
	clk.Add(DefaultExpiry + time.Hour)
	if err := iss.Verify(context.Background(), payload); !errors.Is(err, ErrExpired) {
		t.Fatalf("unmodified: got %v, want ErrExpired", err)
	}
	exp := strconv.FormatInt(ch.Parameters.ExpiresAt, 10)
	later := strconv.FormatInt(clk.Now().Add(time.Hour).Unix(), 10)
	salt := ch.Parameters.Salt

	tests := []struct {
		name    string
		payload string
	}{
		{"later expiresAt, same signature", edit(t, payload, func(_, p, _ map[string]any) { p["expiresAt"] = json.Number(later) })},
		{"later duplicate expiresAt", replaceJSON(t, payload, `"expiresAt":`+exp, `"expiresAt":`+exp+`,"expiresAt":`+later)},
		{"earlier duplicate expiresAt", replaceJSON(t, payload, `"expiresAt":`+exp, `"expiresAt":`+later+`,"expiresAt":`+exp)},
		{"escaped duplicate key", replaceJSON(t, payload, `"expiresAt":`+exp, `"expiresAt":`+exp+`,"expires\u0041t":`+later)},
		{"case-folded key", replaceJSON(t, payload, `"expiresAt":`+exp, `"expiresAt":`+exp+`,"ExpiresAt":`+later)},
		{"case-folded key alone", replaceJSON(t, payload, `"expiresAt":`+exp, `"EXPIRESAT":`+later)},
		{"expiresAt as a string", replaceJSON(t, payload, `"expiresAt":`+exp, `"expiresAt":"`+later+`"`)},
		{"expiresAt with exponent", replaceJSON(t, payload, `"expiresAt":`+exp, `"expiresAt":`+later[:1]+"."+later[1:]+"e"+strconv.Itoa(len(later)-1))},
		{"expiresAt with leading zero", replaceJSON(t, payload, `"expiresAt":`+exp, `"expiresAt":0`+later)},
		{"expiresAt null", replaceJSON(t, payload, `"expiresAt":`+exp, `"expiresAt":null`)},
		{"expiresAt removed", edit(t, payload, func(_, p, _ map[string]any) { delete(p, "expiresAt") })},
		{"v1 salt parameters", edit(t, payload, func(_, p, _ map[string]any) { p["salt"] = salt + "?expires=" + exp + "&expires=" + later })},
		{"v1 salt splice", edit(t, payload, func(_, p, _ map[string]any) { p["salt"] = "abc?expires=1&expires=" + later })},
		{"salt ending in a parameter", edit(t, payload, func(_, p, _ map[string]any) { p["salt"] = salt + `","expiresAt":` + later })},
		{"salt with embedded JSON", replaceJSON(t, payload, `"salt":"`+salt+`"`, `"salt":"`+salt[:24]+`\",\"expiresAt\":1"`)},
		{"expiry in data", edit(t, payload, func(_, p, _ map[string]any) { p["data"] = map[string]any{"expires": later} })},
		{"expiry at top level", edit(t, payload, func(top, _, _ map[string]any) { top["expiresAt"] = json.Number(later) })},
		{"expiry in solution", edit(t, payload, func(_, _, s map[string]any) { s["expiresAt"] = json.Number(later) })},
		{"another challenge's signature", edit(t, payload, func(top, _, _ map[string]any) {
			top["challenge"].(map[string]any)["signature"] = other.Signature
		})},
		{"another challenge's expiry", edit(t, payload, func(_, p, _ map[string]any) {
			p["expiresAt"] = json.Number(strconv.FormatInt(other.Parameters.ExpiresAt+1, 10))
		})},
		{"v1 payload", b64(fmt.Sprintf(`{"algorithm":"SHA-256","challenge":%q,"number":1,"salt":"abc?expires=1&expires=%s","signature":%q,"took":1}`,
			ch.Parameters.KeyPrefix, later, ch.Signature))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := iss.Verify(context.Background(), tt.payload)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
			t.Log(err)
		})
	}
}

func TestInvalid(t *testing.T) {
	iss, _, store := newTestIssuer(t, testKey)
	ch, payload := issueSolved(t, iss)
	_, otherPayload := issueSolved(t, iss)
	js := payloadJSON(t, payload)
	var orig struct {
		Solution struct{ Counter int }
	}
	if err := json.Unmarshal([]byte(js), &orig); err != nil {
		t.Fatal(err)
	}
	counter := strconv.Itoa(orig.Solution.Counter)
	var otherKey string
	{
		var o struct{ Solution struct{ DerivedKey string } }
		json.Unmarshal([]byte(payloadJSON(t, otherPayload)), &o)
		otherKey = o.Solution.DerivedKey
	}
	p := ch.Parameters

	tests := []struct {
		name    string
		payload string
	}{
		{"empty", ""},
		{"whitespace", "   "},
		{"huge", strings.Repeat("A", MaxPayload+4)},
		{"huge but valid JSON", b64(strings.Replace(js, `{"challenge"`, `{`+strings.Repeat(" ", MaxPayload)+`"challenge"`, 1))},
		{"not base64", "!!!!"},
		{"base64 with URL alphabet", "-_" + b64(js)[2:]},
		{"base64 without padding", unpadded(js)},
		{"not JSON", b64("hello")},
		{"JSON null", b64("null")},
		{"JSON array", b64("[]")},
		{"empty object", b64("{}")},
		{"truncated", b64(js[:len(js)-1])},
		{"trailing data", b64(js + "{}")},
		{"two objects", b64(js + js)},
		{"widget test mode", b64(`{"challenge":null,"solution":null,"test":true}`)},
		{"challenge null", replaceJSON(t, payload, js[len(`{"challenge":`):strings.Index(js, `,"solution"`)], "null")},
		{"solution missing", b64(js[:strings.Index(js, `,"solution"`)] + "}")},
		{"extra top-level key", replaceJSON(t, payload, `{"challenge"`, `{"test":true,"challenge"`)},
		{"tampered signature", edit(t, payload, func(top, _, _ map[string]any) {
			top["challenge"].(map[string]any)["signature"] = flipHex(ch.Signature)
		})},
		{"uppercase signature", edit(t, payload, func(top, _, _ map[string]any) {
			top["challenge"].(map[string]any)["signature"] = strings.ToUpper(ch.Signature)
		})},
		{"short signature", edit(t, payload, func(top, _, _ map[string]any) {
			top["challenge"].(map[string]any)["signature"] = ch.Signature[:62]
		})},
		{"no signature", edit(t, payload, func(top, _, _ map[string]any) { delete(top["challenge"].(map[string]any), "signature") })},
		{"wrong algorithm SHA-256", edit(t, payload, func(_, p, _ map[string]any) { p["algorithm"] = "SHA-256" })},
		{"wrong algorithm case", edit(t, payload, func(_, p, _ map[string]any) { p["algorithm"] = "pbkdf2/sha-256" })},
		{"wrong algorithm ARGON2ID", edit(t, payload, func(_, p, _ map[string]any) { p["algorithm"] = "ARGON2ID" })},
		{"lower cost", edit(t, payload, func(_, q, _ map[string]any) { q["cost"] = json.Number("1") })},
		{"other keyLength", edit(t, payload, func(_, q, _ map[string]any) { q["keyLength"] = json.Number("16") })},
		{"other keyPrefix", edit(t, payload, func(_, q, _ map[string]any) { q["keyPrefix"] = "00" })},
		{"keySignature replaced", edit(t, payload, func(_, q, _ map[string]any) { q["keySignature"] = flipHex(p.KeySignature) })},
		{"nonce replaced", edit(t, payload, func(_, q, _ map[string]any) { q["nonce"] = flipHex(p.Nonce) })},
		{"uppercase salt", edit(t, payload, func(_, q, _ map[string]any) { q["salt"] = strings.ToUpper(p.Salt) })},
		{"unknown parameter", edit(t, payload, func(_, q, _ map[string]any) { q["memoryCost"] = json.Number("1") })},
		{"counter -1", replaceJSON(t, payload, `"counter":`+counter, `"counter":-1`)},
		{"counter 2^32", replaceJSON(t, payload, `"counter":`+counter, `"counter":4294967296`)},
		{"counter huge", replaceJSON(t, payload, `"counter":`+counter, `"counter":1`+strings.Repeat("0", 30))},
		{"counter fraction", replaceJSON(t, payload, `"counter":`+counter, `"counter":`+counter+`.5`)},
		{"counter string", replaceJSON(t, payload, `"counter":`+counter, `"counter":"`+counter+`"`)},
		{"counter null", replaceJSON(t, payload, `"counter":`+counter, `"counter":null`)},
		{"wrong derived key", edit(t, payload, func(_, _, s map[string]any) { s["derivedKey"] = flipHex(s["derivedKey"].(string)) })},
		{"another challenge's key", edit(t, payload, func(_, _, s map[string]any) { s["derivedKey"] = otherKey })},
		{"only the prefix", edit(t, payload, func(_, _, s map[string]any) { s["derivedKey"] = p.KeyPrefix + strings.Repeat("0", 32) })},
		{"short derived key", edit(t, payload, func(_, _, s map[string]any) { s["derivedKey"] = p.KeyPrefix })},
		{"derived key missing", edit(t, payload, func(_, _, s map[string]any) { delete(s, "derivedKey") })},
		{"time a string", edit(t, payload, func(_, _, s map[string]any) { s["time"] = "1" })},
		{"time null", edit(t, payload, func(_, _, s map[string]any) { s["time"] = nil })},
		{"extra solution key", edit(t, payload, func(_, _, s map[string]any) { s["verified"] = true })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := iss.Verify(context.Background(), tt.payload)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
			t.Log(err)
		})
	}
	if store.len() != 0 {
		t.Errorf("invalid payloads recorded %d ids as used", store.len())
	}
	// None of that spent the genuine solution.
	if err := iss.Verify(context.Background(), payload); err != nil {
		t.Errorf("genuine payload after the invalid ones: got %v, want nil", err)
	}
}

// The widget's "time" is optional, and a counter different from the one
// solved does not matter once the key is right: the key is the proof.
func TestValidVariants(t *testing.T) {
	iss, _, _ := newTestIssuer(t, testKey)
	for name, f := range map[string]func(string) string{
		"without time": func(p string) string { return edit(t, p, func(_, _, s map[string]any) { delete(s, "time") }) },
		"integer time": func(p string) string {
			return edit(t, p, func(_, _, s map[string]any) { s["time"] = json.Number("812") })
		},
		"keys reordered": func(p string) string { return edit(t, p, func(_, _, _ map[string]any) {}) },
		"pretty-printed": func(p string) string {
			var b bytes.Buffer
			json.Indent(&b, []byte(payloadJSON(t, p)), "", "  ")
			return b64(b.String())
		},
		"escaped hex digit": func(p string) string {
			js := payloadJSON(t, p)
			i := strings.Index(js, `"nonce":"`) + len(`"nonce":"`)
			return b64(js[:i] + fmt.Sprintf(`\u%04x`, js[i]) + js[i+1:])
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, payload := issueSolved(t, iss)
			if err := iss.Verify(context.Background(), f(payload)); err != nil {
				t.Errorf("got %v, want nil", err)
			}
		})
	}
}

func TestWrongKey(t *testing.T) {
	iss, _, _ := newTestIssuer(t, testKey)
	other, _, _ := newTestIssuer(t, otherKey)
	_, payload := issueSolved(t, iss)
	if err := other.Verify(context.Background(), payload); !errors.Is(err, ErrInvalid) {
		t.Errorf("got %v, want ErrInvalid", err)
	}
}

// A client cannot pick its own parameters: a challenge made up with the
// right shape but without the key fails, however easy it made itself.
func TestForgedChallenge(t *testing.T) {
	iss, _, _ := newTestIssuer(t, testKey)
	forger, _, _ := newTestIssuer(t, otherKey)
	forger.cost = Cost{Iterations: 1, MinCounter: 0, MaxCounter: 0}
	_, payload := issueSolved(t, forger)
	if err := iss.Verify(context.Background(), payload); !errors.Is(err, ErrInvalid) {
		t.Errorf("got %v, want ErrInvalid", err)
	}
}
