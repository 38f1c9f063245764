-- Live blogs (internal/liveblog): an article told as short, timestamped
-- updates. live_blog marks the article as one; coverage_start and
-- coverage_end are when its coverage opened and closed (NULL: not yet).
-- live_seq counts the changes to its updates: a post, an edit and a
-- deletion each take the next number, which the update keeps as its seq,
-- so that a reader's stream resumes after the last number it heard.
-- Taking it locks the article's row, so that the updates of one live blog
-- are written one at a time, in the order of their numbers.
ALTER TABLE articles ADD COLUMN live_blog INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN coverage_start INTEGER;
ALTER TABLE articles ADD COLUMN coverage_end INTEGER;
ALTER TABLE articles ADD COLUMN live_seq INTEGER NOT NULL DEFAULT 0;

-- An update: its time (created_at), an optional headline, a Markdown body
-- stored with the HTML it renders to (html_of: the renderer's version, as
-- articles'), pinned and key-event flags, and a version an edit must
-- name. A deleted update keeps its row, emptied, with deleted_at set:
-- readers' streams learn from it that the update went.
CREATE TABLE live_updates (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    headline   TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '',
    body_html  TEXT NOT NULL DEFAULT '',
    html_of    INTEGER NOT NULL DEFAULT 0,
    pinned     INTEGER NOT NULL DEFAULT 0,
    key_event  INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    edited_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    edited_at  INTEGER,
    deleted_at INTEGER,
    UNIQUE (article_id, seq)
) STRICT;
CREATE INDEX live_updates_article ON live_updates (article_id, created_at DESC, id DESC);

-- An update's bylines, in order.
CREATE TABLE live_update_authors (
    update_id INTEGER NOT NULL REFERENCES live_updates (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES authors (id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (update_id, author_id)
) STRICT;
CREATE INDEX live_update_authors_author ON live_update_authors (author_id);

-- An update's earlier versions, one kept at each edit: who wrote it and
-- when, and what it said (author_ids: the bylines' ids, space-separated).
CREATE TABLE live_update_revisions (
    id         INTEGER PRIMARY KEY,
    update_id  INTEGER NOT NULL REFERENCES live_updates (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    saved_at   INTEGER NOT NULL,
    headline   TEXT NOT NULL,
    body       TEXT NOT NULL,
    pinned     INTEGER NOT NULL,
    key_event  INTEGER NOT NULL,
    author_ids TEXT NOT NULL DEFAULT '',
    UNIQUE (update_id, version)
) STRICT;

-- The images and documents of the media library an update's body shows
-- or links to, as article_images and article_documents are an article's:
-- a published live blog's are public.
CREATE TABLE live_update_images (
    update_id INTEGER NOT NULL REFERENCES live_updates (id) ON DELETE CASCADE,
    image_id  INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    PRIMARY KEY (update_id, image_id)
) STRICT;
CREATE INDEX live_update_images_image ON live_update_images (image_id);
CREATE TABLE live_update_documents (
    update_id   INTEGER NOT NULL REFERENCES live_updates (id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    PRIMARY KEY (update_id, document_id)
) STRICT;
CREATE INDEX live_update_documents_document ON live_update_documents (document_id);
