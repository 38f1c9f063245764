-- Webhooks (internal/webhook): the endpoints admins register and the
-- events each wants; a durable queue of messages, each written in the
-- transaction of the change it announces, with one delivery per endpoint
-- that wants it; and the log of every attempt.

-- secret signs every message; old_secret, the one a rotation replaced,
-- signs beside it until old_until. disabled_reason says why the site
-- turned the endpoint off itself (it answered 410 Gone).
CREATE TABLE webhook_endpoints (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    enabled         INTEGER NOT NULL DEFAULT 1,
    secret          TEXT NOT NULL,
    old_secret      TEXT NOT NULL DEFAULT '',
    old_until       INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE webhook_endpoint_events (
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, event)
) STRICT;

CREATE INDEX webhook_endpoint_events_event ON webhook_endpoint_events (event, endpoint_id);

-- One row per event: id is its msg_… id, payload the exact body every
-- endpoint receives.
CREATE TABLE webhook_messages (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX webhook_messages_created ON webhook_messages (created_at);

-- A worker claims a due delivery by setting lease_until; attempts counts
-- the attempts since it was queued (again).
CREATE TABLE webhook_deliveries (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    status      TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'delivered', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    lease_until INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    done_at     INTEGER,
    UNIQUE (message_id, endpoint_id)
) STRICT;

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_at, id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

-- status is the answer's HTTP status, 0 when there was none; response the
-- opening of its body.
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0,
    response    TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
