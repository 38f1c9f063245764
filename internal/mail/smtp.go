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
	opts := []gomail.Option{gomail.WithTimeout(smtpTimeout)}
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

// build makes the MIME message: plain text with an HTML alternative. A
// sender configured without a display name goes out under the site's
// title. Every header made from typed text is encoded here (header.go).
func build(from, host string, m Message, l *Letter, now time.Time) (*gomail.Msg, error) {
	name, addr, err := sender(from)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = l.Site
	}
	msg := gomail.NewMsg()
	msg.SetGenHeader(gomail.Header(gomail.HeaderFrom), fromHeader(name, addr))
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", m.To, err)
	}
	msg.Subject(encodeText(l.Subject))
	msg.SetDateWithValue(now)
	// The same message always has the same id, so that a mail system can
	// recognise one that had to be sent twice.
	sum := sha256.Sum256([]byte(m.Key))
	domain := host
	if at := strings.LastIndexByte(addr, '@'); at >= 0 {
		domain = addr[at+1:]
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

// send runs one SMTP transaction for msg on c. The server takes
// responsibility for a message when it reads the final dot, and discards a
// transaction cut off before it. So the whole message is written first,
// then mark records it as sent, durably, and runs the dot's write the
// moment the record is on disk (mark's argument); only then is the reply
// read. A crash before the record leaves the message queued and the server
// with nothing: it is sent again. A crash after the dot leaves it sent.
// What remains is the few microseconds between the record reaching the
// disk and the dot's bytes leaving the process: a crash exactly there
// loses the message. A refusal of the dot is seen by the living process,
// which puts the message back in the queue (the caller's Requeue).
func send(c *smtp.Client, from, to string, msg io.WriterTo, mark func(then func()) error) error {
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
	dc, ok := w.(*smtp.DataCloser)
	if !ok {
		return errors.New("mail: unexpected SMTP data writer")
	}
	// Everything but the dot goes out now, so that what follows the
	// record is a few bytes; and writing them may not hold up the
	// committing goroutine (which every writer of the database waits on)
	// for long: past the deadline the write fails and the message is
	// queued again.
	if err := c.Text.W.Flush(); err != nil {
		return err
	}
	// The embedded writer's Close writes the final dot and flushes; the
	// DataCloser's own Close would also wait for the reply. The deadline
	// is set just before the dot, so that waiting for the commit does not
	// count against it.
	var dotErr error
	wrote := false
	writeDot := func() {
		if dotErr = c.UpdateDeadline(dotDeadline); dotErr == nil {
			dotErr = dc.WriteCloser.Close()
		}
		wrote = true
	}
	if err := mark(writeDot); err != nil {
		return fmt.Errorf("recording the message as sent: %w", err)
	}
	if !wrote {
		writeDot()
	}
	if dotErr != nil {
		return dotErr
	}
	if err := c.UpdateDeadline(smtpTimeout); err != nil {
		return err
	}
	_, _, err = c.Text.ReadResponse(250)
	return err
}

const (
	smtpTimeout = 30 * time.Second
	dotDeadline = 2 * time.Second
)

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
