-- An email address is the same address in any case, whatever its
-- alphabet. COLLATE NOCASE folds ASCII letters only, and a collation of
-- the program's own would leave the file unreadable to the stock sqlite3
-- tool, so every address gets a key beside it, written by the program
-- (mail.AddressKey): uniqueness and lookups use the key, and the address
-- stays as it was typed. The old NOCASE columns stay as they are: a
-- unique key implies a unique NOCASE address.
--
-- lower() folds ASCII only: it gives the right key to ASCII addresses.
-- The program then rewrites every other key, in this migration's
-- transaction, and refuses the migration if two accounts or two
-- subscribers turn out to share one (store.keyAddresses).

ALTER TABLE users ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
UPDATE users SET email_key = lower(email);
CREATE UNIQUE INDEX users_email_key ON users (email_key);

ALTER TABLE subscribers ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
UPDATE subscribers SET email_key = lower(email);
CREATE UNIQUE INDEX subscribers_email_key ON subscribers (email_key);

ALTER TABLE comments ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
UPDATE comments SET email_key = lower(email) WHERE email <> '';
DROP INDEX comments_email;
CREATE INDEX comments_email_key ON comments (email_key, status);

ALTER TABLE outbox ADD COLUMN recipient_key TEXT NOT NULL DEFAULT '';
UPDATE outbox SET recipient_key = lower(recipient);
DROP INDEX outbox_recipient;
CREATE INDEX outbox_recipient_key ON outbox (recipient_key);
