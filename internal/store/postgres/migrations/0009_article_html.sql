-- Each article keeps the HTML its body renders to, and which renderer
-- (markup.ArticlesVersion) made it, so that an article page renders no
-- Markdown. Articles stored before, or by another renderer, are given
-- out without it until `serve` has rendered and stored them.
ALTER TABLE articles ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN html_of INTEGER NOT NULL DEFAULT 0;
-- Versions only grow: those stored before the current one are a range,
-- and once none is left, serve's look at start-up reads no article.
CREATE INDEX articles_html_of ON articles (html_of);
