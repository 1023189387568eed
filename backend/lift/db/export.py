"""Streaming reads for exports and the data archive: records come a page at a time.

Each page is read on a reader connection that is handed back before the page is yielded, so
a slow download never holds a connection (or a read snapshot) while the client reads, and
memory stays the size of one page however long the history is. Pages continue from the last
key seen (keyset pagination), so a page costs the same at row 100,000 as at row 1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import msgspec

from lift.db import audit, sharing
from lift.db.clock import iso
from lift.db.connection import Database
from lift.domain import scales
from lift.domain.export import Baseline, CheckinRecord, PatientRef, ScaleRecord, SessionRecord
from lift.domain.schedule import local_day_bounds

PAGE_ROWS = 500
FIRST_DAY, LAST_DAY = "0001-01-01", "9999-12-31"


def _span(first: date | None, last: date | None) -> tuple[str, str]:
    return (first.isoformat() if first else FIRST_DAY), (last.isoformat() if last else LAST_DAY)


async def patient_ref(db: Database, user_id: int) -> PatientRef | None:
    row = await db.fetch_one("SELECT id, email, timezone FROM users WHERE id = ?", (user_id,))
    return PatientRef(row[0], row[1], row[2]) if row else None


async def checkin_records(db: Database, patient_id: int, first: date | None, last: date | None,
                          page: int = PAGE_ROWS) -> AsyncIterator[list[CheckinRecord]]:
    low, high = _span(first, last)
    after = ""
    while True:
        async with db.read() as conn:
            cursor = await conn.execute(
                "SELECT local_date, created_at, updated_at, mood, anxiety, sleep_hours, thoughts, note"
                " FROM checkins WHERE user_id = ? AND local_date > ? AND local_date BETWEEN ? AND ?"
                " ORDER BY local_date LIMIT ?",
                (patient_id, after, low, high, page),
            )
            rows = await cursor.fetchall()
        if not rows:
            return
        yield [CheckinRecord(*row) for row in rows]
        if len(rows) < page:
            return
        after = rows[-1][0]


async def baselines(db: Database, patient_id: int) -> dict[str, Baseline]:
    """Each questionnaire's baseline, by the same rule as the Scales page (scales.baseline_of)."""
    rows = await db.fetch_all(
        "SELECT id, instrument, local_date, total, band, is_baseline FROM scale_results r WHERE user_id = ?"
        " AND (is_baseline = 1 OR id = (SELECT f.id FROM scale_results f WHERE f.user_id = r.user_id"
        " AND f.instrument = r.instrument ORDER BY f.local_date, f.id LIMIT 1))",
        (patient_id,),
    )
    results = [scales.ScaleResult(id=row["id"], instrument=row["instrument"], total=row["total"],
                                  local_date=date.fromisoformat(row["local_date"]), band=row["band"],
                                  is_baseline=bool(row["is_baseline"])) for row in rows]
    found = {}
    for key in scales.INSTRUMENTS:
        chosen = scales.baseline_of([r for r in results if r.instrument == key])
        if chosen:
            found[key] = Baseline(chosen.id, chosen.local_date.isoformat(), chosen.total)
    return found


async def scale_records(db: Database, patient_id: int, first: date | None, last: date | None,
                        page: int = PAGE_ROWS) -> AsyncIterator[list[ScaleRecord]]:
    low, high = _span(first, last)
    after = ("", 0)
    while True:
        async with db.read() as conn:
            cursor = await conn.execute(
                "SELECT r.id, r.instrument, r.local_date, r.taken_at, r.total, r.band, r.difficulty,"
                " coalesce((SELECT group_concat(a.item_id || '=' || a.answer, ',') FROM scale_answers a"
                " WHERE a.result_id = r.id), '') FROM scale_results r WHERE r.user_id = ?"
                " AND (r.local_date, r.id) > (?, ?) AND r.local_date BETWEEN ? AND ?"
                " ORDER BY r.local_date, r.id LIMIT ?",
                (patient_id, *after, low, high, page),
            )
            rows = await cursor.fetchall()
        if not rows:
            return
        yield [ScaleRecord(*row) for row in rows]
        if len(rows) < page:
            return
        after = (rows[-1][2], rows[-1][0])


def _instant_bounds(first: date | None, last: date | None, timezone: str) -> tuple[str, str]:
    """The UTC instants where the first local day starts and the day after the last one starts."""
    low = iso(local_day_bounds(first, timezone)[0]) if first else FIRST_DAY
    high = iso(local_day_bounds(last, timezone)[1]) if last else LAST_DAY
    return low, high


async def session_records(db: Database, patient: PatientRef, first: date | None, last: date | None,
                          page: int = PAGE_ROWS) -> AsyncIterator[list[SessionRecord]]:
    low, high = _instant_bounds(first, last, patient.timezone)
    after = ("", 0)
    while True:
        async with db.read() as conn:
            cursor = await conn.execute(
                "SELECT s.starts_at, s.phase, s.status, l.mood_before, l.mood_after,"
                " CASE WHEN l.bp_before_systolic IS NULL THEN '' ELSE l.bp_before_systolic || '/' ||"
                " l.bp_before_diastolic END, CASE WHEN l.bp_after_systolic IS NULL THEN '' ELSE"
                " l.bp_after_systolic || '/' || l.bp_after_diastolic END, l.back_to_normal, l.note,"
                " coalesce((SELECT group_concat(e.effect || '=' || e.severity, ',') FROM treatment_side_effects e"
                " WHERE e.session_id = s.id), ''), s.id"
                " FROM treatment_sessions s LEFT JOIN treatment_session_logs l ON l.session_id = s.id"
                " WHERE s.user_id = ? AND (s.starts_at, s.id) > (?, ?) AND s.starts_at >= ? AND s.starts_at < ?"
                " ORDER BY s.starts_at, s.id LIMIT ?",
                (patient.id, *after, low, high, page),
            )
            rows = await cursor.fetchall()
        if not rows:
            return
        yield [SessionRecord(*row[:10]) for row in rows]
        if len(rows) < page:
            return
        after = (rows[-1][0], rows[-1][10])


# --- The data archive: everything about one account -----------------------------------------

# (section, query whose first column is the page key, columns holding JSON text). No secret
# is exported: session, feed and push keys stay out, as does the password hash.
ARCHIVE_SECTIONS = (
    ("checkins", "SELECT id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at, updated_at"
     " FROM checkins WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?", ()),
    ("scale_results", "SELECT r.id, r.instrument, r.local_date, r.taken_at, r.total, r.band, r.difficulty,"
     " r.is_baseline, (SELECT json_group_object(a.item_id, a.answer) FROM scale_answers a"
     " WHERE a.result_id = r.id) AS answers FROM scale_results r WHERE r.user_id = ? AND r.id > ?"
     " ORDER BY r.id LIMIT ?", ("answers",)),
    ("treatment_plan", "SELECT id, medication, medication_name, clinic_name, clinic_phone, food_advice,"
     " created_at, updated_at FROM treatment_plans WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?", ()),
    ("treatment_sessions", "SELECT s.id, s.starts_at, s.requested_date, s.requested_time, s.phase, s.status,"
     " s.ride_home, s.moved_to, (SELECT json_object('mood_before', l.mood_before, 'mood_after', l.mood_after,"
     " 'bp_before_systolic', l.bp_before_systolic, 'bp_before_diastolic', l.bp_before_diastolic,"
     " 'bp_after_systolic', l.bp_after_systolic, 'bp_after_diastolic', l.bp_after_diastolic,"
     " 'back_to_normal', l.back_to_normal, 'note', l.note, 'created_at', l.created_at, 'updated_at', l.updated_at,"
     " 'side_effects', (SELECT json_group_object(e.effect, e.severity) FROM treatment_side_effects e"
     " WHERE e.session_id = l.session_id)) FROM treatment_session_logs l WHERE l.session_id = s.id) AS log"
     " FROM treatment_sessions s WHERE s.user_id = ? AND s.id > ? ORDER BY s.id LIMIT ?", ("log",)),
    ("safety_plan", "SELECT rowid AS _key, warning_signs, coping, distractions, people, professionals,"
     " environment, care_team_name, care_team_phone, updated_at FROM safety_plans"
     " WHERE user_id = ? AND rowid > ? ORDER BY rowid LIMIT ?", ()),
    ("reminder_preferences", "SELECT rowid AS _key, * FROM reminder_preferences WHERE user_id = ?"
     " AND rowid > ? ORDER BY rowid LIMIT ?", ()),
    ("notification_devices", "SELECT id, label, created_at, last_sent_at FROM push_subscriptions"
     " WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?", ()),
    ("removed_notification_devices", "SELECT id, label, gone_at FROM gone_devices WHERE user_id = ? AND id > ?"
     " ORDER BY id LIMIT ?", ()),
    ("calendar_feed", "SELECT rowid AS _key, created_at FROM calendar_feeds WHERE user_id = ? AND rowid > ?"
     " ORDER BY rowid LIMIT ?", ()),
    ("signed_in_devices", "SELECT rowid AS _key, created_at, expires_at, user_agent FROM sessions"
     " WHERE user_id = ? AND rowid > ? ORDER BY rowid LIMIT ?", ()),
    ("shared_with", f"SELECT g.id, {sharing.GRANTEE_EMAIL} AS viewer_email, g.role, g.include_notes, g.include_thoughts, g.label,"
     " g.created_at, g.revoked_at, g.ended_by FROM share_grants g JOIN users e ON e.id = g.grantee_id"
     " WHERE g.patient_id = ? AND g.id > ? ORDER BY g.id LIMIT ?", ()),
    ("shared_with_me", f"SELECT g.id, {sharing.PATIENT_EMAIL} AS patient_email, g.role, g.include_notes, g.include_thoughts,"
     " g.created_at, g.revoked_at, g.ended_by, g.grantee_label AS your_name_for_patient"
     " FROM share_grants g JOIN users p ON p.id = g.patient_id"
     " WHERE g.grantee_id = ? AND g.id > ? ORDER BY g.id LIMIT ?", ()),
    ("invitations", "SELECT id, role, include_notes, include_thoughts, label, created_at, expires_at, used_at,"
     " withdrawn_at FROM share_invitations WHERE patient_id = ? AND id > ? ORDER BY id LIMIT ?", ()),
    # signin_failures holds the address typed, not an account (a failure for an address with no
    # account is counted too): those under the account's address since the account was made.
    ("failed_sign_ins", "SELECT f.id, f.at, f.ip FROM signin_failures f JOIN users u ON u.email = f.email"
     " WHERE u.id = ? AND f.at >= u.created_at AND f.id > ? ORDER BY f.id LIMIT ?", ()),
    ("audit_log", f"SELECT a.id, a.at, a.actor_role, a.actor_email, a.action, a.what, {audit.DETAIL}"
     " FROM audit_log a JOIN audit_subjects s ON s.subject = a.subject WHERE s.user_id = ? AND a.id > ?"
     " ORDER BY a.id LIMIT ?", ()),
)


async def archive_rows(db: Database, user_id: int, sql: str, json_columns: tuple[str, ...],
                       page: int = PAGE_ROWS) -> AsyncIterator[list[dict]]:
    after = -1
    while True:
        async with db.read() as conn:
            cursor = await conn.execute(sql, (user_id, after, page))
            rows = await cursor.fetchall()
        if not rows:
            return
        items = []
        for row in rows:
            item = {key: row[key] for key in row.keys() if not key.startswith("_") and key != "user_id"}
            for column in json_columns:
                if item.get(column) is not None:
                    item[column] = msgspec.json.decode(item[column])
            items.append(item)
        yield items
        if len(rows) < page:
            return
        after = rows[-1][0]


async def account_facts(db: Database, user_id: int) -> dict | None:
    row = await db.fetch_one("SELECT id, email, role, timezone, created_at FROM users WHERE id = ?", (user_id,))
    return dict(row) if row else None
