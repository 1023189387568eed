"""The append-only audit log: who saw what of a patient's journal, and every grant and revocation.

Triggers in the migration refuse UPDATE and DELETE on audit_log, so an entry, once written,
stays. Entries name the patient through a random subject (audit_subjects); deleting an
account deletes that link and leaves entries that point to nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import aiosqlite

from lift.db.clock import iso, utc_now
from lift.db.connection import Database
from lift.domain.accounts import User
from lift.domain.dates import offset_changes
from lift.domain.sharing import EMAIL_CHANGED, SCOPE_SEPARATOR, AuditDay, AuditEntry

ENSURE_SUBJECT = (
    "INSERT INTO audit_subjects (user_id, subject) VALUES (?, lower(hex(randomblob(16))))"
    " ON CONFLICT (user_id) DO NOTHING"
)
APPEND = (
    "INSERT INTO audit_log (at, subject, actor_role, actor_email, action, what, detail, invitation_id)"
    " SELECT ?, subject, ?, ?, ?, ?, ?, ? FROM audit_subjects WHERE user_id = ?"
)
# An entry's detail as the patient reads it, in a query that joins audit_log a to audit_subjects s:
# an invitation's entry takes the invitation's name while the invitation (and so the account)
# exists, never from another patient's invitation that reused the id.
DETAIL = (
    "CASE WHEN a.invitation_id IS NULL THEN a.detail ELSE coalesce((SELECT i.label FROM share_invitations i"
    " WHERE i.id = a.invitation_id AND i.patient_id = s.user_id), '') END AS detail"
)


# Every address each of this patient's grants was held under (`email`), with the grant
# (`grant_id`), when it began (`since`) and the entry id up to which the address was that
# grant's (`until`), so an entry is named by the grant it was written under, never by whoever
# holds the address now. A grant still going on starts from the address its grantee has now; an
# ended one from the address it had when it ended (share_grants.ended_email), up to the entry its
# ending wrote: the grantee may have changed address since without the patient being told (no
# entry), and someone else may have taken the old one. A change of address while a grant went on
# writes an entry (action "grant", what EMAIL_CHANGED, detail the old address): entries under the
# old address written before it, and since the grant began, are that grant's. An entry takes the
# mapping with the nearest `until` after it. A grant ended before migration 0014 whose address
# the log could not tell (ended_email NULL) names none of its entries.
ADDRESSES = (
    "WITH RECURSIVE renamed(id, at, old, new) AS (SELECT a.id, a.at, a.detail, a.actor_email FROM audit_log a"
    " JOIN audit_subjects s ON s.subject = a.subject"
    f" WHERE s.user_id = ? AND a.action = 'grant' AND a.what = '{EMAIL_CHANGED}'),"
    " addresses(email, grant_id, since, until) AS (SELECT CASE WHEN g.revoked_at IS NULL THEN u.email"
    " ELSE g.ended_email END, g.id, g.created_at, CASE WHEN g.revoked_at IS NULL THEN 9223372036854775807"
    # The entry the ending wrote: the patient's revoke names the address in detail, the grantee's
    # is written under it; no earlier than revoked_at, which is read before the write.
    " ELSE (SELECT min(a.id) FROM audit_log a JOIN audit_subjects s ON s.subject = a.subject"
    " WHERE s.user_id = g.patient_id AND a.action = 'revoke' AND a.at >= g.revoked_at"
    " AND CASE WHEN a.actor_role = 'patient' THEN a.detail ELSE a.actor_email END = g.ended_email) END"
    " FROM share_grants g JOIN users u ON u.id = g.grantee_id WHERE g.patient_id = ?"
    " UNION SELECT r.old, k.grant_id, k.since, r.id FROM renamed r"
    " JOIN addresses k ON r.new = k.email AND r.id < k.until AND r.at >= k.since)"
)
# The address a patient's own revoke or scope change names in its detail.
SUBJECT_EMAIL = (
    "CASE a.action WHEN 'revoke' THEN a.detail"
    f" ELSE substr(a.detail, 1, instr(a.detail, '{SCOPE_SEPARATOR}') - 1) END"
)
# The grant that an address named at entry a's time (see ADDRESSES), and the name the patient gave it.
GRANT_AT_ENTRY = (
    "(SELECT k.grant_id FROM addresses k WHERE k.email = {email}"
    " AND a.id <= k.until AND a.at >= k.since ORDER BY k.until, k.grant_id DESC LIMIT 1)"
)
LABEL_AT_ENTRY = f"(SELECT g.label FROM share_grants g WHERE g.id = {GRANT_AT_ENTRY})"
# The name of the grant an entry was written under. A caregiver's or clinician's delete_account
# entry is written under the address their ended share had, which may be someone else's by then,
# and their grants went with the account: the invitation they accepted names them (DETAIL).
ACTOR_LABEL = (
    "CASE WHEN a.action = 'delete_account' THEN NULL"
    f" ELSE {LABEL_AT_ENTRY.format(email='a.actor_email')} END AS actor_label"
)
# The grant itself, so that looks by two people who held one address one after the other on the
# same day never fold into one line.
ACTOR_GRANT = (
    "CASE WHEN a.action = 'delete_account' THEN NULL"
    f" ELSE {GRANT_AT_ENTRY.format(email='a.actor_email')} END AS actor_grant"
)
# The name of the grant the patient's own revoke or scope change was about, found by the grantee's
# address then, which its detail holds ("address: what they see" for a scope change): the log
# calls them what the Sharing page does.
SUBJECT_LABEL = (
    "CASE WHEN a.actor_role = 'patient' AND a.action IN ('revoke', 'scope') THEN"
    f" {LABEL_AT_ENTRY.format(email=SUBJECT_EMAIL)} END AS subject_label"
)


def _actor(actor: User) -> tuple[str, str]:
    """A patient acting on their own journal is "you" on their log: their address is not kept."""
    return (actor.role, "") if actor.role == "patient" else (actor.role, actor.email)


async def append(conn: aiosqlite.Connection, patient_id: int, actor: User, action: str, what: str = "",
                 detail: str = "", invitation_id: int | None = None) -> None:
    """One entry inside the caller's write transaction, so a grant or revocation and its entry
    are stored together or not at all. An invitation's entry names it by invitation_id: its
    name is the patient's words, read from the invitation, so it goes with the account."""
    await append_many(conn, [patient_id], actor, action, what, detail, invitation_id)


async def append_many(conn: aiosqlite.Connection, patient_ids: Iterable[int], actor: User, action: str,
                      what: str = "", detail: str = "", invitation_id: int | None = None) -> None:
    ids = list(patient_ids)
    role, email = _actor(actor)
    now = iso(utc_now())
    await conn.executemany(ENSURE_SUBJECT, [(pid,) for pid in ids])
    await conn.executemany(APPEND, [(now, role, email, action, what, detail, invitation_id, pid)
                                    for pid in ids])


async def record(db: Database, patient_ids: Iterable[int], actor: User, action: str, what: str = "",
                 detail: str = "") -> None:
    """Entries for a view or an export, written before the page or file is sent: if the log
    cannot be written, nothing is shown."""
    async with db.write() as conn:
        await append_many(conn, patient_ids, actor, action, what, detail)


def _instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _entry(row) -> AuditEntry:
    return AuditEntry(
        id=row["id"], at=_instant(row["at"]),
        actor_role=row["actor_role"], actor_email=row["actor_email"], action=row["action"],
        what=row["what"], detail=row["detail"], actor_label=row["actor_label"] or "",
        subject_label=row["subject_label"] or "", actor_grant=row["actor_grant"],
    )


MINE = "FROM audit_log a JOIN audit_subjects s ON s.subject = a.subject WHERE s.user_id = ?"


async def log_days(db: Database, patient_id: int, timezone: str) -> list[AuditDay]:
    """The days of the patient's log, newest first, each with its count of entries and the ids they
    lie between. Pages are whole days, not folded lines: to page folded lines SQL would fold the
    whole log (names and all) for every page. Here SQLite only counts entries per day, as it
    counted the log before, and sends one short row a day; a page then reads, names and folds
    only its own days' entries (entries_between)."""
    async with db.read() as conn:
        # Each a lookup at one end of the (subject, at) index; min and max in one SELECT over the
        # join would read every entry.
        cursor = await conn.execute(
            "SELECT (SELECT min(at) FROM audit_log WHERE subject = s.subject),"
            " (SELECT max(at) FROM audit_log WHERE subject = s.subject)"
            " FROM audit_subjects s WHERE s.user_id = ?",
            (patient_id,))
        first, last = await cursor.fetchone() or (None, None)
        if first is None:
            return []
        # An entry's day in the patient's zone: its instant moved by the offset in force then,
        # the latest change at or before it (a CASE, newest first: a subquery a row took longer).
        changes = offset_changes(timezone, _instant(first), _instant(last))
        offsets = [(iso(since), f"{seconds:+d} seconds") for since, seconds in reversed(changes)]
        whens = " ".join(["WHEN a.at >= ? THEN ?"] * (len(offsets) - 1))
        local_day = f"date(a.at, CASE {whens} ELSE ? END)" if whens else "date(a.at, ?)"
        cursor = await conn.execute(
            f"SELECT {local_day} AS day, count(*) AS entries, min(a.id) AS first_id, max(a.id) AS last_id {MINE}"
            " GROUP BY day ORDER BY day DESC",
            (*(value for change in offsets[:-1] for value in change), offsets[-1][1], patient_id),
        )
        rows = await cursor.fetchall()
    return [AuditDay(day=date.fromisoformat(row["day"]), entries=row["entries"], first_id=row["first_id"],
                     last_id=row["last_id"]) for row in rows]


async def entries_between(db: Database, patient_id: int, first_id: int, last_id: int) -> list[AuditEntry]:
    """The patient's entries from first_id to last_id, newest first, through the (subject, id)
    index. Should the clock have gone back, entries of other days lie between them too."""
    async with db.read() as conn:
        cursor = await conn.execute(
            f"{ADDRESSES} SELECT a.id, a.at, a.actor_role, a.actor_email, a.action, a.what, {DETAIL},"
            f" {ACTOR_LABEL}, {ACTOR_GRANT}, {SUBJECT_LABEL} {MINE} AND a.id BETWEEN ? AND ? ORDER BY a.id DESC",
            (patient_id, patient_id, patient_id, first_id, last_id),
        )
        rows = await cursor.fetchall()
    return [_entry(row) for row in rows]
