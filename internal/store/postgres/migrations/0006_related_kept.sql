-- Each article's More Articles, worked out once and kept: the ids of the
-- articles most like it, best first, comma-separated, and when the list
-- was made (Unix seconds). A page reads the list instead of ranking
-- thousands of candidates each time it is rendered.
CREATE TABLE related_kept (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    ids        TEXT NOT NULL,
    made_at    BIGINT NOT NULL
);
