package i18n

import "time"

// The Solar Hijri (Jalali) calendar, as Iran and Afghanistan keep it: a
// year begins at Nowruz, its first six months have 31 days, the next five
// 30, and Esfand 29, or 30 in a leap year. Leap years follow the
// astronomical rule, which the breaks below reproduce from 1178 BH to
// 3177 AH (Kazimierz M. Borkowski, "The Persian calendar for 3000 years",
// Earth, Moon and Planets 74, 1996: the jumps in the 33-year cycles).
var jalaliBreaks = [...]int{-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178}

// jalaliYear gives, for Jalali year jy, how many years have passed since
// the last leap year (0: jy is a leap year) and the day of March its
// Nowruz falls on in Gregorian year jy+621.
func jalaliYear(jy int) (sinceLeap, march int) {
	gy := jy + 621
	leapJ := -14
	jp := jalaliBreaks[0]
	jump := 0
	for _, jm := range jalaliBreaks[1:] {
		jump = jm - jp
		if jy < jm {
			break
		}
		leapJ += jump/33*8 + mod(jump, 33)/4
		jp = jm
	}
	n := jy - jp
	leapJ += n/33*8 + (mod(n, 33)+3)/4
	if mod(jump, 33) == 4 && jump-n == 4 {
		leapJ++
	}
	leapG := gy/4 - (gy/100+1)*3/4 - 150
	march = 20 + leapJ - leapG
	if jump-n < 6 {
		n = n - jump + (jump+4)/33*33
	}
	sinceLeap = mod(mod(n+1, 33)-1, 4)
	if sinceLeap == -1 {
		sinceLeap = 4
	}
	return sinceLeap, march
}

func mod(a, b int) int { return a - a/b*b }

// JalaliLeap reports whether Jalali year jy has 366 days.
func JalaliLeap(jy int) bool {
	since, _ := jalaliYear(jy)
	return since == 0
}

// Jalali gives the Solar Hijri year, month (1–12) and day of t's date.
func Jalali(t time.Time) (year, month, day int) {
	gy := t.Year()
	jy := gy - 621
	since, march := jalaliYear(jy)
	nowruz := time.Date(gy, time.March, march, 0, 0, 0, 0, time.UTC)
	date := time.Date(gy, t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	k := int(date.Sub(nowruz).Hours()) / 24
	if k >= 0 {
		if k <= 185 {
			return jy, 1 + k/31, k%31 + 1
		}
		k -= 186
	} else {
		jy--
		k += 179
		if since == 1 { // the year before was a leap year: Esfand has 30 days
			k++
		}
	}
	return jy, 7 + k/30, k%30 + 1
}
