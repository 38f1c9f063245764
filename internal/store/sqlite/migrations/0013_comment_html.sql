-- Each comment keeps the HTML its text renders to, and which renderer
-- (markup.CommentsVersion) made it, so that a page of fifty comments
-- renders no Markdown. Comments stored before, or by another renderer,
-- are rendered when shown until `serve` has rendered and stored them.
ALTER TABLE comments ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN html_of INTEGER NOT NULL DEFAULT 0;
-- Versions only grow: those stored before the current one are a range.
CREATE INDEX comments_html_of ON comments (html_of);
