package web

import (
	"fmt"
	"hash/maphash"
	"regexp"
	"testing"
)

// The words robotAgent looks for, as the expression they replaced said
// them: the two must agree on every User-Agent.
var robotExpression = regexp.MustCompile(`(?i)bot|crawl|spider|slurp|archiver|fetcher|scraper|curl|wget|python|go-http-client|java/|libwww|httpclient|headless|lighthouse|pingdom|monitor|uptime|preview|facebookexternalhit|whatsapp|telegram|discord|slack|embedly|feed|rss`)

var userAgents = []struct {
	ua    string
	robot bool
}{
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", false},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", false},
	{"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", false},
	{"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36", false},
	{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", true},
	{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", true},
	{"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", true},
	{"WhatsApp/2.23.20.0", true},
	{"TelegramBot (like TwitterBot)", true},
	{"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", true},
	{"curl/8.5.0", true},
	{"Wget/1.21.3", true},
	{"python-requests/2.31.0", true},
	{"Go-http-client/1.1", true},
	{"Java/17.0.9", true},
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", true},
	{"Mozilla/5.0 (compatible; Chrome-Lighthouse)", true},
	{"Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", true},
	{"UptimeRobot/2.0", true},
	{"Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers)", true},
	{"NetNewsWire (RSS Reader; https://netnewswire.com/)", true},
	{"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", true},
	{"Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)", true},
	{"Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot)", true},
	{"ÜberBrowser/1.0 (Ärger; ИВАН) Gecko", false},
}

func TestRobotAgent(t *testing.T) {
	for _, tc := range userAgents {
		if got := robotAgent(tc.ua); got != tc.robot {
			t.Errorf("robotAgent(%q) = %v, want %v", tc.ua, got, tc.robot)
		}
		if got, old := robotAgent(tc.ua), robotExpression.MatchString(tc.ua); got != old {
			t.Errorf("robotAgent(%q) = %v, the expression said %v", tc.ua, got, old)
		}
	}
	long := string(make([]byte, 600)) + "SPIDER"
	if !robotAgent(long) {
		t.Error("a robot word past 512 bytes was missed")
	}
}

// The remembered verdicts are robotAgent's, asked first or again, even
// with every slot taken by other strings meanwhile.
func TestAgentMemo(t *testing.T) {
	m := &agentMemo{seed: maphash.MakeSeed()}
	for round := range 3 {
		for _, tc := range userAgents {
			if got := m.robot([]byte(tc.ua)); got != tc.robot {
				t.Errorf("round %d: remembered verdict on %q = %v, want %v", round, tc.ua, got, tc.robot)
			}
		}
		for i := range 2000 {
			m.robot(fmt.Appendf(nil, "Mozilla/5.0 (filler %d) Gecko", i))
		}
	}
}

func BenchmarkRobotAgent(b *testing.B) {
	ua := userAgents[0].ua
	b.ReportAllocs()
	for b.Loop() {
		robotAgent(ua)
	}
}
