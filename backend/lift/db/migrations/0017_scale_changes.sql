-- Which earlier results a questionnaire result was saved as a change of ("Change answers", or a
-- form sent again with changed answers naming earlier keys in `replaces`), of its questionnaire
-- and day: one it deleted (earlier_id then names no row, or the new result itself when SQLite
-- gave it the freed id), or one kept beside it for a higher answer to question 9. A result's
-- page says "your first answers are kept too" only of its own earlier ones, and an old
-- /scales/results/{id}/change address leads to the result that replaced it. Only ids: earlier_id
-- is always the same patient's, read through result_id, and a row goes with its result.
-- Results changed before this migration have no rows.
CREATE TABLE scale_changes (
    earlier_id  INTEGER NOT NULL,
    result_id   INTEGER NOT NULL REFERENCES scale_results(id) ON DELETE CASCADE,
    PRIMARY KEY (earlier_id, result_id)
) WITHOUT ROWID;
CREATE INDEX scale_changes_by_result ON scale_changes(result_id);
