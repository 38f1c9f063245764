-- What an import brought from another system: each record's id there
-- (source names the system and the site, kind the record's kind there)
-- and the row it became here, so that the same export, or a later one of
-- the same site, imports only what is new. A row made here and deleted
-- since is not brought back.
CREATE TABLE imported (
    source      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    source_id   INTEGER NOT NULL,
    local_id    INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (source, kind, source_id)
) STRICT;
-- The web address an imported comment's author gave (WordPress asks for
-- one); comments written here have none.
ALTER TABLE comments ADD COLUMN url TEXT NOT NULL DEFAULT '';
