-- An invitation's entries (invited, withdrawn) name it by its id instead of copying the name the
-- patient gave it ("Mum", "Dr Patel at Riverside") into detail: audit entries outlive the
-- account, and that name is the patient's own words, which must go when the account is
-- deleted. The log reads the name from share_invitations, which goes with the account.
-- No foreign key: deleting the invitation would then have to change this append-only table.
-- SQLite may give a deleted invitation's id to a new one, so readers match the patient too.
-- Entries written before this migration keep the name in detail: the table refuses updates.
ALTER TABLE audit_log ADD COLUMN invitation_id INTEGER;
