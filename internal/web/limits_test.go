package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"broadsheet/internal/ratelimit"
)

// Every limit on client addresses counts an IPv6 client by its /64 — any
// address of it is the same client — and an IPv4 one by its address,
// written as IPv4 or as IPv4-mapped IPv6 alike; in memory and when the
// limits are shared through the database.
func TestEveryLimitKeysIPv6By64(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) {
			ns := newNewsroom(t)
			_, article := publishedArticle(t, ns, "Ferry timetable changes")
			limits := ns.srv.limiters()
			// The API the site mounts counts the challenges it hands out.
			apiLimits := ns.srv.api.(interface {
				Limiters() map[string]*ratelimit.Limiter
			}).Limiters()
			maps.Copy(limits, apiLimits)
			// One fixed window for the whole test, wherever the minute falls.
			fixed := time.Date(2026, 6, 1, 12, 0, 30, 0, time.UTC)
			for _, l := range limits {
				l.SetClock(func() time.Time { return fixed })
			}
			if shared {
				ns.srv.ShareLimits(ns.db)
				for name, l := range apiLimits {
					l.Share(name, ns.db)
				}
			}
			n := 0
			form := func(kv ...string) url.Values {
				n++
				v := url.Values{}
				for i := 0; i+1 < len(kv); i += 2 {
					v.Set(kv[i], strings.ReplaceAll(kv[i+1], "N", fmt.Sprint(n)))
				}
				return v
			}
			cases := []struct {
				name    string
				limit   *ratelimit.Limiter
				method  string
				path    string
				form    func() url.Values
				refused int
			}{
				{"search", limits["search-ip"], "GET", "/search?q=harbour", nil, http.StatusTooManyRequests},
				{"challenge", limits["challenge-ip"], "GET", "/api/v1/challenge", nil, http.StatusTooManyRequests},
				{"comment without the check", limits["comment-unverified-ip"], "POST", article + "/comments", func() url.Values {
					return form("name", "Reader N", "body", "A fair point, number N.")
				}, http.StatusTooManyRequests},
				{"subscription without the check", limits["subscribe-unverified-ip"], "POST", "/subscribe", func() url.Values {
					return form("email", "reader-N@example.org", "scope", "site")
				}, http.StatusTooManyRequests},
				{"sign-in failure", limits["login-ip"], "POST", "/admin/login", func() url.Values {
					return form("email", "nobody-N@courier.example", "password", "wrong")
				}, http.StatusTooManyRequests},
			}
			send := func(c int, remote string) int {
				tc := cases[c]
				var req *http.Request
				if tc.form != nil {
					req = httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.form().Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				} else {
					req = httptest.NewRequest(tc.method, tc.path, nil)
				}
				req.RemoteAddr = remote
				rec := httptest.NewRecorder()
				ns.srv.ServeHTTP(rec, req)
				return rec.Code
			}
			for c, tc := range cases {
				// Each case from its own networks, so the cases do not
				// share a count.
				for i := range tc.limit.Max {
					// A new address of one /64 each time.
					if code := send(c, fmt.Sprintf("[2001:db8:%x:1:%x::%x]:1", c, i, i+1)); code == tc.refused {
						t.Fatalf("%s %d from one /64 = %d before the limit of %d", tc.name, i+1, code, tc.limit.Max)
					}
				}
				if code := send(c, fmt.Sprintf("[2001:db8:%x:1:ffff::1]:1", c)); code != tc.refused {
					t.Errorf("%s %d, from yet another address of the same /64 = %d, want %d", tc.name, tc.limit.Max+1, code, tc.refused)
				}
				if code := send(c, fmt.Sprintf("[2001:db8:%x:2::1]:1", c)); code == tc.refused {
					t.Errorf("%s from the next /64 = %d: another client was refused", tc.name, code)
				}
				// IPv4, written both ways, is one address.
				for i := range tc.limit.Max {
					remote := fmt.Sprintf("198.51.%d.7:1", 100+c)
					if i%2 == 1 {
						remote = fmt.Sprintf("[::ffff:198.51.%d.7]:1", 100+c)
					}
					if code := send(c, remote); code == tc.refused {
						t.Fatalf("%s %d from one IPv4 address = %d before the limit", tc.name, i+1, code)
					}
				}
				if code := send(c, fmt.Sprintf("[::ffff:198.51.%d.7]:1", 100+c)); code != tc.refused {
					t.Errorf("%s %d from one IPv4 address, mapped = %d, want %d", tc.name, tc.limit.Max+1, code, tc.refused)
				}
				if code := send(c, fmt.Sprintf("198.51.%d.8:1", 100+c)); code == tc.refused {
					t.Errorf("%s from the next IPv4 address = %d: another client was refused", tc.name, code)
				}
			}
		})
	}
}

// One client refused by its own limit takes nothing from the site-wide
// allowance of unchecked requests: comments and subscriptions alike.
func TestOneClientCannotSpendTheSiteWideLimit(t *testing.T) {
	ns := newNewsroom(t)
	_, article := publishedArticle(t, ns, "Ferry timetable changes")
	n := 0
	for _, tc := range []struct {
		name, path string
		form       func() url.Values
	}{
		{"subscription", "/subscribe", func() url.Values {
			return url.Values{"email": {fmt.Sprintf("reader-%d@example.org", n)}, "scope": {"site"}}
		}},
		{"comment", article + "/comments", func() url.Values {
			return url.Values{"name": {fmt.Sprintf("Reader %d", n)}, "body": {fmt.Sprintf("A fair point, number %d.", n)}}
		}},
	} {
		send := func(remote string) int {
			n++
			req := httptest.NewRequest("POST", tc.path, strings.NewReader(tc.form().Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.RemoteAddr = remote
			rec := httptest.NewRecorder()
			ns.srv.ServeHTTP(rec, req)
			return rec.Code
		}
		for range 150 { // more than the site-wide 100 an hour
			send("198.51.100.7:1")
		}
		if code := send("203.0.113.9:1"); code == http.StatusTooManyRequests {
			t.Errorf("%s without the check from a new address after one address's flood = 429, want it taken", tc.name)
		}
	}
}
