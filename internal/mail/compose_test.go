package mail_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/article"
	"broadsheet/internal/comment"
	"broadsheet/internal/i18n"
	bmail "broadsheet/internal/mail"
	"broadsheet/internal/mail/mailtest"
	"broadsheet/internal/store/sqlite"
	"broadsheet/internal/subscription"
)

// edition is a test site in one language: everything its readers and
// writers typed is in that language too, so that whatever Latin (or,
// in English, non-Latin) text a letter holds came from the mail itself.
type edition struct {
	lang, zone, title, section string
	headlines                  [2]string
	authors                    [2]string
	commenters                 [2]string
	body                       string
	passkey                    string // the name of a newsroom account's passkey
}

var editions = map[string]edition{
	"en": {"en", "UTC", "The Merrow Courier", "City", [2]string{"Harbour wall gives way", "Ferry timetable changes"},
		[2]string{"Ana Pereira", "Bo Lind"}, [2]string{"Cy", "Dee"}, "It was cracked for years.", "Work laptop"},
	"fa": {"fa", "Asia/Tehran", "پیک مرو", "شهر", [2]string{"دیوار بندر فرو ریخت", "جدول تازه حرکت کشتی‌ها"},
		[2]string{"سارا احمدی", "رضا کریمی"}, [2]string{"مریم", "علی"}, "سال‌ها ترک داشت.", "لپ‌تاپ دفتر"},
	"ar": {"ar", "Asia/Riyadh", "بريد مرو", "المدينة", [2]string{"انهيار جدار الميناء", "مواعيد جديدة للعبّارة"},
		[2]string{"سارة أحمد", "عمر خالد"}, [2]string{"ليلى", "يوسف"}, "كان متصدعًا منذ سنوات.", "حاسوب العمل"},
	"ru": {"ru", "Europe/Moscow", "Мерроуский вестник", "Город", [2]string{"Обрушилась стена гавани", "Новое расписание парома"},
		[2]string{"Анна Петрова", "Борис Линд"}, [2]string{"Ольга", "Иван"}, "Она трескалась годами.", "Рабочий ноутбук"},
}

// published is when the test articles came out: 29 November 2026, which
// is 8 Azar 1405 in Tehran, inside the digest of that day everywhere.
var published = time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)

// letterSite is a real SQLite site of the edition site, holding two
// articles of the edition article (with two authors), a comment and a
// reply to it.
type letterSite struct {
	db       *sqlite.DB
	letters  *bmail.Letters
	articles [2]*article.Article
	comment  *comment.Comment
	reply    *comment.Comment
}

func newLetterSite(t *testing.T, site, art edition) *letterSite {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "letters.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetClock(func() time.Time { return published.Add(6 * time.Hour) })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SetSite(ctx, article.Site{Title: site.title, Language: site.lang, TimeZone: site.zone, DigestHour: 7}))
	sec := article.Section{Slug: "city", Name: art.section}
	must(db.CreateSection(ctx, &sec))
	var authors []article.Author
	for i, name := range art.authors {
		a := article.Author{Slug: "author-" + strconv.Itoa(i), Name: name}
		must(db.CreateAuthor(ctx, &a))
		authors = append(authors, a)
	}
	s := &letterSite{db: db}
	for i, h := range art.headlines {
		a := &article.Article{Slug: "story-" + strconv.Itoa(i), Headline: h, Standfirst: art.body, Section: sec, Authors: authors,
			Status: article.Published, Language: art.lang, PublishedAt: published.Add(-time.Duration(i) * time.Hour)}
		must(db.CreateArticle(ctx, a))
		s.articles[i] = a
	}
	s.comment = &comment.Comment{ArticleID: s.articles[0].ID, Name: art.commenters[0], Email: "first@example.org", Body: art.body,
		Status: comment.Approved, Notify: true, Key: "first"}
	must(db.CreateComment(ctx, s.comment))
	s.reply = &comment.Comment{ArticleID: s.articles[0].ID, ParentID: s.comment.ID, Name: art.commenters[1], Email: "second@example.org",
		Body: art.body, Status: comment.Approved, Key: "second"}
	must(db.CreateComment(ctx, s.reply))
	s.letters, err = bmail.NewLetters(db, "https://news.example.org", subscription.Links{Key: []byte("a signing key of at least thirty-two bytes")})
	must(err)
	return s
}

// message is a message of each kind, as the outbox holds it.
func (s *letterSite) message(kind bmail.Kind, site edition) bmail.Message {
	expires := strconv.FormatInt(published.Add(48*time.Hour).Unix(), 10)
	label := i18n.For(site.lang).T("subscribe.label_site", site.title)
	m := bmail.Message{ID: 1, To: "reader@example.org", Kind: kind, ObjectID: 1}
	switch kind {
	case bmail.Confirm:
		m.Data = "nonce " + expires + " " + label
	case bmail.Subscribed:
		m.Data = "1 1 " + label
	case bmail.Article:
		m.ObjectID, m.Data = s.articles[0].ID, "1 1"
	case bmail.Comment:
		m.ObjectID, m.Data = s.comment.ID, "1 1"
	case bmail.Reply:
		m.ObjectID, m.Data = s.reply.ID, strconv.FormatInt(s.comment.ID, 10)
	case bmail.Digest:
		m.ObjectID, m.Data = 20261129, "1 1 site:0"
	case bmail.Moderation:
		m.Data = "2"
	case bmail.Reset:
		m.Data = "token." + expires + ".signature"
	case bmail.Security:
		m.Data, m.CreatedAt = "passkey_added|203.0.113.7|"+site.passkey, changed
	}
	return m
}

func (s *letterSite) compose(t *testing.T, kind bmail.Kind, site edition) *bmail.Letter {
	t.Helper()
	l, err := s.letters.Compose(context.Background(), s.message(kind, site))
	if err != nil {
		t.Fatalf("Compose(%s): %v", kind, err)
	}
	return l
}

var kinds = []bmail.Kind{bmail.Confirm, bmail.Subscribed, bmail.Article, bmail.Comment, bmail.Reply, bmail.Digest, bmail.Moderation, bmail.Reset, bmail.Security}

// changed is when a security letter's change was made: 08:00 in London,
// 11:30 in Tehran.
var changed = published.Add(6 * time.Hour)

// phrases are words each kind of letter says, in each language, in both
// of its parts.
var phrases = map[string]map[bmail.Kind]string{
	"en": {bmail.Confirm: "hopefully you, asked to receive", bmail.Subscribed: "It was confirmed before", bmail.Article: "because you subscribed to",
		bmail.Comment: "commented on", bmail.Reply: "replied to your comment on", bmail.Digest: "daily digest because",
		bmail.Moderation: "held for moderation", bmail.Reset: "reset the password of the newsroom account",
		bmail.Security: "was added to your newsroom account"},
	"fa": {bmail.Confirm: "امیدواریم خود شما باشید", bmail.Subscribed: "پیش‌تر تأیید شده بود", bmail.Article: "چون مشترک",
		bmail.Comment: "نظر گذاشت", bmail.Reply: "به نظر شما زیر مطلب", bmail.Digest: "این خلاصه روزانه",
		bmail.Moderation: "در انتظار تأیید است", bmail.Reset: "گذرواژه حساب تحریریه",
		bmail.Security: "به حساب تحریریه شما"},
	"ar": {bmail.Confirm: "ونأمل أن تكون أنت", bmail.Subscribed: "فلم نطلب تأكيده", bmail.Article: "لأنك مشترك في",
		bmail.Comment: "تعليق جديد من", bmail.Reply: "على تعليقك في", bmail.Digest: "هذا الموجز اليومي",
		bmail.Moderation: "بانتظار الإشراف على", bmail.Reset: "إعادة تعيين كلمة مرور حساب",
		bmail.Security: "أُضيف مفتاح مرور باسم"},
	"ru": {bmail.Confirm: "надеемся, что вы", bmail.Subscribed: "Адрес уже был подтверждён", bmail.Article: "подписаны на новости сайта",
		bmail.Comment: "комментирует статью", bmail.Reply: "отвечает на ваш комментарий к статье", bmail.Digest: "ежедневную подборку",
		bmail.Moderation: "ждут модерации", bmail.Reset: "сбросить пароль учётной записи",
		bmail.Security: "добавлен ключ доступа"},
}

// said are the dates and counts the letters of a kind write, in each
// language: the article's date (Solar Hijri in Persian), the digest's
// day, and the plural form of two.
var said = map[string]map[bmail.Kind][]string{
	"en": {bmail.Article: {"Published 29 November 2026"}, bmail.Digest: {"29 November 2026", "2 new articles today"},
		bmail.Moderation: {"2 comments are waiting", "2 readers' comments"}, bmail.Confirm: {"1 December 2026, 02:00"},
		bmail.Security: {"29 November 2026, 08:00", "Work laptop"}},
	"fa": {bmail.Article: {"تاریخ انتشار: ۸ آذر ۱۴۰۵"}, bmail.Digest: {"۸ آذر ۱۴۰۵", "۲ مطلب تازه امروز"},
		bmail.Moderation: {"۲ نظر در انتظار تأیید", "۲ نظر خوانندگان"}, bmail.Confirm: {"۱۰ آذر ۱۴۰۵، ۰۵:۳۰"},
		bmail.Security: {"۸ آذر ۱۴۰۵، ۱۱:۳۰", "لپ‌تاپ دفتر"}},
	"ar": {bmail.Article: {"نُشر في ٢٩ نوفمبر ٢٠٢٦"}, bmail.Digest: {"٢٩ نوفمبر ٢٠٢٦", "مقالان جديدان اليوم (٢)"},
		bmail.Moderation: {"تعليقان بانتظار الإشراف (٢)", "تعليقان من القراء (٢)"}, bmail.Confirm: {"١ ديسمبر ٢٠٢٦، ٠٥:٠٠"},
		bmail.Security: {"٢٩ نوفمبر ٢٠٢٦، ١١:٠٠", "حاسوب العمل"}},
	"ru": {bmail.Article: {"Опубликовано 29 ноября 2026"}, bmail.Digest: {"29 ноября 2026", "2 новые статьи"},
		bmail.Moderation: {"2 комментария ждут", "2 комментария читателей"}, bmail.Confirm: {"1 декабря 2026, 05:00"},
		bmail.Security: {"29 ноября 2026, 11:00", "Рабочий ноутбук"}},
}

var (
	headPattern   = regexp.MustCompile(`(?s)<head>.*</head>`)
	inlinePattern = regexp.MustCompile(`</?(a|bdi|strong)\b[^>]*>`)
	tagPattern    = regexp.MustCompile(`<[^>]*>`)
	linkPattern   = regexp.MustCompile(`https?://\S+|\S+@\S+`)
	latinPattern  = regexp.MustCompile(`[A-Za-z]+`)
	otherScripts  = regexp.MustCompile(`[\p{Arabic}\p{Cyrillic}]+`)
)

// visible is the text a reader sees in an HTML part, a line a block.
func visible(h string) string {
	h = inlinePattern.ReplaceAllString(headPattern.ReplaceAllString(h, ""), "")
	return html.UnescapeString(tagPattern.ReplaceAllString(h, "\n"))
}

// Every letter, in every language, is written in that language from the
// subject to the footer: what it says of its own is in the language's
// words (no Latin letters outside addresses in Persian, Arabic and
// Russian; only Latin ones in English), with its dates in the language's
// calendar and digits and its counts in their plural forms; and its HTML
// part says its language and direction.
func TestLettersSpeakTheLanguage(t *testing.T) {
	for lang, ed := range editions {
		t.Run(lang, func(t *testing.T) {
			s := newLetterSite(t, ed, ed)
			dir := i18n.Dir(lang)
			for _, kind := range kinds {
				l := s.compose(t, kind, ed)
				seen := visible(l.HTML)
				for part, text := range map[string]string{"subject": l.Subject, "text": l.Text, "HTML": seen} {
					bare := linkPattern.ReplaceAllString(text, "")
					if lang != "en" {
						if w := latinPattern.FindString(bare); w != "" {
							t.Errorf("%s %s holds the Latin %q:\n%s", kind, part, w, text)
						}
					} else if w := otherScripts.FindString(bare); w != "" {
						t.Errorf("%s %s holds %q:\n%s", kind, part, w, text)
					}
				}
				if l.Subject == "" {
					t.Errorf("%s has no subject", kind)
				}
				phrase := phrases[lang][kind]
				if !strings.Contains(l.Text, phrase) || !strings.Contains(seen, phrase) {
					t.Errorf("%s does not say %q in both parts:\n%s\n%s", kind, phrase, l.Text, seen)
				}
				if english := phrases["en"][kind]; lang != "en" && (strings.Contains(l.Text, english) || strings.Contains(l.HTML, english)) {
					t.Errorf("%s says %q in English", kind, english)
				}
				for _, want := range said[lang][kind] {
					if !strings.Contains(l.Subject+"\n"+l.Text, want) || !strings.Contains(l.Subject+"\n"+seen, want) {
						t.Errorf("%s does not write %q:\nSubject: %s\n%s\n%s", kind, want, l.Subject, l.Text, seen)
					}
				}
				for _, attrs := range []string{`<html lang="` + lang + `" dir="` + dir + `">`, `<div lang="` + lang + `" dir="` + dir + `" style="`} {
					if !strings.Contains(l.HTML, attrs) {
						t.Errorf("%s HTML lacks %s:\n%s", kind, attrs, l.HTML)
					}
				}
				if align := "text-align:" + map[string]string{"ltr": "left", "rtl": "right"}[dir]; !strings.Contains(l.HTML, align) {
					t.Errorf("%s HTML lacks %s", kind, align)
				}
			}
		})
	}
}

// The subjects are the language's own sentences, names and titles in
// their places.
func TestLetterSubjects(t *testing.T) {
	want := map[string]map[bmail.Kind]string{
		"en": {bmail.Confirm: "Confirm your subscription to The Merrow Courier", bmail.Reply: "Dee replied to your comment",
			bmail.Comment: "New comment on “Harbour wall gives way”", bmail.Article: "Harbour wall gives way"},
		"fa": {bmail.Confirm: "اشتراک خود در پیک مرو را تأیید کنید", bmail.Reply: "علی به نظر شما پاسخ داد",
			bmail.Comment: "نظر تازه درباره «دیوار بندر فرو ریخت»", bmail.Article: "دیوار بندر فرو ریخت"},
		"ar": {bmail.Confirm: "أكّد اشتراكك في بريد مرو", bmail.Reply: "ردّ من يوسف على تعليقك",
			bmail.Comment: "تعليق جديد على «انهيار جدار الميناء»", bmail.Article: "انهيار جدار الميناء"},
		"ru": {bmail.Confirm: "Подтвердите подписку на сайте Мерроуский вестник", bmail.Reply: "Иван отвечает на ваш комментарий",
			bmail.Comment: "Новый комментарий к статье «Обрушилась стена гавани»", bmail.Article: "Обрушилась стена гавани"},
	}
	for lang, subjects := range want {
		s := newLetterSite(t, editions[lang], editions[lang])
		for kind, subject := range subjects {
			if got := s.compose(t, kind, editions[lang]).Subject; got != subject {
				t.Errorf("%s %s subject %q, want %q", lang, kind, got, subject)
			}
		}
	}
}

// A byline names its authors with the language's comma and "and".
func TestLetterByline(t *testing.T) {
	for lang, want := range map[string]string{"en": "By Ana Pereira and Bo Lind", "fa": "نوشته سارا احمدی و رضا کریمی",
		"ar": "بقلم سارة أحمد وعمر خالد", "ru": "Текст: Анна Петрова и Борис Линд"} {
		s := newLetterSite(t, editions[lang], editions[lang])
		l := s.compose(t, bmail.Article, editions[lang])
		if !strings.Contains(l.Text, want) || !strings.Contains(visible(l.HTML), want) {
			t.Errorf("%s article mail does not say %q:\n%s\n%s", lang, want, l.Text, l.HTML)
		}
	}
}

// A letter about an article is in the article's language; the others are
// in the site's, and show an article in another language as such.
func TestLetterLanguageFollowsTheArticle(t *testing.T) {
	s := newLetterSite(t, editions["en"], editions["fa"])
	for kind, lang := range map[bmail.Kind]string{bmail.Article: "fa", bmail.Comment: "fa", bmail.Reply: "fa",
		bmail.Confirm: "en", bmail.Subscribed: "en", bmail.Digest: "en", bmail.Moderation: "en", bmail.Reset: "en",
		bmail.Security: "en"} {
		l := s.compose(t, kind, editions["en"])
		if want := fmt.Sprintf(`<html lang="%s" dir="%s">`, lang, i18n.Dir(lang)); !strings.Contains(l.HTML, want) {
			t.Errorf("%s: HTML lacks %s", kind, want)
		}
		if lang == "fa" && !strings.Contains(l.Text, phrases["fa"][kind]) {
			t.Errorf("%s is not in Persian:\n%s", kind, l.Text)
		}
		if lang == "en" && !strings.Contains(l.Text, phrases["en"][kind]) {
			t.Errorf("%s is not in English:\n%s", kind, l.Text)
		}
	}
	digest := s.compose(t, bmail.Digest, editions["en"])
	if n := strings.Count(digest.HTML, `<div lang="fa" dir="rtl">`); n != 2 {
		t.Errorf("the English digest marks %d Persian articles as Persian, want 2:\n%s", n, digest.HTML)
	}
}

// A Persian subject crosses a real SMTP conversation as encoded-words
// and reads back, decoded, exactly as composed; the parts arrive in
// Persian, right to left.
func TestPersianLetterThroughSMTP(t *testing.T) {
	fa := editions["fa"]
	s := newLetterSite(t, fa, fa)
	m := s.message(bmail.Reply, fa)
	m.Key = bmail.KeyID(m.To, m.Kind, m.ObjectID)
	got := s.deliver(t, m)
	raw := got.Header.Get("Subject")
	subject, err := new(mime.WordDecoder).DecodeHeader(raw)
	if want := "علی به نظر شما پاسخ داد"; err != nil || subject != want {
		t.Errorf("Subject %q decodes to %q (%v), want %q", raw, subject, err, want)
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return r > 127 }) {
		t.Errorf("Subject %q is not encoded for the header", raw)
	}
	if want := "علی به نظر شما زیر مطلب «دیوار بندر فرو ریخت» پاسخ داد:"; !strings.Contains(got.Text, want) {
		t.Errorf("the text part does not say %q:\n%s", want, got.Text)
	}
	if !strings.Contains(got.HTML, `<html lang="fa" dir="rtl">`) || !strings.Contains(got.HTML, "دیگر از پاسخ‌های این نظر باخبرم نکنید") {
		t.Errorf("the HTML part is not Persian, right to left:\n%s", got.HTML)
	}
}

// deliver queues m and has a worker send it to a real SMTP server, which
// it returns as received.
func (s *letterSite) deliver(t *testing.T, m bmail.Message) mailtest.Received {
	t.Helper()
	ctx := context.Background()
	srv := mailtest.Start(t)
	sender, err := bmail.ParseSMTP(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	w := &bmail.Worker{Outbox: s.db, Letters: s.letters, SMTP: sender, From: "news@courier.example",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return changed }}
	if err := s.db.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Step(ctx); err != nil {
		t.Fatal(err)
	}
	return srv.Wait(t, 1, 5*time.Second)[0]
}

// What readers and editors typed reaches the HTML part as text, inside
// the translated sentences as well as around them.
func TestLetterHTMLEscapesWhatWasTyped(t *testing.T) {
	ed := editions["en"]
	ed.title = `The <i>Courier</i>`
	ed.headlines[0] = `Tolls & "fares" <rise>`
	ed.commenters = [2]string{`<img src=x onerror=alert(1)>`, `Dee</bdi><script>`}
	ed.passkey = `<b>"x"</b>`
	s := newLetterSite(t, ed, ed)
	for _, kind := range kinds {
		l := s.compose(t, kind, ed)
		for _, bad := range []string{"<i>", "<img", "<script", `"fares"`, "& ", "<b>", `"x"`} {
			if strings.Contains(l.HTML, bad) {
				t.Errorf("%s HTML holds %q unescaped:\n%s", kind, bad, l.HTML)
			}
		}
	}
	reply := s.compose(t, bmail.Reply, ed)
	if want := `<strong><bdi>Dee&lt;/bdi&gt;&lt;script&gt;</bdi></strong> replied to your comment on “<a href="https://news.example.org/city/story-0" style="color:#1a1a1a">Tolls &amp; &#34;fares&#34; &lt;rise&gt;</a>”:`; !strings.Contains(reply.HTML, want) {
		t.Errorf("the reply's lead is not\n%s\nin:\n%s", want, reply.HTML)
	}
	security := s.compose(t, bmail.Security, ed)
	if want := `A passkey named “<strong><bdi>&lt;b&gt;&#34;x&#34;&lt;/b&gt;</bdi></strong>” was added to your newsroom account <bdi>reader@example.org</bdi> on The &lt;i&gt;Courier&lt;/i&gt;.`; !strings.Contains(security.HTML, want) {
		t.Errorf("the security letter's lead is not\n%s\nin:\n%s", want, security.HTML)
	}
}

// A reader who subscribes to a section of the Persian edition of an
// English site is asked to confirm in Persian, on the Persian edition's
// pages; the request's language travels with the queued message.
func TestSubscriptionMailInItsEditionsLanguage(t *testing.T) {
	s := newLetterSite(t, editions["en"], editions["en"])
	ctx := context.Background()
	site, err := s.db.Site(ctx)
	if err != nil {
		t.Fatal(err)
	}
	site.Editions = []article.Edition{{Lang: "fa", Title: "پیک مرو"}}
	if err := s.db.SetSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	sec := article.Section{Slug: "jahan", Name: "جهان", Edition: "fa"}
	if err := s.db.CreateSection(ctx, &sec); err != nil {
		t.Fatal(err)
	}
	label := i18n.For("fa").T("subscribe.label_section", sec.Name)
	if _, err := s.db.Subscribe(ctx, subscription.Request{Email: "reader@example.org", Scope: subscription.Scope{Kind: subscription.Section, ID: sec.ID},
		Frequency: subscription.Immediate, Nonce: "nonce", Consent: "test", Label: label, Language: "fa"}); err != nil {
		t.Fatal(err)
	}
	queued, err := s.db.OutboxList(ctx, bmail.Queued, 0, 10)
	if err != nil || len(queued) != 1 || queued[0].Kind != bmail.Confirm {
		t.Fatalf("outbox = %+v, %v; want one confirmation", queued, err)
	}
	l, err := s.letters.Compose(ctx, queued[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{phrases["fa"][bmail.Confirm], label, "https://news.example.org/fa/subscribe/confirm?t="} {
		if !strings.Contains(l.Text, want) {
			t.Errorf("the confirmation lacks %q:\n%s", want, l.Text)
		}
	}
	if !strings.Contains(l.HTML, `<html lang="fa" dir="rtl">`) || strings.Contains(l.Text, "@fa") {
		t.Errorf("the confirmation is not a Persian letter, or shows its language mark:\n%s", l.Text)
	}
	// A message queued before messages carried a language is the site's.
	old := queued[0]
	old.Data = "nonce " + strconv.FormatInt(published.Add(48*time.Hour).Unix(), 10) + " " + label
	if l, err := s.letters.Compose(ctx, old); err != nil || !strings.Contains(l.HTML, `<html lang="en"`) {
		t.Errorf("an unmarked confirmation: %v; want it in English", err)
	}
}
