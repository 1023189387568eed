-- Offline check-ins: a check-in made with no signal is kept on the phone with a UUID the
-- phone chose, and sent when the signal returns, perhaps several times (a retry after a
-- lost response, a background sync racing the open page). The UUID is an idempotency key:
-- a second arrival of the same UUID finds the row it already made instead of writing again.
-- NULL for check-ins sent without one (a form posted with scripts off).
ALTER TABLE checkins ADD COLUMN client_uuid TEXT CHECK (client_uuid IS NULL OR length(client_uuid) = 36);
CREATE UNIQUE INDEX checkins_by_client_uuid ON checkins(user_id, client_uuid) WHERE client_uuid IS NOT NULL;
