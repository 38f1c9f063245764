-- Redirects from addresses the site once had (an old WordPress site's
-- above all) to where their content lives now, made by hand in the
-- newsroom or by an import. from_path is the address as redirect.Key
-- writes it; to_key is the same of to_url when that is a path of the
-- site ('' when it is off-site), so that a redirect leading to another's
-- address is found and made to lead straight on. source is '' for a
-- redirect made by hand, the importer's name otherwise. hits and
-- last_hit_at are added up in memory and stored in batches.
CREATE TABLE redirects (
    id          INTEGER PRIMARY KEY,
    from_path   TEXT NOT NULL UNIQUE,
    to_url      TEXT NOT NULL,
    to_key      TEXT NOT NULL DEFAULT '',
    off_site    INTEGER NOT NULL DEFAULT 0,
    status      INTEGER NOT NULL DEFAULT 301 CHECK (status IN (301, 302, 307, 308)),
    source      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    hits        INTEGER NOT NULL DEFAULT 0,
    last_hit_at INTEGER,
    CHECK (off_site OR to_url LIKE '/%')
) STRICT;
CREATE INDEX redirects_to_key ON redirects (to_key) WHERE to_key <> '';
