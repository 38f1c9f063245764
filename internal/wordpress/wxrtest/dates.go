package wxrtest

// Dates are seconds since 1970 (UTC), written by hand: an export has
// several for every comment, and the time package's formatting is most
// of the cost of writing them.

// zone is the site's clock, London's: an hour ahead of GMT from 01:00 GMT
// on the last Sunday of March to 01:00 GMT on the last Sunday of October.
type zone struct {
	year     int
	from, to int64
}

func (z *zone) local(t int64) int64 {
	if y, _, _ := civil(floorDiv(t, 86400)); y != z.year {
		z.year = y
		z.from = lastSunday(y, 3)*86400 + 3600
		z.to = lastSunday(y, 10)*86400 + 3600
	}
	if t >= z.from && t < z.to {
		return t + 3600
	}
	return t
}

// lastSunday is the day (since 1970) of a month's last Sunday.
func lastSunday(y, m int) int64 {
	last := days(y, m+1, 1) - 1
	return last - weekday(last)
}

// weekday is 0 for Sunday.
func weekday(day int64) int64 { return (day%7 + 7 + 4) % 7 } // 1970-01-01 was a Thursday

// days is the number of days from 1970-01-01 to y-m-d (m may be 13),
// after Howard Hinnant's days_from_civil.
func days(y, m, d int) int64 {
	if m > 12 {
		y, m = y+1, m-12
	}
	if m <= 2 {
		y--
	}
	era := floorDiv(int64(y), 400)
	yoe := int64(y) - era*400
	doy := (153*int64((m+9)%12)+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civil is the date of a day since 1970-01-01.
func civil(day int64) (y, m, d int) {
	day += 719468
	era := floorDiv(day, 146097)
	doe := day - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// appendDate appends t as WordPress writes dates: 2006-01-02 15:04:05.
func appendDate(b []byte, t int64) []byte {
	day, s := floorDiv(t, 86400), int(t-floorDiv(t, 86400)*86400)
	y, m, d := civil(day)
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, ' ')
	return appendClock(b, s)
}

// appendDay appends t's day as a permalink has it: 2006/01/02.
func appendDay(b []byte, t int64) []byte {
	y, m, d := civil(floorDiv(t, 86400))
	return append2(append(append2(append(append4(b, y), '/'), m), '/'), d)
}

// appendRFC1123 appends t as an RSS pubDate: Mon, 02 Jan 2006 15:04:05 +0000.
func appendRFC1123(b []byte, t int64) []byte {
	const wd, mon = "SunMonTueWedThuFriSat", "JanFebMarAprMayJunJulAugSepOctNovDec"
	day, s := floorDiv(t, 86400), int(t-floorDiv(t, 86400)*86400)
	y, m, d := civil(day)
	w := weekday(day)
	b = append(b, wd[3*w:3*w+3]...)
	b = append(b, ", "...)
	b = append2(b, d)
	b = append(b, ' ')
	b = append(b, mon[3*(m-1):3*m]...)
	b = append(b, ' ')
	b = append4(b, y)
	b = append(b, ' ')
	b = appendClock(b, s)
	return append(b, " +0000"...)
}

func appendClock(b []byte, s int) []byte {
	b = append2(b, s/3600)
	b = append(b, ':')
	b = append2(b, s/60%60)
	b = append(b, ':')
	return append2(b, s%60)
}

func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

func append4(b []byte, n int) []byte { return append2(append2(b, n/100), n%100) }
