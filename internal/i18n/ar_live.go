package i18n

// Live blogs (en_live.go), in the terms of ar.go.
func init() { extend(arabic, arabicLive, arabicPlurals, arabicLivePlurals) }

var arabicLive = map[string]string{
	"problem.live_body_required": "التحديث يحتاج إلى نص",
	"problem.live_not_live_blog": "هذا المقال ليس تغطية مباشرة: فعّل «تغطية مباشرة» في محرره أولًا",
	"problem.live_stale":         "غيّر شخص آخر هذا التحديث منذ فتحته؛ نصك محفوظ تحت نصه",
}

// The noun after a limit takes the form Arabic gives it after that number,
// as in ar_problems.go.
var arabicLivePlurals = map[string]map[string]string{
	"problem.live_body_long": {
		"zero":  "التحديث أطول من %d حرف",
		"one":   "التحديث أطول من %d حرف",
		"two":   "التحديث أطول من %d حرفين",
		"few":   "التحديث أطول من %d أحرف",
		"many":  "التحديث أطول من %d حرفًا",
		"other": "التحديث أطول من %d حرف",
	},
	"problem.live_authors_many": {
		"zero":  "للتحديث %d كاتب على الأكثر",
		"one":   "للتحديث كاتب واحد على الأكثر (%d)",
		"two":   "للتحديث كاتبان على الأكثر (%d)",
		"few":   "للتحديث %d كتّاب على الأكثر",
		"many":  "للتحديث %d كاتبًا على الأكثر",
		"other": "للتحديث %d كاتب على الأكثر",
	},
}
