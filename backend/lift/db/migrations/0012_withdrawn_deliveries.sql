-- A reminder's message waiting to be sent again (after a push service's 429 or 5xx) is looked
-- at again before it goes; one no longer wanted (the session cancelled, the check-in done) is
-- recorded as withdrawn, like a reminder. SQLite cannot change a CHECK constraint in place, so
-- the table is rebuilt with the same columns, keys and indexes and one more status.
CREATE TABLE push_deliveries_new (
    id               INTEGER PRIMARY KEY,
    reminder_id      INTEGER REFERENCES reminders(id) ON DELETE CASCADE,
    subscription_id  INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    payload          TEXT NOT NULL CHECK (length(CAST(payload AS BLOB)) <= 3993),
    urgency          TEXT NOT NULL CHECK (urgency IN ('very-low', 'low', 'normal', 'high')),
    topic            TEXT NOT NULL CHECK (length(topic) BETWEEN 1 AND 32),
    expires_at       TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sent', 'failed', 'expired', 'withdrawn')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    claimed_by       TEXT,
    claimed_at       TEXT,
    last_status      INTEGER,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    UNIQUE (reminder_id, subscription_id)
);
INSERT INTO push_deliveries_new SELECT id, reminder_id, subscription_id, payload, urgency, topic, expires_at,
    status, attempts, next_attempt_at, claimed_by, claimed_at, last_status, last_error, created_at, sent_at
    FROM push_deliveries;
DROP TABLE push_deliveries;
ALTER TABLE push_deliveries_new RENAME TO push_deliveries;
CREATE INDEX push_deliveries_due ON push_deliveries(status, next_attempt_at);
CREATE INDEX push_deliveries_by_subscription ON push_deliveries(subscription_id);
