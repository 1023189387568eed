-- The caregiver's or clinician's own name for the patient of a grant ("Mum", "Jane Doe", a
-- record number), so that someone who sees several journals can tell them apart by more than an
-- email address. Only that person sees it: on their list, the patient's page, their CSV files
-- and their archive; the patient never does. (The grant's `label` is the other way round: the
-- patient's name for them.) NULL when they gave none; an empty name is stored as NULL.
--
-- It is part of the grantee's access, so it goes with it: the UPDATE that ends a grant (the
-- patient revoking it, or the grantee ending their own access) sets it back to NULL, and deleting
-- either account deletes the grant. A new share with the same person starts without a name.
ALTER TABLE share_grants ADD COLUMN grantee_label TEXT
    CHECK (grantee_label IS NULL OR length(grantee_label) BETWEEN 1 AND 80);
