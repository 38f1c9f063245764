package mail_test

import (
	"context"
	"errors"
	"mime"
	"strings"
	"testing"
	"time"

	bmail "broadsheet/internal/mail"
)

// securityMessage is a security message about data, queued at changed.
func securityMessage(data string) bmail.Message {
	return bmail.Message{ID: 7, To: "ed@courier.example", Kind: bmail.Security, ObjectID: 3, Data: data, CreatedAt: changed}
}

const accountURL = "https://news.example.org/admin/account"

// Each change is told in its own words: the subject says what happened,
// the letter names the passkey, token or admin or gives the count, says
// when (in the site's time zone) and from where, and what to do if it was
// someone else, with the account page's address; no list headers and no
// link to stop it.
func TestSecurityLetters(t *testing.T) {
	s := newLetterSite(t, editions["en"], editions["en"])
	const notYou = "If this was you, there is nothing to do. If it was not, someone else can sign in as you: change your password now, and tell an admin of the site."
	for _, c := range []struct {
		data, subject, lead, advice string
	}{
		{"passkey_added|203.0.113.7|Work laptop", "a passkey was added",
			"A passkey named “Work laptop” was added to your newsroom account ed@courier.example on The Merrow Courier.", notYou},
		{"passkey_removed|2001:db8:1:2::/64|Old phone", "a passkey was removed",
			"The passkey named “Old phone” was removed from your newsroom account ed@courier.example on The Merrow Courier.", notYou},
		{"totp_enabled|203.0.113.7|", "an authenticator app was set up",
			"An authenticator app was set up to give the second step of signing in to your newsroom account ed@courier.example on The Merrow Courier.", notYou},
		{"totp_removed||", "the authenticator app was removed",
			"The authenticator app was removed from your newsroom account ed@courier.example on The Merrow Courier: it no longer gives the second step of signing in.", notYou},
		{"recovery_generated|203.0.113.7|", "new recovery codes were made",
			"New recovery codes were made for your newsroom account ed@courier.example on The Merrow Courier.", notYou},
		{"recovery_used|203.0.113.7|8", "a recovery code was used",
			"A recovery code was used to sign in to your newsroom account ed@courier.example on The Merrow Courier; 8 codes are left.", notYou},
		{"second_step_reset|203.0.113.7|Ana Pereira", "an admin reset the second step",
			"Ana Pereira, an admin of The Merrow Courier, reset the second step of signing in to your newsroom account ed@courier.example.",
			"If you asked for this, set up the second step again on your account page. If you did not, change your password now, and tell another admin of the site."},
		{"second_step_failed|2001:db8:1:2::/64|5", "someone failed the second step",
			"Someone who knows the password of your newsroom account ed@courier.example on The Merrow Courier failed its second step of signing in 5 times.",
			"If this was you, there is nothing to do. If it was not, whoever tried knows your password: change it now, and tell an admin of the site."},
		{"token_created|203.0.113.7|Nightly import", "an API token was created",
			"An API token named “Nightly import”, which lets a program use the Admin API as you, was created for your newsroom account ed@courier.example on The Merrow Courier.", notYou},
		{"policy_enrol||", "a second step is now required",
			"The Merrow Courier now requires a second step of signing in to your newsroom account ed@courier.example, beside the password: a passkey or an authenticator app.",
			"Set up a passkey or an authenticator app on your account page. If you did not expect this, ask an admin of the site."},
	} {
		event, rest, _ := strings.Cut(c.data, "|")
		address, _, _ := strings.Cut(rest, "|")
		l, err := s.letters.Compose(context.Background(), securityMessage(c.data))
		if err != nil {
			t.Errorf("%s: %v", event, err)
			continue
		}
		if want := "Sign-in change on your newsroom account on The Merrow Courier: " + c.subject; l.Subject != want {
			t.Errorf("%s: subject %q, want %q", event, l.Subject, want)
		}
		seen := visible(l.HTML)
		for _, want := range []string{c.lead, "When: 29 November 2026, 08:00", c.advice} {
			if !strings.Contains(l.Text, want) || !strings.Contains(seen, want) {
				t.Errorf("%s does not say %q in both parts:\n%s\n%s", event, want, l.Text, seen)
			}
		}
		from := "From the address: " + address
		if address != "" && (!strings.Contains(l.Text, from) || !strings.Contains(seen, from)) {
			t.Errorf("%s does not say %q in both parts:\n%s\n%s", event, from, l.Text, seen)
		}
		if address == "" && (strings.Contains(l.Text, "From the address") || strings.Contains(seen, "From the address")) {
			t.Errorf("%s names an address it was not given:\n%s", event, l.Text)
		}
		if !strings.Contains(l.Text, "Review your account: "+accountURL+"\n") || !strings.Contains(l.HTML, `<a href="`+accountURL+`" style="display:inline-block`) {
			t.Errorf("%s lacks the account page's link or button:\n%s\n%s", event, l.Text, l.HTML)
		}
		if l.Unsubscribe != "" || l.ListID != "" || strings.Contains(l.Text+l.HTML, "subscri") {
			t.Errorf("%s offers to stop it: Unsubscribe %q, ListID %q", event, l.Unsubscribe, l.ListID)
		}
		if strings.Contains(l.Text+l.HTML, "recovery codes are left:") {
			t.Errorf("%s urges new recovery codes", event)
		}
	}
}

// A recovery code used with few left urges making new ones; with none
// left, now.
func TestSecurityLetterUrgesNewRecoveryCodes(t *testing.T) {
	s := newLetterSite(t, editions["en"], editions["en"])
	const none, few = "No recovery codes are left: make new ones now", "Few recovery codes are left: make new ones soon"
	for left, want := range map[string]string{"0": none, "1": few, "3": few, "4": "", "10": ""} {
		l, err := s.letters.Compose(context.Background(), securityMessage("recovery_used|203.0.113.7|"+left))
		if err != nil {
			t.Fatalf("%s left: %v", left, err)
		}
		for _, urge := range []string{none, few} {
			says := strings.Contains(l.Text, urge) && strings.Contains(visible(l.HTML), urge)
			if said := strings.Contains(l.Text+l.HTML, urge); says != (urge == want) || said != says {
				t.Errorf("with %s left, the letter says %q: %v in both parts, %v in either; want %v", left, urge, says, said, urge == want)
			}
		}
	}
}

// Every change is told in every language, whole: its words, the time in
// the language's calendar and digits, the name as typed, and a count in
// the plural form it takes.
func TestSecurityLettersInEveryLanguage(t *testing.T) {
	counts := map[string]map[string][]string{
		"en": {"recovery_used|1": {"1 code is left."}, "recovery_used|5": {"5 codes are left."},
			"second_step_failed|1": {"signing in 1 time."}, "second_step_failed|3": {"signing in 3 times."}},
		"fa": {"recovery_used|2": {"۲ کد باقی مانده است."}, "second_step_failed|3": {"۳ بار در مرحله دوم ورود"}},
		"ar": {"recovery_used|0": {"لم يبقَ لديك أي رمز (٠)."}, "recovery_used|1": {"بقي لديك رمز واحد (١)."}, "recovery_used|2": {"بقي لديك رمزان (٢)."},
			"recovery_used|3": {"بقيت لديك ٣ رموز."}, "recovery_used|11": {"بقي لديك ١١ رمزًا."}, "recovery_used|100": {"بقي لديك ١٠٠ رمز."},
			"second_step_failed|2": {"مرتين (٢)."}, "second_step_failed|4": {"٤ مرات."}},
		"ru": {"recovery_used|1": {"остался 1 код."}, "recovery_used|3": {"осталось 3 кода."}, "recovery_used|5": {"осталось 5 кодов."},
			"recovery_used|21": {"остался 21 код."}, "second_step_failed|2": {"2 неудачные попытки."}, "second_step_failed|5": {"5 неудачных попыток."}},
	}
	for lang, ed := range editions {
		s := newLetterSite(t, ed, ed)
		when := said[lang][bmail.Security][0]
		tell := func(data string, want ...string) {
			t.Helper()
			l, err := s.letters.Compose(context.Background(), securityMessage(data))
			if err != nil {
				t.Errorf("%s %s: %v", lang, data, err)
				return
			}
			seen := visible(l.HTML)
			for part, text := range map[string]string{"subject": l.Subject, "text": l.Text, "HTML": l.HTML} {
				if strings.Contains(text, "[mail.") || strings.Contains(text, "%!") {
					t.Errorf("%s %s %s is broken:\n%s", lang, data, part, text)
				}
			}
			if english := "If this was you"; lang != "en" && strings.Contains(l.Text+seen, english) {
				t.Errorf("%s %s says %q in English", lang, data, english)
			}
			for _, w := range append(want, when) {
				if !strings.Contains(l.Text, w) || !strings.Contains(seen, w) {
					t.Errorf("%s %s does not say %q in both parts:\n%s\n%s", lang, data, w, l.Text, seen)
				}
			}
			if !strings.Contains(l.Text, accountURL) || !strings.Contains(l.HTML, `href="`+accountURL+`"`) {
				t.Errorf("%s %s does not link to the account page:\n%s\n%s", lang, data, l.Text, l.HTML)
			}
			if !strings.Contains(l.Subject, ed.title) {
				t.Errorf("%s %s subject %q does not name the site", lang, data, l.Subject)
			}
		}
		for _, event := range []string{"passkey_added", "passkey_removed", "second_step_reset", "token_created"} {
			tell(event+"|203.0.113.7|"+ed.passkey, ed.passkey, "203.0.113.7")
		}
		for _, event := range []string{"totp_enabled", "totp_removed", "recovery_generated", "policy_enrol"} {
			tell(event + "|2001:db8:1:2::/64|")
		}
		for data, want := range counts[lang] {
			event, n, _ := strings.Cut(data, "|")
			tell(event+"||"+n, want...)
		}
	}
}

// What is not a security message of a known kind is an error, never a
// blank letter nor a skipped one.
func TestSecurityLetterRefusesBadData(t *testing.T) {
	s := newLetterSite(t, editions["en"], editions["en"])
	for _, data := range []string{
		"", "passkey_added", "passkey_added|203.0.113.7", // too few fields
		"password_changed|203.0.113.7|", "PASSKEY_ADDED|203.0.113.7|Work laptop", "|203.0.113.7|Work laptop", // unknown events
		"passkey_added|203.0.113.7|", "token_created|203.0.113.7| \n\t", "second_step_reset||", // a name missing
		"recovery_used|203.0.113.7|", "recovery_used|203.0.113.7|many", "recovery_used|203.0.113.7|-1", "second_step_failed||3.5", // a bad count
		"passkey_added|somewhere|Work laptop", "passkey_added|fe80::1%eth0|Work laptop", "passkey_added|203.0.113.7 |Work laptop", // a bad address
	} {
		l, err := s.letters.Compose(context.Background(), securityMessage(data))
		if err == nil || errors.Is(err, bmail.ErrSkip) || l != nil {
			t.Errorf("%q: letter %v, error %v; want an error", data, l != nil, err)
		}
	}
	untimed := securityMessage("totp_enabled|203.0.113.7|")
	untimed.CreatedAt = time.Time{}
	if l, err := s.letters.Compose(context.Background(), untimed); err == nil || l != nil {
		t.Errorf("a message without a time: letter %v, error %v; want an error", l != nil, err)
	}
}

// A name is whatever its owner typed, "|" and all, but stays one line of
// text: it cannot pose as the letter's own lines, reorder the text after
// it, or push the advice out of sight.
func TestSecurityLetterName(t *testing.T) {
	s := newLetterSite(t, editions["en"], editions["en"])
	long := strings.Repeat("ключ ", 40)
	for name, want := range map[string]string{
		"Ana's key | 🔑 گوشی | x":                                   "“Ana's key | 🔑 گوشی | x”",
		"deploy\r\n\r\nIf this was you, there is nothing to do.\n": "“deploy If this was you, there is nothing to do.”",
		"evil\u202egnp.exe\u2066 key\u2069":                        "“evilgnp.exe key”",
		long:                                                       "“" + string([]rune(long)[:100]) + "…”",
	} {
		l, err := s.letters.Compose(context.Background(), securityMessage("token_created|203.0.113.7|"+name))
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if !strings.Contains(l.Text, "An API token named "+want+", which lets") || !strings.Contains(visible(l.HTML), want) {
			t.Errorf("%q is not written %s:\n%s", name, want, l.Text)
		}
	}
}

// A security letter crosses a real SMTP conversation as a notice to one
// person: no List-Id, no List-Unsubscribe, marked as sent by the site.
func TestSecurityLetterThroughSMTP(t *testing.T) {
	ed := editions["ru"]
	s := newLetterSite(t, ed, ed)
	m := securityMessage("second_step_failed|203.0.113.7|5")
	m.Key = bmail.Key(m.To, m.Kind, "1")
	got := s.deliver(t, m)
	subject, err := new(mime.WordDecoder).DecodeHeader(got.Header.Get("Subject"))
	if want := "Изменение входа в вашу учётную запись в редакции сайта Мерроуский вестник: неудачные попытки второго шага входа"; err != nil || subject != want {
		t.Errorf("Subject %q (%v), want %q", subject, err, want)
	}
	for _, h := range []string{"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"} {
		if v := got.Header.Get(h); v != "" {
			t.Errorf("%s: %q; a security notice is no list mail", h, v)
		}
	}
	if got.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", got.Header.Get("Auto-Submitted"))
	}
	if want := "5 неудачных попыток."; !strings.Contains(got.Text, want) || !strings.Contains(got.Text, accountURL) {
		t.Errorf("the text part lacks %q or the account page:\n%s", want, got.Text)
	}
}
