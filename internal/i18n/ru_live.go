package i18n

// Live blogs (en_live.go), in the terms of ru.go.
func init() { extend(russian, russianLive, russianPlurals, russianLivePlurals) }

var russianLive = map[string]string{
	"problem.live_body_required": "В записи нужен текст",
	"problem.live_not_live_blog": "Эта статья не онлайн-трансляция: сначала отметьте «Онлайн-трансляция» в её редакторе",
	"problem.live_stale":         "Пока вы правили эту запись, её изменил кто-то другой; ваш текст сохранён под его текстом",
}

// After "длиннее" the count is in the genitive, as in ru_problems.go.
var russianLivePlurals = map[string]map[string]string{
	"problem.live_body_long": {
		"one":   "Запись длиннее %d символа",
		"few":   "Запись длиннее %d символов",
		"many":  "Запись длиннее %d символов",
		"other": "Запись длиннее %d символа",
	},
	"problem.live_authors_many": {
		"one":   "У записи не больше %d автора",
		"few":   "У записи не больше %d авторов",
		"many":  "У записи не больше %d авторов",
		"other": "У записи не больше %d автора",
	},
}
