-- Devices whose push service answered that their subscription is gone (404/410). The device
-- itself is deleted; this row lets the Reminders page say which one stopped getting reminders
-- and when, until that device is turned on again or the row is 30 days old.
CREATE TABLE gone_devices (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    gone_at TEXT NOT NULL
);
CREATE INDEX gone_devices_user ON gone_devices(user_id, gone_at);
