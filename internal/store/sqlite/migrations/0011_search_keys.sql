-- The search index keys each article's row by its publication time (Unix
-- seconds, shifted left 30 bits) above its id (the low 30 bits), so that
-- FTS5 finds the newest matches of a query first and a date range is a
-- rowid range. article_fts_keys remembers the key of each indexed article,
-- whose publication time may change before it is indexed again.
CREATE TABLE article_fts_keys (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id),
    key        INTEGER NOT NULL UNIQUE
) STRICT;

INSERT INTO article_fts_keys (article_id, key)
SELECT f.rowid, (min(max(coalesce(a.published_at, 0), -8589934592), 8589934591) << 30) | f.rowid
FROM article_fts f JOIN articles a ON a.id = f.rowid;

-- Old keys are article ids, below 2^30; new ones are far above for any
-- article published after 1970, and differ from every id otherwise.
UPDATE article_fts SET rowid = (SELECT key FROM article_fts_keys WHERE article_id = article_fts.rowid);

-- Rewriting every row leaves the index in many segments; merge them.
INSERT INTO article_fts (article_fts) VALUES ('optimize');
