package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTP is where mail goes: a server named by a URL,
// smtp://user:pass@host:port (STARTTLS when the server offers it) or
// smtps://user:pass@host:port (TLS from the start).
type SMTP struct {
	client *gomail.Client
	host   string
}

// ParseSMTP checks an SMTP URL and prepares a client for it.
func ParseSMTP(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
		return nil, errors.New("mail: SMTP URL: want smtp://user:pass@host:port or smtps://…")
	}
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second)}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("mail: SMTP URL: port %q", p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	c, err := gomail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client: %w", err)
	}
	return &SMTP{client: c, host: u.Hostname()}, nil
}

// dial opens one authenticated connection.
func (s *SMTP) dial(ctx context.Context) (*smtp.Client, error) {
	return s.client.DialToSMTPClientWithContext(ctx)
}

// build makes the MIME message: plain text with an HTML alternative.
func build(from, host string, m Message, l *Letter, now time.Time) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("from %q: %w", from, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", m.To, err)
	}
	msg.Subject(l.Subject)
	msg.SetDateWithValue(now)
	// The same message always has the same id, so that a mail system can
	// recognise one that had to be sent twice.
	sum := sha256.Sum256([]byte(m.Key))
	domain := host
	if at := strings.LastIndexByte(from, '@'); at >= 0 {
		domain = strings.TrimSuffix(from[at+1:], ">")
	}
	msg.SetMessageIDWithValue(hex.EncodeToString(sum[:16]) + "@" + domain)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if l.ListID != "" {
		msg.SetGenHeader("List-Id", l.ListID)
	}
	if l.Unsubscribe != "" {
		msg.SetGenHeader("List-Unsubscribe", "<"+l.Unsubscribe+">")
		msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, l.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, l.HTML)
	return msg, nil
}

// send runs one SMTP transaction for msg on c. Just before the final dot —
// the moment the server takes responsibility — it calls commit, which must
// record the message as sent durably. A crash before commit leaves the
// message queued and the server with an unfinished transaction it throws
// away; a crash after it leaves the message recorded as sent. Either way
// it is delivered once. A refusal of the dot undoes the record (by the
// caller's Requeue).
func send(c *smtp.Client, from, to string, msg io.WriterTo, commit func() error) error {
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := msg.WriteTo(w); err != nil {
		return err
	}
	if err := commit(); err != nil {
		return fmt.Errorf("recording the message as sent: %w", err)
	}
	return w.Close()
}

// envelopeFrom is the bare address of a From header value.
func envelopeFrom(from string) string {
	if i := strings.LastIndexByte(from, '<'); i >= 0 {
		return strings.TrimSuffix(from[i+1:], ">")
	}
	return from
}

// permanent reports whether the server refused for good (a 5xx reply);
// a 4xx or a dropped connection is worth trying again soon.
func permanent(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500
}
