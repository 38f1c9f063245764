package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix marks a Standard Webhooks signing secret.
const SecretPrefix = "whsec_"

// secretBytes is the length of a new secret: the specification asks for
// at least 24 random bytes.
const secretBytes = 32

// NewSecret makes a signing secret: whsec_ and the base64 of 32 random
// bytes.
func NewSecret() string {
	b := make([]byte, secretBytes)
	rand.Read(b)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// ErrBadSecret means a secret is not whsec_ and base64 of 24 to 64 bytes.
var ErrBadSecret = errors.New("webhook: not a signing secret")

// SecretKey is the key a secret stands for: the bytes its base64 encodes,
// which the HMAC is keyed with (not the text of the secret).
func SecretKey(secret string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || !strings.HasPrefix(secret, SecretPrefix) || len(b) < 24 || len(b) > 64 {
		return nil, ErrBadSecret
	}
	return b, nil
}

// Sign is the signature of a message sent at timestamp (Unix seconds)
// with body, under secret: "v1," and the base64 of the HMAC-SHA256 of
// "id.timestamp.body", keyed by the secret's bytes.
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := SecretKey(secret)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// SignatureHeader is the webhook-signature header of a message: its
// signature under each secret, separated by spaces, so that during a
// rotation a receiver knowing either secret can verify it.
func SignatureHeader(secrets []string, id string, timestamp int64, body []byte) (string, error) {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := Sign(s, id, timestamp, body)
		if err != nil {
			return "", err
		}
		sigs = append(sigs, sig)
	}
	return strings.Join(sigs, " "), nil
}

// crockford is the alphabet of message ids: no I, L, O or U to misread,
// and no full stop, which the signed content uses as its separator.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewMessageID makes a message id: "msg_" and 26 characters holding the
// time in milliseconds (so ids sort by when the event happened) and 80
// random bits.
func NewMessageID(at time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(at.UnixMilli())<<16)
	rand.Read(b[6:])
	// 128 bits as 26 base-32 digits, the first holding the top 3 bits.
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return "msg_" + string(out[:])
}
