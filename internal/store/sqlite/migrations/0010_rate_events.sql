-- Rate limits shared by every process using the database: events per key
-- in fixed windows.
CREATE TABLE rate_events (
    key          TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
) STRICT, WITHOUT ROWID;
