-- Treatment plans, their sessions, and how each session went.

-- One plan per patient: the treatment they are having now and their clinic.
CREATE TABLE treatment_plans (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    medication       TEXT NOT NULL CHECK (medication IN ('esketamine', 'iv_ketamine', 'other')),
    medication_name  TEXT NOT NULL DEFAULT '' CHECK (length(medication_name) <= 120),
    clinic_name      TEXT NOT NULL DEFAULT '' CHECK (length(clinic_name) <= 120),
    clinic_phone     TEXT NOT NULL DEFAULT '' CHECK (length(clinic_phone) <= 40),
    food_advice      TEXT NOT NULL DEFAULT '' CHECK (length(food_advice) <= 500),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

-- starts_at is the UTC instant. requested_date and requested_time are the local date and
-- wall-clock time the patient asked for, kept so Lift can explain a time the clocks skipped
-- or repeated that day. A moved session points at the session that replaced it.
CREATE TABLE treatment_sessions (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES treatment_plans(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    starts_at       TEXT NOT NULL,
    requested_date  TEXT NOT NULL,
    requested_time  TEXT NOT NULL,
    phase           TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'planned'
                    CHECK (status IN ('planned', 'done', 'missed', 'rescheduled', 'cancelled')),
    ride_home       TEXT NOT NULL DEFAULT '' CHECK (ride_home IN ('', 'arranged', 'dismissed')),
    moved_to        INTEGER REFERENCES treatment_sessions(id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX treatment_sessions_by_user ON treatment_sessions(user_id, starts_at);
CREATE INDEX treatment_sessions_by_plan ON treatment_sessions(plan_id);

CREATE TABLE treatment_session_logs (
    session_id           INTEGER PRIMARY KEY REFERENCES treatment_sessions(id) ON DELETE CASCADE,
    mood_before          INTEGER CHECK (mood_before BETWEEN 0 AND 10),
    mood_after           INTEGER CHECK (mood_after BETWEEN 0 AND 10),
    bp_before_systolic   INTEGER,
    bp_before_diastolic  INTEGER,
    bp_after_systolic    INTEGER,
    bp_after_diastolic   INTEGER,
    back_to_normal       TEXT NOT NULL DEFAULT '',
    note                 TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

-- Only effects the patient rated above "none" are stored; a missing row means none.
CREATE TABLE treatment_side_effects (
    session_id  INTEGER NOT NULL REFERENCES treatment_session_logs(session_id) ON DELETE CASCADE,
    effect      TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe')),
    PRIMARY KEY (session_id, effect)
);
