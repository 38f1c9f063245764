package i18n

// The newsroom's problems with what was typed (en_problems.go), in the
// terms of ru.go. A value the editor typed stands in «».
func init() { extend(russian, russianProblems, russianPlurals, russianProblemPlurals) }

var russianProblems = map[string]string{
	// Articles.
	"problem.headline_required":         "Нужен заголовок",
	"problem.slug_required":             "Нужен ярлык",
	"problem.slug_letters":              "Ярлык «%s» может содержать только строчные буквы, цифры и одиночные дефисы",
	"problem.status_unknown":            "Статус «%s» — не один из draft, scheduled, published, unpublished",
	"problem.section_required":          "Нужен раздел",
	"problem.section_unknown":           "Раздела с ярлыком «%s» нет",
	"problem.author_unknown":            "Автора с ярлыком «%s» нет",
	"problem.image_unknown":             "Изображения № %d нет",
	"problem.publish_time_required":     "У опубликованной статьи должно быть время публикации",
	"problem.language_required":         "Нужен язык",
	"problem.version_missing":           "При сохранении не указано, какую версию вы правите; откройте статью заново и попробуйте ещё раз",
	"problem.submit_not_draft":          "На проверку можно отправить только черновик",
	"problem.schedule_published":        "Статья уже опубликована; чтобы запланировать её снова, сначала снимите её с публикации",
	"problem.replace_itself":            "Статья не может заменять саму себя",
	"problem.replacement_unpublished":   "Замена должна быть опубликованной статьёй",
	"problem.unpublish_not_published":   "Снять с публикации можно только опубликованную или запланированную статью",
	"problem.note_unpublished":          "Исправления и обновления добавляются только к опубликованным статьям",
	"problem.note_kind":                 "Заметка — это «correction» (исправление) или «update» (обновление)",
	"problem.note_text":                 "Напишите текст заметки, не больше 5000 байт",
	"problem.translation_of_number":     "Укажите номер статьи, переводом которой является эта, — как в её адресе в редакции (/admin/articles/12)",
	"problem.translation_of_missing":    "Статьи № %d, переводом которой была бы эта, нет",
	"problem.translation_of_self":       "Статья не может быть переводом самой себя или собственного перевода",
	"problem.translation_main_taken":    "Переводимая статья или другой её перевод уже есть в основном выпуске: в каждом выпуске — одна версия материала",
	"problem.translation_edition_taken": "Переводимая статья или другой её перевод уже есть в выпуске «%s»: в каждом выпуске — одна версия материала",
	"problem.section_edition_taken":     "В разделе есть «%s», а у его группы переводов уже есть статья в этом выпуске: в каждом выпуске — одна версия материала",

	// Sections, tags and authors.
	"problem.section_edition_unknown": "Такого выпуска у сайта нет: сначала добавьте его в настройках",
	"problem.slug_edition":            "Это адрес выпуска: до раздела никто не доберётся",
	"problem.slug_page":               "Этот адрес уже занят статической страницей",
	"problem.slug_reserved":           "Этот адрес зарезервирован за Broadsheet",

	// Settings.
	"problem.edition_code":          "«%s» — не код языка вроде fa или ru",
	"problem.edition_no_catalogue":  "Для языка «%s» нет перевода интерфейса",
	"problem.edition_main":          "«%s» — уже язык основного выпуска",
	"problem.edition_twice":         "Выпуск «%s» указан дважды",
	"problem.edition_too_long":      "Название или слоган выпуска «%s» слишком длинные",
	"problem.edition_section_clash": "У раздела «%s» адрес /%s, который займёт выпуск %s: сначала измените ярлык раздела",
	"problem.edition_page_clash":    "У страницы «%s» адрес /%s, который займёт выпуск %s: сначала измените ярлык страницы",
	"problem.edition_has_sections":  "В выпуске «%s» ещё есть раздел «%s»: сначала перенесите его в другой выпуск или удалите",
	"problem.close_days":            "Комментарии закрываются через целое число дней; %d — никогда",
	"problem.digest_hour":           "Ежедневный дайджест рассылается в час от %d до %d",
	"problem.site_language":         "Язык должен быть кодом вроде en или fa",
	"problem.time_zone":             "Часовой пояс должен быть названием вроде Europe/London или Asia/Tehran",

	// People and passwords.
	"problem.email_invalid":     "«%s» — не адрес электронной почты",
	"problem.name_required":     "Нужно имя",
	"problem.role_unknown":      "Роль «%s» — не одна из contributor, author, editor, admin",
	"problem.author_id_unknown": "Автора № %d нет",
	"problem.password_text":     "Пароль не читается как текст",
	"problem.password_common":   "Этот пароль — в списке самых распространённых; выберите другой",
	"problem.password_pattern":  "Этот пароль — повтор или последовательность символов; выберите другой",
	"problem.password_personal": "Пароль не должен содержать ваше имя, адрес почты или название сайта",

	// Redirects.
	"problem.redirect_from_missing":  "Укажите старый адрес, который нужно перенаправить, например /category/world или /?p=123",
	"problem.redirect_from_not_path": "Старый адрес «%s» — ни путь, начинающийся с /, ни адрес http(s)",
	"problem.redirect_from_escape":   "В старом адресе «%s» испорчена процентная кодировка",
	"problem.redirect_from_unsafe":   "В старом адресе есть управляющий символ или обратная косая черта, которых не бывает в адресах сайтов",
	"problem.redirect_front_page":    "Главную страницу перенаправить нельзя; её старый адрес с запросом, например /?p=123, — можно",
	"problem.redirect_reserved":      "%s — собственный адрес редакции или API, на него перенаправления никогда не отвечают",
	"problem.redirect_to_itself":     "Перенаправление не может вести на адрес, на который само отвечает (%s)",
	"problem.redirect_circle":        "%s уже перенаправляется на %s: это перенаправление пустит читателей по кругу",
	"problem.redirect_status":        "Код статуса должен быть %d, %d, %d или %d",
	"problem.redirect_status_not":    "Код статуса должен быть %d, %d, %d или %d, а не %d",
	"problem.redirect_source":        "«%s» — не название импортёра",
	"problem.redirect_to_missing":    "Укажите, куда ведёт перенаправление: путь на этом сайте, например /city/harbour-reopens",
	"problem.redirect_to_unsafe":     "В новом адресе есть управляющий символ или обратная косая черта",
	"problem.redirect_to_bad_path":   "Новый адрес «%s» — не корректный путь",
	"problem.redirect_to_not_local":  "Новый адрес «%s» — не однозначно путь на этом сайте: как его ни декодируй, он не должен начинаться с // или содержать обратную косую черту, управляющий символ или сегмент . или ..",
	"problem.redirect_to_relative":   "Новый адрес должен быть путём на этом сайте, начинающимся с одной /, например /city/harbour-reopens, или адресом http(s)",
	"problem.redirect_to_bad_url":    "Новый адрес «%s» — не корректный адрес http(s)",
	"problem.redirect_to_userinfo":   "Новый адрес не должен содержать имя пользователя или пароль",
	"problem.redirect_off_site":      "%s — на другом сайте: перенаправление ведёт за пределы сайта, только если администратор разрешил внешние адреса",
}

// After "длиннее", "не более" and "не короче" the count is in the genitive:
// 1, 21 символа; 2–4, 5–20 символов.
var russianProblemPlurals = map[string]map[string]string{
	"problem.headline_long": {
		"one":   "Заголовок длиннее %d символа",
		"few":   "Заголовок длиннее %d символов",
		"many":  "Заголовок длиннее %d символов",
		"other": "Заголовок длиннее %d символа",
	},
	"problem.standfirst_long": {
		"one":   "Лид длиннее %d символа",
		"few":   "Лид длиннее %d символов",
		"many":  "Лид длиннее %d символов",
		"other": "Лид длиннее %d символа",
	},
	"problem.body_long": {
		"one":   "Текст длиннее %d байта",
		"few":   "Текст длиннее %d байт",
		"many":  "Текст длиннее %d байт",
		"other": "Текст длиннее %d байта",
	},
	"problem.slug_long": {
		"one":   "Ярлык длиннее %d символа",
		"few":   "Ярлык длиннее %d символов",
		"many":  "Ярлык длиннее %d символов",
		"other": "Ярлык длиннее %d символа",
	},
	"problem.x_account": {
		"one":   "Аккаунт X — это @ и не более %d латинской буквы, цифры или знака подчёркивания",
		"few":   "Аккаунт X — это @ и не более %d латинских букв, цифр или знаков подчёркивания",
		"many":  "Аккаунт X — это @ и не более %d латинских букв, цифр или знаков подчёркивания",
		"other": "Аккаунт X — это @ и не более %d латинской буквы, цифры или знака подчёркивания",
	},
	"problem.taxonomy_name": {
		"one":   "Нужно название (не более %d символа)",
		"few":   "Нужно название (не более %d символов)",
		"many":  "Нужно название (не более %d символов)",
		"other": "Нужно название (не более %d символа)",
	},
	"problem.site_title": {
		"one":   "Сайту нужно название не длиннее %d символа",
		"few":   "Сайту нужно название не длиннее %d символов",
		"many":  "Сайту нужно название не длиннее %d символов",
		"other": "Сайту нужно название не длиннее %d символа",
	},
	"problem.site_tagline": {
		"one":   "Слоган длиннее %d символа",
		"few":   "Слоган длиннее %d символов",
		"many":  "Слоган длиннее %d символов",
		"other": "Слоган длиннее %d символа",
	},
	"problem.name_long": {
		"one":   "Имя длиннее %d символа",
		"few":   "Имя длиннее %d символов",
		"many":  "Имя длиннее %d символов",
		"other": "Имя длиннее %d символа",
	},
	"problem.password_long": {
		"one":   "Пароль длиннее %d байта",
		"few":   "Пароль длиннее %d байт",
		"many":  "Пароль длиннее %d байт",
		"other": "Пароль длиннее %d байта",
	},
	"problem.password_short": {
		"one":   "Пароль должен быть не короче %d символа",
		"few":   "Пароль должен быть не короче %d символов",
		"many":  "Пароль должен быть не короче %d символов",
		"other": "Пароль должен быть не короче %d символа",
	},
	"problem.redirect_from_long": {
		"one":   "Старый адрес длиннее %d символа",
		"few":   "Старый адрес длиннее %d символов",
		"many":  "Старый адрес длиннее %d символов",
		"other": "Старый адрес длиннее %d символа",
	},
	"problem.redirect_to_long": {
		"one":   "Новый адрес длиннее %d символа",
		"few":   "Новый адрес длиннее %d символов",
		"many":  "Новый адрес длиннее %d символов",
		"other": "Новый адрес длиннее %d символа",
	},
}
