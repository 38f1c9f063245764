package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"broadsheet/internal/mail"
)

// Email addresses are kept as typed and matched by their key,
// mail.AddressKey, in a column beside them that the program writes: the
// same on both engines, and in every alphabet, which neither SQLite's
// COLLATE NOCASE (ASCII letters only) nor PostgreSQL's CITEXT (as the
// database's locale has it) is.

// addressColumn is a column of addresses and the column of their keys.
type addressColumn struct {
	table, address, key string
	unique              bool // one row per key: one account, one subscriber
}

var addressColumns = []addressColumn{
	{"users", "email", "email_key", true},
	{"subscribers", "email", "email_key", true},
	{"comments", "email", "email_key", false},
	{"outbox", "recipient", "recipient_key", false},
}

// keyAddresses follows migration email_keys, whose SQL keys addresses
// with lower(): it rewrites every key that differs from mail.AddressKey's
// (on SQLite, those of addresses with letters outside ASCII). Where two
// users, or two subscribers, turn out to share a key — two accounts that
// NOCASE told apart, "Édith@…" and "édith@…" — it refuses, naming them:
// an address is one account from now on, and which one keeps it is a
// person's choice. The migration is then undone, so the program that ran
// before still runs on the database, where one of each can be changed or
// erased.
func keyAddresses(ctx context.Context, tx *sql.Tx, bind func(string) string) error {
	type rekey struct {
		id  int64
		key string
	}
	var clashes []string
	rekeys := make([][]rekey, len(addressColumns))
	for i, c := range addressColumns {
		holders := map[string][]string{} // key -> `id "address"`, in id order
		var keys []string
		rows, err := tx.QueryContext(ctx, `SELECT id, `+c.address+`, `+c.key+` FROM `+c.table+` WHERE `+c.address+` <> '' ORDER BY id`)
		if err != nil {
			return fmt.Errorf("%s: %w", c.table, err)
		}
		for rows.Next() {
			var id int64
			var addr, key string
			if err := rows.Scan(&id, &addr, &key); err != nil {
				rows.Close()
				return fmt.Errorf("%s: %w", c.table, err)
			}
			want := mail.AddressKey(addr)
			if want != key {
				rekeys[i] = append(rekeys[i], rekey{id, want})
			}
			if c.unique {
				if holders[want] == nil {
					keys = append(keys, want)
				}
				holders[want] = append(holders[want], fmt.Sprintf("%d %q", id, addr))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("%s: %w", c.table, err)
		}
		for _, k := range keys {
			if h := holders[k]; len(h) > 1 {
				clashes = append(clashes, c.table+" "+strings.Join(h, " and "))
			}
		}
	}
	if len(clashes) > 0 {
		return fmt.Errorf("addresses that differ only in case belong to more than one account or subscriber: %s; "+
			"an address is one account from now on: change or erase all but one of each with the version of Broadsheet that ran before "+
			"(the database is left as it was), then start this one again", strings.Join(clashes, "; "))
	}
	for i, c := range addressColumns {
		if len(rekeys[i]) == 0 {
			continue
		}
		update, err := tx.PrepareContext(ctx, bind(`UPDATE `+c.table+` SET `+c.key+` = ? WHERE id = ?`))
		if err != nil {
			return fmt.Errorf("%s: %w", c.table, err)
		}
		for _, r := range rekeys[i] {
			if _, err := update.ExecContext(ctx, r.key, r.id); err != nil {
				update.Close()
				return fmt.Errorf("%s %d: %w", c.table, r.id, err)
			}
		}
		update.Close()
	}
	return nil
}
