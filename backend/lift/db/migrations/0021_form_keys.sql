-- A session added or moved by hand and a sharing invitation are made by forms that carry a
-- UUID made when the form was shown. Sent again after Lift's answer was lost (a timeout, a
-- dropped connection, a proxy's error page after Lift had saved it), the key finds what the
-- first send made instead of making it twice: one session, one invitation (whose link and code
-- Lift derives from the key again, as it keeps only their hashes). Unique per account, so
-- another account's key names nothing of theirs. NULL for rows made before this migration or
-- sent without a key.
ALTER TABLE treatment_sessions ADD COLUMN client_uuid TEXT CHECK (client_uuid IS NULL OR length(client_uuid) = 36);
CREATE UNIQUE INDEX treatment_sessions_by_client_uuid ON treatment_sessions(user_id, client_uuid) WHERE client_uuid IS NOT NULL;
ALTER TABLE share_invitations ADD COLUMN client_uuid TEXT CHECK (client_uuid IS NULL OR length(client_uuid) = 36);
CREATE UNIQUE INDEX share_invitations_by_client_uuid ON share_invitations(patient_id, client_uuid) WHERE client_uuid IS NOT NULL;
