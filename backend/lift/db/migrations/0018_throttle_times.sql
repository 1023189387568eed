-- Failed sign-ins and unknown invitation keys are deleted once past their window, at start-up and
-- in each transaction that adds one (db/throttles.py): indexed by time, that deletion reads only
-- the rows it deletes, not the whole table, while the writer waits.
CREATE INDEX signin_failures_by_time ON signin_failures(at);
CREATE INDEX invitation_failures_by_time ON invitation_failures(at);
