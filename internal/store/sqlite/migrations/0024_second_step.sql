-- The second step of a newsroom sign-in (internal/account): passkeys,
-- an authenticator app's secret, recovery codes, and when each session
-- last took a second step.
--
-- totp_step is the time step of the last code used, so that a code works
-- once: a code is accepted only for a later step.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_step INTEGER NOT NULL DEFAULT 0;

ALTER TABLE sessions ADD COLUMN second_step_at INTEGER NOT NULL DEFAULT 0;

-- A passkey: the credential id (base64url, unique among all accounts, as
-- authenticators make it) and the WebAuthn record (public key, counter,
-- flags) as JSON.
CREATE TABLE passkeys (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    credential_id TEXT NOT NULL UNIQUE,
    record        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);

CREATE INDEX passkeys_user ON passkeys (user_id);

-- A recovery code, hashed; used_at is NULL until it is spent.
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER,
    UNIQUE (user_id, code_hash)
);
