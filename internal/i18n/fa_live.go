package i18n

// Live blogs (en_live.go), in the terms of fa.go.
func init() { extend(persian, persianLive, persianPlurals, persianLivePlurals) }

var persianLive = map[string]string{
	"problem.live_body_required": "به‌روزرسانی متن لازم دارد",
	"problem.live_not_live_blog": "این مطلب گزارش زنده نیست: نخست در ویرایشگرش «گزارش زنده» را تیک بزنید",
	"problem.live_stale":         "از وقتی این به‌روزرسانی را باز کردید کس دیگری آن را تغییر داده است؛ متن شما زیر متن او نگه داشته شده است",
}

var persianLivePlurals = map[string]map[string]string{
	"problem.live_body_long":    {"one": "به‌روزرسانی بیش از %d نویسه است", "other": "به‌روزرسانی بیش از %d نویسه است"},
	"problem.live_authors_many": {"one": "هر به‌روزرسانی حداکثر %d نویسنده دارد", "other": "هر به‌روزرسانی حداکثر %d نویسنده دارد"},
}
