package subscription

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ConfirmLifetime is how long a confirmation link works.
const ConfirmLifetime = 48 * time.Hour

// Links signs and checks the tokens in the links a mail carries, with the
// site's key. A confirmation token names one subscription, its nonce and
// an expiry; it is spent when the nonce is cleared. A manage token names a
// subscriber and is bound to their address, so it dies with an erasure.
type Links struct {
	Key []byte
	Now func() time.Time
}

func (l Links) sign(parts ...string) string {
	mac := hmac.New(sha256.New, l.Key)
	fmt.Fprint(mac, strings.Join(parts, "\x00"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// ConfirmToken is the token of subscription id's confirmation link.
func (l Links) ConfirmToken(id int64, nonce string, expires time.Time) string {
	p := strconv.FormatInt(id, 10) + "." + nonce + "." + strconv.FormatInt(expires.Unix(), 10)
	return p + "." + l.sign("confirm", p)
}

// ParseConfirm checks a confirmation token and returns its subscription
// and nonce; ErrBadLink when forged or expired.
func (l Links) ParseConfirm(token string) (id int64, nonce string, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		return 0, "", ErrBadLink
	}
	p := strings.Join(parts[:3], ".")
	if !hmac.Equal([]byte(parts[3]), []byte(l.sign("confirm", p))) {
		return 0, "", ErrBadLink
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || !l.Now().Before(time.Unix(exp, 0)) {
		return 0, "", ErrBadLink
	}
	return id, parts[1], nil
}

// ManageToken is the token of a subscriber's manage and unsubscribe links.
func (l Links) ManageToken(subscriberID int64, email string) string {
	id := strconv.FormatInt(subscriberID, 10)
	return id + "." + l.sign("manage", id, strings.ToLower(email))
}

// ManageID reads the subscriber id from a manage token; CheckManage must
// then be given the subscriber's address.
func (l Links) ManageID(token string) (int64, error) {
	id, _, ok := strings.Cut(token, ".")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil {
		return 0, ErrBadLink
	}
	return n, nil
}

// CheckManage reports whether token was made for this subscriber.
func (l Links) CheckManage(token string, subscriberID int64, email string) bool {
	return hmac.Equal([]byte(token), []byte(l.ManageToken(subscriberID, email)))
}

// ReplyToken is the token of the link that stops reply notifications for
// a reader's comment.
func (l Links) ReplyToken(commentID int64, email string) string {
	id := strconv.FormatInt(commentID, 10)
	return id + "." + l.sign("replies", id, strings.ToLower(email))
}
