package embed

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// provider is a site whose pages this site embeds, through a frame of the
// provider's own.
type provider struct {
	Key  string // in the registry and in records: "youtube"
	Name string // as readers read it: "YouTube"
	// Origins are the origins its frames load from.
	Origins []string
	// oembed is its oEmbed endpoint, "" for none; meta says the endpoint
	// needs a Meta app token, and is skipped without one.
	oembed string
	meta   bool
	// patterns recognise its page addresses.
	patterns []pattern
}

// pattern is one shape of a provider's page addresses: the hosts it is
// found on and a regular expression over the address's escaped path. frame
// makes the frame's address from the submatches and the address, "" when
// the address is not one after all (a query lacking its id). Width and
// Height are the frame's usual size; oembed, when set, is the endpoint for
// this shape instead of the provider's.
type pattern struct {
	hosts         []string
	path          func() *regexp.Regexp
	frame         func(m []string, u *url.URL) string
	width, height int
	oembed        string
}

// providers are the providers this site embeds. Every frame address is
// made from parts of the page address that their pattern restricts to
// safe characters (ids of letters, digits, - and _), or escaped as a
// query value; none is taken from what a provider answers.
var providers = []*provider{
	{Key: "youtube", Name: "YouTube", Origins: []string{"https://www.youtube-nocookie.com"}, oembed: "https://www.youtube.com/oembed",
		patterns: []pattern{
			{hosts: youtubeHosts, path: re(`/watch/?`), frame: func(_ []string, u *url.URL) string {
				return youtubeFrame(u.Query().Get("v"), u)
			}, width: 560, height: 315},
			{hosts: youtubeHosts, path: re(`/(?:shorts|embed|live|v)/([A-Za-z0-9_-]{11})/?`), frame: func(m []string, u *url.URL) string {
				return youtubeFrame(m[1], u)
			}, width: 560, height: 315},
			{hosts: []string{"youtu.be"}, path: re(`/([A-Za-z0-9_-]{11})/?`), frame: func(m []string, u *url.URL) string {
				return youtubeFrame(m[1], u)
			}, width: 560, height: 315},
		}},
	{Key: "vimeo", Name: "Vimeo", Origins: []string{"https://player.vimeo.com"}, oembed: "https://vimeo.com/api/oembed.json",
		patterns: []pattern{
			{hosts: []string{"vimeo.com", "www.vimeo.com"}, path: re(`/(?:channels/[A-Za-z0-9_-]{1,100}/|groups/[A-Za-z0-9_-]{1,100}/videos/|video/)?([0-9]{1,12})(?:/([0-9a-f]{6,20}))?/?`),
				frame: func(m []string, _ *url.URL) string { return vimeoFrame(m[1], m[2]) }, width: 640, height: 360},
			{hosts: []string{"player.vimeo.com"}, path: re(`/video/([0-9]{1,12})/?`),
				frame: func(m []string, u *url.URL) string { return vimeoFrame(m[1], u.Query().Get("h")) }, width: 640, height: 360},
		}},
	{Key: "x", Name: "X", Origins: []string{"https://platform.twitter.com"}, oembed: "https://publish.twitter.com/oembed",
		patterns: []pattern{
			{hosts: []string{"twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com", "www.x.com"},
				path: re(`/(?:[A-Za-z0-9_]{1,15}/status(?:es)?|i/web/status)/([0-9]{1,25})/?`),
				frame: func(m []string, _ *url.URL) string {
					return "https://platform.twitter.com/embed/Tweet.html?dnt=true&id=" + m[1]
				}, width: 550, height: 600},
		}},
	{Key: "instagram", Name: "Instagram", Origins: []string{"https://www.instagram.com"}, oembed: "https://graph.facebook.com/instagram_oembed", meta: true,
		patterns: []pattern{
			{hosts: []string{"instagram.com", "www.instagram.com"}, path: re(`/(?:[A-Za-z0-9_.]{1,30}/)?(?:p|reel|reels|tv)/([A-Za-z0-9_-]{5,40})/?(?:embed/?)?`),
				frame: func(m []string, _ *url.URL) string { return "https://www.instagram.com/p/" + m[1] + "/embed" }, width: 540, height: 680},
		}},
	{Key: "facebook", Name: "Facebook", Origins: []string{"https://www.facebook.com"}, meta: true,
		patterns: []pattern{
			{hosts: facebookHosts, path: re(`/[A-Za-z0-9.-]{1,80}/posts/[A-Za-z0-9]{1,80}/?`),
				frame: func(_ []string, u *url.URL) string { return facebookFrame("post", u.EscapedPath(), nil) },
				width: 500, height: 600, oembed: "https://graph.facebook.com/oembed_post"},
			{hosts: facebookHosts, path: re(`/permalink\.php`),
				frame: func(_ []string, u *url.URL) string {
					return facebookFrame("post", "/permalink.php", digitsOnly(u.Query(), "story_fbid", "id"))
				}, width: 500, height: 600, oembed: "https://graph.facebook.com/oembed_post"},
			{hosts: facebookHosts, path: re(`/[A-Za-z0-9.-]{1,80}/videos/(?:[A-Za-z0-9.-]{1,100}/)?[0-9]{1,25}/?|/reel/[0-9]{1,25}/?`),
				frame: func(_ []string, u *url.URL) string { return facebookFrame("video", u.EscapedPath(), nil) },
				width: 560, height: 315, oembed: "https://graph.facebook.com/oembed_video"},
			{hosts: facebookHosts, path: re(`/watch/?`),
				frame: func(_ []string, u *url.URL) string {
					return facebookFrame("video", "/watch/", digitsOnly(u.Query(), "v"))
				}, width: 560, height: 315, oembed: "https://graph.facebook.com/oembed_video"},
		}},
	{Key: "tiktok", Name: "TikTok", Origins: []string{"https://www.tiktok.com"}, oembed: "https://www.tiktok.com/oembed",
		patterns: []pattern{
			{hosts: []string{"tiktok.com", "www.tiktok.com", "m.tiktok.com"}, path: re(`/@[A-Za-z0-9_.]{1,40}/video/([0-9]{1,25})/?|/embed/v2/([0-9]{1,25})/?`),
				frame: func(m []string, _ *url.URL) string { return "https://www.tiktok.com/embed/v2/" + m[1] + m[2] }, width: 325, height: 740},
		}},
	{Key: "soundcloud", Name: "SoundCloud", Origins: []string{"https://w.soundcloud.com"}, oembed: "https://soundcloud.com/oembed",
		patterns: []pattern{
			{hosts: []string{"soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"}, path: re(`/([a-z0-9_-]{1,100})/([a-z0-9_-]{1,200})/?`),
				frame: func(m []string, _ *url.URL) string {
					if slices.Contains(soundcloudPages, m[1]) || slices.Contains(soundcloudTabs, m[2]) {
						return "" // a page of the site or of a profile, not a track
					}
					return soundcloudFrame("/" + m[1] + "/" + m[2])
				}, width: 600, height: 166},
			{hosts: []string{"soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"}, path: re(`/([a-z0-9_-]{1,100})/sets/([a-z0-9_-]{1,200})/?`),
				frame: func(m []string, _ *url.URL) string {
					if slices.Contains(soundcloudPages, m[1]) {
						return ""
					}
					return soundcloudFrame("/" + m[1] + "/sets/" + m[2])
				}, width: 600, height: 450},
		}},
	{Key: "spotify", Name: "Spotify", Origins: []string{"https://open.spotify.com"}, oembed: "https://open.spotify.com/oembed",
		patterns: []pattern{
			{hosts: []string{"open.spotify.com"}, path: re(`/(?:intl-[a-z]{2}(?:-[A-Za-z]{2})?/)?(?:embed/)?(track|album|playlist|episode|show)/([A-Za-z0-9]{22})/?`),
				frame: func(m []string, _ *url.URL) string { return "https://open.spotify.com/embed/" + m[1] + "/" + m[2] }, width: 600, height: 352},
		}},
	{Key: "applepodcasts", Name: "Apple Podcasts", Origins: []string{"https://embed.podcasts.apple.com"},
		patterns: []pattern{
			{hosts: []string{"podcasts.apple.com", "embed.podcasts.apple.com"}, path: re(`/(?:([a-z]{2})/)?podcast/(?:([A-Za-z0-9%._~-]{1,300})/)?id([0-9]{1,15})/?`),
				frame: func(m []string, u *url.URL) string {
					f := "https://embed.podcasts.apple.com/"
					if m[1] != "" {
						f += m[1] + "/"
					}
					f += "podcast/"
					if m[2] != "" {
						f += m[2] + "/"
					}
					f += "id" + m[3]
					if u.Query().Has("i") { // an episode
						q := digitsOnly(u.Query(), "i")
						if q == nil {
							return ""
						}
						f += "?" + q.Encode()
					}
					return f
				}, width: 660, height: 175},
		}},
	{Key: "datawrapper", Name: "Datawrapper", Origins: []string{"https://datawrapper.dwcdn.net"}, oembed: "https://api.datawrapper.de/v3/oembed",
		patterns: []pattern{
			{hosts: []string{"datawrapper.dwcdn.net"}, path: re(`/([A-Za-z0-9]{5})(?:/([0-9]{1,4}))?/?`),
				frame: func(m []string, _ *url.URL) string { return datawrapperFrame(m[1], m[2]) }, width: 600, height: 400},
			{hosts: []string{"app.datawrapper.de"}, path: re(`/chart/([A-Za-z0-9]{5})(?:/[a-z]{1,20})?/?`),
				frame: func(m []string, _ *url.URL) string { return datawrapperFrame(m[1], "") }, width: 600, height: 400},
		}},
	{Key: "flourish", Name: "Flourish", Origins: []string{"https://flo.uri.sh"}, oembed: "https://app.flourish.studio/api/v1/oembed",
		patterns: []pattern{
			{hosts: []string{"public.flourish.studio"}, path: re(`/(visualisation|story)/([0-9]{1,12})/?`),
				frame: func(m []string, _ *url.URL) string { return "https://flo.uri.sh/" + m[1] + "/" + m[2] + "/embed" }, width: 700, height: 575},
			{hosts: []string{"flo.uri.sh"}, path: re(`/(visualisation|story)/([0-9]{1,12})/embed/?`),
				frame: func(m []string, _ *url.URL) string { return "https://flo.uri.sh/" + m[1] + "/" + m[2] + "/embed" }, width: 700, height: 575},
		}},
	{Key: "googlemaps", Name: "Google Maps", Origins: []string{"https://www.google.com"},
		patterns: []pattern{
			// Only the address Google's "Embed a map" gives can be framed.
			{hosts: []string{"www.google.com", "google.com", "maps.google.com"}, path: re(`/maps/embed/?`),
				frame: func(_ []string, u *url.URL) string {
					pb := u.Query().Get("pb")
					if !mapParams.MatchString(pb) {
						return ""
					}
					return "https://www.google.com/maps/embed?" + url.Values{"pb": {pb}}.Encode()
				}, width: 600, height: 450},
		}},
}

var (
	youtubeHosts  = []string{"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com", "www.youtube-nocookie.com"}
	facebookHosts = []string{"facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com"}
	// soundcloudPages are first path segments that are the site's own
	// pages; soundcloudTabs second ones that are tabs of a profile.
	soundcloudPages = []string{"discover", "you", "search", "stream", "upload", "pages", "settings", "charts", "messages",
		"notifications", "people", "jobs", "mobile", "tags", "stations", "terms-of-use", "imprint", "creators", "pro", "signin"}
	soundcloudTabs = []string{"tracks", "albums", "sets", "likes", "followers", "following", "reposts", "popular-tracks",
		"playlists", "comments", "spotlight", "stations"}
	youtubeID = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
	vimeoHash = regexp.MustCompile(`^[0-9a-f]{6,20}$`)
	mapParams = regexp.MustCompile(`^![A-Za-z0-9!._:~*+,;=%-]+$`)
)

// re anchors a path expression: it must match the whole escaped path. It
// is compiled when an address is first matched, in the newsroom: a server
// that only serves readers never needs the 450 KB the expressions take.
func re(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:` + expr + `)$`) })
}

// youtubeFrame is the privacy-enhanced player of video id, starting where
// the address's t or start parameter says.
func youtubeFrame(id string, u *url.URL) string {
	if !youtubeID.MatchString(id) {
		return ""
	}
	f := "https://www.youtube-nocookie.com/embed/" + id
	if s := startSeconds(u.Query()); s > 0 {
		f += "?start=" + strconv.Itoa(s)
	}
	return f
}

// startSeconds reads a YouTube start time: 90, 90s, 1m30s or 1h2m3s.
func startSeconds(q url.Values) int {
	t := q.Get("t")
	if t == "" {
		t = q.Get("start")
	}
	if t == "" || len(t) > 12 {
		return 0
	}
	if n, err := strconv.Atoi(t); err == nil && n > 0 {
		return n
	}
	if d, err := time.ParseDuration(strings.ToLower(t)); err == nil && d > 0 && d%time.Second == 0 {
		return int(d / time.Second)
	}
	return 0
}

// vimeoFrame is Vimeo's player of video id, told not to track (dnt); hash
// is an unlisted video's key.
func vimeoFrame(id, hash string) string {
	f := "https://player.vimeo.com/video/" + id + "?dnt=1"
	if vimeoHash.MatchString(hash) {
		f += "&h=" + hash
	}
	return f
}

// facebookFrame is Facebook's post or video plugin of the page at path
// (escaped) and query on www.facebook.com; a nil query with a path that
// needs one (permalink.php, watch) makes no frame.
func facebookFrame(plugin, path string, q url.Values) string {
	href := "https://www.facebook.com" + path
	switch path {
	case "/permalink.php", "/watch/":
		if q == nil {
			return ""
		}
		href += "?" + q.Encode()
	}
	return "https://www.facebook.com/plugins/" + plugin + ".php?" + url.Values{"href": {href}}.Encode()
}

// digitsOnly is the named parameters of q, each present and all digits,
// or nil if any is not.
func digitsOnly(q url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		v := q.Get(n)
		if v == "" || len(v) > 25 || strings.Trim(v, "0123456789") != "" {
			return nil
		}
		out.Set(n, v)
	}
	return out
}

func soundcloudFrame(path string) string {
	return "https://w.soundcloud.com/player/?" + url.Values{"url": {"https://soundcloud.com" + path}}.Encode()
}

func datawrapperFrame(id, version string) string {
	f := "https://datawrapper.dwcdn.net/" + id + "/"
	if version != "" {
		f += version + "/"
	}
	return f
}

// match finds the provider and pattern of a page address and the frame it
// makes.
func match(addr string) (*provider, *pattern, string, bool) {
	u, ok := parsePage(addr)
	if !ok {
		return nil, nil, "", false
	}
	host, path := strings.ToLower(u.Hostname()), u.EscapedPath()
	for _, p := range providers {
		for i := range p.patterns {
			pt := &p.patterns[i]
			if !slices.Contains(pt.hosts, host) {
				continue
			}
			m := pt.path().FindStringSubmatch(path)
			if m == nil {
				continue
			}
			if f := pt.frame(m, u); f != "" {
				return p, pt, f, true
			}
		}
	}
	return nil, nil, "", false
}

// maxURL is the longest page address taken for an embed.
const maxURL = 2048

// parsePage reads an absolute http(s) page address with a host and no
// user name, password or port: anything else is no embed.
func parsePage(addr string) (*url.URL, bool) {
	if len(addr) > maxURL || strings.ContainsAny(addr, " \t\r\n\\") {
		return nil, false
	}
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Port() != "" || u.Opaque != "" {
		return nil, false
	}
	return u, true
}

// Match is the record an address makes without asking anyone: its
// provider, frame and the frame's usual size; ok is false for an address
// of no known provider. A page may show this when nothing is stored.
func Match(addr string) (rec Record, ok bool) {
	p, pt, frame, ok := match(addr)
	if !ok {
		return Record{}, false
	}
	return matched(addr, p, pt, frame), true
}

func matched(addr string, p *provider, pt *pattern, frame string) Record {
	return Record{URL: addr, Provider: p.Name, ProviderKey: p.Key, Frame: frame, FrameOrigin: Origin(frame), Width: pt.width, Height: pt.height}
}

// FrameOrigins are the origins of every known provider's frames, for a
// page's frame-src.
func FrameOrigins() []string {
	var out []string
	for _, p := range providers {
		for _, o := range p.Origins {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}
