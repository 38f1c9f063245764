package comment

import (
	"regexp"
	"strings"
)

// Signals are what is known about a submission when deciding whether it
// publishes at once or waits for a moderator.
type Signals struct {
	Verified  bool // the anti-bot check passed
	Returning bool // an approved earlier comment sent with this address and this commenter token
	Honeypot  bool // the hidden field a person never sees was filled
	Staff     bool // a signed-in newsroom member
	Hurried   bool // sent too soon after the form appeared, or without its stamp
	Blocklist []string
	// Edit is set for an author's edit of their own comment, which passed
	// the anti-bot check and the form's timing when it was first sent
	// (or a moderator approved it): those are not asked again, every
	// other rule is. See HoldEdit.
	Edit bool
}

// MaxLinks is how many links a comment may carry before a moderator looks.
const MaxLinks = 2

var linkPattern = regexp.MustCompile(`(?i)https?://|www\.|\]\(`)

// Decide returns the status a new or edited comment takes and, when held,
// why: the one publish-or-hold rule. Nothing is thrown away: even a
// honeypot hit is kept, as spam, where a moderator can rescue a real
// reader whose browser filled the field.
func Decide(c *Comment, s Signals) (Status, string) {
	switch {
	case s.Staff:
		// A newsroom member has proved who they are: the checks for bots
		// are not theirs, nor the trust a stranger earns. What they write
		// is still read by the rules below.
	case s.Honeypot:
		return Spam, "hidden field filled"
	case !s.Verified && !s.Edit:
		return Pending, "no anti-bot check (JavaScript off)"
	}
	if word := blocked(c, s.Blocklist); word != "" {
		return Pending, "matches the blocklist: " + word
	}
	if n := len(linkPattern.FindAllStringIndex(c.Body, -1)); n > MaxLinks {
		return Pending, "too many links"
	}
	if s.Staff {
		return Approved, ""
	}
	if !s.Returning {
		return Pending, "first comment from this commenter"
	}
	if s.Hurried && !s.Edit {
		return Pending, "sent seconds after the form appeared"
	}
	return Approved, ""
}

// HoldEdit decides an author's edit of their own comment c (c.Body the
// new text) by Decide, and returns why it must wait for a moderator, ""
// when it may stay as it is. An edit can hold a public comment, never
// publish a held one: a comment already waiting stays so, with its reason,
// whatever its new text.
func HoldEdit(c *Comment, s Signals) string {
	if c.Status != Approved {
		return ""
	}
	s.Edit = true
	if status, why := Decide(c, s); status != Approved {
		return "edited: " + why
	}
	return ""
}

// blocked returns the first blocklist entry found in the comment's name,
// email or text: words, email addresses or domains, case-insensitively.
func blocked(c *Comment, list []string) string {
	text := strings.ToLower(c.Name + "\n" + c.Email + "\n" + c.Body)
	for _, w := range list {
		w = strings.ToLower(strings.TrimSpace(w))
		if w != "" && strings.Contains(text, w) {
			return w
		}
	}
	return ""
}
