package mail

import (
	"bytes"
	htmltemplate "html/template"
	"strconv"
	"strings"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/i18n"
)

// language is the language a letter is written in: a subscription's, as
// its request said (that of the edition or article it follows); else the
// language of the article it is about; else the site's.
func language(d *letterData) string {
	if d.lang != "" {
		return d.lang
	}
	if d.Article != nil && d.Article.Language != "" {
		return d.Article.Language
	}
	return d.Site.Language
}

// editionCode is the edition the letter speaks for: its article's, or
// the main edition.
func (d *letterData) editionCode() string {
	if d.Article != nil {
		return d.Article.Section.Edition
	}
	return ""
}

// speak sets the letter's words, and its direction from the language the
// words are actually in (a language without a catalogue is written in
// English, left to right).
func (d *letterData) speak(loc *time.Location) {
	d.words = i18n.For(language(d))
	if ed, ok := d.Site.Edition(d.editionCode()); ok && ed.LatinDigits && ed.Lang == d.words.Lang() {
		d.words = d.words.LatinDigits()
	}
	d.loc = loc
	d.Lang = d.words.Lang()
	d.Dir = i18n.Dir(d.Lang)
	d.Start = "left"
	if d.Dir == "rtl" {
		d.Start = "right"
	}
}

// T is the message key in the letter's language.
func (d *letterData) T(key string, args ...any) string { return d.words.T(key, args...) }

// HTML is the message key in the letter's language, as HTML: the
// message's own text is escaped, text arguments are escaped, and
// arguments that are already HTML (Bold, Isolate, Link) go in as they
// are, wherever the translation puts them. Numbers stay numbers, so that
// they pick the plural form and are written in the language's digits.
func (d *letterData) HTML(key string, args ...any) htmltemplate.HTML {
	marked := make([]any, len(args))
	var pieces []string
	for i, a := range args {
		var piece string
		switch v := a.(type) {
		case htmltemplate.HTML:
			piece = string(v)
		case string:
			piece = htmltemplate.HTMLEscapeString(v)
		default:
			marked[i] = a
			continue
		}
		marked[i] = mark(len(pieces))
		pieces = append(pieces, piece)
	}
	s := htmltemplate.HTMLEscapeString(d.words.T(key, marked...))
	for i, p := range pieces {
		s = strings.ReplaceAll(s, mark(i), p)
	}
	return htmltemplate.HTML(s)
}

// mark stands for the i-th HTML argument while the message is escaped:
// private-use characters, which escaping leaves alone and no message holds.
func mark(i int) string { return "\ue000" + strconv.Itoa(i) + "\ue001" }

// inline writes the pieces of HTML a sentence may hold, with the
// escaping of html/template.
var inline = htmltemplate.Must(htmltemplate.New("inline").Parse(
	`{{define "bold"}}<strong><bdi>{{.}}</bdi></strong>{{end}}` +
		`{{define "isolate"}}<bdi>{{.}}</bdi>{{end}}` +
		`{{define "link"}}<a href="{{.URL}}" style="color:#1a1a1a">{{.Text}}</a>{{end}}`))

func inlineHTML(name string, data any) htmltemplate.HTML {
	var b bytes.Buffer
	if err := inline.ExecuteTemplate(&b, name, data); err != nil {
		// The templates are fixed and take any text: this cannot happen.
		panic("mail: inline template " + name + ": " + err.Error())
	}
	return htmltemplate.HTML(b.String())
}

// Bold is a name or label in bold, isolated from the text around it, so
// that a Latin name keeps its place in a right-to-left sentence.
func (d *letterData) Bold(s string) htmltemplate.HTML { return inlineHTML("bold", s) }

// Isolate is a name or address isolated from the text around it.
func (d *letterData) Isolate(s string) htmltemplate.HTML { return inlineHTML("isolate", s) }

// Link is text linking to url.
func (d *letterData) Link(url, text string) htmltemplate.HTML {
	return inlineHTML("link", struct{ URL, Text string }{url, text})
}

// Date is t as a date in the letter's language and calendar, in the
// site's time zone.
func (d *letterData) Date(t time.Time) string { return d.words.Date(t.In(d.loc)) }

// DateTime is t with its time of day, in the site's time zone, as the
// site shows times.
func (d *letterData) DateTime(t time.Time) string { return d.words.DateTime(t.In(d.loc)) }

// Names lists the authors of a byline in the language: "A", "A and B",
// "A, B and C".
func (d *letterData) Names(authors []article.Author) string {
	return d.list(authors, func(name string) string { return name }, func(key, a, b string) string { return d.T(key, a, b) })
}

// NamesHTML is Names with each name isolated.
func (d *letterData) NamesHTML(authors []article.Author) htmltemplate.HTML {
	return htmltemplate.HTML(d.list(authors, func(name string) string { return string(d.Isolate(name)) }, func(key, a, b string) string {
		return string(d.HTML(key, htmltemplate.HTML(a), htmltemplate.HTML(b)))
	}))
}

// list joins the names of authors, each written by name, with the
// language's comma and its word for "and", put in by join.
func (d *letterData) list(authors []article.Author, name func(string) string, join func(key, a, b string) string) string {
	if len(authors) == 0 {
		return ""
	}
	out := name(authors[0].Name)
	for i, a := range authors[1:] {
		key := "mail.names_comma"
		if i == len(authors)-2 {
			key = "mail.names_and"
		}
		out = join(key, out, name(a.Name))
	}
	return out
}

// Attrs marks content in a language other than the letter's (an article
// in a digest of another language) with its own language and direction.
func (d *letterData) Attrs(lang string) htmltemplate.HTMLAttr {
	if lang == "" || lang == d.Lang {
		return ""
	}
	return htmltemplate.HTMLAttr(` lang="` + htmltemplate.HTMLEscapeString(lang) + `" dir="` + i18n.Dir(lang) + `"`)
}

// button is what the "button" template draws: a link that looks like one.
type button struct{ URL, Text string }

// Button is a link drawn as a button.
func (d *letterData) Button(url, text string) button { return button{url, text} }

// under is path in the edition of the letter's language, so that a
// reader who subscribed in the Persian edition confirms on its pages.
func (d *letterData) under(path string) string {
	for _, e := range d.Site.Editions {
		if e.Lang == d.lang {
			return e.Path(path)
		}
	}
	return path
}

// WithLanguage marks a subscription mail's label with the language the
// mail is to be written in, as "@fa label"; splitLanguage reads it back. A
// label without the mark (a message queued before it existed) leaves the
// language to the letter.
func WithLanguage(lang, label string) string {
	if lang == "" || strings.ContainsAny(lang, " @") {
		return label
	}
	return "@" + lang + " " + label
}

func splitLanguage(data string) (lang, label string) {
	if rest, ok := strings.CutPrefix(data, "@"); ok {
		if l, label, ok := strings.Cut(rest, " "); ok {
			return l, label
		}
	}
	return "", data
}
