"""Deleting an account and everything in it, in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import msgspec

from lift.db import audit
from lift.db.clock import iso_ago
from lift.db.connection import Database
from lift.domain.accounts import User
from lift.domain.data_rights import AccountOnRecord
from lift.domain.sharing import ACCOUNT_DELETED, ENDED_SHOWN_DAYS

log = logging.getLogger("lift")


async def account_on_record(db: Database, email: str) -> AccountOnRecord | None:
    """The account with this email, when it was made, its check-ins and its active shares (as
    the patient, or as the caregiver or clinician), for an operator about to delete it."""
    row = await db.fetch_one(
        "SELECT u.id, u.email, u.role, u.timezone, u.created_at,"
        " (SELECT count(*) FROM checkins c WHERE c.user_id = u.id) AS checkins,"
        " (SELECT count(*) FROM share_grants g WHERE (g.patient_id = u.id OR g.grantee_id = u.id)"
        "  AND g.revoked_at IS NULL) AS shares"
        " FROM users u WHERE u.email = ?", (email,),
    )
    if row is None:
        return None
    user = User(id=row["id"], email=row["email"], role=row["role"], timezone=row["timezone"])
    return AccountOnRecord(user=user, created_at=datetime.fromisoformat(row["created_at"]),
                           checkins=row["checkins"], shares=row["shares"])


async def delete_account(db: Database, user: User) -> bool:
    """Delete the account; its journal, sessions, devices, reminders, invitations and grants go
    with it by ON DELETE CASCADE. Audit entries cannot be deleted: the patient's last entry
    records the deletion, then the account's audit subject goes by cascade, so the entries left
    point to nobody. A caregiver or clinician who deletes their account leaves an entry on each
    patient's log saying their access ended, or, where they had ended it themselves in the last
    ENDED_SHOWN_DAYS, that they then deleted their account; the patient's Sharing page lists both.

    Deleted rows are zeroed in the file (secure_delete), but the WAL still holds the pages as
    they were before; emptying it leaves no copy of the account on the server's disk.

    False, with nothing written, when the account is already gone (deleted meanwhile from the
    app or by `python -m lift delete-account`, whichever came second)."""
    async with db.write() as conn:
        cursor = await conn.execute("SELECT 1 FROM users WHERE id = ? AND email = ?", (user.id, user.email))
        if await cursor.fetchone() is None:
            return False
        if user.role == "patient":
            await audit.append(conn, user.id, user, "delete_account")
        else:
            # Each entry names the invitation they accepted (its name is the patient's for them,
            # as the grant's was), so the patient's Sharing page and log can still say who it was
            # once the grant has gone with this account. A share they had ended themselves, that
            # the patient's Sharing page still lists (ENDED_SHOWN_DAYS, not shared again since),
            # gets a delete_account entry instead: the grant that said they ended it goes too. It
            # is written under the address that share had when it ended (ended_email), the one the
            # patient knew, never one taken since (no entry told that patient of it, and it would
            # stay on their log after the account went). A share ended before migration 0014 whose
            # address is unknown uses the current one only if that patient's log already holds it.
            # Of several such shares with one patient, the latest ended speaks for them.
            cursor = await conn.execute(
                "SELECT g.patient_id, g.revoked_at IS NOT NULL AS ended, (SELECT i.id FROM"
                " share_invitations i WHERE i.patient_id = g.patient_id AND i.used_by = g.grantee_id"
                " ORDER BY i.used_at DESC, i.id DESC LIMIT 1) AS invitation_id,"
                " CASE WHEN g.revoked_at IS NULL THEN ? ELSE coalesce(g.ended_email, CASE WHEN EXISTS ("
                " SELECT 1 FROM audit_log a JOIN audit_subjects s ON s.subject = a.subject"
                " WHERE s.user_id = g.patient_id AND a.actor_email = ?) THEN ? END) END AS email"
                " FROM share_grants g WHERE g.grantee_id = ? AND (g.revoked_at IS NULL"
                " OR (g.ended_by = 'grantee' AND g.revoked_at > ? AND NOT EXISTS (SELECT 1 FROM share_grants a"
                " WHERE a.patient_id = g.patient_id AND a.grantee_id = g.grantee_id AND a.revoked_at IS NULL)))"
                " ORDER BY g.revoked_at, g.id",
                (user.email, user.email, user.email, user.id, iso_ago(timedelta(days=ENDED_SHOWN_DAYS))),
            )
            entries = {row["patient_id"]: row for row in await cursor.fetchall()}
            for patient_id, ended, invitation_id, email in entries.values():
                if email is None:
                    continue
                action, what = ("delete_account", "") if ended else ("revoke", ACCOUNT_DELETED)
                await audit.append(conn, patient_id, msgspec.structs.replace(user, email=email), action, what,
                                   invitation_id=invitation_id)
        await conn.execute("DELETE FROM signin_failures WHERE email = ?", (user.email,))
        await conn.execute("DELETE FROM users WHERE id = ?", (user.id,))
    if not await db.empty_wal():
        # A reader held an old snapshot, or another process its write turn: the pages go at the
        # next checkpoint that gets through.
        log.warning("account deleted; the WAL could not be emptied yet (a reader or another writer was busy)")
    return True
