package web

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// archiveText writes the words of the archive BenchmarkArticlePageArchive
// reads, from fixed word lists and a fixed seed, after the corpus of the
// discovery benchmark (internal/store/sqlite/discovery_bench_test.go):
// English drawn from a general vocabulary and from the article's topic's
// own, each with a Zipf-like distribution, so that More Articles finds
// articles on the same topic; 3% each of Persian and Russian articles.
type archiveText struct {
	rng     *rand.Rand
	general []string // most frequent first
	topics  []archiveTopic
	zWord   *rand.Zipf // over general
	zTopicW *rand.Zipf // over a topic's words
	zTopic  *rand.Zipf // which topic an article is about
	fa, ru  archiveLang
	names   []string // commenters
}

type archiveTopic struct {
	name    string // its tag's name
	section int
	words   []string // most frequent first
}

// archiveLang is a language written from a short list: function words,
// and content words of which each topic favours its own stretch.
type archiveLang struct {
	function, content []string
	zFunc, zContent   *rand.Zipf
}

// archiveDraft is one article's text.
type archiveDraft struct {
	lang, headline, standfirst, body string
	topic                            int
}

const (
	archiveGeneralWords = 4_000
	archiveTopicWords   = 150
	// Shares of words from the article's topic: body, headline, comment.
	archiveTopicBody     = 0.22
	archiveTopicHeadline = 0.5
	archiveTopicComment  = 0.12
)

func newArchiveText(rng *rand.Rand) *archiveText {
	t := &archiveText{rng: rng}
	seen := map[string]bool{}
	add := func(list []string, w string) []string {
		if seen[w] {
			return list
		}
		seen[w] = true
		return append(list, w)
	}
	for _, w := range strings.Fields(archiveEnglish) {
		t.general = add(t.general, w)
	}
	for _, line := range strings.Split(strings.TrimSpace(archiveTopics), "\n") {
		name, rest, _ := strings.Cut(line, ":")
		sec, words, _ := strings.Cut(rest, "|")
		tp := archiveTopic{name: strings.TrimSpace(name)}
		tp.section, _ = strconv.Atoi(strings.TrimSpace(sec))
		for _, w := range strings.Fields(words) {
			tp.words = add(tp.words, w)
		}
		t.topics = append(t.topics, tp)
	}
	// The rest of each vocabulary is made-up words, none of them English.
	for len(t.general) < archiveGeneralWords {
		t.general = add(t.general, archiveMadeUp(rng))
	}
	for i := range t.topics {
		for len(t.topics[i].words) < archiveTopicWords {
			t.topics[i].words = add(t.topics[i].words, archiveMadeUp(rng))
		}
	}
	// An offset of 2.7 gives the most frequent word about 6% of the text,
	// as "the" has in English.
	t.zWord = rand.NewZipf(rng, 1.07, 2.7, archiveGeneralWords-1)
	t.zTopicW = rand.NewZipf(rng, 1.07, 2.7, archiveTopicWords-1)
	t.zTopic = rand.NewZipf(rng, 1.1, 4, uint64(len(t.topics)-1))
	t.fa = newArchiveLang(rng, archivePersianFunction, archivePersianContent)
	t.ru = newArchiveLang(rng, archiveRussianFunction, archiveRussianContent)
	first, last := strings.Fields(archiveFirstNames), strings.Fields(archiveLastNames)
	for _, f := range first {
		for _, l := range last {
			t.names = append(t.names, f+" "+l)
		}
	}
	return t
}

func newArchiveLang(rng *rand.Rand, function, content string) archiveLang {
	l := archiveLang{function: strings.Fields(function), content: strings.Fields(content)}
	l.zFunc = rand.NewZipf(rng, 1.2, 1, uint64(len(l.function)-1))
	l.zContent = rand.NewZipf(rng, 1.07, 2.7, uint64(len(l.content)-1))
	return l
}

func archiveMadeUp(rng *rand.Rand) string {
	const cons, vows = "bdfgklmnprstvz", "aeiou"
	var b strings.Builder
	for range 2 + rng.IntN(3) {
		b.WriteByte(cons[rng.IntN(len(cons))])
		b.WriteByte(vows[rng.IntN(len(vows))])
	}
	if rng.IntN(3) == 0 {
		b.WriteByte("nrst"[rng.IntN(4)])
	}
	return b.String()
}

// word picks one word of a text in lang about topic tp.
func (t *archiveText) word(lang string, tp int, topicShare float64) string {
	switch lang {
	case "fa":
		return t.fa.word(t.rng, tp, topicShare)
	case "ru":
		return t.ru.word(t.rng, tp, topicShare)
	}
	if t.rng.Float64() < topicShare {
		return t.topics[tp].words[t.zTopicW.Uint64()]
	}
	w := t.zWord.Uint64()
	for topicShare >= archiveTopicHeadline && w < 30 { // headlines do without most function words
		w = t.zWord.Uint64()
	}
	return t.general[w]
}

func (l *archiveLang) word(rng *rand.Rand, tp int, topicShare float64) string {
	if rng.Float64() > topicShare+0.3 {
		return l.function[l.zFunc.Uint64()]
	}
	return l.content[(int(l.zContent.Uint64())+7*tp)%len(l.content)]
}

// sentence writes n words ending in a full stop, with a comma now and then.
func (t *archiveText) sentence(b *strings.Builder, lang string, tp, n int, topicShare float64) {
	for i := range n {
		w := t.word(lang, tp, topicShare)
		if i == 0 {
			r, size := utf8.DecodeRuneInString(w)
			w = string(unicode.ToUpper(r)) + w[size:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		if i > 2 && i < n-2 && t.rng.IntN(9) == 0 {
			if lang == "fa" {
				b.WriteString("،")
			} else {
				b.WriteByte(',')
			}
		}
	}
	b.WriteByte('.')
}

// paragraph writes about n words of sentences, with a link or emphasis
// now and then.
func (t *archiveText) paragraph(b *strings.Builder, lang string, tp, n int, topicShare float64) {
	for first := true; n > 0; first = false {
		if !first {
			b.WriteByte(' ')
		}
		k := min(n, 8+t.rng.IntN(15))
		n -= k
		switch t.rng.IntN(20) {
		case 0:
			fmt.Fprintf(b, "[%s](https://example.org/%d) ", t.word(lang, tp, topicShare), t.rng.IntN(1e6))
			k--
		case 1:
			fmt.Fprintf(b, "*%s* ", t.word(lang, tp, topicShare))
			k--
		}
		if k > 0 {
			t.sentence(b, lang, tp, k, topicShare)
		}
	}
}

// draft writes an article: a headline of 6–12 words, a standfirst of
// about 25 and a Markdown body of 800–1,000 words in paragraphs, with
// subheadings, a quotation and a list now and then.
func (t *archiveText) draft() archiveDraft {
	d := archiveDraft{lang: "en", topic: int(t.zTopic.Uint64())}
	switch r := t.rng.IntN(100); {
	case r < 3:
		d.lang = "fa"
	case r < 6:
		d.lang = "ru"
	}
	var b strings.Builder
	t.sentence(&b, d.lang, d.topic, 6+t.rng.IntN(7), archiveTopicHeadline)
	d.headline = strings.TrimSuffix(b.String(), ".")
	b.Reset()
	for words := 20 + t.rng.IntN(11); words > 0; {
		n := min(words, 8+t.rng.IntN(10))
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		t.sentence(&b, d.lang, d.topic, n, archiveTopicHeadline-0.1)
		words -= n
	}
	d.standfirst = b.String()
	b.Reset()
	b.Grow(8 << 10)
	for words := 800 + t.rng.IntN(201); words > 0; {
		if b.Len() > 0 {
			b.WriteString("\n\n")
			switch t.rng.IntN(14) {
			case 0, 1:
				b.WriteString("## ")
				t.sentence(&b, d.lang, d.topic, 3+t.rng.IntN(3), archiveTopicHeadline)
				b.WriteString("\n\n")
			case 2:
				b.WriteString("> ")
				t.sentence(&b, d.lang, d.topic, 10+t.rng.IntN(10), archiveTopicBody)
				b.WriteString("\n\n")
				words -= 15
			case 3:
				for range 3 {
					b.WriteString("- ")
					t.sentence(&b, d.lang, d.topic, 5+t.rng.IntN(6), archiveTopicBody)
					b.WriteByte('\n')
				}
				b.WriteByte('\n')
				words -= 24
			}
		}
		n := min(max(words, 1), 40+t.rng.IntN(70))
		words -= n
		t.paragraph(&b, d.lang, d.topic, n, archiveTopicBody)
	}
	d.body = b.String()
	return d
}

// comment writes a reader's comment on an article in lang about tp: most
// are a few sentences, some run to several paragraphs.
func (t *archiveText) comment(lang string, tp int) string {
	words := int(math.Exp(3.4 + 0.7*t.rng.NormFloat64())) // median 30
	words = min(max(words, 4), 400)
	var b strings.Builder
	for words > 0 {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		if t.rng.IntN(25) == 0 {
			b.WriteString("> ")
			t.sentence(&b, lang, tp, 6+t.rng.IntN(8), archiveTopicBody)
			b.WriteString("\n\n")
		}
		n := min(words, 20+t.rng.IntN(60))
		words -= n
		t.paragraph(&b, lang, tp, n, archiveTopicComment)
	}
	return b.String()
}

// Word lists. English starts with the most frequent words of news
// writing, function words included, in roughly their order.
const archiveEnglish = `the of and to a in that is was for on it with as he said by at from his be have has an are
they but not this were had been which who their will would its she one after two new more year also we people last
first about there or her up than over out government years when them other some time could into week all can told
what three no most many just our since state because so public before while against only country president national
local under police where made group us officials city between being during still through make should day several
plan may now back former both those next report like help percent million four five even well part how later around
across minister family work called says added statement news support including expected according spokesman early
take high show long second left set world children women men money court health school law today house office
home north south east west party leader leaders members force forces billion power system without among another big
small major international foreign military economic political social financial official decision question issue
issues problem problems change changes case cases number half end start began recent recently already however
although despite within further less least much every each own same such few life area region community service
services company companies market program project data information research study evidence`

// archiveTopics: name: section | the topic's own words, most frequent first.
const archiveTopics = `
Elections: 0 | election ballot vote voters turnout candidate campaign parliament coalition polling opposition constituency referendum
Courts: 0 | court judge trial verdict appeal prosecutor lawyer sentence jury ruling testimony acquittal
Diplomacy: 0 | summit treaty embassy sanctions talks ambassador negotiation envoy alliance delegation communique
Conflict: 0 | war troops ceasefire missile shelling army frontline casualties drone offensive artillery
Migration: 0 | migrants asylum refugees border visa deportation citizenship smugglers camp crossing
City: 0 | council housing rent transport tram planning mayor depot neighbourhood traffic cyclists
Economy: 1 | inflation interest rates growth recession unemployment wages prices household borrowing
Markets: 1 | shares stocks investors bonds currency dollar exchange index traders earnings dividend
Energy: 1 | oil gas electricity solar wind pipeline grid fuel turbine refinery
Technology: 1 | software internet startup smartphone artificial intelligence privacy chips encryption platform
Trade: 1 | exports imports tariffs shipping port customs supply containers freight
Film: 2 | film director cinema festival actor premiere screenplay documentary studio
Music: 2 | album concert band singer orchestra tour festival songwriter guitarist
Books: 2 | novel poetry publisher library prize memoir translation bookshop
Art: 2 | exhibition museum painting gallery sculpture artist curator portrait
Football: 3 | football league goal striker match coach stadium penalty club midfielder
Tennis: 3 | tennis tournament serve slam racket quarterfinal seed wimbledon
Athletics: 3 | olympics marathon sprint medal athlete record relay javelin
Climate: 4 | climate emissions warming drought flood carbon glacier heatwave wildfire rainfall
Health: 4 | hospital doctors vaccine patients virus nurses surgery clinic outbreak diagnosis
`

const archivePersianFunction = `و در به از که این را با است برای آن یک خود تا کرد بر هم نیز شده شد بود کند اما وی ما آنها همه باید گفت سال روز امروز دیگر بیش چند هنوز`

const archivePersianContent = `انتخابات مجلس دولت وزیر اقتصاد بازار نفت قیمت تورم بانک مرکزی دانشگاه دانشجویان آموزش سلامت
بیمارستان پزشکان ورزش فوتبال تیم ملی بازی فیلم سینما موسیقی کتاب هنر آب باران خشکسالی هوا آلودگی تهران شهر
شهرداری مردم جامعه زنان کودکان کارگران حقوق دادگاه قاضی پلیس امنیت جنگ صلح مذاکرات توافق تحریم سازمان ملل
آمریکا اروپا روسیه چین افغانستان عراق مرز پناهجویان فناوری اینترنت فیلترینگ تلفن شرکت صنعت خودرو کشاورزی
گندم زلزله سیل آتش ریاست جمهوری رئیس نماینده حزب اصلاحات اعتراض خبرنگار رسانه روزنامه تلویزیون گزارش پژوهش`

const archiveRussianFunction = `и в не на что с по это как из за от для о также году после уже был была были будет может его их который которые при но все еще сказал заявил сегодня года более`

const archiveRussianContent = `выборы правительство президент президента министр парламент дума партия оппозиция экономика рынок нефть цены
инфляция банк рубль доллар бюджет налоги университет студенты школа образование здоровье больница врачи вакцина
спорт футбол команда матч чемпионат кино фильм театр музыка книга выставка погода дождь снег засуха климат москва
город мэрия жители общество женщины дети рабочие суд судья полиция безопасность война мир переговоры соглашение
санкции оон америка европа китай граница беженцы технологии интернет телефон компания промышленность автомобиль`

const archiveFirstNames = `Ada Alan Amira Anna Arash Ben Carla Chen Dana David Elena Farah Grace Hassan Ivan Jamal Julia Karim Lena Leila
Maria Marco Nadia Nina Omar Pavel Priya Rosa Sam Sara Tom Vera Yusuf Zahra Olga Peter Mina Hugo Iris Leo`

const archiveLastNames = `Adams Bauer Brown Cohen Davies Evans Farsi Garcia Hosseini Ivanova Jones Khan Kowalski Lee Lopez Martin Meyer
Moreau Novak Okafor Petrov Rahimi Rossi Silva Smith Tanaka Turner Walker Weber Young Ahmadi Berg Costa Duval Ellis`
