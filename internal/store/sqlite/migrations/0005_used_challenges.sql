-- Solved anti-bot challenges, kept until they expire, so a solution is
-- accepted once across restarts and instances.
CREATE TABLE used_challenges (
    id         TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX used_challenges_expiry ON used_challenges (expires_at);
