-- A questionnaire sent again after its answer was lost (a timeout, a dropped connection, a
-- proxy's error page after Lift had saved it) must not be stored twice: the form carries a
-- UUID made when it was shown, and a second arrival finds the result the first one made.
-- NULL for results stored before this migration.
ALTER TABLE scale_results ADD COLUMN client_uuid TEXT CHECK (client_uuid IS NULL OR length(client_uuid) = 36);
CREATE UNIQUE INDEX scale_results_by_client_uuid ON scale_results(user_id, client_uuid) WHERE client_uuid IS NOT NULL;
