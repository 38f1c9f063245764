package search

import (
	"strings"
	"testing"
)

// benchParagraphs are a paragraph of news in each language the benchmark
// measures; benchArticle repeats one to make a long article.
var benchParagraphs = map[string]string{
	"en": `The electoral commission said on Sunday that turnout in the parliamentary
		elections had reached its highest level in two decades, as voters queued outside
		polling stations in the capital well before they opened. Opposition leaders, who
		had called for a boycott, accused the government of running a campaign that left
		independent candidates without airtime on state television.`,
	"ru": `Центральная избирательная комиссия сообщила в воскресенье, что явка на
		парламентских выборах достигла самого высокого уровня за двадцать лет: избиратели
		выстраивались в очереди у участков в столице задолго до их открытия. Лидеры
		оппозиции, призывавшие к бойкоту, обвинили правительство в том, что независимые
		кандидаты остались без эфира на государственном телевидении.`,
	"fa": `کمیسیون انتخابات روز یکشنبه اعلام کرد که میزان مشارکت در انتخابات مجلس به
		بالاترین سطح خود در دو دهه گذشته رسیده است و رأی‌دهندگان پیش از باز شدن حوزه‌های
		رأی‌گیری در پایتخت صف کشیده بودند. رهبران مخالف که خواستار تحریم شده بودند، دولت را
		متهم کردند که نامزدهای مستقل را از حضور در تلویزیون دولتی محروم کرده است.`,
	"ar": `أعلنت اللجنة الانتخابية يوم الأحد أن نسبة المشاركة في الانتخابات البرلمانية
		بلغت أعلى مستوى لها منذ عقدين، إذ اصطف الناخبون أمام مراكز الاقتراع في العاصمة
		قبل فتحها بوقت طويل. واتهم قادة المعارضة، الذين دعوا إلى المقاطعة، الحكومة بإدارة
		حملة حرمت المرشحين المستقلين من الظهور على شاشات التلفزيون الرسمي.`,
}

// benchArticle returns a text of n words made of lang's paragraph.
func benchArticle(lang string, n int) string {
	p := strings.Fields(benchParagraphs[lang])
	ws := make([]string, n)
	for i := range ws {
		ws[i] = p[i%len(p)]
	}
	return strings.Join(ws, " ")
}

// BenchmarkTerms is the cost of indexing a 1,000-word article, or of the
// related-articles engine reading one.
func BenchmarkTerms(b *testing.B) {
	for _, lang := range []string{"en", "ru", "fa", "ar"} {
		b.Run(lang, func(b *testing.B) {
			text := benchArticle(lang, 1000)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				Terms(lang, text)
			}
		})
	}
}
