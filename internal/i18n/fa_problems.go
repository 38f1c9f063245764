package i18n

// The newsroom's problems with what was typed (en_problems.go), in the
// terms of fa.go. A value the editor typed stands in «»; a path, in its
// own direction between LRM marks.
func init() { extend(persian, persianProblems, persianPlurals, persianProblemPlurals) }

var persianProblems = map[string]string{
	// Articles.
	"problem.headline_required":         "تیتر الزامی است",
	"problem.slug_required":             "نامک الزامی است",
	"problem.slug_letters":              "نامک «%s» فقط می‌تواند حرف کوچک، رقم و خط‌تیرهٔ تکی داشته باشد",
	"problem.status_unknown":            "وضعیت «%s» هیچ‌یک از draft، scheduled، published و unpublished نیست",
	"problem.section_required":          "بخش الزامی است",
	"problem.section_unknown":           "بخشی با نامک «%s» وجود ندارد",
	"problem.author_unknown":            "نویسنده‌ای با نامک «%s» وجود ندارد",
	"problem.image_unknown":             "تصویر شمارهٔ %d وجود ندارد",
	"problem.publish_time_required":     "مطلب منتشرشده باید زمان انتشار داشته باشد",
	"problem.language_required":         "زبان الزامی است",
	"problem.version_missing":           "معلوم نبود این ذخیره کدام نسخه را ویرایش می‌کند؛ مطلب را دوباره باز کنید و باز امتحان کنید",
	"problem.submit_not_draft":          "فقط پیش‌نویس را می‌توان برای بازبینی فرستاد",
	"problem.schedule_published":        "این مطلب پیش‌تر منتشر شده است؛ برای زمان‌بندی دوباره، نخست انتشارش را لغو کنید",
	"problem.replace_itself":            "مطلب نمی‌تواند جایگزین خودش باشد",
	"problem.replacement_unpublished":   "جایگزین باید مطلبی منتشرشده باشد",
	"problem.unpublish_not_published":   "فقط انتشار مطلب منتشرشده یا زمان‌بندی‌شده را می‌توان لغو کرد",
	"problem.note_unpublished":          "اصلاحیه و به‌روزرسانی فقط برای مطلب منتشرشده ثبت می‌شود",
	"problem.note_kind":                 "یادداشت یا «correction» (اصلاحیه) است یا «update» (به‌روزرسانی)",
	"problem.note_text":                 "متن یادداشت را بنویسید؛ حداکثر ۵۰۰۰ بایت",
	"problem.translation_of_number":     "شمارهٔ مطلبی را بنویسید که این مطلب ترجمهٔ آن است، همان که در نشانی‌اش در تحریریه آمده است (‎/admin/articles/12‎)",
	"problem.translation_of_missing":    "مطلبی با شمارهٔ %d وجود ندارد که این مطلب ترجمهٔ آن باشد",
	"problem.translation_of_self":       "مطلب نمی‌تواند ترجمهٔ خودش یا ترجمهٔ ترجمهٔ خودش باشد",
	"problem.translation_main_taken":    "مطلبی که این ترجمهٔ آن است، یا ترجمهٔ دیگری از آن، از پیش در نسخهٔ اصلی است: هر نسخه از هر خبر فقط یک روایت دارد",
	"problem.translation_edition_taken": "مطلبی که این ترجمهٔ آن است، یا ترجمهٔ دیگری از آن، از پیش در نسخهٔ «%s» است: هر نسخه از هر خبر فقط یک روایت دارد",
	"problem.section_edition_taken":     "این بخش مطلب «%s» را دارد که گروه ترجمه‌اش از پیش مطلبی در آن نسخه دارد: هر نسخه از هر خبر فقط یک روایت دارد",

	// Sections, tags and authors.
	"problem.section_edition_unknown": "سایت چنین نسخه‌ای ندارد: نخست آن را در تنظیمات بیفزایید",
	"problem.slug_edition":            "این نشانیِ یکی از نسخه‌هاست: کسی به این بخش نمی‌رسد",
	"problem.slug_page":               "یک صفحهٔ ثابت از پیش همین نشانی را دارد",
	"problem.slug_reserved":           "این نشانی را خود Broadsheet به کار می‌برد",

	// Settings.
	"problem.edition_code":          "«%s» کد زبان نیست؛ کدی مانند fa یا ru بنویسید",
	"problem.edition_no_catalogue":  "رابط سایت به زبان «%s» ترجمه نشده است",
	"problem.edition_main":          "«%s» از پیش زبان نسخهٔ اصلی است",
	"problem.edition_twice":         "نسخهٔ «%s» دو بار آمده است",
	"problem.edition_too_long":      "عنوان یا شعار نسخهٔ «%s» بیش از اندازه بلند است",
	"problem.edition_section_clash": "نشانی بخش «%s» ‎/%s‎ است که از آنِ نسخهٔ %s می‌شود: نخست نامک بخش را تغییر دهید",
	"problem.edition_page_clash":    "نشانی صفحهٔ «%s» ‎/%s‎ است که از آنِ نسخهٔ %s می‌شود: نخست نامک صفحه را تغییر دهید",
	"problem.edition_has_sections":  "نسخهٔ «%s» هنوز بخش «%s» را دارد: نخست آن را به نسخهٔ دیگری ببرید یا حذفش کنید",
	"problem.close_days":            "شمار روزهای پیش از بسته شدن نظرها باید عددی صحیح باشد؛ %d یعنی هرگز بسته نشوند",
	"problem.digest_hour":           "خلاصه روزانه در ساعتی از %d تا %d فرستاده می‌شود",
	"problem.site_language":         "زبان باید کدی مانند en یا fa باشد",
	"problem.time_zone":             "منطقه زمانی باید نامی مانند Europe/London یا Asia/Tehran باشد",

	// People and passwords.
	"problem.email_invalid":     "«%s» نشانی ایمیل نیست",
	"problem.name_required":     "نام الزامی است",
	"problem.role_unknown":      "نقش «%s» هیچ‌یک از contributor، author، editor و admin نیست",
	"problem.author_id_unknown": "نویسنده‌ای با شمارهٔ %d وجود ندارد",
	"problem.password_text":     "گذرواژه متن درستی نیست",
	"problem.password_common":   "این گذرواژه در فهرست رایج‌ترین گذرواژه‌هاست؛ گذرواژهٔ دیگری برگزینید",
	"problem.password_pattern":  "این گذرواژه تکرار یک نویسه یا رشته‌ای پشت‌سرهم است؛ گذرواژهٔ دیگری برگزینید",
	"problem.password_personal": "گذرواژه نباید نام شما، نشانی ایمیلتان یا نام سایت را در خود داشته باشد",

	// Redirects.
	"problem.redirect_from_missing":  "نشانی قدیمی را که باید تغییر مسیر یابد بنویسید، مانند ‎/category/world‎ یا ‎/?p=123‎",
	"problem.redirect_from_not_path": "نشانی قدیمی «%s» نه مسیری است که با / آغاز شود و نه نشانی http یا https",
	"problem.redirect_from_escape":   "کد درصدی نشانی قدیمی «%s» ناقص است",
	"problem.redirect_from_unsafe":   "نشانی قدیمی نویسهٔ کنترلی یا بک‌اسلش دارد که در نشانی هیچ سایتی نیست",
	"problem.redirect_front_page":    "صفحه اول را نمی‌توان تغییر مسیر داد؛ نشانی قدیمی آن با رشتهٔ پرس‌وجو، مانند ‎/?p=123‎، را می‌توان",
	"problem.redirect_reserved":      "%s نشانی خود تحریریه یا API است و تغییر مسیرها هرگز به آن پاسخ نمی‌دهند",
	"problem.redirect_to_itself":     "تغییر مسیر نمی‌تواند به همان نشانی‌ای برود که به آن پاسخ می‌دهد (%s)",
	"problem.redirect_circle":        "%s از پیش به %s تغییر مسیر می‌یابد: این تغییر مسیر خوانندگان را دور خود می‌چرخاند",
	"problem.redirect_status":        "کد وضعیت باید %d، %d، %d یا %d باشد",
	"problem.redirect_status_not":    "کد وضعیت باید %d، %d، %d یا %d باشد، نه %d",
	"problem.redirect_source":        "«%s» نام هیچ ابزار درون‌ریزی نیست",
	"problem.redirect_to_missing":    "مقصد تغییر مسیر را بنویسید: مسیری در همین سایت، مانند ‎/city/harbour-reopens‎",
	"problem.redirect_to_unsafe":     "مقصد نویسهٔ کنترلی یا بک‌اسلش دارد",
	"problem.redirect_to_bad_path":   "مقصد «%s» مسیر درستی نیست",
	"problem.redirect_to_not_local":  "مقصد «%s» بی‌گمان مسیری در همین سایت نیست: هر طور که رمزگشایی شود، نباید با // آغاز شود یا بک‌اسلش، نویسهٔ کنترلی یا بخش . یا .. داشته باشد",
	"problem.redirect_to_relative":   "مقصد باید مسیری در همین سایت باشد که با یک / آغاز می‌شود، مانند ‎/city/harbour-reopens‎، یا نشانی http یا https",
	"problem.redirect_to_bad_url":    "مقصد «%s» نشانی http یا https درستی نیست",
	"problem.redirect_to_userinfo":   "مقصد نباید نام کاربری یا گذرواژه داشته باشد",
	"problem.redirect_off_site":      "%s در سایت دیگری است: تغییر مسیر تنها وقتی به بیرون از سایت می‌رود که مدیر مقصدهای بیرونی را مجاز کرده باشد",
}

// Persian writes the noun after a number in the singular: both forms are
// the same.
var persianProblemPlurals = map[string]map[string]string{
	"problem.headline_long":      {"one": "تیتر بیش از %d نویسه است", "other": "تیتر بیش از %d نویسه است"},
	"problem.standfirst_long":    {"one": "لید بیش از %d نویسه است", "other": "لید بیش از %d نویسه است"},
	"problem.body_long":          {"one": "متن بیش از %d بایت است", "other": "متن بیش از %d بایت است"},
	"problem.slug_long":          {"one": "نامک بیش از %d نویسه است", "other": "نامک بیش از %d نویسه است"},
	"problem.x_account":          {"one": "حساب X یک @ است و حداکثر %d حرف لاتین، رقم یا زیرخط", "other": "حساب X یک @ است و حداکثر %d حرف لاتین، رقم یا زیرخط"},
	"problem.taxonomy_name":      {"one": "نام الزامی است (حداکثر %d نویسه)", "other": "نام الزامی است (حداکثر %d نویسه)"},
	"problem.site_title":         {"one": "سایت عنوانی با حداکثر %d نویسه لازم دارد", "other": "سایت عنوانی با حداکثر %d نویسه لازم دارد"},
	"problem.site_tagline":       {"one": "شعار سایت بیش از %d نویسه است", "other": "شعار سایت بیش از %d نویسه است"},
	"problem.name_long":          {"one": "نام بیش از %d نویسه است", "other": "نام بیش از %d نویسه است"},
	"problem.password_long":      {"one": "گذرواژه بیش از %d بایت است", "other": "گذرواژه بیش از %d بایت است"},
	"problem.password_short":     {"one": "گذرواژه باید دست‌کم %d نویسه باشد", "other": "گذرواژه باید دست‌کم %d نویسه باشد"},
	"problem.redirect_from_long": {"one": "نشانی قدیمی بیش از %d نویسه است", "other": "نشانی قدیمی بیش از %d نویسه است"},
	"problem.redirect_to_long":   {"one": "مقصد بیش از %d نویسه است", "other": "مقصد بیش از %d نویسه است"},
}
