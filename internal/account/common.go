package account

import "strings"

// commonPasswords are passwords that guessing attacks try first: keyboard
// walks, years, names of the obvious things, and trivial variations. Every
// entry is at least MinPasswordRunes long (shorter ones fail on length).
var commonPasswords = strings.Fields(`
password password1 password12 password123 password! passw0rd p@ssword p@ssw0rd passwort motdepasse
12345678 123456789 1234567890 0123456789 11111111 00000000 12121212 11223344 12344321 87654321
qwertyui qwertyuiop qwerty123 qwerty12 1qaz2wsx qazwsxedc zaq12wsx asdfghjk asdfghjkl zxcvbnm1
1q2w3e4r 1q2w3e4r5t q1w2e3r4 abcd1234 abc12345 abcdefg1 a1b2c3d4 aa123456 iloveyou iloveyou1
letmein1 letmein123 welcome1 welcome123 sunshine princess football baseball basketball superman
batman123 starwars dragon123 monkey123 master123 trustno1 whatever freedom1 shadow123 michael1
jennifer jordan23 charlie1 computer internet changeme changeme1 default1 administrator admin123
admin1234 adminadmin rootroot root1234 secret123 mypassword loveyou1 newpassword login123 access14
football1 summer2024 summer2025 summer2026 winter2025 winter2026 spring2026 autumn2026 january1
broadsheet newsroom1 journalist reporter1 editor123 newspaper 
`)

var commonSet = func() map[string]bool {
	m := make(map[string]bool, len(commonPasswords))
	for _, p := range commonPasswords {
		m[p] = true
	}
	return m
}()

// isCommon reports whether pw (lower-cased) is a common password or one
// with a digit or symbol stuck on the end.
func isCommon(pw string) bool {
	if commonSet[pw] {
		return true
	}
	trimmed := strings.TrimRight(pw, "0123456789!@#$%^&*?.")
	return trimmed != pw && len(trimmed) >= 6 && commonSet[trimmed]
}
