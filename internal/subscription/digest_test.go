package subscription

import (
	"testing"
	"time"
)

func TestDigestDueAndWindow(t *testing.T) {
	tehran, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Skip("no time zone data")
	}
	// 03:00 UTC is 06:30 in Tehran: before a 07:00 digest.
	now := time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)
	if day, due := DigestDue(now, tehran, 7); due || day != 20260310 {
		t.Errorf("DigestDue at 06:30 local = %d, %v; want 20260310, not yet", day, due)
	}
	if day, due := DigestDue(now.Add(time.Hour), tehran, 7); !due || day != 20260310 {
		t.Errorf("DigestDue at 07:30 local = %d, %v; want 20260310, due", day, due)
	}
	from, to := DigestWindow(20260310, tehran, 7)
	if want := time.Date(2026, 3, 10, 7, 0, 0, 0, tehran); !to.Equal(want) || !from.Equal(want.AddDate(0, 0, -1)) {
		t.Errorf("window = %s – %s", from, to)
	}
}
