package subscription

import (
	"strconv"
	"time"
)

// Daily digests. The digest of a day D goes out at the site's digest hour
// on D and lists what was published in the 24 hours before: from the
// digest hour of D-1 to the digest hour of D, in the site's time zone.

// DigestDay names a day as a number, YYYYMMDD.
func DigestDay(t time.Time) int64 {
	y, m, d := t.Date()
	return int64(y*10000 + int(m)*100 + d)
}

// DigestDue reports the day whose digest is due at now: today's, once the
// hour has come.
func DigestDue(now time.Time, loc *time.Location, hour int) (day int64, due bool) {
	local := now.In(loc)
	return DigestDay(local), local.Hour() >= hour
}

// DigestWindow is the span a day's digest covers.
func DigestWindow(day int64, loc *time.Location, hour int) (from, to time.Time) {
	s := strconv.FormatInt(day, 10)
	d, err := time.ParseInLocation("20060102", s, loc)
	if err != nil {
		return time.Time{}, time.Time{}
	}
	to = time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc)
	return to.AddDate(0, 0, -1), to
}
