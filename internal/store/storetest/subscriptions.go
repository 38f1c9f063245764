package storetest

import (
	"context"

	"broadsheet/internal/subscription"
)

// Subscriptions is readers' subscriptions, as they manage them and as the
// newsroom does.
type Subscriptions interface {
	Subscribe(ctx context.Context, r subscription.Request) (subscription.Outcome, error)
	Confirm(ctx context.Context, id int64, nonce string) (*subscription.Subscription, error)
	Subscriber(ctx context.Context, id int64) (*subscription.Subscriber, error)
	SubscriberByEmail(ctx context.Context, email string) (*subscription.Subscriber, error)
	SetFrequency(ctx context.Context, subscriberID, id int64, f subscription.Frequency) error
	Unsubscribe(ctx context.Context, subscriberID, id int64) error
	SubscriberStats(ctx context.Context) (subscription.Stats, error)
	Subscribers(ctx context.Context, q subscription.Query) ([]subscription.Subscriber, error)
	ImportSubscribers(ctx context.Context, rows []subscription.Import) (int, error)
	EraseSubscriber(ctx context.Context, email string) (bool, error)
}
