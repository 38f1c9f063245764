-- Rate limits shared by every instance: events per key in fixed windows.
CREATE TABLE rate_events (
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
