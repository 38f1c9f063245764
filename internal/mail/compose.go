package mail

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/i18n"
	"broadsheet/internal/subscription"
)

// Letter is a composed message: subject, both parts, and the list headers
// of subscription mail.
type Letter struct {
	Subject string
	Text    string
	HTML    string
	// ListID and Unsubscribe are set for mail a reader subscribed to:
	// List-Id, and the one-click URL of List-Unsubscribe (RFC 8058).
	ListID      string
	Unsubscribe string
	// Site is the site's title, the sender's name when the configured
	// sender has none.
	Site string
}

// Source is what composing reads.
type Source interface {
	Site(ctx context.Context) (article.Site, error)
	ArticleByID(ctx context.Context, id int64) (*article.Article, error)
	CommentByID(ctx context.Context, id int64) (*comment.Comment, error)
	Articles(ctx context.Context, q article.Query) (article.List, error)
}

// Letters composes messages from the embedded templates.
type Letters struct {
	Source  Source
	BaseURL string // the site's absolute URL, without a trailing slash
	Links   subscription.Links
	text    *texttemplate.Template
	html    *htmltemplate.Template

	// A fan-out composes the same article for every subscriber: it is
	// read once a few seconds, not once a message.
	mu       sync.Mutex
	articles map[int64]recent
	days     map[int64]recentDay
}

type recentDay struct {
	list []article.Article
	at   time.Time
}

type recent struct {
	a  *article.Article
	at time.Time
}

const articleReuse = 5 * time.Second

func (l *Letters) article(ctx context.Context, id int64) (*article.Article, error) {
	now := time.Now()
	l.mu.Lock()
	r, ok := l.articles[id]
	l.mu.Unlock()
	if ok && now.Sub(r.at) < articleReuse {
		return r.a, nil
	}
	a, err := l.Source.ArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	if len(l.articles) > 256 {
		clear(l.articles)
	}
	l.articles[id] = recent{a, now}
	l.mu.Unlock()
	return a, nil
}

//go:embed templates
var templateFS embed.FS

// NewLetters parses every template, failing on a broken one.
func NewLetters(src Source, baseURL string, links subscription.Links) (*Letters, error) {
	t, err := texttemplate.ParseFS(templateFS, "templates/*.txt")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	h, err := htmltemplate.ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	for _, k := range []Kind{Confirm, Subscribed, Article, Comment, Reply, Reset, Moderation, Digest, Security} {
		if t.Lookup(string(k)+".subject") == nil || t.Lookup(string(k)+".text") == nil || h.Lookup(string(k)) == nil {
			return nil, fmt.Errorf("mail: templates: %s is incomplete", k)
		}
	}
	return &Letters{Source: src, BaseURL: strings.TrimSuffix(baseURL, "/"), Links: links, text: t, html: h, articles: map[int64]recent{}, days: map[int64]recentDay{}}, nil
}

// letterData is what every template sees.
type letterData struct {
	Site      article.Site
	BaseURL   string
	To        string
	Article   *article.Article
	URL       string // the link the mail is about: an article, a confirmation
	ManageURL string
	Scope     string // what was subscribed to, for people
	Expires   time.Time
	Comment   *comment.Comment
	Count     int
	Articles  []article.Article // a digest's
	Day       time.Time         // a digest's day
	Image     string            // an article's lead image, absolute
	Security  *securityNotice   // a security letter's change
	// Why says, at the foot of a mail a reader asked for, why it came;
	// Stop names the link that ends it. Both are message keys.
	Why, Stop string

	// The letter's language (language), its direction, and the side its
	// lines start on, for the HTML part's attributes and styles.
	Lang, Dir, Start string
	words            *i18n.Catalog
	loc              *time.Location
	// lang is the language a subscription's mail is to be written in, as
	// the request said (WithLanguage); "" leaves it to language.
	lang string
}

// Compose writes m's letter. ErrSkip means it should not be sent: the
// article was withdrawn, or the reader left.
func (l *Letters) Compose(ctx context.Context, m Message) (*Letter, error) {
	site, err := l.Source.Site(ctx)
	if err != nil {
		return nil, err
	}
	d := letterData{Site: site, BaseURL: l.BaseURL, To: m.To, Why: "mail.why.asked", Stop: "mail.manage"}
	lt := &Letter{Site: site.Title}
	switch m.Kind {
	case Confirm:
		// Data: nonce, expiry (Unix seconds) and the scope's label.
		f := strings.SplitN(m.Data, " ", 3)
		if len(f) != 3 {
			return nil, fmt.Errorf("mail: confirm message %d: malformed data", m.ID)
		}
		exp, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("mail: confirm message %d: malformed expiry", m.ID)
		}
		d.Expires = time.Unix(exp, 0).In(site.Location())
		d.lang, d.Scope = splitLanguage(f[2])
		d.URL = l.BaseURL + d.under("/subscribe/confirm") + "?t=" + url.QueryEscape(l.Links.ConfirmToken(m.ObjectID, f[0], time.Unix(exp, 0)))
	case Digest:
		// Data: the subscriptions, the subscriber, and the scopes covered
		// ("site", "section:3", comma-separated).
		f := strings.SplitN(m.Data, " ", 3)
		var sid int64
		var err error
		if len(f) == 3 {
			sid, err = strconv.ParseInt(f[1], 10, 64)
		}
		if len(f) != 3 || err != nil {
			return nil, fmt.Errorf("mail: digest message %d: malformed data", m.ID)
		}
		day, err := l.day(ctx, m.ObjectID, site)
		if err != nil {
			return nil, err
		}
		scopes := map[string]bool{}
		for _, sc := range strings.Split(f[2], ",") {
			scopes[sc] = true
		}
		for _, a := range day {
			// The site's scope is its main edition's articles.
			if (scopes["site:0"] && a.Section.Edition == "") || scopes["section:"+strconv.FormatInt(a.Section.ID, 10)] {
				d.Articles = append(d.Articles, a)
			}
		}
		if len(d.Articles) == 0 {
			return nil, ErrSkip // nothing new for this reader today
		}
		token := l.Links.ManageToken(sid, m.To)
		d.ManageURL = l.BaseURL + "/subscriptions?t=" + url.QueryEscape(token)
		d.Count = len(d.Articles)
		_, d.Day = subscription.DigestWindow(m.ObjectID, site.Location(), site.DigestHour)
		d.Why = "mail.why.digest"
		lt.ListID = listID(site.Title, l.BaseURL)
		lt.Unsubscribe = l.BaseURL + "/unsubscribe?t=" + url.QueryEscape(token) + "&s=" + url.QueryEscape(f[0])
	case Moderation:
		// Data: how many comments wait.
		n, err := strconv.Atoi(m.Data)
		if err != nil {
			return nil, fmt.Errorf("mail: moderation message %d: malformed data", m.ID)
		}
		d.Count, d.URL = n, l.BaseURL+"/admin/comments"
	case Reset:
		// Data: the signed token; its second field is the expiry.
		f := strings.Split(m.Data, ".")
		exp, err := strconv.ParseInt(f[min(1, len(f)-1)], 10, 64)
		if len(f) != 3 || err != nil {
			return nil, fmt.Errorf("mail: reset message %d: malformed data", m.ID)
		}
		d.Expires = time.Unix(exp, 0).In(site.Location())
		d.URL = l.BaseURL + "/admin/reset?t=" + url.QueryEscape(m.Data)
	case Security:
		// Like a reset, it goes to one account's owner, who cannot stop
		// it: no list headers, no link to end it.
		if err := l.security(&d, m); err != nil {
			return nil, err
		}
	case Reply:
		// Data: the reader's comment that was answered.
		parent, err := strconv.ParseInt(m.Data, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("mail: reply message %d: malformed data", m.ID)
		}
		if err := l.aboutComment(ctx, &d, m.ObjectID); err != nil {
			return nil, err
		}
		token := l.Links.ReplyToken(parent, m.To)
		d.ManageURL = l.BaseURL + "/unsubscribe?r=" + url.QueryEscape(token)
		lt.Unsubscribe = d.ManageURL
		d.Why, d.Stop = "mail.why.reply", "mail.reply.stop"
	case Subscribed, Article, Comment:
		// Data: the subscriptions that caused the mail, their subscriber,
		// and for a notice the scope's label.
		f := strings.SplitN(m.Data, " ", 3)
		var sid int64
		var err error
		if len(f) >= 2 {
			sid, err = strconv.ParseInt(f[1], 10, 64)
		}
		if len(f) < 2 || err != nil {
			return nil, fmt.Errorf("mail: message %d: malformed data", m.ID)
		}
		token := l.Links.ManageToken(sid, m.To)
		d.ManageURL = l.BaseURL + "/subscriptions?t=" + url.QueryEscape(token)
		lt.ListID = listID(site.Title, l.BaseURL)
		// One click ends exactly the subscriptions that sent this.
		lt.Unsubscribe = l.BaseURL + "/unsubscribe?t=" + url.QueryEscape(token) + "&s=" + url.QueryEscape(f[0])
		if m.Kind == Subscribed {
			if len(f) == 3 {
				d.lang, d.Scope = splitLanguage(f[2])
			}
			break
		}
		if m.Kind == Comment {
			if err := l.aboutComment(ctx, &d, m.ObjectID); err != nil {
				return nil, err
			}
			d.Why = "mail.why.comment"
			break
		}
		d.Why = "mail.why.article"
		a, err := l.article(ctx, m.ObjectID)
		if errors.Is(err, article.ErrNotFound) {
			return nil, ErrSkip
		}
		if err != nil {
			return nil, err
		}
		if !a.Visible() {
			return nil, ErrSkip // withdrawn before it went out
		}
		d.Article = a
		d.URL = l.BaseURL + a.Path()
		if img := a.LeadImage; img != nil && len(img.Variants) > 0 {
			w := img.Variants[0]
			for _, v := range img.Variants {
				if v <= 800 {
					w = v
				}
			}
			d.Image = l.BaseURL + "/media/" + strconv.FormatInt(img.ID, 10) + "/" + strconv.Itoa(w) + ".jpg"
		}
	default:
		return nil, fmt.Errorf("mail: no template for %q", m.Kind)
	}
	d.speak(site.Location())
	var subj, text, html bytes.Buffer
	if err := l.text.ExecuteTemplate(&subj, string(m.Kind)+".subject", &d); err != nil {
		return nil, fmt.Errorf("mail: %s subject: %w", m.Kind, err)
	}
	if err := l.text.ExecuteTemplate(&text, string(m.Kind)+".text", &d); err != nil {
		return nil, fmt.Errorf("mail: %s text: %w", m.Kind, err)
	}
	if err := l.html.ExecuteTemplate(&html, string(m.Kind), &d); err != nil {
		return nil, fmt.Errorf("mail: %s HTML: %w", m.Kind, err)
	}
	lt.Subject = strings.Join(strings.Fields(subj.String()), " ")
	lt.Text, lt.HTML = text.String(), html.String()
	return lt, nil
}

// day lists what a digest day covers, newest first, read once a few
// seconds rather than once a message.
func (l *Letters) day(ctx context.Context, day int64, site article.Site) ([]article.Article, error) {
	now := time.Now()
	l.mu.Lock()
	r, ok := l.days[day]
	l.mu.Unlock()
	if ok && now.Sub(r.at) < articleReuse {
		return r.list, nil
	}
	from, to := subscription.DigestWindow(day, site.Location(), site.DigestHour)
	list, err := l.Source.Articles(ctx, article.Query{Before: &article.Cursor{PublishedAt: to}, Limit: article.MaxLimit})
	if err != nil {
		return nil, err
	}
	var out []article.Article
	for _, a := range list.Articles {
		if !a.PublishedAt.Before(from) {
			out = append(out, a)
		}
	}
	l.mu.Lock()
	if len(l.days) > 8 {
		clear(l.days)
	}
	l.days[day] = recentDay{out, now}
	l.mu.Unlock()
	return out, nil
}

// aboutComment fills in a public comment and its article; ErrSkip when
// either is no longer public.
func (l *Letters) aboutComment(ctx context.Context, d *letterData, id int64) error {
	c, err := l.Source.CommentByID(ctx, id)
	if errors.Is(err, comment.ErrNotFound) {
		return ErrSkip
	}
	if err != nil {
		return err
	}
	if c.Status != comment.Approved {
		return ErrSkip // withdrawn by a moderator before it went out
	}
	a, err := l.article(ctx, c.ArticleID)
	if errors.Is(err, article.ErrNotFound) {
		return ErrSkip
	}
	if err != nil {
		return err
	}
	if !a.Visible() {
		return ErrSkip
	}
	d.Comment, d.Article = c, a
	d.URL = l.BaseURL + a.Path() + "#c-" + strconv.FormatInt(c.ID, 10)
	return nil
}

// listID makes a List-Id (RFC 2919): the site's title and host.
func listID(title, baseURL string) string {
	host := baseURL
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		name = "news"
	}
	return phrase(title) + " <" + name + "." + host + ">"
}
