package challenge

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// solveTimeout is how long Solve tries, as long as the widget's default.
const solveTimeout = 90 * time.Second

// Solve solves ch the way the widget does — counters from 0 upwards until
// the derived key starts with keyPrefix — and returns the payload the widget
// would submit. It is for tests and tools (load tests, scripted clients),
// never for the site's own requests: solving is the reader's work. It uses
// one goroutine and gives up after 90 seconds.
func Solve(ch Challenge) (payload string, err error) {
	p := ch.Parameters
	if p.Algorithm != Algorithm {
		return "", fmt.Errorf("challenge: solve: algorithm %q not supported", p.Algorithm)
	}
	nonce, err := hex.DecodeString(p.Nonce)
	if err != nil {
		return "", errors.New("challenge: solve: nonce is not hex")
	}
	salt, err := hex.DecodeString(p.Salt)
	if err != nil {
		return "", errors.New("challenge: solve: salt is not hex")
	}
	if p.Cost < 1 || p.Cost > maxIterations || p.KeyLength < 1 || p.KeyLength > 1024 || p.KeyPrefix == "" {
		return "", errors.New("challenge: solve: cost, keyLength or keyPrefix out of range")
	}
	prefix := strings.ToLower(p.KeyPrefix)
	start := time.Now()
	for counter := uint64(0); counter <= math.MaxUint32; counter++ {
		if counter%64 == 0 && time.Since(start) > solveTimeout {
			break
		}
		dk, err := deriveKey(nonce, salt, uint32(counter), p.Cost, p.KeyLength)
		if err != nil {
			return "", err
		}
		if key := hex.EncodeToString(dk); strings.HasPrefix(key, prefix) {
			ms := float64(time.Since(start).Microseconds()) / 1000
			return encodePayload(ch, uint32(counter), key, math.Floor(ms*10)/10)
		}
	}
	return "", fmt.Errorf("challenge: solve: no solution within %v", solveTimeout)
}

func encodePayload(ch Challenge, counter uint32, key string, ms float64) (string, error) {
	type solution struct {
		Counter    uint32  `json:"counter"`
		DerivedKey string  `json:"derivedKey"`
		Time       float64 `json:"time"`
	}
	b, err := json.Marshal(struct {
		Challenge Challenge `json:"challenge"`
		Solution  solution  `json:"solution"`
	}{ch, solution{counter, key, ms}})
	if err != nil {
		return "", fmt.Errorf("challenge: solve: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}
