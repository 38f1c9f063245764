package web

import (
	"encoding/json"
	"html"
	"strings"

	"broadsheet/internal/i18n"
)

// The built-in anti-bot check's widget (altcha.min.js) carries English
// words and reads others from its registry, globalThis.$altcha.i18n, by
// the language its element names (language="fa", which also turns it
// right to left). altcha-words.js, made here from the catalogues when the
// server starts, fills that registry for every language the site speaks,
// so the check says "I'm not a robot" in the page's language.

// altchaKeys are the widget's words, each with the catalogue key it takes.
var altchaKeys = map[string]string{
	"label":                "altcha.label",
	"verified":             "altcha.verified",
	"verifying":            "altcha.verifying",
	"waitAlert":            "altcha.wait",
	"verificationRequired": "altcha.required",
	"error":                "altcha.error",
	"expired":              "altcha.expired",
	"loading":              "altcha.loading",
	"reload":               "altcha.reload",
	"verify":               "altcha.verify",
	"cancel":               "altcha.cancel",
	"ariaLinkLabel":        "altcha.link_label",
	"getAudioChallenge":    "altcha.audio",
	"enterCode":            "altcha.enter_code",
	"enterCodeAria":        "altcha.enter_code_aria",
	"enterCodeFromImage":   "altcha.enter_code_image",
}

// altchaWordsJS is the script that registers every catalogue's words with
// the widget. It runs as a module after the widget's own, which makes the
// registry; the registry is reactive, so a widget drawn before it changes
// its words.
func altchaWordsJS() ([]byte, error) {
	all := map[string]map[string]string{}
	for _, lang := range i18n.Languages() {
		cat := i18n.For(lang)
		words := make(map[string]string, len(altchaKeys)+1)
		for k, key := range altchaKeys {
			words[k] = cat.T(key)
		}
		// The footer is HTML: the words escaped, the link ours.
		link := `<a href="https://altcha.org/" tabindex="-1" target="_blank" rel="noopener" aria-label="` +
			html.EscapeString(words["ariaLinkLabel"]) + `">ALTCHA</a>`
		words["footer"] = strings.Replace(html.EscapeString(cat.T("altcha.footer", "\x00")), "\x00", link, 1)
		all[lang] = words
	}
	data, err := json.Marshal(all)
	if err != nil {
		return nil, err
	}
	js := "for (const [lang, words] of Object.entries(" + string(data) + ")) globalThis.$altcha?.i18n.set(lang, words);\n"
	return []byte(js), nil
}
