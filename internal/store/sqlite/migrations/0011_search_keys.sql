-- The search index keys each article's row by its publication time (Unix
-- seconds, shifted left 30 bits) above its id (the low 30 bits), so that
-- FTS5 finds the newest matches of a query first and a date range is a
-- rowid range; article_fts_keys remembers the key of each indexed
-- article, whose publication time may change before it is indexed again.
-- A new column, facets, holds the article's section and authors as the
-- words s_<id> and a_<id> (the tokenizer keeps "_" inside words; the
-- normalised text never holds one), so that search filters by them in the
-- index alone.
CREATE TABLE article_fts_keys (
    -- Ids from 2^30 up do not fit below the time in a key.
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) CHECK (article_id BETWEEN 0 AND 1073741823),
    key        INTEGER NOT NULL UNIQUE
) STRICT;

INSERT INTO article_fts_keys (article_id, key)
SELECT f.rowid, (min(max(coalesce(a.published_at, 0), -8589934592), 8589934591) << 30) | f.rowid
FROM article_fts f JOIN articles a ON a.id = f.rowid;

CREATE VIRTUAL TABLE article_fts_new USING fts5 (
    headline, standfirst, body, tags, facets,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '_'"
);

INSERT INTO article_fts_new (rowid, headline, standfirst, body, tags, facets)
SELECT k.key, f.headline, f.standfirst, f.body, f.tags,
       's_' || a.section_id || coalesce((SELECT ' ' || group_concat('a_' || aa.author_id, ' ')
                                         FROM (SELECT author_id FROM article_authors
                                               WHERE article_id = a.id ORDER BY position) aa), '')
FROM article_fts f
JOIN article_fts_keys k ON k.article_id = f.rowid
JOIN articles a ON a.id = f.rowid
ORDER BY k.key;

DROP TABLE article_fts;
ALTER TABLE article_fts_new RENAME TO article_fts;

-- Written in one go, the index is in many segments: merge them.
INSERT INTO article_fts (article_fts) VALUES ('optimize');
