-- An email address is the same address in any case, whatever its
-- alphabet, and the same on both engines: every address gets a key
-- beside it, written by the program (mail.AddressKey), as on SQLite.
-- Uniqueness and lookups use the key; the address, kept as typed, becomes
-- plain TEXT. CITEXT compared under the database's locale, which under
-- "C" folds ASCII letters only.
--
-- lower() gives the key of most addresses; the program then rewrites any
-- key that differs from its own, in this migration's transaction, and
-- refuses the migration if two accounts or two subscribers turn out to
-- share one (store.keyAddresses).

ALTER TABLE users DROP CONSTRAINT users_email_key;
ALTER TABLE users ALTER COLUMN email TYPE TEXT;
ALTER TABLE users ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
UPDATE users SET email_key = lower(email);
CREATE UNIQUE INDEX users_email_key ON users (email_key);

ALTER TABLE subscribers DROP CONSTRAINT subscribers_email_key;
ALTER TABLE subscribers ALTER COLUMN email TYPE TEXT;
ALTER TABLE subscribers ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
UPDATE subscribers SET email_key = lower(email);
CREATE UNIQUE INDEX subscribers_email_key ON subscribers (email_key);

DROP INDEX comments_email;
ALTER TABLE comments ALTER COLUMN email TYPE TEXT;
ALTER TABLE comments ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
UPDATE comments SET email_key = lower(email) WHERE email <> '';
CREATE INDEX comments_email_key ON comments (email_key, status);

DROP INDEX outbox_recipient;
ALTER TABLE outbox ALTER COLUMN recipient TYPE TEXT;
ALTER TABLE outbox ADD COLUMN recipient_key TEXT NOT NULL DEFAULT '';
UPDATE outbox SET recipient_key = lower(recipient);
CREATE INDEX outbox_recipient_key ON outbox (recipient_key);
