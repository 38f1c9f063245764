package i18n

import (
	"testing"
	"time"
)

// Published Nowruz dates (1 Farvardin), and the last days of leap and
// common years, as Iran's calendar gives them.
func TestJalali(t *testing.T) {
	for _, tt := range []struct {
		gregorian string
		y, m, d   int
	}{
		{"2017-03-20", 1395, 12, 30}, // 1395 is a leap year
		{"2017-03-21", 1396, 1, 1},
		{"2020-03-19", 1398, 12, 29},
		{"2020-03-20", 1399, 1, 1},
		{"2021-03-20", 1399, 12, 30}, // 1399 is a leap year
		{"2021-03-21", 1400, 1, 1},
		{"2023-03-21", 1402, 1, 1},
		{"2024-03-19", 1402, 12, 29},
		{"2024-03-20", 1403, 1, 1},
		{"2025-03-20", 1403, 12, 30}, // 1403 is a leap year
		{"2025-03-21", 1404, 1, 1},
		{"2024-09-21", 1403, 6, 31}, // the last day of Shahrivar
		{"2024-09-22", 1403, 7, 1},
		{"1979-02-11", 1357, 11, 22}, // 22 Bahman 1357
		{"2026-12-04", 1405, 9, 13},
	} {
		g, err := time.Parse("2006-01-02", tt.gregorian)
		if err != nil {
			t.Fatal(err)
		}
		if y, m, d := Jalali(g); y != tt.y || m != tt.m || d != tt.d {
			t.Errorf("Jalali(%s) = %d/%d/%d, want %d/%d/%d", tt.gregorian, y, m, d, tt.y, tt.m, tt.d)
		}
	}
	for jy, leap := range map[int]bool{1395: true, 1396: false, 1399: true, 1400: false, 1403: true, 1404: false, 1408: true} {
		if JalaliLeap(jy) != leap {
			t.Errorf("JalaliLeap(%d) = %v, want %v", jy, !leap, leap)
		}
	}
}

// Every day from 1900 to 2100 follows the one before: the day goes up by
// one, or a month or year begins, and months have the lengths the
// calendar gives them.
func TestJalaliDaysFollowOneAnother(t *testing.T) {
	day := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	py, pm, pd := Jalali(day)
	for range 200 * 366 {
		day = day.AddDate(0, 0, 1)
		y, m, d := Jalali(day)
		switch {
		case y == py && m == pm && d == pd+1:
		case y == py && m == pm+1 && d == 1:
			if want := monthLength(py, pm); pd != want {
				t.Fatalf("%s: month %d/%d ended on day %d, want %d", day.Format("2006-01-02"), py, pm, pd, want)
			}
		case y == py+1 && m == 1 && d == 1 && pm == 12:
			if want := monthLength(py, 12); pd != want {
				t.Fatalf("%s: year %d ended on Esfand %d, want %d", day.Format("2006-01-02"), py, pd, want)
			}
		default:
			t.Fatalf("%s is %d/%d/%d after %d/%d/%d", day.Format("2006-01-02"), y, m, d, py, pm, pd)
		}
		py, pm, pd = y, m, d
	}
}

func monthLength(y, m int) int {
	switch {
	case m <= 6:
		return 31
	case m <= 11:
		return 30
	case JalaliLeap(y):
		return 30
	}
	return 29
}
