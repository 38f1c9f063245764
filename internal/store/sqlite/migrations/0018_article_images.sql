-- The images of the media library an article's body shows, found in its
-- Markdown whenever it is saved or rendered: a published article's
-- images are public, as its lead image is. Every article is rendered
-- again (html_of = 0), which finds the images of those stored before.
CREATE TABLE article_images (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    image_id   INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, image_id)
) STRICT;
CREATE INDEX article_images_image ON article_images (image_id);
UPDATE articles SET html_of = 0;
