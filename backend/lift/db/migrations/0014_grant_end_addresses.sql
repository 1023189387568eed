-- The address a caregiver or clinician signed in with when their grant ended. The patient's
-- Sharing page and archive showed an ended grant with the grantee's address as it is now, so a
-- caregiver who ended the share (or whom the patient cut off) and then changed address had the
-- new one shown to a patient they no longer share with. An ended grant now shows the address
-- the patient knew; an active one still shows the current address (its changes are on the
-- patient's log). Set in the same UPDATE that ends the grant.
ALTER TABLE share_grants ADD COLUMN ended_email TEXT;

-- The same the other way: the patient's address when the grant ended, which the caregiver's or
-- clinician's archive shows for that share instead of the one the patient signs in with now (a
-- patient who stopped sharing, or was left, and then changed address is no longer that person's
-- business). Set by the same UPDATE. Grants ended before this migration keep it unknown (NULL,
-- shown as no address): a patient's change of address is logged nowhere, so nothing tells
-- whether the address they have now is the one they had then.
ALTER TABLE share_grants ADD COLUMN ended_patient_email TEXT;

-- Grants ended before this migration take the address from the audit entry their ending wrote
-- in the same transaction: the patient's revoke (the address in detail) or the grantee's
-- ended_by_grantee revoke (actor_email), on that patient's log, at most a minute after
-- revoked_at (which is read just before the write). Where several such entries fall in that
-- minute with different addresses, the one that is the grantee's address now is theirs; if
-- none is, the address stays unknown (NULL) rather than possibly someone else's.
UPDATE share_grants SET ended_email = (
    SELECT CASE WHEN count(DISTINCT c.address) = 1 THEN max(c.address)
                WHEN sum(c.address = c.current) > 0 THEN max(c.current) END
    FROM (SELECT CASE WHEN a.actor_role = 'patient' THEN a.detail ELSE a.actor_email END AS address,
                 (SELECT u.email FROM users u WHERE u.id = share_grants.grantee_id) AS current
          FROM audit_log a JOIN audit_subjects s ON s.subject = a.subject
          WHERE s.user_id = share_grants.patient_id AND a.action = 'revoke'
            AND a.at >= share_grants.revoked_at
            AND a.at <= strftime('%Y-%m-%dT%H:%M:%SZ', share_grants.revoked_at, '+60 seconds')
            AND ((share_grants.ended_by = 'patient' AND a.actor_role = 'patient' AND a.what = share_grants.role)
              OR (share_grants.ended_by = 'grantee' AND a.actor_role = share_grants.role
                  AND a.what = 'ended_by_grantee'))) c
    WHERE c.address <> '')
WHERE revoked_at IS NOT NULL;
