package comment

import "testing"

func TestDecide(t *testing.T) {
	plain := &Comment{Name: "Ana", Email: "ana@example.org", Body: "A fair point about the ferry."}
	links := &Comment{Name: "Ana", Body: "see https://a.example and https://b.example and www.c.example"}
	tests := []struct {
		name string
		c    *Comment
		s    Signals
		want Status
	}{
		{"staff publish at once", plain, Signals{Staff: true}, Approved},
		{"returning and verified", plain, Signals{Verified: true, Returning: true}, Approved},
		{"first-time commenter held", plain, Signals{Verified: true}, Pending},
		{"no check held", plain, Signals{Returning: true}, Pending},
		{"honeypot kept as spam", plain, Signals{Verified: true, Returning: true, Honeypot: true}, Spam},
		{"too many links held", links, Signals{Verified: true, Returning: true}, Pending},
		{"blocklisted word held", plain, Signals{Verified: true, Returning: true, Blocklist: []string{"FERRY"}}, Pending},
		{"blocklisted email domain held", plain, Signals{Verified: true, Returning: true, Blocklist: []string{"@example.org"}}, Pending},
		{"hurried held", plain, Signals{Verified: true, Returning: true, Hurried: true}, Pending},
		{"hurried staff publish at once", plain, Signals{Staff: true, Hurried: true}, Approved},
		{"empty blocklist entry ignored", plain, Signals{Verified: true, Returning: true, Blocklist: []string{" "}}, Approved},
	}
	for _, tt := range tests {
		got, why := Decide(tt.c, tt.s)
		if got != tt.want {
			t.Errorf("%s: Decide = %s (%s), want %s", tt.name, got, why, tt.want)
		}
		if got == Pending && why == "" {
			t.Errorf("%s: held without a reason", tt.name)
		}
	}
}
