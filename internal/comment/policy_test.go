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
		{"staff need no check nor a hidden field left empty", plain, Signals{Staff: true, Honeypot: true}, Approved},
		{"staff with too many links held", links, Signals{Staff: true}, Pending},
		{"staff with a blocklisted word held", plain, Signals{Staff: true, Blocklist: []string{"ferry"}}, Pending},
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

// An edit passes the rules a new comment passes, except the ones it
// passed when first sent (the anti-bot check, the form's timing).
func TestHoldEdit(t *testing.T) {
	plain := &Comment{Name: "Ana", Email: "ana@example.org", Body: "A fair point about the ferry.", Status: Approved}
	spam := &Comment{Name: "Ana", Email: "ana@example.org", Body: "cheap pills https://a.example https://b.example https://c.example", Status: Approved}
	tests := []struct {
		name string
		c    *Comment
		s    Signals
		held bool
	}{
		{"a returning commenter's plain edit stays", plain, Signals{Returning: true}, false},
		{"too many links held", spam, Signals{Returning: true}, true},
		{"blocklisted word held", plain, Signals{Returning: true, Blocklist: []string{"ferry"}}, true},
		{"no longer trusted held", plain, Signals{}, true},
		{"not asked for a check again", plain, Signals{Returning: true, Verified: false, Hurried: true}, false},
		{"staff plain edit stays", plain, Signals{Staff: true}, false},
		{"staff edit into too many links held", spam, Signals{Staff: true}, true},
	}
	for _, tt := range tests {
		why := HoldEdit(tt.c, tt.s)
		if (why != "") != tt.held {
			t.Errorf("%s: HoldEdit = %q, want held %v", tt.name, why, tt.held)
		}
		// The same text as a new comment, verified and unhurried, is decided alike.
		s := tt.s
		s.Verified, s.Hurried = true, false
		if status, _ := Decide(tt.c, s); (status != Approved) != tt.held {
			t.Errorf("%s: as a new comment %s, as an edit held %v", tt.name, status, tt.held)
		}
	}
	waiting := *spam
	waiting.Status = Pending
	if why := HoldEdit(&waiting, Signals{}); why != "" {
		t.Errorf("a comment already waiting: HoldEdit = %q, want it left waiting with its own reason", why)
	}
}
