package account

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the SHA1 key of RFC 6238's appendix B, as a stored secret.
var rfcSecret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))

func TestTOTPCodeRFC6238(t *testing.T) {
	// Appendix B's SHA1 column; the RFC prints eight digits, an app shows
	// the last six.
	tests := []struct {
		unix int64
		step int64
		want string
	}{
		{59, 0x1, "287082"},                 // 94287082
		{1111111109, 0x23523EC, "081804"},   // 07081804
		{1111111111, 0x23523ED, "050471"},   // 14050471
		{1234567890, 0x273EF07, "005924"},   // 89005924
		{2000000000, 0x3F940AA, "279037"},   // 69279037
		{20000000000, 0x27BC86AA, "353130"}, // 65353130
	}
	for _, tt := range tests {
		now := time.Unix(tt.unix, 0)
		if got := TOTPStep(now); got != tt.step {
			t.Errorf("TOTPStep(%d) = %#x, want %#x", tt.unix, got, tt.step)
		}
		got, err := TOTPCode(rfcSecret, tt.step)
		if err != nil || got != tt.want {
			t.Errorf("TOTPCode(step %#x) = %q, %v; want %q", tt.step, got, err, tt.want)
		}
		if step, ok := CheckTOTP(rfcSecret, tt.want, now, 0); !ok || step != tt.step {
			t.Errorf("CheckTOTP(%q at %d) = %d, %v; want %d, true", tt.want, tt.unix, step, ok, tt.step)
		}
	}
}

func TestTOTPStepBefore1970(t *testing.T) {
	if got := TOTPStep(time.Unix(-1, 0)); got != -1 {
		t.Errorf("TOTPStep(-1s) = %d, want -1", got)
	}
	if _, err := TOTPCode(rfcSecret, -1); err == nil {
		t.Error("TOTPCode accepted a step before 1970")
	}
}

func TestNewTOTPSecret(t *testing.T) {
	a, b := NewTOTPSecret(), NewTOTPSecret()
	if a == b {
		t.Fatalf("two secrets alike: %s", a)
	}
	// 20 bytes are 160 bits, 32 base32 characters exactly: no padding.
	if len(a) != 32 || strings.ToUpper(a) != a || strings.Contains(a, "=") {
		t.Errorf("secret %q: want 32 upper-case base32 characters", a)
	}
	if _, err := TOTPCode(a, 1); err != nil {
		t.Errorf("a new secret does not make codes: %v", err)
	}
}

func TestTOTPCodeMalformedSecret(t *testing.T) {
	for _, s := range []string{"", "not base32!", "GEZDGNBV1", "GEZDGNBVGY3TQOJQ"[:8]} {
		if code, err := TOTPCode(s, 1); err == nil {
			t.Errorf("TOTPCode(%q) = %q, want an error", s, code)
		}
	}
	// Lower case and padding, as a secret copied back from an app may come.
	lower := strings.ToLower(rfcSecret) + "===="
	if got, err := TOTPCode(lower, 1); err != nil || got != "287082" {
		t.Errorf("TOTPCode(lower case, padded) = %q, %v; want 287082", got, err)
	}
}

func TestCheckTOTPWindow(t *testing.T) {
	now := time.Unix(1_800_000_015, 0)
	cur := TOTPStep(now)
	code := func(step int64) string {
		c, err := TOTPCode(rfcSecret, step)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name   string
		step   int64
		last   int64
		wantOK bool
	}{
		{"current step", cur, 0, true},
		{"one step old", cur - 1, 0, true},
		{"one step ahead", cur + 1, 0, true},
		{"two steps old", cur - 2, 0, false},
		{"three steps old", cur - 3, 0, false},
		{"two steps ahead", cur + 2, 0, false},
		{"current step already used", cur, cur, false},
		{"previous step, current used", cur - 1, cur, false},
		{"previous step already used", cur - 1, cur - 1, false},
		{"current step, previous used", cur, cur - 1, true},
		{"next step, current used", cur + 1, cur, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := CheckTOTP(rfcSecret, code(tt.step), now, tt.last)
			if ok != tt.wantOK || ok && step != tt.step {
				t.Errorf("CheckTOTP = %d, %v; want %d, %v", step, ok, tt.step, tt.wantOK)
			}
		})
	}
}

func TestCheckTOTPReuse(t *testing.T) {
	now := time.Unix(1_800_000_015, 0)
	c, _ := TOTPCode(rfcSecret, TOTPStep(now))
	step, ok := CheckTOTP(rfcSecret, c, now, 0)
	if !ok {
		t.Fatal("a fresh code was refused")
	}
	// The same code typed again ten seconds later, with the step stored.
	if _, ok := CheckTOTP(rfcSecret, c, now.Add(10*time.Second), step); ok {
		t.Error("a code was accepted twice")
	}
}

func TestCheckTOTPTyping(t *testing.T) {
	now := time.Unix(1234567890, 0) // code 005924
	tests := []struct {
		name, code string
		want       bool
	}{
		{"plain", "005924", true},
		{"grouped as apps show it", "005 924", true},
		{"surrounding whitespace", " 005924\n", true},
		{"Persian digits", "۰۰۵۹۲۴", true},
		{"Persian, grouped", "۰۰۵ ۹۲۴", true},
		{"Arabic-Indic digits", "٠٠٥٩٢٤", true},
		{"mixed scripts", "00٥۹24", true},
		{"wrong code", "005925", false},
		{"five digits", "05924", false},
		{"seven digits", "0059240", false},
		{"leading zeros lost", "5924", false},
		{"empty", "", false},
		{"letters", "00592a", false},
		{"hyphen", "005-924", false},
		{"sign", "+005924", false},
		{"fullwidth digits", "００５９２４", false},
		{"long input", strings.Repeat(" ", 100) + "005924", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := CheckTOTP(rfcSecret, tt.code, now, 0); ok != tt.want {
				t.Errorf("CheckTOTP(%q) ok = %v, want %v", tt.code, ok, tt.want)
			}
		})
	}
	if _, ok := CheckTOTP("not base32!", "005924", now, 0); ok {
		t.Error("a code was accepted against a malformed secret")
	}
}

func TestTOTPURI(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXP"
	tests := []struct {
		name, issuer, account string
		want                  string
	}{
		{"plain", "Broadsheet", "ana@example.org",
			"otpauth://totp/Broadsheet:ana%40example.org?secret=JBSWY3DPEHPK3PXP&issuer=Broadsheet&algorithm=SHA1&digits=6&period=30"},
		{"spaces are %20, never +", "The Daily", "Ana Ruiz",
			"otpauth://totp/The%20Daily:Ana%20Ruiz?secret=JBSWY3DPEHPK3PXP&issuer=The%20Daily&algorithm=SHA1&digits=6&period=30"},
		{"colon in the issuer stays out of the label", "News: Tehran", "a:b",
			"otpauth://totp/News%20Tehran:a%3Ab?secret=JBSWY3DPEHPK3PXP&issuer=News%3A%20Tehran&algorithm=SHA1&digits=6&period=30"},
		{"query characters", "A&B=C?", "x+y#z",
			"otpauth://totp/A%26B%3DC%3F:x%2By%23z?secret=JBSWY3DPEHPK3PXP&issuer=A%26B%3DC%3F&algorithm=SHA1&digits=6&period=30"},
		{"non-ASCII as UTF-8", "روزنامه", "سارا",
			"otpauth://totp/%D8%B1%D9%88%D8%B2%D9%86%D8%A7%D9%85%D9%87:%D8%B3%D8%A7%D8%B1%D8%A7?secret=JBSWY3DPEHPK3PXP&issuer=%D8%B1%D9%88%D8%B2%D9%86%D8%A7%D9%85%D9%87&algorithm=SHA1&digits=6&period=30"},
		{"no issuer", "", "ana",
			"otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TOTPURI(tt.issuer, tt.account, secret)
			if got != tt.want {
				t.Errorf("TOTPURI(%q, %q)\n got %s\nwant %s", tt.issuer, tt.account, got, tt.want)
			}
			// What an app's URI parser reads back.
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("not a URI: %v", err)
			}
			q := u.Query()
			if q.Get("issuer") != tt.issuer || q.Get("secret") != secret {
				t.Errorf("parsed issuer %q secret %q, want %q %q", q.Get("issuer"), q.Get("secret"), tt.issuer, secret)
			}
			label := strings.TrimPrefix(u.Path, "/")
			if _, account, found := strings.Cut(label, ":"); tt.issuer != "" && (!found || account != tt.account) {
				t.Errorf("parsed account %q, want %q", account, tt.account)
			}
		})
	}
}
