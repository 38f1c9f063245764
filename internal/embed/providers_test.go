package embed

import (
	"slices"
	"strings"
	"testing"
)

// matches are addresses of every provider and the frames they make.
var matches = []struct {
	url, provider, frame string
}{
	{"https://www.youtube.com/watch?v=M7lc1UVf-VE", "youtube", "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE"},
	{"https://youtube.com/watch?feature=share&v=M7lc1UVf-VE&t=1m30s", "youtube", "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE?start=90"},
	{"http://m.youtube.com/watch?v=M7lc1UVf-VE&t=75", "youtube", "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE?start=75"},
	{"https://youtu.be/M7lc1UVf-VE", "youtube", "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE"},
	{"https://youtu.be/M7lc1UVf-VE?si=abc&t=42s", "youtube", "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE?start=42"},
	{"https://www.youtube.com/shorts/aqz-KE-bpKQ", "youtube", "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"},
	{"https://www.youtube.com/embed/M7lc1UVf-VE", "youtube", "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE"},
	{"https://WWW.YouTube.com/live/M7lc1UVf-VE", "youtube", "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE"},
	{"https://vimeo.com/76979871", "vimeo", "https://player.vimeo.com/video/76979871?dnt=1"},
	{"https://vimeo.com/76979871/8f2d5a3b1c", "vimeo", "https://player.vimeo.com/video/76979871?dnt=1&h=8f2d5a3b1c"},
	{"https://vimeo.com/channels/staffpicks/76979871", "vimeo", "https://player.vimeo.com/video/76979871?dnt=1"},
	{"https://player.vimeo.com/video/76979871", "vimeo", "https://player.vimeo.com/video/76979871?dnt=1"},
	{"https://twitter.com/jack/status/20", "x", "https://platform.twitter.com/embed/Tweet.html?dnt=true&id=20"},
	{"https://x.com/NASA/status/1798415735473463720?s=20", "x", "https://platform.twitter.com/embed/Tweet.html?dnt=true&id=1798415735473463720"},
	{"https://mobile.twitter.com/i/web/status/20", "x", "https://platform.twitter.com/embed/Tweet.html?dnt=true&id=20"},
	{"https://www.instagram.com/p/C8xYz_1Abc-/", "instagram", "https://www.instagram.com/p/C8xYz_1Abc-/embed"},
	{"https://instagram.com/reel/C8xYz_1Abc-", "instagram", "https://www.instagram.com/p/C8xYz_1Abc-/embed"},
	{"https://www.facebook.com/nasa/posts/pfbid02abcDEF123", "facebook",
		"https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fnasa%2Fposts%2Fpfbid02abcDEF123"},
	{"https://www.facebook.com/permalink.php?story_fbid=123&id=456&ref=x", "facebook",
		"https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fpermalink.php%3Fid%3D456%26story_fbid%3D123"},
	{"https://www.facebook.com/nasa/videos/1234567890/", "facebook",
		"https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fnasa%2Fvideos%2F1234567890%2F"},
	{"https://www.facebook.com/watch/?v=1234567890", "facebook",
		"https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D1234567890"},
	{"https://www.tiktok.com/@scout2015/video/6718335390845095173", "tiktok", "https://www.tiktok.com/embed/v2/6718335390845095173"},
	{"https://soundcloud.com/forss/flickermood", "soundcloud", "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fforss%2Fflickermood"},
	{"https://soundcloud.com/forss/sets/soulhack", "soundcloud", "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fforss%2Fsets%2Fsoulhack"},
	{"https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "spotify", "https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC"},
	{"https://open.spotify.com/intl-fr/episode/512ojhOuo1ktJprKbVcKyQ?si=x", "spotify", "https://open.spotify.com/embed/episode/512ojhOuo1ktJprKbVcKyQ"},
	{"https://open.spotify.com/show/5CfCWKI5pZ28U0uOzXkDHe", "spotify", "https://open.spotify.com/embed/show/5CfCWKI5pZ28U0uOzXkDHe"},
	{"https://podcasts.apple.com/us/podcast/the-daily/id1200361736?i=1000652423421", "applepodcasts",
		"https://embed.podcasts.apple.com/us/podcast/the-daily/id1200361736?i=1000652423421"},
	{"https://podcasts.apple.com/ir/podcast/%D8%B1%D8%A7%D8%AF%DB%8C%D9%88/id1234", "applepodcasts",
		"https://embed.podcasts.apple.com/ir/podcast/%D8%B1%D8%A7%D8%AF%DB%8C%D9%88/id1234"},
	{"https://datawrapper.dwcdn.net/aBc12/", "datawrapper", "https://datawrapper.dwcdn.net/aBc12/"},
	{"https://datawrapper.dwcdn.net/aBc12/3/", "datawrapper", "https://datawrapper.dwcdn.net/aBc12/3/"},
	{"https://app.datawrapper.de/chart/aBc12/visualize", "datawrapper", "https://datawrapper.dwcdn.net/aBc12/"},
	{"https://public.flourish.studio/visualisation/4798/", "flourish", "https://flo.uri.sh/visualisation/4798/embed"},
	{"https://public.flourish.studio/story/123", "flourish", "https://flo.uri.sh/story/123/embed"},
	{"https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d3153!2d-122.4!3d37.7!5e0!3m2!1sen!2sus!4v1", "googlemaps",
		"https://www.google.com/maps/embed?pb=%211m18%211m12%211m3%211d3153%212d-122.4%213d37.7%215e0%213m2%211sen%212sus%214v1"},
}

func TestMatch(t *testing.T) {
	origins := map[string][]string{}
	for _, p := range providers {
		origins[p.Key] = p.Origins
	}
	for _, tt := range matches {
		rec, ok := Match(tt.url)
		if !ok {
			t.Errorf("Match(%q) found no provider, want %s", tt.url, tt.provider)
			continue
		}
		if rec.ProviderKey != tt.provider || rec.Frame != tt.frame || rec.URL != tt.url {
			t.Errorf("Match(%q) = %s %q, want %s %q", tt.url, rec.ProviderKey, rec.Frame, tt.provider, tt.frame)
		}
		if !strings.HasPrefix(rec.Frame, "https://") || !slices.Contains(origins[rec.ProviderKey], rec.FrameOrigin) ||
			!slices.Contains(FrameOrigins(), rec.FrameOrigin) || rec.Width < 1 || rec.Height < 1 || rec.Provider == "" {
			t.Errorf("Match(%q) = %+v: want an https frame from one of its provider's origins, a size and a name", tt.url, rec)
		}
	}
}

func TestMatchRefuses(t *testing.T) {
	for _, u := range []string{
		"https://youtube.com.evil.example/watch?v=M7lc1UVf-VE",
		"https://evil.example/youtube.com/watch?v=M7lc1UVf-VE",
		"https://notyoutube.com/watch?v=M7lc1UVf-VE",
		"https://www.youtube.com@evil.example/watch?v=M7lc1UVf-VE",
		"https://user@www.youtube.com/watch?v=M7lc1UVf-VE",
		"https://www.youtube.com:8443/watch?v=M7lc1UVf-VE",
		"javascript:alert(1)//https://www.youtube.com/watch?v=M7lc1UVf-VE",
		"javascript://www.youtube.com/watch?v=M7lc1UVf-VE",
		"data:text/html,https://youtu.be/M7lc1UVf-VE",
		"ftp://www.youtube.com/watch?v=M7lc1UVf-VE",
		"//www.youtube.com/watch?v=M7lc1UVf-VE",
		"www.youtube.com/watch?v=M7lc1UVf-VE",
		"https://www.youtube.com/watch?v=M7lc1UVf-V",           // an id too short
		"https://www.youtube.com/watch?v=M7lc1UVf-VE%22%3E",    // and one with more
		"https://www.youtube.com/watch?v=M7lc1UVf\"E><script>", // that is not an id
		"https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw",
		"https://www.youtube.com/watch",
		"https://youtu.be/M7lc1UVf-VE/../../evil",
		"https://vimeo.com/about",
		"https://twitter.com/jack",
		"https://twitter.com/jack/status/20abc",
		"https://www.instagram.com/nasa/",
		"https://www.facebook.com/nasa",
		"https://www.facebook.com/permalink.php?story_fbid=abc&id=456",
		"https://www.facebook.com/watch/?v=12\"34",
		"https://www.tiktok.com/@scout2015",
		"https://soundcloud.com/forss",
		"https://soundcloud.com/forss/tracks",
		"https://soundcloud.com/discover/sets/charts-top",
		"https://open.spotify.com/artist/0OdUWJ0sBjDrqHygGUXeCF",
		"https://open.spotify.com/track/short",
		"https://podcasts.apple.com/us/podcast/the-daily/id1200361736?i=1'2",
		"https://podcasts.apple.com/us/browse",
		"https://datawrapper.dwcdn.net/toolong1/",
		"https://public.flourish.studio/visualisation/abc/",
		"https://www.google.com/maps/place/Harbour",
		"https://www.google.com/maps/embed?pb=%22onload%3D",
		"https://www.google.com/maps/embed",
		"https://www.google.com.evil.example/maps/embed?pb=!1m18",
		"https://www.youtube.com/watch?v=M7lc1UVf-VE extra",
		"",
	} {
		if rec, ok := Match(u); ok {
			t.Errorf("Match(%q) = %s %q; want no provider", u, rec.ProviderKey, rec.Frame)
		}
	}
}

// Every provider has a name, an origin, patterns with a size, and
// addresses in matches.
func TestProvidersComplete(t *testing.T) {
	for _, p := range providers {
		if p.Key == "" || p.Name == "" || len(p.Origins) == 0 || len(p.patterns) == 0 {
			t.Errorf("provider %+v lacks a key, name, origin or pattern", p)
		}
		if !slices.ContainsFunc(matches, func(m struct{ url, provider, frame string }) bool { return m.provider == p.Key }) {
			t.Errorf("%s: no address of it in matches", p.Key)
		}
		for _, pt := range p.patterns {
			if pt.width < 1 || pt.height < 1 {
				t.Errorf("%s: a pattern without a size", p.Key)
			}
		}
	}
}

func TestStartSeconds(t *testing.T) {
	for in, want := range map[string]int{"90": 90, "90s": 90, "1m30s": 90, "1h2m3s": 3723, "": 0, "-5": 0, "1.5s": 0, "soon": 0, "0": 0} {
		if got := startSeconds(map[string][]string{"t": {in}}); got != want {
			t.Errorf("startSeconds(t=%q) = %d, want %d", in, got, want)
		}
	}
}

// The path expressions are compiled when first used; every one must
// compile, or the first article naming that provider would panic.
func TestEveryPathExpressionCompiles(t *testing.T) {
	n := 0
	for _, p := range providers {
		for i, pt := range p.patterns {
			func() {
				defer func() {
					if v := recover(); v != nil {
						t.Errorf("%s pattern %d: %v", p.Key, i, v)
					}
				}()
				if pt.path() == nil {
					t.Errorf("%s pattern %d: no expression", p.Key, i)
				}
				n++
			}()
		}
	}
	if n < 20 {
		t.Errorf("checked %d expressions, want every provider's (at least 20)", n)
	}
}
