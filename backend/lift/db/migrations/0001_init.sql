-- Accounts, server-side sessions, sign-in throttling, daily check-ins and safety plans.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('patient', 'caregiver', 'clinician')),
    timezone      TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- Only a SHA-256 of each session token is stored, so a copy of the database
-- cannot be used to sign in as anyone.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE signin_failures (
    id     INTEGER PRIMARY KEY,
    email  TEXT NOT NULL COLLATE NOCASE,
    ip     TEXT NOT NULL,
    at     TEXT NOT NULL
);
CREATE INDEX signin_failures_by_email ON signin_failures(email, at);
CREATE INDEX signin_failures_by_ip ON signin_failures(ip, at);

CREATE TABLE checkins (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    local_date  TEXT NOT NULL,
    mood        INTEGER NOT NULL CHECK (mood BETWEEN 0 AND 10),
    anxiety     INTEGER NOT NULL CHECK (anxiety BETWEEN 0 AND 10),
    sleep_hours REAL NOT NULL CHECK (sleep_hours BETWEEN 0 AND 24),
    thoughts    INTEGER NOT NULL CHECK (thoughts BETWEEN 0 AND 3),
    note        TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (user_id, local_date)
);

CREATE TABLE safety_plans (
    user_id          INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    warning_signs    TEXT NOT NULL DEFAULT '',
    coping           TEXT NOT NULL DEFAULT '',
    distractions     TEXT NOT NULL DEFAULT '',
    people           TEXT NOT NULL DEFAULT '',
    professionals    TEXT NOT NULL DEFAULT '',
    environment      TEXT NOT NULL DEFAULT '',
    care_team_name   TEXT NOT NULL DEFAULT '',
    care_team_phone  TEXT NOT NULL DEFAULT '',
    updated_at       TEXT NOT NULL
);
