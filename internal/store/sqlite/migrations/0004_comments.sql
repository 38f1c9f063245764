-- Readers' comments. path orders a thread depth-first: the zero-padded ids
-- from the top-level comment down, so one index scan returns a whole page.
CREATE TABLE comments (
    id            INTEGER PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id     INTEGER REFERENCES comments (id) ON DELETE SET NULL,
    root_id       INTEGER NOT NULL DEFAULT 0,
    path          TEXT NOT NULL DEFAULT '',
    depth         INTEGER NOT NULL DEFAULT 0,
    reply_to_name TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    body          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
    pinned        INTEGER NOT NULL DEFAULT 0,
    user_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    notify        INTEGER NOT NULL DEFAULT 0,
    ip_hash       TEXT NOT NULL DEFAULT '',
    idem_key      TEXT NOT NULL,
    edit_hash     TEXT NOT NULL DEFAULT '',
    reports       INTEGER NOT NULL DEFAULT 0,
    held_reason   TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    edited_at     INTEGER,
    UNIQUE (article_id, idem_key)
) STRICT;

CREATE INDEX comments_thread ON comments (article_id, depth, status, created_at, id);
CREATE INDEX comments_root ON comments (root_id, path);
CREATE INDEX comments_status ON comments (status, created_at DESC);
CREATE INDEX comments_email ON comments (email, status);
