-- Mail: a durable outbox written in the same transaction as whatever
-- caused the message, readers' subscriptions, and fan-outs that expand an
-- event (an article going live) into one outbox row per subscriber.

-- One row per message. key is recipient, reason and object: the same mail
-- can never be queued twice. The text is composed when it is sent, from
-- kind, object_id and data.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    recipient   TEXT NOT NULL COLLATE NOCASE,
    kind        TEXT NOT NULL,
    object_id   INTEGER NOT NULL DEFAULT 0,
    data        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    lease_until INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER
) STRICT;

CREATE INDEX outbox_due ON outbox (status, next_at, id);
CREATE INDEX outbox_recipient ON outbox (recipient);

CREATE TABLE subscribers (
    id           INTEGER PRIMARY KEY,
    email        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    confirmed_at INTEGER,
    consent      TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
) STRICT;

-- scope_id is the section's or article's id; 0 for the whole site. nonce
-- is the pending confirmation's secret, NULL once confirmed.
CREATE TABLE subscriptions (
    id            INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    scope_kind    TEXT NOT NULL CHECK (scope_kind IN ('site', 'section', 'article')),
    scope_id      INTEGER NOT NULL DEFAULT 0,
    frequency     TEXT NOT NULL DEFAULT 'immediate' CHECK (frequency IN ('immediate', 'daily')),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'active')),
    nonce         TEXT,
    created_at    INTEGER NOT NULL,
    last_digest   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (subscriber_id, scope_kind, scope_id)
) STRICT;

CREATE INDEX subscriptions_fanout ON subscriptions (scope_kind, scope_id, status, frequency, subscriber_id);

-- A fan-out sends one event to every matching subscriber, a batch at a
-- time: cursor is the last subscriber id queued, so a restart resumes
-- where the last committed batch ended.
CREATE TABLE fanouts (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    object_id  INTEGER NOT NULL,
    not_before INTEGER NOT NULL,
    cursor     INTEGER NOT NULL DEFAULT 0,
    queued     INTEGER NOT NULL DEFAULT 0,
    done_at    INTEGER,
    UNIQUE (kind, object_id)
) STRICT;

CREATE INDEX fanouts_pending ON fanouts (done_at, not_before);

-- Articles already public were announced before mail existed: never again.
INSERT INTO fanouts (kind, object_id, not_before, done_at)
    SELECT 'article', id, COALESCE(published_at, 0), created_at FROM articles WHERE status = 'published';
