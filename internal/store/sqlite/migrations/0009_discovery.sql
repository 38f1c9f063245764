-- Discovery: full-text search and More Articles over published articles.
-- Both hold text normalised and stemmed in Go (internal/search), so every
-- engine searches the same terms.

-- article_fts: one row per published article, rowid = article id.
CREATE VIRTUAL TABLE article_fts USING fts5 (
    headline, standfirst, body, tags,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- How many indexed articles hold each term, for TF-IDF.
CREATE TABLE term_df (
    term TEXT PRIMARY KEY,
    df   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Each published article's strongest terms, a unit TF-IDF vector.
CREATE TABLE article_terms (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    term       TEXT NOT NULL,
    weight     REAL NOT NULL,
    PRIMARY KEY (article_id, term)
) STRICT, WITHOUT ROWID;

CREATE INDEX article_terms_term ON article_terms (term, weight DESC);
