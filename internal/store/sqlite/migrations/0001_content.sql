-- Content: sections, tags, authors, images, articles, static pages, settings,
-- and the change log that keeps page caches exact.

CREATE TABLE sections (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE authors (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT '',
    bio  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE images (
    id         INTEGER PRIMARY KEY,
    alt        TEXT NOT NULL DEFAULT '',
    caption    TEXT NOT NULL DEFAULT '',
    credit     TEXT NOT NULL DEFAULT '',
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE image_variants (
    image_id     INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    PRIMARY KEY (image_id, width)
) STRICT;

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    headline      TEXT NOT NULL,
    standfirst    TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    section_id    INTEGER NOT NULL REFERENCES sections (id),
    lead_image_id INTEGER REFERENCES images (id) ON DELETE SET NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'unpublished')),
    language      TEXT NOT NULL DEFAULT 'en',
    published_at  INTEGER,
    updated_at    INTEGER,
    created_at    INTEGER NOT NULL,
    modified_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX articles_public ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_section_public ON articles (section_id, status, published_at DESC, id DESC);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, tag_id)
) STRICT;

CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES authors (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, author_id)
) STRICT;

CREATE INDEX article_authors_author ON article_authors (author_id, article_id);

-- Slugs an article was once published under; the reading site answers them
-- with 301 to the current URL.
CREATE TABLE slug_redirects (
    old_slug   TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
) STRICT;

CREATE TABLE pages (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL DEFAULT 'en',
    modified_at INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Each write appends the cache keys it touched; every process serving pages
-- reads entries past the last id it saw and drops those pages.
CREATE TABLE changes (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    keys TEXT NOT NULL,
    at   INTEGER NOT NULL
) STRICT;
