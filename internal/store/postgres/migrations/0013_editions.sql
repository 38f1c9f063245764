-- Editions and translations. A section belongs to one edition: '' is the
-- site's main edition, otherwise the edition's language code; an article
-- is in its section's edition. A translation names the article it
-- translates (the original of its group), NULL for an original.
ALTER TABLE sections ADD COLUMN edition TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN translation_of BIGINT REFERENCES articles (id);
CREATE INDEX articles_translation_of ON articles (translation_of) WHERE translation_of IS NOT NULL;
