-- Password reset links, made by the operator (`python -m lift reset-link EMAIL`): Lift sends
-- no email, so the clinic hands the link to the person. At most one link per account: a new
-- one replaces the last. Only a SHA-256 of the link's token is stored, so a copy of the
-- database cannot be used to reset anyone's password. Single use: used_at is set in the
-- same transaction as the new password. Deleting the account deletes its link (cascade).
CREATE TABLE password_resets (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
