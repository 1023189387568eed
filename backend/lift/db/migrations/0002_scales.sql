-- Weekly PHQ-9 and GAD-7 results. Each answer is kept under its stable item ID beside the
-- total and band computed when it was taken, so scoring never depends on question wording.

CREATE TABLE scale_results (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    instrument   TEXT NOT NULL CHECK (instrument IN ('phq9', 'gad7')),
    local_date   TEXT NOT NULL,
    taken_at     TEXT NOT NULL,
    total        INTEGER NOT NULL CHECK (total BETWEEN 0 AND 27),
    band         TEXT NOT NULL,
    difficulty   INTEGER CHECK (difficulty BETWEEN 0 AND 3),
    is_baseline  INTEGER NOT NULL DEFAULT 0 CHECK (is_baseline IN (0, 1)),
    CHECK (instrument = 'phq9' OR total <= 21)
);
CREATE INDEX scale_results_by_user ON scale_results(user_id, instrument, local_date);

CREATE TABLE scale_answers (
    result_id  INTEGER NOT NULL REFERENCES scale_results(id) ON DELETE CASCADE,
    item_id    TEXT NOT NULL CHECK (item_id GLOB 'phq9_[1-9]' OR item_id GLOB 'gad7_[1-7]'),
    answer     INTEGER NOT NULL CHECK (answer BETWEEN 0 AND 3),
    PRIMARY KEY (result_id, item_id)
) WITHOUT ROWID;
