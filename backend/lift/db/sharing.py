"""Invitations (stored as hashes), grants, revocation, and the reads behind shared pages.

Every grant change writes its audit entry in the same transaction. Every read for someone
else's view starts from an active grant, so a revoked grant ends access on the next request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from lift.db import audit, throttles
from lift.db.clock import iso, iso_ago, utc_now
from lift.db.connection import Database
from lift.db.sessions import token_hash
from lift.db.users import USER_COLUMNS, _user
from lift.domain.accounts import User
from lift.domain.scales import ScaleResult
from lift.domain.schedule import local_date_of
from lift.domain.sharing import (
    ACCOUNT_DELETED, CODE_ALPHABET, CODE_LENGTH, ENDED_BY_GRANTEE, EndedShare, Grant, Invitation, InviteForm,
    SCOPE_SEPARATOR, PanelSession, Scope, invitation_expiry, invitation_problem, known_name_key, scope_for,
    scope_text,
)

__all__ = ["token_hash", "code_hash"]


def code_hash(code: str, key: str) -> str:
    """Keyed, so that the small space of short codes cannot be searched from a copy of the database."""
    return hmac.new(key.encode(), f"invitation-code:{code}".encode(), hashlib.sha256).hexdigest()


def _instant(text: str | None) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) if text else None


# --- Invitations ----------------------------------------------------------------------------

INVITATION_SELECT = (
    "SELECT i.id, i.patient_id, u.email AS patient_email, u.timezone AS patient_timezone, i.role,"
    " i.include_notes, i.include_thoughts, i.label, i.created_at, i.expires_at, i.used_at, i.used_by, i.withdrawn_at"
    " FROM share_invitations i JOIN users u ON u.id = i.patient_id"
)


def _invitation(row) -> Invitation | None:
    if row is None:
        return None
    return Invitation(
        id=row["id"], patient_id=row["patient_id"], patient_email=row["patient_email"], role=row["role"],
        scope=scope_for(row["role"], bool(row["include_notes"]), bool(row["include_thoughts"])),
        label=row["label"], created_at=_instant(row["created_at"]), expires_at=_instant(row["expires_at"]),
        used_at=_instant(row["used_at"]), withdrawn_at=_instant(row["withdrawn_at"]),
        patient_timezone=row["patient_timezone"], used_by=row["used_by"],
    )


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# Draws of a link and code before giving up on a free code hash; a resend with a form's key
# tries the same draws to find the ones its first send stored.
CODE_DRAWS = 5


def keyed_secrets(key: str, patient_id: int, client_uuid: str, attempt: int) -> tuple[str, str]:
    """The link token and code of the invitation a form with this key made: drawn from the
    app's secret, so a resend after a lost answer can show them again while only their hashes
    are stored. Without the secret, the stored key tells nothing of them."""
    def draw(what: str) -> bytes:
        return hmac.new(key.encode(), f"invitation-{what}:{patient_id}:{client_uuid}:{attempt}".encode(),
                        hashlib.sha256).digest()
    token = base64.urlsafe_b64encode(draw("token")).rstrip(b"=").decode()
    code = "".join(CODE_ALPHABET[byte % len(CODE_ALPHABET)] for byte in draw("code")[:CODE_LENGTH])
    return token, code


def _made_before(row, code_key: str, client_uuid: str, now: datetime) -> tuple[str, str, Invitation] | None:
    """The invitation a form with this key made, with its link and code drawn again; None once
    it cannot be accepted, or if the app's secret changed since (they cannot be drawn again)."""
    made = _invitation(row)
    if invitation_problem(made, now):
        return None
    for attempt in range(CODE_DRAWS):
        token, code = keyed_secrets(code_key, made.patient_id, client_uuid, attempt)
        if hmac.compare_digest(token_hash(token), row["token_hash"]):
            return token, code, made
    return None


async def create_invitation(db: Database, patient: User, form: InviteForm, code_key: str,
                            client_uuid: str | None = None) -> tuple[str, str, Invitation] | None:
    """A new invitation's link token, short code and what it is; only their hashes are stored.
    Its audit entry is written with it. A code whose hash is taken (a 1 in 10^12 chance per
    pair) is drawn again. With a form's key this patient sent before: the invitation that send
    made, its link and code drawn again, or None once it is used, withdrawn or expired."""
    scope = scope_for(form.role, form.include_notes, form.include_thoughts)
    now = utc_now()
    async with db.write() as conn:
        if client_uuid:
            cursor = await conn.execute(
                f"SELECT i.token_hash, {INVITATION_SELECT.removeprefix('SELECT ')}"
                " WHERE i.patient_id = ? AND i.client_uuid = ?", (patient.id, client_uuid))
            if (row := await cursor.fetchone()) is not None:
                return _made_before(row, code_key, client_uuid, now)
        for attempt in range(CODE_DRAWS):
            token, code = (keyed_secrets(code_key, patient.id, client_uuid, attempt) if client_uuid
                           else (secrets.token_urlsafe(32), new_code()))
            cursor = await conn.execute(
                "INSERT INTO share_invitations (patient_id, role, include_notes, include_thoughts, label,"
                " token_hash, code_hash, client_uuid, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING id",
                (patient.id, scope.role, int(scope.notes), int(scope.thoughts), form.label, token_hash(token),
                 code_hash(code, code_key), client_uuid, iso(now), iso(invitation_expiry(now))),
            )
            made = await cursor.fetchone()
            if made is not None:
                await audit.append(conn, patient.id, patient, "invite", scope.role, invitation_id=made[0])
                return token, code, Invitation(
                    id=made[0], patient_id=patient.id, patient_email=patient.email, role=scope.role,
                    scope=scope, label=form.label, created_at=now, expires_at=invitation_expiry(now),
                    patient_timezone=patient.timezone)
    raise RuntimeError("could not draw an unused invitation code")


async def invitation_by_token(db: Database, token_digest: str) -> Invitation | None:
    return _invitation(await db.fetch_one(f"{INVITATION_SELECT} WHERE i.token_hash = ?", (token_digest,)))


async def invitation_by_code(db: Database, code_digest: str) -> Invitation | None:
    return _invitation(await db.fetch_one(f"{INVITATION_SELECT} WHERE i.code_hash = ?", (code_digest,)))


async def pending_invitations(db: Database, patient_id: int) -> list[Invitation]:
    rows = await db.fetch_all(
        f"{INVITATION_SELECT} WHERE i.patient_id = ? AND i.used_at IS NULL AND i.withdrawn_at IS NULL"
        " AND i.expires_at > ? ORDER BY i.created_at DESC, i.id DESC",
        (patient_id, iso(utc_now())),
    )
    return [_invitation(row) for row in rows]


async def withdraw_invitation(db: Database, patient: User, invitation_id: int) -> bool:
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE share_invitations SET withdrawn_at = ? WHERE id = ? AND patient_id = ?"
            " AND used_at IS NULL AND withdrawn_at IS NULL RETURNING role",
            (iso(utc_now()), invitation_id, patient.id),
        )
        row = await cursor.fetchone()
        if row is None:
            return False
        await audit.append(conn, patient.id, patient, "withdraw", row["role"], invitation_id=invitation_id)
    return True


CONSUME = (
    "UPDATE share_invitations SET used_at = ?, used_by = ? WHERE id = ? AND role = ? AND used_at IS NULL"
    " AND withdrawn_at IS NULL AND expires_at > ?"
    " RETURNING patient_id, role, include_notes, include_thoughts, label"
)
UPSERT_GRANT = (
    "INSERT INTO share_grants (patient_id, grantee_id, role, include_notes, include_thoughts, label,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (patient_id, grantee_id) WHERE revoked_at IS NULL DO UPDATE SET"
    " role = excluded.role, include_notes = excluded.include_notes,"
    " include_thoughts = excluded.include_thoughts, label = excluded.label, updated_at = excluded.updated_at"
    " RETURNING id"
)


async def _consume(conn, invitation_id: int, grantee: User) -> int | None:
    """Use the invitation once and make (or renew) the grant; None if it is no longer valid."""
    now = iso(utc_now())
    cursor = await conn.execute(CONSUME, (now, grantee.id, invitation_id, grantee.role, now))
    row = await cursor.fetchone()
    if row is None:
        return None
    cursor = await conn.execute(UPSERT_GRANT, (row["patient_id"], grantee.id, row["role"], row["include_notes"],
                                               row["include_thoughts"], row["label"], now, now))
    grant_id = (await cursor.fetchone())["id"]
    scope = scope_for(row["role"], bool(row["include_notes"]), bool(row["include_thoughts"]))
    await audit.append(conn, row["patient_id"], grantee, "grant", row["role"], scope_text(scope))
    return grant_id


async def accept_invitation(db: Database, invitation_id: int, grantee: User) -> int | None:
    """The grant's id, or None when the invitation was used, withdrawn or expired meanwhile,
    or is for another kind of account."""
    async with db.write() as conn:
        return await _consume(conn, invitation_id, grantee)


async def accept_with_new_account(db: Database, invitation_id: int, email: str, password_hash: str,
                                  timezone: str, role: str, clock: str | None = None
                                  ) -> tuple[User | None, int | None]:
    """Make the invitee's account and accept in one transaction: either both happen or neither.
    (None, None) when the email is taken; InvitationGone when the invitation stopped being valid
    after the caller checked it (the new account is rolled back with it)."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT INTO users (email, password_hash, role, timezone, clock, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT (email) DO NOTHING RETURNING {USER_COLUMNS}",
            (email, password_hash, role, timezone, clock, iso(utc_now())),
        )
        user = _user(await cursor.fetchone())
        if user is None:
            return None, None
        grant_id = await _consume(conn, invitation_id, user)
        if grant_id is None:
            # Undo the account too: an invitee never ends up with an account and no access.
            raise InvitationGone()
    return user, grant_id


class InvitationGone(Exception):
    """The invitation stopped being valid between reading it and accepting it."""


async def claim_attempt(db: Database, ip: str, window: timedelta, refused: Callable[[int], bool]) -> int | None:
    """Count an attempt from `ip` to name an invitation before its key is looked up. In one write
    transaction, the failures within the window go to `refused` (the throttle's rule): None, with
    nothing written, when it refuses; else this attempt is recorded as a failure, whose id
    `forget_failure` takes back once the key names an invitation. Counted only after the look-up,
    a burst of guesses sent at once all passed a limit none of them had counted yet. Failures
    past the window go first."""
    since = iso_ago(window)
    async with db.write() as conn:
        await throttles.prune(conn, "invitation_failures", window)
        cursor = await conn.execute("SELECT count(*) FROM invitation_failures WHERE ip = ? AND at > ?", (ip, since))
        if refused((await cursor.fetchone())[0]):
            return None
        cursor = await conn.execute("INSERT INTO invitation_failures (ip, at) VALUES (?, ?) RETURNING id",
                                    (ip, iso(utc_now())))
        return (await cursor.fetchone())[0]


async def forget_failure(db: Database, failure_id: int) -> None:
    async with db.write() as conn:
        await conn.execute("DELETE FROM invitation_failures WHERE id = ?", (failure_id,))


# --- Grants ---------------------------------------------------------------------------------

# The grantee's address as the patient may know it, for a grant g joined to its grantee e: the
# one they sign in with now while the grant lasts (a change is on the patient's log), the one
# they had when it ended once it has ended (a later change is none of the patient's business;
# empty when a grant ended before migration 0014 left it unknown).
GRANTEE_EMAIL = "CASE WHEN g.revoked_at IS NULL THEN e.email ELSE coalesce(g.ended_email, '') END"
# The same for the patient p, as the grantee may know it: a patient who changed address after
# the grant ended is not shown to that person at the new one.
PATIENT_EMAIL = "CASE WHEN g.revoked_at IS NULL THEN p.email ELSE coalesce(g.ended_patient_email, '') END"
# What the UPDATE that ends a grant sets with revoked_at: both addresses as they were then, and
# the grantee's own name for the patient emptied (migration 0015): it was part of their access.
ENDING = ("ended_email = (SELECT email FROM users WHERE id = grantee_id),"
          " ended_patient_email = (SELECT email FROM users WHERE id = patient_id), grantee_label = NULL")

GRANT_SELECT = (
    "SELECT g.id, g.patient_id, g.grantee_id, g.role, g.include_notes, g.include_thoughts, g.label,"
    f" g.created_at, g.revoked_at, {PATIENT_EMAIL} AS patient_email, p.timezone AS patient_timezone,"
    f" p.created_at AS patient_created_at, {GRANTEE_EMAIL} AS grantee_email,"
    " coalesce(g.grantee_label, '') AS grantee_label"
    " FROM share_grants g JOIN users p ON p.id = g.patient_id JOIN users e ON e.id = g.grantee_id"
)


def _grant(row) -> Grant | None:
    if row is None:
        return None
    return Grant(
        id=row["id"], patient_id=row["patient_id"], grantee_id=row["grantee_id"], role=row["role"],
        scope=scope_for(row["role"], bool(row["include_notes"]), bool(row["include_thoughts"])),
        label=row["label"], created_at=_instant(row["created_at"]), patient_email=row["patient_email"],
        grantee_email=row["grantee_email"], patient_timezone=row["patient_timezone"],
        patient_joined=local_date_of(_instant(row["patient_created_at"]), row["patient_timezone"]),
        ended_at=_instant(row["revoked_at"]), grantee_label=row["grantee_label"],
    )


async def active_grant(db: Database, patient_id: int, grantee_id: int, role: str) -> Grant | None:
    """The grant that lets this grantee see this patient now, or None. Read on every request."""
    row = await db.fetch_one(
        f"{GRANT_SELECT} WHERE g.patient_id = ? AND g.grantee_id = ? AND g.role = ? AND g.revoked_at IS NULL",
        (patient_id, grantee_id, role),
    )
    return _grant(row)


async def grants_for_patient(db: Database, patient_id: int) -> list[Grant]:
    rows = await db.fetch_all(
        f"{GRANT_SELECT} WHERE g.patient_id = ? AND g.revoked_at IS NULL ORDER BY g.created_at, g.id",
        (patient_id,),
    )
    return [_grant(row) for row in rows]


async def patient_grant(db: Database, patient_id: int, grant_id: int) -> Grant | None:
    """The patient's own active grant with this id, or None (another patient's, or ended)."""
    row = await db.fetch_one(f"{GRANT_SELECT} WHERE g.id = ? AND g.patient_id = ? AND g.revoked_at IS NULL",
                             (grant_id, patient_id))
    return _grant(row)


async def grants_for_grantee(db: Database, grantee_id: int, role: str) -> list[Grant]:
    """Their active grants, by the patient as they know them: their own name for the patient,
    else the address."""
    rows = await db.fetch_all(
        f"{GRANT_SELECT} WHERE g.grantee_id = ? AND g.role = ? AND g.revoked_at IS NULL ORDER BY g.id",
        (grantee_id, role),
    )
    # Sorted here, not by SQLite, whose lower() knows only ASCII letters.
    return sorted((_grant(row) for row in rows), key=lambda g: known_name_key(g.grantee_label, g.patient_email))


async def set_grantee_label(db: Database, grantee: User, patient_id: int, label: str) -> bool:
    """The caregiver's or clinician's own name for a patient they see now ('' removes it). It is
    theirs alone: no audit entry, as the patient's log never shows it. False without an active
    grant of theirs for this patient."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE share_grants SET grantee_label = ? WHERE patient_id = ? AND grantee_id = ? AND role = ?"
            " AND revoked_at IS NULL RETURNING id",
            (label or None, patient_id, grantee.id, grantee.role),
        )
        return await cursor.fetchone() is not None


async def grants_ended_by_grantees(db: Database, patient_id: int, since: datetime) -> list[Grant]:
    """Shares the caregiver or clinician ended themselves since a time, newest first. Someone
    the patient has shared with again since is listed among the active grants only."""
    rows = await db.fetch_all(
        f"{GRANT_SELECT} WHERE g.patient_id = ? AND g.ended_by = 'grantee' AND g.revoked_at > ?"
        " AND NOT EXISTS (SELECT 1 FROM share_grants a WHERE a.patient_id = g.patient_id"
        " AND a.grantee_id = g.grantee_id AND a.revoked_at IS NULL)"
        " ORDER BY g.revoked_at DESC, g.id DESC",
        (patient_id, iso(since)),
    )
    return [_grant(row) for row in rows]


async def grantee_accounts_deleted(db: Database, patient_id: int, since: datetime) -> list[EndedShare]:
    """Caregivers and clinicians who deleted their account while sharing with this patient, or
    after ending their own access (a delete_account entry by one of them), since a time, newest
    first. Their grant went with the account, so this reads the entry the deletion left on the
    patient's log; someone shared with again since (a new account, same address) is listed among
    the active grants only (the address accepted an invitation after the entry). One shared with
    before the deletion is someone else: an entry after ending is written under the address the
    ended share had, which another account may hold by then."""
    rows = await db.fetch_all(
        f"SELECT a.at, a.action, a.actor_role, a.actor_email, {audit.DETAIL} FROM audit_log a"
        " JOIN audit_subjects s ON s.subject = a.subject"
        " WHERE s.user_id = ? AND ((a.action = 'revoke' AND a.what = ?)"
        " OR (a.action = 'delete_account' AND a.actor_role <> 'patient')) AND a.at > ?"
        " AND NOT EXISTS (SELECT 1 FROM share_grants g JOIN users u ON u.id = g.grantee_id"
        " WHERE g.patient_id = s.user_id AND u.email = a.actor_email AND g.revoked_at IS NULL"
        " AND EXISTS (SELECT 1 FROM audit_log b WHERE b.subject = a.subject AND b.id > a.id"
        " AND b.action = 'grant' AND b.what = g.role AND b.actor_email = a.actor_email))"
        " ORDER BY a.id DESC",
        (patient_id, ACCOUNT_DELETED, iso(since)),
    )
    return [EndedShare(label=row["detail"], email=row["actor_email"], role=row["actor_role"],
                       ended_at=_instant(row["at"]), account_deleted=True,
                       ended_by_them=row["action"] == "delete_account") for row in rows]


async def revoke_grant(db: Database, patient: User, grant_id: int) -> bool:
    """End a grant now. False if it is not this patient's or already ended."""
    now = iso(utc_now())
    async with db.write() as conn:
        cursor = await conn.execute(
            f"UPDATE share_grants SET revoked_at = ?, updated_at = ?, ended_by = 'patient', {ENDING}"
            " WHERE id = ? AND patient_id = ? AND revoked_at IS NULL RETURNING role, ended_email AS email",
            (now, now, grant_id, patient.id),
        )
        row = await cursor.fetchone()
        if row is None:
            return False
        await audit.append(conn, patient.id, patient, "revoke", row["role"], row["email"])
    return True


async def end_own_access(db: Database, grantee: User, patient_id: int) -> bool:
    """A caregiver or clinician ends their own grant to this patient now, and the patient's log
    says so. False if they have no active grant to this patient."""
    now = iso(utc_now())
    async with db.write() as conn:
        cursor = await conn.execute(
            f"UPDATE share_grants SET revoked_at = ?, updated_at = ?, ended_by = 'grantee', {ENDING}"
            " WHERE patient_id = ? AND grantee_id = ? AND role = ? AND revoked_at IS NULL RETURNING id",
            (now, now, patient_id, grantee.id, grantee.role),
        )
        if await cursor.fetchone() is None:
            return False
        await audit.append(conn, patient_id, grantee, "revoke", ENDED_BY_GRANTEE)
    return True


async def set_caregiver_scope(db: Database, patient: User, grant_id: int, scope: Scope) -> bool:
    """Switch notes and thoughts answers on or off for a caregiver; a clinician's scope is fixed."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE share_grants SET include_notes = ?, include_thoughts = ?, updated_at = ?"
            " WHERE id = ? AND patient_id = ? AND role = 'caregiver' AND revoked_at IS NULL"
            " RETURNING (SELECT email FROM users WHERE id = grantee_id) AS email",
            (int(scope.notes), int(scope.thoughts), iso(utc_now()), grant_id, patient.id),
        )
        row = await cursor.fetchone()
        if row is None:
            return False
        await audit.append(conn, patient.id, patient, "scope", "caregiver", f"{row['email']}{SCOPE_SEPARATOR}{scope_text(scope)}")
    return True


# --- Reads for shared pages -----------------------------------------------------------------


async def thoughts_between(db: Database, patient_id: int, first: date, last: date) -> list[tuple[date, int]]:
    rows = await db.fetch_all(
        "SELECT local_date, thoughts FROM checkins WHERE user_id = ? AND local_date BETWEEN ? AND ?"
        " ORDER BY local_date DESC",
        (patient_id, first.isoformat(), last.isoformat()),
    )
    return [(date.fromisoformat(row[0]), row[1]) for row in rows]


async def item9_answers(db: Database, patient_id: int) -> dict[int, tuple[date, int]]:
    """PHQ-9 item 9 (better off dead, or hurting oneself) by result id: (local date, answer)."""
    rows = await db.fetch_all(
        "SELECT r.id, r.local_date, a.answer FROM scale_results r"
        " JOIN scale_answers a ON a.result_id = r.id AND a.item_id = 'phq9_9'"
        " WHERE r.user_id = ? AND r.instrument = 'phq9'",
        (patient_id,),
    )
    return {row[0]: (date.fromisoformat(row[1]), row[2]) for row in rows}


async def notes_between(db: Database, patient_id: int, first: date, last: date) -> list[tuple[date, str]]:
    rows = await db.fetch_all(
        "SELECT local_date, note FROM checkins WHERE user_id = ? AND local_date BETWEEN ? AND ?"
        " AND note != '' ORDER BY local_date DESC",
        (patient_id, first.isoformat(), last.isoformat()),
    )
    return [(date.fromisoformat(row[0]), row[1]) for row in rows]


PANEL_GRANTS = (
    "JOIN share_grants g ON g.patient_id = {alias}.user_id AND g.grantee_id = ? AND g.role = 'clinician'"
    " AND g.revoked_at IS NULL"
)


async def panel_checkins(db: Database, clinician_id: int, since: date) -> list[tuple[int, date, int]]:
    """(patient, local date, thoughts answer) for every linked patient's check-ins since a date."""
    rows = await db.fetch_all(
        f"SELECT c.user_id, c.local_date, c.thoughts FROM checkins c {PANEL_GRANTS.format(alias='c')}"
        " WHERE c.local_date >= ?",
        (clinician_id, since.isoformat()),
    )
    return [(row[0], date.fromisoformat(row[1]), row[2]) for row in rows]


async def panel_item9(db: Database, clinician_id: int, since: date) -> list[tuple[int, date, int]]:
    """(patient, local date, answer) for linked patients' PHQ-9 item 9 answers above 0 since a date."""
    rows = await db.fetch_all(
        "SELECT r.user_id, r.local_date, a.answer FROM scale_results r"
        " JOIN scale_answers a ON a.result_id = r.id AND a.item_id = 'phq9_9' AND a.answer > 0"
        f" {PANEL_GRANTS.format(alias='r')} WHERE r.local_date >= ?",
        (clinician_id, since.isoformat()),
    )
    return [(row[0], date.fromisoformat(row[1]), row[2]) for row in rows]


async def panel_last_checkins(db: Database, clinician_id: int) -> dict[int, date]:
    rows = await db.fetch_all(
        f"SELECT c.user_id, max(c.local_date) FROM checkins c {PANEL_GRANTS.format(alias='c')}"
        " GROUP BY c.user_id",
        (clinician_id,),
    )
    return {row[0]: date.fromisoformat(row[1]) for row in rows}


async def panel_sessions(db: Database, clinician_id: int, since: datetime,
                         now: datetime) -> list[PanelSession]:
    """Linked patients' sessions since an instant that were missed or logged as done, with what
    the log says about side effects, blood pressure after and recovery, and those still planned
    though their time has passed (never logged)."""
    rows = await db.fetch_all(
        "SELECT s.id, s.user_id, s.starts_at, s.status, l.bp_after_systolic, l.bp_after_diastolic,"
        " l.back_to_normal FROM treatment_sessions s LEFT JOIN treatment_session_logs l ON l.session_id = s.id"
        f" {PANEL_GRANTS.format(alias='s')} WHERE s.starts_at >= ?"
        " AND (s.status IN ('missed', 'done') OR (s.status = 'planned' AND s.starts_at < ?))"
        " ORDER BY s.starts_at, s.id",
        (clinician_id, iso(since), iso(now)),
    )
    effects: dict[int, dict[str, str]] = {}
    for row in await db.fetch_all(
        "SELECT e.session_id, e.effect, e.severity FROM treatment_side_effects e"
        " JOIN treatment_sessions s ON s.id = e.session_id"
        f" {PANEL_GRANTS.format(alias='s')} WHERE s.starts_at >= ?",
        (clinician_id, iso(since)),
    ):
        effects.setdefault(row[0], {})[row[1]] = row[2]
    return [PanelSession(
        patient_id=row["user_id"], starts_at=datetime.fromisoformat(row["starts_at"]), status=row["status"],
        side_effects=effects.get(row["id"], {}), back_to_normal=row["back_to_normal"] or "",
        bp_after=f"{row['bp_after_systolic']}/{row['bp_after_diastolic']}" if row["bp_after_systolic"] else "",
    ) for row in rows]


async def panel_scale_results(db: Database, clinician_id: int) -> dict[int, list[ScaleResult]]:
    """For each linked patient, the results that decide their latest score and its change: each
    questionnaire's first and latest, the one marked as baseline, and the lowest (the latest of
    equals) for a rise after improving."""
    rows = await db.fetch_all(
        "SELECT user_id, id, instrument, local_date, total, band, is_baseline FROM ("
        " SELECT r.*, row_number() OVER (PARTITION BY r.user_id, r.instrument ORDER BY r.local_date, r.id)"
        " AS first_rank, row_number() OVER (PARTITION BY r.user_id, r.instrument"
        " ORDER BY r.local_date DESC, r.id DESC) AS last_rank, row_number() OVER (PARTITION BY r.user_id,"
        " r.instrument ORDER BY r.total, r.local_date DESC, r.id DESC) AS low_rank"
        f" FROM scale_results r {PANEL_GRANTS.format(alias='r')})"
        " WHERE first_rank = 1 OR last_rank = 1 OR low_rank = 1 OR is_baseline = 1"
        " ORDER BY user_id, local_date, id",
        (clinician_id,),
    )
    results: dict[int, list[ScaleResult]] = {}
    for row in rows:
        results.setdefault(row["user_id"], []).append(ScaleResult(
            id=row["id"], instrument=row["instrument"], local_date=date.fromisoformat(row["local_date"]),
            total=row["total"], band=row["band"], is_baseline=bool(row["is_baseline"]),
        ))
    return results
