-- More Articles reads the strongest holders of each of an article's terms:
-- with article_id in the index, those are read from the index alone,
-- without a visit to the table for each of thousands of postings.
CREATE INDEX article_terms_term_covering ON article_terms (term, weight DESC) INCLUDE (article_id);
DROP INDEX article_terms_term;
