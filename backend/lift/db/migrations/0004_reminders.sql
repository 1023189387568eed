-- Reminders: the devices a patient turned notifications on for, what they want reminding
-- about, one row per reminder with its due instant, one row per message to each device, and
-- the private calendar feed. Instants are ISO 8601 UTC with milliseconds, so they sort as text.

-- A browser's push subscription. The endpoint is unique: when another account subscribes the
-- same browser, the subscription moves to that account and stops reaching the first one.
CREATE TABLE push_subscriptions (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint      TEXT NOT NULL UNIQUE CHECK (length(endpoint) <= 2048),
    p256dh        TEXT NOT NULL CHECK (length(p256dh) <= 100),
    auth          TEXT NOT NULL CHECK (length(auth) <= 40),
    label         TEXT NOT NULL DEFAULT '' CHECK (length(label) <= 80),
    created_at    TEXT NOT NULL,
    last_sent_at  TEXT
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions(user_id);

-- No row means the defaults. Times are local wall-clock "HH:MM" in the patient's zone;
-- empty quiet-hours times mean no quiet hours.
CREATE TABLE reminder_preferences (
    user_id          INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    checkin_enabled  INTEGER NOT NULL CHECK (checkin_enabled IN (0, 1)),
    checkin_time     TEXT NOT NULL,
    eve_enabled      INTEGER NOT NULL CHECK (eve_enabled IN (0, 1)),
    eve_time         TEXT NOT NULL,
    lead_enabled     INTEGER NOT NULL CHECK (lead_enabled IN (0, 1)),
    lead_minutes     INTEGER NOT NULL CHECK (lead_minutes BETWEEN 1 AND 1440),
    scale_enabled    INTEGER NOT NULL CHECK (scale_enabled IN (0, 1)),
    scale_time       TEXT NOT NULL,
    quiet_start      TEXT NOT NULL DEFAULT '',
    quiet_end        TEXT NOT NULL DEFAULT '',
    detailed_text    INTEGER NOT NULL DEFAULT 0 CHECK (detailed_text IN (0, 1)),
    updated_at       TEXT NOT NULL
);

-- One reminder: a kind and what it is about (a local date, or a treatment session's id).
-- The unique key makes planning idempotent, so any number of schedulers can plan at once.
-- A worker claims a due row by writing its name in claimed_by; a claim older than the
-- worker's timeout is taken over, so a worker that died mid-batch loses nothing.
-- session_id has no foreign key on purpose: a reminder for a session that is gone is
-- withdrawn when it comes due, by the same rule that withdraws one for a moved session.
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('checkin', 'treatment_eve', 'treatment_lead', 'scale')),
    about       TEXT NOT NULL,
    session_id  INTEGER,
    local_date  TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'dispatched', 'no_device', 'withdrawn', 'expired')),
    claimed_by  TEXT,
    claimed_at  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (user_id, kind, about)
);
CREATE INDEX reminders_due ON reminders(status, due_at);

-- One push message to one device: a reminder's, or a test the patient asked for
-- (reminder_id NULL). It is claimed the same way as a reminder, and retried with backoff.
CREATE TABLE push_deliveries (
    id               INTEGER PRIMARY KEY,
    reminder_id      INTEGER REFERENCES reminders(id) ON DELETE CASCADE,
    subscription_id  INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    payload          TEXT NOT NULL CHECK (length(CAST(payload AS BLOB)) <= 3993),
    urgency          TEXT NOT NULL CHECK (urgency IN ('very-low', 'low', 'normal', 'high')),
    topic            TEXT NOT NULL CHECK (length(topic) BETWEEN 1 AND 32),
    expires_at       TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sent', 'failed', 'expired')),
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
CREATE INDEX push_deliveries_due ON push_deliveries(status, next_attempt_at);
CREATE INDEX push_deliveries_by_subscription ON push_deliveries(subscription_id);

-- Only a SHA-256 of the feed token is stored, like session tokens: a copy of the database
-- does not reveal anyone's calendar address.
CREATE TABLE calendar_feeds (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);
