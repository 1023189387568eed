-- Sharing on the patient's terms: invitations, grants, and the append-only audit log.

-- An invitation is a link (a long random token) and a short code for the same invitation.
-- Only a SHA-256 of the token and a keyed hash (HMAC with the app's secret) of the code are
-- stored: a copy of the database cannot be used to accept anyone's invitation, and the short
-- code cannot be found by hashing every possible code without the key. Single use: used_at
-- is set when it is accepted. caregiver invitations carry the two switches the patient chose;
-- a clinician always sees everything (check-ins with notes, scales, session logs).
CREATE TABLE share_invitations (
    id                INTEGER PRIMARY KEY,
    patient_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role              TEXT NOT NULL CHECK (role IN ('caregiver', 'clinician')),
    include_notes     INTEGER NOT NULL DEFAULT 0 CHECK (include_notes IN (0, 1)),
    include_thoughts  INTEGER NOT NULL DEFAULT 0 CHECK (include_thoughts IN (0, 1)),
    label             TEXT NOT NULL DEFAULT '' CHECK (length(label) <= 80),
    token_hash        TEXT NOT NULL UNIQUE,
    code_hash         TEXT NOT NULL UNIQUE,
    created_at        TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    used_at           TEXT,
    used_by           INTEGER REFERENCES users(id) ON DELETE SET NULL,
    withdrawn_at      TEXT
);
CREATE INDEX share_invitations_by_patient ON share_invitations(patient_id, created_at);

-- A grant lets one caregiver or clinician see one patient's journal within a scope. Revoking
-- sets revoked_at; every request by the grantee reads this table, so it ends at once.
CREATE TABLE share_grants (
    id                INTEGER PRIMARY KEY,
    patient_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    grantee_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role              TEXT NOT NULL CHECK (role IN ('caregiver', 'clinician')),
    include_notes     INTEGER NOT NULL DEFAULT 0 CHECK (include_notes IN (0, 1)),
    include_thoughts  INTEGER NOT NULL DEFAULT 0 CHECK (include_thoughts IN (0, 1)),
    label             TEXT NOT NULL DEFAULT '' CHECK (length(label) <= 80),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    revoked_at        TEXT
);
CREATE UNIQUE INDEX share_grants_active ON share_grants(patient_id, grantee_id) WHERE revoked_at IS NULL;
CREATE INDEX share_grants_by_grantee ON share_grants(grantee_id, role) WHERE revoked_at IS NULL;

-- Failed invitation look-ups per address, so the short codes cannot be guessed at speed.
CREATE TABLE invitation_failures (
    id  INTEGER PRIMARY KEY,
    ip  TEXT NOT NULL,
    at  TEXT NOT NULL
);
CREATE INDEX invitation_failures_by_ip ON invitation_failures(ip, at);

-- Audit entries name the patient through a random subject, never through users.id: SQLite
-- can give a deleted account's id to the next new account, and entries cannot be deleted.
-- Deleting an account deletes its subject row (by cascade), so the entries that stay behind
-- no longer point to any person.
CREATE TABLE audit_subjects (
    user_id  INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    subject  TEXT NOT NULL UNIQUE
);

-- Every view and export by someone other than the patient, and every invitation, grant,
-- scope change and revocation. actor_email is the viewer's address at the time (empty when
-- the patient acted). detail holds no health data: only which page or file, and a date range.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    subject      TEXT NOT NULL,
    actor_role   TEXT NOT NULL CHECK (actor_role IN ('patient', 'caregiver', 'clinician')),
    actor_email  TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL CHECK (action IN ('invite', 'withdraw', 'grant', 'scope', 'revoke',
                                                 'view', 'export', 'delete_account')),
    what         TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_subject ON audit_log(subject, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
