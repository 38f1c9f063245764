-- Discovery: full-text search and More Articles over published articles.
-- Both hold text normalised and stemmed in Go (internal/search), so every
-- engine searches the same terms; PostgreSQL's 'simple' configuration
-- only splits and lower-cases what Go already made.

-- article_fts: one row per published article, its fields as space-joined
-- terms, and doc weighing them: headline A, tags B, standfirst C, body D.
CREATE TABLE article_fts (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    headline   TEXT NOT NULL,
    standfirst TEXT NOT NULL,
    body       TEXT NOT NULL,
    tags       TEXT NOT NULL,
    doc        tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, headline), 'A') ||
        setweight(to_tsvector('simple'::regconfig, tags), 'B') ||
        setweight(to_tsvector('simple'::regconfig, standfirst), 'C') ||
        setweight(to_tsvector('simple'::regconfig, body), 'D')
    ) STORED
);

CREATE INDEX article_fts_doc ON article_fts USING GIN (doc);

-- How many indexed articles hold each term, for TF-IDF.
CREATE TABLE term_df (
    term TEXT PRIMARY KEY,
    df   INTEGER NOT NULL
);

-- Each published article's strongest terms, a unit TF-IDF vector.
CREATE TABLE article_terms (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    term       TEXT NOT NULL,
    weight     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (article_id, term)
);

CREATE INDEX article_terms_term ON article_terms (term, weight DESC);
