package wxrtest

// What the site is made of: its people, its terms and the words of its
// stories. Titles are made by combining one word group from each of three
// lists, so a language's lists fix how many different titles it has
// before slugs need a "-2".

// author is a wp:author; beyond the list, logins take a number.
type author struct{ login, first, last, display string }

var authors = []author{
	{"admin", "Newsroom", "Desk", "Newsroom Desk"},
	{"aoife", "Aoife", "Ní Bhriain", "Aoife Ní Bhriain"},
	{"dkarimi", "Darius", "Karimi", "داریوش کریمی"},
	{"tom.baker", "", "", "tom.baker"},
	{"siobhan", "Siobhán", "O'Neill", "Siobhán O'Neill"},
	{"elena.p", "Елена", "Петрова", "Елена Петрова"},
	{"hhaddad", "Hassan", "Haddad", "حسن حداد"},
	{"grace", "Grace", "Murphy", "Grace Murphy"},
	{"rpatel", "Ravi", "Patel", "Ravi Patel"},
	{"chiara", "Chiara", "Rossi", "Chiara Rossi"},
}

// term is a category or a tag. A slug left empty is made from the name;
// parent is the index of a category's parent, earlier in the list, or -1.
// Names are stored the way WordPress stores them, "&" as "&amp;".
type term struct {
	name, slug string
	parent     int
	desc       string
}

// categories: the first is WordPress's own, which every site has.
var categories = []term{
	{"Uncategorized", "uncategorized", -1, ""},
	{"World", "", -1, "News from beyond the county &amp; the coast."},
	{"Europe", "", 1, ""},
	{"Ireland", "", 2, ""},
	{"Politics", "", -1, ""},
	{"Middle East", "", 1, ""},
	{"ایران", "", 5, "اخبار ایران"},
	{"Elections", "", 4, ""},
	{"Business", "", -1, "Money, markets &amp; work."},
	{"Markets", "", 8, ""},
	{"Sport", "", -1, "Football, sailing, hurling."},
	{"Football", "", 10, ""},
	{"Sailing", "", 10, ""},
	{"Culture", "", -1, ""},
	{"Books", "", 13, ""},
	{"Music", "", 13, ""},
	{"Food &amp; Drink", "food-drink", 13, ""},
	{"Science", "", -1, ""},
	{"Climate", "", 17, ""},
	{"Opinion", "", -1, ""},
	{"Letters", "", 19, "Your letters to the editor."},
	{"Local", "", -1, ""},
	{"Harbour", "", 21, ""},
	{"Schools", "", 21, ""},
	{"Россия", "", 2, ""},
	{"العالم العربي", "", 1, ""},
	{"Health", "", -1, ""},
	{"Travel", "", -1, ""},
}

var tags = []term{
	{"harbour", "", -1, ""},
	{"elections", "", -1, ""},
	{"Climate Change", "", -1, ""},
	{"football", "", -1, ""},
	{"ایران", "", -1, ""},
	{"ferry", "", -1, ""},
	{"budget", "", -1, ""},
	{"Café culture", "cafe-culture", -1, "Coffee, cake &amp; conversation."},
	{"schools", "", -1, ""},
	{"housing", "", -1, ""},
	{"Москва", "", -1, ""},
	{"transport", "", -1, ""},
	{"weather", "", -1, ""},
	{"tourism", "", -1, ""},
	{"fishing", "", -1, ""},
	{"القاهرة", "", -1, ""},
	{"health", "", -1, ""},
	{"festival", "", -1, ""},
	{"music", "", -1, ""},
	{"books", "", -1, ""},
	{"اقتصاد", "", -1, ""},
	{"council", "", -1, ""},
	{"police", "", -1, ""},
	{"courts", "", -1, ""},
	{"energy", "", -1, ""},
	{"wind farm", "", -1, ""},
	{"flooding", "", -1, ""},
	{"история", "", -1, ""},
	{"jobs", "", -1, ""},
	{"economy", "", -1, ""},
	{"Kilbride", "", -1, ""},
	{"تهران", "", -1, ""},
}

var pages = []string{
	"About", "Contact", "Advertise", "Subscribe", "Privacy policy", "Terms of use",
	"Corrections", "Jobs", "Newsletter", "Archive", "Our team", "Ethics",
	"Letters", "Tips", "Events", "Accessibility",
}

// A language of the site's stories: its title lists (in the order a
// title reads) and the words its paragraphs are made of. Every title's
// slug, percent-encoded, stays within the 200 characters WordPress
// allows, with room for a "-2".
type language struct {
	title [3][]string
	words []string
	stop  string // what ends a sentence
}

const (
	english = iota
	persian
	arabic
	russian
)

var languages = [...]language{
	english: {title: [3][]string{
		{"Harbour council", "Ferry operator", "County hospital", "Fishing fleet", "Town planners", "Rail union",
			"City museum", "Water board", "Lifeboat crew", "Library trust", "Football club", "Sailing club",
			"Regional airport", "Housing agency", "Police chief", "Fire service", "Weather office", "Tourist board",
			"University", "Chamber of commerce", "Bus company", "Theatre group", "Art college", "Health minister",
			"Energy supplier", "Port authority", "Festival committee", "Coastguard", "Market traders", "School board"},
		{"approves", "delays", "rejects", "unveils", "questions", "backs", "funds", "reviews", "postpones",
			"cancels", "expands", "defends", "welcomes", "criticises", "announces", "opens", "closes", "sells",
			"buys", "extends", "debates", "plans", "launches", "scraps", "revives", "doubles", "cuts", "wins",
			"loses", "celebrates"},
		{"new slipway plan", "winter timetable", "budget for next year", "harbour wall repairs", "summer festival",
			"parking charges", "bridge inspection", "school meals scheme", "flood defences", "night ferry",
			"library extension", "cycle lanes", "market licences", "lifeboat station", "pier lighting",
			"housing estate", "wind farm bid", "water tariffs", "museum archive", "regatta route", "bus shelters",
			"tree planting", "coastal path", "fish quota deal", "recycling centre", "youth league", "arts grant",
			"airport runway", "ward closures", "street names"},
	}, stop: "."},
	persian: {title: [3][]string{
		{"شورای شهر", "شهرداری", "بانک مرکزی", "وزارت نیرو", "هواشناسی", "باشگاه", "دانشگاه", "کتابخانه",
			"شرکت مترو", "مجلس"},
		{"بودجه", "طرح ترافیک", "نمایشگاه", "قیمت بلیت", "برنامه", "پل جدید", "جشنواره", "نرخ ارز",
			"طرح بازار", "فهرست"},
		{"را تصویب کرد", "را رد کرد", "را اعلام کرد", "را بررسی کرد", "را آغاز کرد", "را متوقف کرد",
			"را تمدید کرد", "را تأیید کرد", "را لغو کرد", "را گسترش داد"},
	}, words: []string{
		"شهر", "مردم", "دولت", "بازار", "امروز", "گزارش", "خبر", "اقتصاد", "فرهنگ", "ورزش", "دریا", "بندر",
		"کشتی", "باران", "تابستان", "مدرسه", "کتاب", "دانشجویان", "خیابان", "شورا", "جدید", "بزرگ", "قدیمی",
		"مهم", "است", "بود", "کرد", "گفت", "می‌شود", "خواهد", "در", "از", "به", "با", "برای", "این", "آن", "و",
	}, stop: "."},
	arabic: {title: [3][]string{
		{"يقر", "يؤجل", "يرفض", "يعلن", "يوسع", "يراجع", "يطلق", "يوقف", "يمدد", "يدعم"},
		{"مجلس المدينة", "البنك المركزي", "مجلس الشورى", "نادي الأهلي", "مجلس الوزراء", "الاتحاد",
			"المجلس البلدي", "مجلس الأمناء", "البرلمان", "الصندوق"},
		{"الميزانية", "خطة النقل", "معرض الكتاب", "الأسعار", "برنامج الصيف", "الجسر الجديد", "المهرجان",
			"سعر الصرف", "ترميم السوق", "القائمة"},
	}, words: []string{
		"المدينة", "الناس", "الحكومة", "السوق", "اليوم", "تقرير", "خبر", "الاقتصاد", "الثقافة", "الرياضة",
		"البحر", "الميناء", "السفينة", "المطر", "الصيف", "المدرسة", "الكتاب", "الطلاب", "الشارع", "المجلس",
		"جديد", "كبير", "قديم", "مهم", "قال", "كان", "في", "من", "إلى", "مع", "على", "هذا", "و",
	}, stop: "."},
	russian: {title: [3][]string{
		{"Горсовет", "Мэр", "Суд", "Губернатор", "Банк", "Профсоюз", "Клуб", "Порт", "Парламент", "Минфин"},
		{"утвердил", "отложил", "отклонил", "объявил", "расширил", "одобрил", "запустил", "продлил",
			"поддержал", "отменил"},
		{"бюджет", "план порта", "ярмарку", "цены", "расписание", "новый мост", "фестиваль", "ремонт рынка",
			"список", "проект"},
	}, words: []string{
		"город", "жители", "правительство", "рынок", "сегодня", "доклад", "новости", "экономика", "культура",
		"спорт", "море", "порт", "корабль", "дождь", "летом", "школа", "книга", "студенты", "улица", "совет",
		"новый", "большой", "старый", "важный", "сказал", "был", "будет", "в", "на", "из", "для", "и", "что", "это",
	}, stop: "."},
}

// The words of English paragraphs, by the slot they fill.
var (
	people = []string{"Áine Walsh", "Tomás Byrne", "Mary Doyle", "Darius Karimi", "Chiara Rossi", "Jan Kowalski",
		"Fatima Haddad", "Grace Murphy", "Ravi Patel", "Sophie Martin", "Liam O'Brien", "Niamh Kelly",
		"Hassan Ali", "Elena Petrova", "Peter Quinn", "Róisín Daly"}
	roles = []string{"the harbour master", "a council spokeswoman", "the chief executive", "a local shopkeeper",
		"the head teacher", "the club's chair", "a retired fisherman", "the minister", "a union official",
		"the festival director", "the returning officer", "a spokesman for the operator"}
	nouns = []string{"council", "harbour", "ferry", "budget", "plan", "report", "school", "market", "festival",
		"bridge", "station", "library", "hospital", "museum", "club", "match", "storm", "tide", "road", "park",
		"project", "committee", "vote", "survey", "crew", "season", "service", "scheme", "ward", "pier",
		"slipway", "timetable", "licence", "quota", "regatta", "lifeboat", "runway", "estate", "grant", "path"}
	adjectives = []string{"new", "old", "annual", "local", "delayed", "revised", "controversial", "popular",
		"costly", "modest", "ambitious", "temporary", "final", "early", "late", "quiet", "busy", "northern",
		"coastal", "public"}
	past = []string{"approved", "delayed", "rejected", "welcomed", "criticised", "announced", "opened",
		"closed", "reviewed", "extended", "funded", "praised", "questioned", "postponed", "expanded"}
	places = []string{"Merrow", "Kilbride", "the quays", "the old town", "the north pier", "Harbour Street",
		"the county", "the bay", "Castle Hill", "the marina", "Ballyvarra", "the island"}
	when = []string{"on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday",
		"on Sunday", "last week", "this morning", "in March", "before Christmas", "at the weekend"}
	feelings = []string{"delighted", "disappointed", "worried", "hopeful", "surprised", "not convinced"}
	groups   = []string{"residents", "parents", "traders", "skippers", "commuters", "pupils", "voters", "members"}
	blogs    = []string{"The Kilbride Gazette", "Coast Watch", "Sailing News", "A Town Planner's Notes",
		"Harbour Lights", "The County Record"}
)

// Commenters: a name and the address it writes from; some write in
// Persian, Arabic or Russian.
var commenters = []struct{ name, email string }{
	{"Zoë Ní Bhriain", "zoe@example.net"}, {"Pádraig", "padraig@example.com"},
	{"Дмитрий Соколов", "dmitri@example.org"}, {"angry_reader", "angry@example.com"},
	{"Seán", "sean@example.net"}, {"مریم رضایی", "maryam@example.org"},
	{"Jo Bloggs", "jo@example.com"}, {"Karim", "karim@example.net"},
	{"أحمد", "ahmed@example.org"}, {"M. Dubois", "m.dubois@example.fr"},
	{"harbourwatcher", "watcher@example.com"}, {"Bríd", "brid@example.ie"},
	{"Old Salt", "oldsalt@example.net"}, {"Anna K.", "anna.k@example.org"},
}

// Image subjects, what they do and where: an attachment's alt text and
// its file name.
var (
	imageSubjects = []string{"Fishing boats", "Ballot boxes", "A lifeboat", "Sailing dinghies", "The ferry",
		"Market stalls", "Schoolchildren", "A crowd", "The council chamber", "Storm waves", "A brass band",
		"Cyclists", "A harbour seal", "Fire engines", "Wind turbines", "The museum's new wing"}
	imageActions = []string{"tied up behind", "arriving at", "leaving", "gathered outside", "lined up along",
		"seen from", "crossing", "waiting at"}
	imagePlaces = []string{"the breakwater", "the town hall", "the slipway", "the north pier", "the quays",
		"the station", "the old bridge", "the marina", "the headland"}
)
