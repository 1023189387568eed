"""What sharing tests do again and again: a patient invites, an invitee joins, data is seeded.

Imported by the sharing test modules (fixtures included), so each file reads on its own.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from tests.integration import conftest
from tests.integration.conftest import PASSWORD, Person

LINK = re.compile(r'id="invite-link"[^>]*value="([^"]+)"')
CODE = re.compile(r'class="invite-code"[^>]*>([^<]+)<')
STAMP = "2026-01-01T12:00:00Z"


async def invite(patient: Person, role: str = "caregiver", notes: bool = False, thoughts: bool = False,
                 label: str = "") -> tuple[str, str]:
    """The invitation's path (/invite/<token>) and its short code, as the patient's page shows them."""
    form = {"role": role, "label": label}
    if notes:
        form["include_notes"] = "true"
    if thoughts:
        form["include_thoughts"] = "true"
    response = await patient.post("/sharing/invitations", form)
    assert response.status_code == 200, response.text
    return urlsplit(LINK.search(response.text).group(1)).path, CODE.search(response.text).group(1)


async def join(person: Person, path: str, timezone: str = "Europe/London", hour_cycle: str = "h23") -> httpx.Response:
    """Sign up through the invitation, as the invitee's browser would (app.js sends its hour cycle)."""
    return await person.post(f"{path}/signup", {"email": person.email, "password": PASSWORD, "timezone": timezone,
                                                "hour_cycle": hour_cycle})


async def shared_with(patient: Person, person: Person, role: str = "caregiver", **scope) -> Person:
    path, _ = await invite(patient, role, **scope)
    response = await join(person, path)
    assert response.status_code == 303 and response.headers["location"].startswith(f"/{role}/patients/"), (
        response.status_code, response.headers.get("location"))
    return person


def user_id(database, email: str) -> int:
    return database.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]


def seed_checkins(database, email: str, rows: list[tuple[date, int, int, str]]) -> None:
    """(local date, mood, thoughts, note) rows for a patient."""
    uid = user_id(database, email)
    database.executemany(
        "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
        " updated_at) VALUES (?, ?, ?, 4, 7.5, ?, ?, ?, ?)",
        [(uid, day.isoformat(), mood, thoughts, note, STAMP, STAMP) for day, mood, thoughts, note in rows],
    )
    database.commit()


def seed_scale(database, email: str, day: date, total: int, instrument: str = "phq9", baseline: bool = False,
               band: str | None = None) -> int:
    from lift.domain import scales

    inst = scales.INSTRUMENTS[instrument]
    cursor = database.execute(
        "INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band, is_baseline)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (user_id(database, email), instrument, day.isoformat(), f"{day.isoformat()}T15:00:00Z", total,
         band or scales.band_for(inst, total).key, int(baseline)),
    )
    database.commit()
    return cursor.lastrowid


def without_breaks(html: str) -> str:
    """The clinician's panel lets each address wrap after its @ (a <wbr> in a <span>); the tests
    read it whole."""
    return re.sub(r'<span class="panel__email">([^<]*)@<wbr>([^<]*)</span>', r"\1@\2", html)


def row_of(html: str, email: str) -> str:
    """The clinician's panel row for a patient, from their address to the end of the row."""
    html = without_breaks(html)
    start = html.index(f">{email}<")
    return html[start:html.index("</tr>", start)]


def days_back(today: date, n: int) -> date:
    return today - timedelta(days=n)


def joined_days_ago(database, email: str, days: int) -> None:
    """Make one person's account `days` days old."""
    joined = conftest.helpers_now() - timedelta(days=days)
    database.execute("UPDATE users SET created_at = ? WHERE email = ?",
                     (joined.strftime("%Y-%m-%dT%H:%M:%SZ"), email))
    database.commit()


async def joined_then_checked_in(patient: Person, database, joined: int, moods: dict[int, int]) -> date:
    """Make the patient's account `joined` days old, then check in through the form, {days ago:
    mood} (the form reaches a week back, to before the account). Returns the patient's today."""
    joined_days_ago(database, patient.email, joined)
    today = patient.today()
    for n, mood in moods.items():
        await patient.check_in(local_date=days_back(today, n).isoformat(), mood=mood)
    return today


def chart_of(html: str, key: str) -> str:
    return html.split(f'class="chart chart--{key}', 1)[1].split("</figure>", 1)[0]


@pytest.fixture
async def caregiver(people, patient) -> Person:
    """Signed up through the patient's invitation with the default scope: a summary only."""
    return await shared_with(patient, people("carer@example.com"))


@pytest.fixture
async def clinician(people, patient) -> Person:
    return await shared_with(patient, people("doctor@example.com"), "clinician")


def seed_session(database, email: str, starts_at: str, status: str = "done", note: str | None = None,
                 effects: dict[str, str] | None = None, mood: tuple[int, int] | None = None) -> int:
    """A treatment session (making the plan if there is none), with a log when note or effects are given."""
    uid = user_id(database, email)
    database.execute(
        "INSERT INTO treatment_plans (user_id, medication, created_at, updated_at) VALUES (?, 'esketamine', ?, ?)"
        " ON CONFLICT (user_id) DO NOTHING", (uid, STAMP, STAMP))
    plan_id = database.execute("SELECT id FROM treatment_plans WHERE user_id = ?", (uid,)).fetchone()[0]
    session_id = database.execute(
        "INSERT INTO treatment_sessions (plan_id, user_id, starts_at, requested_date, requested_time, phase,"
        " status, created_at, updated_at) VALUES (?, ?, ?, ?, '10:00', 'induction', ?, ?, ?)",
        (plan_id, uid, starts_at, starts_at[:10], status, STAMP, STAMP)).lastrowid
    if note is not None or effects or mood:
        before, after = mood or (None, None)
        database.execute(
            "INSERT INTO treatment_session_logs (session_id, mood_before, mood_after, bp_before_systolic,"
            " bp_before_diastolic, back_to_normal, note, created_at, updated_at)"
            " VALUES (?, ?, ?, 128, 82, '1_2h', ?, ?, ?)", (session_id, before, after, note or "", STAMP, STAMP))
        database.executemany("INSERT INTO treatment_side_effects (session_id, effect, severity) VALUES (?, ?, ?)",
                             [(session_id, k, v) for k, v in (effects or {}).items()])
    database.commit()
    return session_id
