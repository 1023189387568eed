-- Each account's "Times" setting: '12' ("2:30 PM") or '24' ("14:30"). NULL is not chosen (an
-- account made before it, or signed up without JavaScript): its time zone decides
-- (domain/dates.uses_twelve_hour).
ALTER TABLE users ADD COLUMN clock TEXT CHECK (clock IN ('12', '24'));
