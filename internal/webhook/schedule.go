package webhook

import (
	"net/http"
	"strconv"
	"time"
)

// Schedule is how long a delivery waits after each failed attempt: the
// first eight steps of the Standard Webhooks specification's example
// schedule but the last, which waits 10 hours again rather than 14, so
// that a delivery is given up after about a day (27 hours 35 minutes
// after its first attempt) rather than three. Each wait is moved by up to
// a tenth either way (Jitter), so that endpoints that failed together do
// not all come back at once.
var Schedule = []time.Duration{
	5 * time.Second,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	5 * time.Hour,
	10 * time.Hour,
	10 * time.Hour,
}

// MaxAttempts is how many attempts a delivery gets before it is a dead
// letter: the first, at once, and one after each wait of Schedule.
var MaxAttempts = len(Schedule) + 1

// MaxRetryAfter bounds how long a Retry-After header may make a delivery
// wait.
const MaxRetryAfter = 24 * time.Hour

// Jitter spreads a wait over ±10% of it; r is a random number in [0, 1).
func Jitter(d time.Duration, r float64) time.Duration {
	return d + time.Duration((r*0.2-0.1)*float64(d))
}

// Outcome is what an attempt leaves its delivery as.
type Outcome struct {
	Status Status
	// NextAt is when a delivery left Queued is tried again.
	NextAt time.Time
	// Disable, when not empty, turns the endpoint off and says why.
	Disable string
}

// Judge says what attempt number n (1-based) of a delivery, made at
// now, leaves it as. A 2xx answer delivers it. 410 Gone means the
// receiver wants nothing more from the site: the delivery fails and the
// endpoint is turned off, as the specification recommends, until an
// admin turns it on again. Anything else — another status, a redirect
// (never followed), no answer — waits its turn in Schedule, or longer
// when the answer asked so with Retry-After, and after the last attempt
// is a dead letter. r is a random number in [0, 1) for the jitter.
func Judge(a Attempt, n int, retryAfter time.Duration, now time.Time, r float64) Outcome {
	switch {
	case a.OK():
		return Outcome{Status: Delivered}
	case a.Status == http.StatusGone:
		return Outcome{Status: Failed, Disable: "answered 410 Gone at " + stamp(now)}
	case n >= MaxAttempts || n < 1:
		return Outcome{Status: Failed}
	}
	wait := Jitter(Schedule[n-1], r)
	if retryAfter > wait {
		wait = min(retryAfter, MaxRetryAfter)
	}
	return Outcome{Status: Queued, NextAt: now.Add(wait)}
}

// RetryAfter reads a Retry-After header (seconds, or an HTTP date) as a
// wait from now; 0 when there is none or it cannot be read.
func RetryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, int(MaxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
