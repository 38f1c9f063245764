-- Documents of the media library: PDFs and audio recordings kept as
-- uploaded, and the documents articles' bodies link to (a published
-- article's documents are public, as its images are).
CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    bytes        BLOB NOT NULL,
    source_hash  TEXT NOT NULL UNIQUE,
    uploaded_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX documents_created ON documents (created_at DESC, id DESC);
CREATE TABLE article_documents (
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, document_id)
) STRICT;
CREATE INDEX article_documents_document ON article_documents (document_id);
