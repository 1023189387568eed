"""PHQ-9 and GAD-7 results, each with its answers stored under stable item IDs."""

from __future__ import annotations

from datetime import date

from lift.db.connection import Database
from lift.domain.scales import SavedResult, ScaleResult, is_changed_by, kept_beside, supersedes

RESULT_COLUMNS = "id, instrument, local_date, total, band, difficulty, is_baseline, client_uuid"


def _result(row, answers: dict[str, int] | None = None) -> ScaleResult | None:
    if row is None:
        return None
    return ScaleResult(
        id=row["id"], instrument=row["instrument"], local_date=date.fromisoformat(row["local_date"]),
        total=row["total"], band=row["band"], difficulty=row["difficulty"],
        is_baseline=bool(row["is_baseline"]), answers=answers or {}, client_uuid=row["client_uuid"],
    )


async def save_result(db: Database, user_id: int, instrument: str, local_date: date, taken_at: str,
                      answers: dict[str, int], total: int, band: str, difficulty: int | None,
                      baseline: bool, client_uuid: str | None = None,
                      replaces: tuple[str, ...] = ()) -> SavedResult:
    """Store one result and its answers in one transaction. Marking it as baseline unmarks
    any earlier baseline of the same questionnaire: there is only ever one. A form whose
    client_uuid was stored already changes nothing and gets that result back.

    `replaces` are the keys the same form was sent with before its answers changed: in the
    same transaction, the results they stored are deleted when they are this patient's and
    `scales.supersedes` allows it (the same questionnaire and local day, no higher answer to
    question 9); those kept for question 9 come back with the new result. The new result is
    recorded as a change of each of them (`scale_changes`), and of what those it deletes were
    changes of."""
    async with db.write() as conn:
        if client_uuid:
            cursor = await conn.execute(
                f"SELECT {RESULT_COLUMNS} FROM scale_results WHERE user_id = ? AND client_uuid = ?",
                (user_id, client_uuid),
            )
            if (stored := await cursor.fetchone()) is not None:
                return SavedResult(result=_result(stored))
        changed = [r for r in await _results_with_keys(conn, user_id, replaces)
                   if is_changed_by(r, instrument, local_date)]
        gone = [r.id for r in changed if supersedes(r, instrument, local_date, answers)]
        # Read before the DELETE takes their rows with them.
        changed_ids = {r.id for r in changed} | await _earlier_ids(conn, gone)
        if gone:
            await conn.execute(
                f"DELETE FROM scale_results WHERE user_id = ? AND id IN ({', '.join('?' * len(gone))})",
                (user_id, *gone),
            )
        if baseline:
            await conn.execute(
                "UPDATE scale_results SET is_baseline = 0 WHERE user_id = ? AND instrument = ?",
                (user_id, instrument),
            )
        cursor = await conn.execute(
            "INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band,"
            f" difficulty, is_baseline, client_uuid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {RESULT_COLUMNS}",
            (user_id, instrument, local_date.isoformat(), taken_at, total, band, difficulty, int(baseline),
             client_uuid),
        )
        row = await cursor.fetchone()
        await conn.executemany(
            "INSERT INTO scale_answers (result_id, item_id, answer) VALUES (?, ?, ?)",
            [(row["id"], item_id, answer) for item_id, answer in answers.items()],
        )
        await conn.executemany(
            "INSERT INTO scale_changes (earlier_id, result_id) VALUES (?, ?)",
            [(earlier_id, row["id"]) for earlier_id in sorted(changed_ids)],
        )
        still_stored = await _results_with_ids(conn, user_id, changed_ids - set(gone))
    result = _result(row, answers)
    return SavedResult(result=result, kept=kept_beside(result, still_stored))


async def _earlier_ids(conn, result_ids: list[int]) -> set[int]:
    """The results these were saved as a change of (scale_changes), stored or not."""
    if not result_ids:
        return set()
    cursor = await conn.execute(
        f"SELECT earlier_id FROM scale_changes WHERE result_id IN ({', '.join('?' * len(result_ids))})",
        tuple(result_ids),
    )
    return {row["earlier_id"] for row in await cursor.fetchall()}


async def _results_with_ids(conn, user_id: int, ids: set[int]) -> list[ScaleResult]:
    """This patient's results still stored among these IDs, in the order saved, with answers."""
    if not ids:
        return []
    cursor = await conn.execute(
        f"SELECT {RESULT_COLUMNS} FROM scale_results WHERE user_id = ? AND id IN ({', '.join('?' * len(ids))})"
        " ORDER BY id",
        (user_id, *sorted(ids)),
    )
    return await _with_answers(conn, await cursor.fetchall())


async def _results_with_keys(conn, user_id: int, keys: tuple[str, ...]) -> list[ScaleResult]:
    """This patient's results stored under these form keys, each with its answers."""
    if not keys:
        return []
    cursor = await conn.execute(
        f"SELECT {RESULT_COLUMNS} FROM scale_results WHERE user_id = ?"
        f" AND client_uuid IN ({', '.join('?' * len(keys))})",
        (user_id, *keys),
    )
    return await _with_answers(conn, await cursor.fetchall())


async def _with_answers(conn, rows) -> list[ScaleResult]:
    """These result rows as results, each with its answers."""
    if not rows:
        return []
    cursor = await conn.execute(
        f"SELECT result_id, item_id, answer FROM scale_answers WHERE result_id IN ({', '.join('?' * len(rows))})",
        tuple(row["id"] for row in rows),
    )
    answers: dict[int, dict[str, int]] = {}
    for item in await cursor.fetchall():
        answers.setdefault(item["result_id"], {})[item["item_id"]] = item["answer"]
    return [_result(row, answers.get(row["id"])) for row in rows]


async def results_changed_by(db: Database, user_id: int, result_id: int) -> list[ScaleResult]:
    """The results this patient's result was saved as a change of that are still stored (kept
    beside it for question 9), in the order saved, each with its answers."""
    async with db.read() as conn:
        return await _results_with_ids(conn, user_id, await _earlier_ids(conn, [result_id]))


async def replacement_of(db: Database, user_id: int, earlier_id: int) -> int | None:
    """The newest of this patient's results saved as a change of `earlier_id`, a result since
    deleted (replaced); None when none is stored, and for anyone else's."""
    row = await db.fetch_one(
        "SELECT max(c.result_id) FROM scale_changes c JOIN scale_results r ON r.id = c.result_id"
        " WHERE c.earlier_id = ? AND r.user_id = ?",
        (earlier_id, user_id),
    )
    return row[0] if row else None


async def results_with_keys(db: Database, user_id: int, keys: tuple[str, ...]) -> list[ScaleResult]:
    """This patient's results stored under these form keys, each with its answers."""
    async with db.read() as conn:
        return await _results_with_keys(conn, user_id, keys)


async def results_for(db: Database, user_id: int) -> list[ScaleResult]:
    """Every result of this patient's, oldest first, without the item answers."""
    async with db.read() as conn:
        cursor = await conn.execute(
            f"SELECT {RESULT_COLUMNS} FROM scale_results WHERE user_id = ? ORDER BY local_date, id",
            (user_id,),
        )
        return [_result(row) for row in await cursor.fetchall()]


async def results_for_trends(db: Database, user_id: int, since: date) -> list[ScaleResult]:
    """Results from `since` on, plus every result that can be a baseline (each questionnaire's
    first, and any the patient marked), so change from baseline needs no older rows."""
    async with db.read() as conn:
        cursor = await conn.execute(
            f"SELECT {RESULT_COLUMNS} FROM scale_results AS r WHERE user_id = ? AND (local_date >= ?"
            " OR is_baseline = 1 OR id = (SELECT f.id FROM scale_results AS f WHERE f.user_id = r.user_id"
            " AND f.instrument = r.instrument ORDER BY f.local_date, f.id LIMIT 1)) ORDER BY local_date, id",
            (user_id, since.isoformat()),
        )
        return [_result(row) for row in await cursor.fetchall()]


async def result_by_id(db: Database, user_id: int, result_id: int) -> ScaleResult | None:
    """One result with its answers if it is this patient's; anyone else's reads as missing."""
    async with db.read() as conn:
        cursor = await conn.execute(
            f"SELECT {RESULT_COLUMNS} FROM scale_results WHERE id = ? AND user_id = ?", (result_id, user_id)
        )
        row = await cursor.fetchone()
        if row is None:
            return None
        cursor = await conn.execute(
            "SELECT item_id, answer FROM scale_answers WHERE result_id = ?", (result_id,)
        )
        answers = {item["item_id"]: item["answer"] for item in await cursor.fetchall()}
    return _result(row, answers)


async def mark_baseline(db: Database, user_id: int, result_id: int) -> bool:
    """Make this result the baseline of its questionnaire; False if it is not this patient's."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "SELECT instrument FROM scale_results WHERE id = ? AND user_id = ?", (result_id, user_id)
        )
        row = await cursor.fetchone()
        if row is None:
            return False
        await conn.execute(
            "UPDATE scale_results SET is_baseline = (id = ?) WHERE user_id = ? AND instrument = ?",
            (result_id, user_id, row["instrument"]),
        )
    return True


async def delete_result(db: Database, user_id: int, result_id: int) -> bool:
    """Delete this patient's result. Its rows as the result of a change go with it (cascade); so
    do its rows as a change's earlier result, kept beside it for question 9: left, they would
    read as a result that change replaced, and its addresses would lead to the change."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "DELETE FROM scale_results WHERE id = ? AND user_id = ?", (result_id, user_id)
        )
        if cursor.rowcount != 1:
            return False
        await conn.execute("DELETE FROM scale_changes WHERE earlier_id = ?"
                           " AND result_id IN (SELECT id FROM scale_results WHERE user_id = ?)", (result_id, user_id))
        return True


async def last_taken_dates(db: Database, user_id: int) -> dict[str, date]:
    """The latest local date each questionnaire was taken, for the weekly due rule."""
    async with db.read() as conn:
        cursor = await conn.execute(
            "SELECT instrument, max(local_date) AS last FROM scale_results WHERE user_id = ?"
            " GROUP BY instrument",
            (user_id,),
        )
        return {row["instrument"]: date.fromisoformat(row["last"]) for row in await cursor.fetchall()}
