-- The media library: an uploaded image is known by the hash of its bytes,
-- so uploading the same file twice finds the first copy.
ALTER TABLE images ADD COLUMN source_hash TEXT;
ALTER TABLE images ADD COLUMN uploaded_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX images_source_hash ON images (source_hash) WHERE source_hash IS NOT NULL;
CREATE INDEX images_created ON images (created_at DESC, id DESC);
