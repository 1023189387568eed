-- Who ended a grant: the patient (revoking it) or the grantee (a caregiver or clinician taking
-- the patient off their own list), so the patient's Sharing page can say that the other
-- person ended it. Every grant ended before this migration was revoked by its patient: a
-- grantee could end one only by deleting their account, which deletes the grant.
ALTER TABLE share_grants ADD COLUMN ended_by TEXT CHECK (ended_by IN ('patient', 'grantee'));
UPDATE share_grants SET ended_by = 'patient' WHERE revoked_at IS NOT NULL;
CREATE INDEX share_grants_ended_by_grantee ON share_grants(patient_id, revoked_at) WHERE ended_by = 'grantee';
