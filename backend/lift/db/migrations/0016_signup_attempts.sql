-- Sign-ups per client address, so a burst of them cannot take the server's CPU (each one costs
-- an argon2id hash) or fill the database with accounts. A row is written before the password is
-- hashed, in the write transaction that counts the address's rows (db/users.claim_signup).
-- An IP address is personal data: a row names no account, and rows older than the window (an
-- hour) are deleted at the next sign-up and at start-up.
CREATE TABLE signup_attempts (
    id  INTEGER PRIMARY KEY,
    ip  TEXT NOT NULL,
    at  TEXT NOT NULL
);
CREATE INDEX signup_attempts_by_ip ON signup_attempts(ip, at);
CREATE INDEX signup_attempts_by_time ON signup_attempts(at);
