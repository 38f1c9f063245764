-- An editor can close an article's discussion; existing comments stay.
ALTER TABLE articles ADD COLUMN comments_closed INTEGER NOT NULL DEFAULT 0;
