-- Page views per article and hour, for the Most read lists. Counted in
-- memory and added here in batches; no reader is identified.
CREATE TABLE article_views (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    hour       INTEGER NOT NULL, -- Unix seconds at the start of the hour
    views      INTEGER NOT NULL,
    PRIMARY KEY (article_id, hour)
) STRICT, WITHOUT ROWID;

CREATE INDEX article_views_hour ON article_views (hour);
