-- The embeds of article bodies (internal/embed): what a provider said of
-- a page address standing alone in a body, asked once when an article
-- showing it is saved, so that readers' pages never ask the provider.
-- url is the address as the body writes it; provider is the registry's
-- key ("youtube", or "oembed" for a configured endpoint) and
-- provider_name what readers read; frame is the https address a page
-- loads once the reader asks. complete is 0 for a record kept after the
-- provider did not answer, asked again by a later save once fetched_at is
-- old enough. thumbnail_id is the provider's preview, kept in the media
-- library.
CREATE TABLE embeds (
    url           TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    provider_name TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    author        TEXT NOT NULL DEFAULT '',
    frame         TEXT NOT NULL DEFAULT '',
    width         INTEGER NOT NULL DEFAULT 0,
    height        INTEGER NOT NULL DEFAULT 0,
    thumbnail_url TEXT NOT NULL DEFAULT '',
    thumbnail_id  INTEGER REFERENCES images (id) ON DELETE SET NULL,
    complete      INTEGER NOT NULL DEFAULT 0,
    fetched_at    INTEGER NOT NULL,
    CHECK (frame = '' OR frame LIKE 'https://%')
) STRICT;
CREATE INDEX embeds_thumbnail ON embeds (thumbnail_id) WHERE thumbnail_id IS NOT NULL;
