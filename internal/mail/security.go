package mail

import (
	"fmt"
	htmltemplate "html/template"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A security letter tells the owner of a newsroom account that the way it
// signs in has changed, or that someone failed to sign in to it, so that
// a change they did not make is noticed. Its Data is
// "EVENT|ADDRESS|DETAIL": one of securityEvents, the address the change
// came from (an IPv4 address or an IPv6 prefix, or empty), and what the
// event names or counts. The change happened when the message was queued.
// Its key must name the change itself, not only the account, since one key
// is one mail ever.

// detail is what an event's DETAIL holds.
type detail int

const (
	noDetail detail = iota
	named           // a passkey's, a token's or an admin's name
	counted         // a whole number
)

// securityEvent is what a security letter says of one kind of change; each
// field is a message key.
type securityEvent struct {
	Subject string // what happened, in a few words, at the subject's end
	lead    string // the sentence saying what happened: account, site, then the detail
	Advice  string // what to do if it was not the account's owner
	detail  detail
}

var securityEvents = map[string]securityEvent{
	"passkey_added":      {"mail.security.subject.passkey_added", "mail.security.lead.passkey_added", "mail.security.not_you", named},
	"passkey_removed":    {"mail.security.subject.passkey_removed", "mail.security.lead.passkey_removed", "mail.security.not_you", named},
	"totp_enabled":       {"mail.security.subject.totp_enabled", "mail.security.lead.totp_enabled", "mail.security.not_you", noDetail},
	"totp_removed":       {"mail.security.subject.totp_removed", "mail.security.lead.totp_removed", "mail.security.not_you", noDetail},
	"recovery_generated": {"mail.security.subject.recovery_generated", "mail.security.lead.recovery_generated", "mail.security.not_you", noDetail},
	"recovery_used":      {"mail.security.subject.recovery_used", "mail.security.lead.recovery_used", "mail.security.not_you", counted},
	"second_step_reset":  {"mail.security.subject.second_step_reset", "mail.security.lead.second_step_reset", "mail.security.reset", named},
	"second_step_failed": {"mail.security.subject.second_step_failed", "mail.security.lead.second_step_failed", "mail.security.failed", counted},
	"token_created":      {"mail.security.subject.token_created", "mail.security.lead.token_created", "mail.security.not_you", named},
	"policy_enrol":       {"mail.security.subject.policy_enrol", "mail.security.lead.policy_enrol", "mail.security.enrol", noDetail},
}

// fewRecoveryCodes: with this many recovery codes left, or fewer, the
// letter urges making new ones before the last is gone.
const fewRecoveryCodes = 3

// maxNameRunes bounds a name the letter repeats: whoever added a passkey
// chose its name, and a long one would push the advice out of sight.
const maxNameRunes = 100

// securityNotice is the change a security letter tells of.
type securityNotice struct {
	securityEvent
	Address string    // where the change came from; "" when unknown
	At      time.Time // when it happened
	Urge    string    // a message key urging new recovery codes, or ""
	name    string
	count   int
}

// security reads m's change into d.
func (l *Letters) security(d *letterData, m Message) error {
	f := strings.SplitN(m.Data, "|", 3)
	if len(f) != 3 {
		return fmt.Errorf("mail: security message %d: malformed data", m.ID)
	}
	ev, ok := securityEvents[f[0]]
	if !ok {
		return fmt.Errorf("mail: security message %d: unknown event %q", m.ID, f[0])
	}
	if !clientAddress(f[1]) {
		return fmt.Errorf("mail: security message %d: malformed address %q", m.ID, f[1])
	}
	if m.CreatedAt.IsZero() {
		return fmt.Errorf("mail: security message %d: no time", m.ID)
	}
	s := &securityNotice{securityEvent: ev, Address: f[1], At: m.CreatedAt}
	switch ev.detail {
	case named:
		if s.name = oneLine(f[2]); s.name == "" {
			return fmt.Errorf("mail: security message %d: %s names nothing", m.ID, f[0])
		}
	case counted:
		n, err := strconv.Atoi(f[2])
		if err != nil || n < 0 {
			return fmt.Errorf("mail: security message %d: malformed count %q", m.ID, f[2])
		}
		s.count = n
		if f[0] == "recovery_used" && n == 0 {
			s.Urge = "mail.security.recovery_none"
		} else if f[0] == "recovery_used" && n <= fewRecoveryCodes {
			s.Urge = "mail.security.recovery_low"
		}
	}
	d.Security = s
	d.URL = l.BaseURL + "/admin/account"
	return nil
}

// clientAddress reports whether s is an address a change may come from:
// none, an IP address, or a network such as an IPv6 /64.
func clientAddress(s string) bool {
	if s == "" {
		return true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Zone() == ""
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}

// oneLine is a typed name as one line of plain text: no line breaks, which
// would let a name pose as the letter's own lines, no bidirectional
// overrides, which would reorder the text after it, and at most
// maxNameRunes characters.
func oneLine(s string) string {
	s = headerText(strings.Map(func(r rune) rune {
		if r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' {
			return -1
		}
		return r
	}, s))
	if utf8.RuneCountInString(s) > maxNameRunes {
		s = string([]rune(s)[:maxNameRunes]) + "…"
	}
	return s
}

// securityArgs are the lead's arguments: the account, the site, and the
// name or the count.
func (d *letterData) securityArgs(account, name any) []any {
	args := []any{account, d.Site.Title}
	switch d.Security.detail {
	case named:
		args = append(args, name)
	case counted:
		args = append(args, d.Security.count)
	}
	return args
}

// Happened is the sentence saying what changed.
func (d *letterData) Happened() string {
	return d.T(d.Security.lead, d.securityArgs(d.To, d.Security.name)...)
}

// HappenedHTML is Happened in HTML, the account and the name isolated.
func (d *letterData) HappenedHTML() htmltemplate.HTML {
	return d.HTML(d.Security.lead, d.securityArgs(d.Isolate(d.To), d.Bold(d.Security.name))...)
}
