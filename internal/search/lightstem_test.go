package search

import (
	"slices"
	"testing"
)

// TestLightStems: the terms of Persian and Arabic words typed the way
// readers and writers type them, through Terms, so that the affixes are
// matched in Normalize's folded letters.
func TestLightStems(t *testing.T) {
	tests := []struct {
		name, lang, in string
		want           []string
	}{
		// Persian plurals.
		{"fa plural joined", "fa", "کتابها", []string{"کتاب"}},
		{"fa plural after zwnj", "fa", "کتاب‌ها", []string{"کتاب"}},
		{"fa plural after a space", "fa", "کتاب ها", []string{"کتاب"}},
		{"fa plural with ezafe", "fa", "کتاب‌های", []string{"کتاب"}},
		{"fa plural with ezafe in arabic letters", "fa", "كتابهاي", []string{"کتاب"}},
		{"fa plural with indefinite", "fa", "کتاب‌هایی", []string{"کتاب"}},
		{"fa plural with their", "fa", "کتاب‌هایشان", []string{"کتاب"}},
		{"fa plural with his", "fa", "کتاب‌هایش", []string{"کتاب"}},
		{"fa plural of a word in heh", "fa", "رسانه‌ها", []string{"رسانه"}},
		{"fa animate plural", "fa", "رهبران", []string{"رهبر"}},
		{"fa animate plural of officials", "fa", "مسئولان", []string{"مسئول"}},
		{"fa plural gan restores heh", "fa", "نمایندگان", []string{"نماینده"}},
		{"fa plural gan of a compound", "fa", "رأی‌دهندگان", []string{"رایدهنده"}},
		{"fa plural yan after a vowel", "fa", "دانشجویان", []string{"دانشجو"}},
		{"fa plural yan after alef", "fa", "اصولگرایان", []string{"اصولگرا"}},
		{"fa plural an after yeh keeps the yeh", "fa", "ایرانیان", []string{"ایرانی"}},
		{"fa arabic plural read as its singular", "fa", "مذاکرات", []string{"مذاکره"}},
		{"fa arabic plural of attacks", "fa", "حملات", []string{"حمله"}},
		{"fa their", "fa", "کشورشان", []string{"کشور"}},
		{"fa his after a silent heh", "fa", "خانه‌اش", []string{"خانه"}},
		{"fa superlative", "fa", "بزرگ‌ترین", []string{"بزرگ"}},
		{"fa superlative after a space", "fa", "مهم ترین", []string{"مهم"}},
		{"fa comparative", "fa", "بزرگ‌تر", []string{"بزرگ"}},
		{"fa plural of a comparative", "fa", "بزرگ‌ترها", []string{"بزرگ"}},
		{"fa ezafe after zwnj is no part of the word", "fa", "خانه‌ی", []string{"خانه"}},
		{"fa -ای after zwnj is a word of its own", "fa", "هسته‌ای", []string{"هسته", "ای"}},

		// Persian words left as they are.
		{"fa heh is no suffix", "fa", "خانه", []string{"خانه"}},
		{"fa gah is derivation", "fa", "دانشگاه", []string{"دانشگاه"}},
		{"fa name in an", "fa", "ایران", []string{"ایران"}},
		{"fa city in an", "fa", "تهران", []string{"تهران"}},
		{"fa guest is not important", "fa", "مهمان", []string{"مهمان"}},
		{"fa amount is not table", "fa", "میزان", []string{"میزان"}},
		{"fa crisis is not sea", "fa", "بحران", []string{"بحران"}},
		{"fa province is not is", "fa", "استان", []string{"استان"}},
		{"fa prison is not its prisoners", "fa", "زندان", []string{"زندان"}},
		{"fa alone is not body", "fa", "تنها", []string{"تنها"}},
		{"fa sign is not their", "fa", "نشان", []string{"نشان"}},
		{"fa they is not their", "fa", "ایشان", []string{"ایشان"}},
		{"fa office is not comparative", "fa", "دفتر", []string{"دفتر"}},
		{"fa filter is not elephant", "fa", "فیلتر", []string{"فیلتر"}},
		{"fa best keeps a short stem", "fa", "بهترین", []string{"بهترین"}},
		{"fa adjective in yeh", "fa", "ایرانی", []string{"ایرانی"}},
		{"fa republic in yeh", "fa", "جمهوری", []string{"جمهوری"}},
		{"fa game in yeh", "fa", "بازی", []string{"بازی"}},
		{"fa bare sheen", "fa", "گزارش", []string{"گزارش"}},
		{"fa short word in at", "fa", "نجات", []string{"نجات"}},
		{"fa your after heh", "fa", "خانه‌ات", []string{"خانهات"}},
		{"fa perfect tense after heh", "fa", "گفته‌ایم", []string{"گفتهایم"}},
		{"fa short stem plural kept", "fa", "مردان", []string{"مردان"}},
		{"fa broken plural", "fa", "اخبار", []string{"اخبار"}},
		{"fa verb", "fa", "می‌خواهند", []string{"میخواهند"}},
		{"fa arabic article stays", "fa", "المدرسة", []string{"المدرسه"}},
		{"fa latin word stays", "fa", "homes", []string{"homes"}},
		{"fa word with digits stays", "fa", "کتابها2", []string{"کتابها2"}},

		// Arabic.
		{"ar article", "ar", "المدرسة", []string{"مدرسه"}},
		{"ar and the", "ar", "والمدرسة", []string{"مدرسه"}},
		{"ar with the", "ar", "بالمدرسة", []string{"مدرسه"}},
		{"ar so the", "ar", "فالمدرسة", []string{"مدرسه"}},
		{"ar like the", "ar", "كالمدرسة", []string{"مدرسه"}},
		{"ar for the", "ar", "للمدرسة", []string{"مدرسه"}},
		{"ar article with harakat", "ar", "الْمَدْرَسَةُ", []string{"مدرسه"}},
		{"ar her", "ar", "كتابها", []string{"کتاب"}},
		{"ar feminine plural read as its singular", "ar", "المنظمات", []string{"منظمه"}},
		{"ar feminine plural of a short word", "ar", "قوات", []string{"قوه"}},
		{"ar feminine plural with her", "ar", "قراراتها", []string{"قراره"}},
		{"ar masculine plural genitive", "ar", "المواطنين", []string{"مواطن"}},
		{"ar masculine plural nominative", "ar", "المسلمون", []string{"مسلم"}},
		{"ar plural of a nisba keeps its yeh", "ar", "الفلسطينيين", []string{"فلسطینی"}},

		// Arabic words left as they are.
		{"ar god is not for him", "ar", "الله", []string{"الله"}},
		{"ar and-god keeps its article", "ar", "والله", []string{"والله"}},
		{"ar waw of the root", "ar", "وزير", []string{"وزیر"}},
		{"ar teh marbuta stays", "ar", "مكتبة", []string{"مکتبه"}},
		{"ar nisba stays", "ar", "الدولي", []string{"دولی"}},
		{"ar feminine nisba stays", "ar", "العربية", []string{"عربیه"}},
		{"ar name in an", "ar", "لبنان", []string{"لبنان"}},
		{"ar bahrain is not the sea", "ar", "البحرين", []string{"بحرین"}},
		{"ar law keeps its waw noon", "ar", "قانون", []string{"قانون"}},
		{"ar short word in at", "ar", "ذات", []string{"ذات"}},
		{"ar broken plural", "ar", "المدارس", []string{"مدارس"}},
		{"ar no persian joining", "ar", "کتاب ها", []string{"کتاب", "ها"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Terms(tt.lang, tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Terms(%q, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
			}
		})
	}
}

// TestLightStemsMeet: forms a reader expects to find one another meet, and
// words that only look alike stay apart.
func TestLightStemsMeet(t *testing.T) {
	tests := []struct {
		name, lang, a, b string
		meet             bool
	}{
		{"fa books and book", "fa", "کتاب", "کتابها", true},
		{"fa books with zwnj and book", "fa", "کتاب", "کتاب‌ها", true},
		{"fa books with ezafe and book", "fa", "کتاب", "کتابهای", true},
		{"fa representatives", "fa", "نماینده", "نمایندگان", true},
		{"fa negotiations", "fa", "مذاکره", "مذاکرات", true},
		{"fa students", "fa", "دانشجو", "دانشجویان", true},
		{"fa largest", "fa", "بزرگ", "بزرگترین", true},
		{"fa nuclear with zwnj and space", "fa", "هسته‌ای", "هسته ای", true},
		{"fa ezafe with zwnj and without", "fa", "خانه‌ی دوست", "خانه دوست", true},
		{"ar the school", "ar", "مدرسة", "المدرسة", true},
		{"ar and the school", "ar", "مدرسة", "والمدرسة", true},
		{"ar organisations", "ar", "منظمة", "المنظمات", true},
		{"ar forces", "ar", "قوة", "قوات", true},
		{"ar citizens", "ar", "مواطن", "المواطنين", true},

		{"fa nuclear is not is", "fa", "هسته‌ای", "هست", false},
		{"fa alone is not body", "fa", "تنها", "تن", false},
		{"fa guest is not important", "fa", "مهمان", "مهم", false},
		{"fa province is not is", "fa", "استان", "است", false},
		{"fa filter is not elephant", "fa", "فیلتر", "فیل", false},
		{"fa house is not khan", "fa", "خانه", "خان", false},
		{"fa republic is not public", "fa", "جمهوری", "جمهور", false},
		{"fa game is not open", "fa", "بازی", "باز", false},
		{"fa prisoners are not prison", "fa", "زندانیان", "زندان", false},
		{"fa irregular plural", "fa", "اخبار", "خبر", false},
		{"ar broken plural", "ar", "مدارس", "مدرسة", false},
		{"ar library is not office", "ar", "مكتبة", "مكتب", false},
		{"ar university is not mosque", "ar", "جامعة", "جامع", false},
		{"ar bahrain is not the sea", "ar", "البحرين", "البحر", false},
		{"ar god is not for him", "ar", "الله", "له", false},
		{"ar minister is not zir", "ar", "وزير", "زير", false},
		{"ar international is not countries", "ar", "الدولي", "دول", false},
		{"ar lebanon is not yoghurt", "ar", "لبنان", "لبن", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Terms(tt.lang, tt.a), Terms(tt.lang, tt.b)
			if got := slices.Equal(a, b); got != tt.meet {
				t.Errorf("Terms(%q, %q) = %q and Terms(%q, %q) = %q: meet %v, want %v", tt.lang, tt.a, a, tt.lang, tt.b, b, got, tt.meet)
			}
		})
	}
}
