"""Sharing on the patient's terms: scopes, what each scope may see, invitation rules, the
clinician panel, and the audit log in plain words.

`visibility(scope)` is the one answer to "may this viewer see this field?". The caregiver
pages, their htmx partials, the clinician pages and every export ask it, so they cannot
disagree about what a scope includes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

import msgspec
from zoneinfo import ZoneInfo

from lift.domain import scales, schedule, treatment, trends
from lift.domain.checkins import Checkin
from lift.domain.crisis import THOUGHTS_LABELS, CrisisResources, Thoughts
from lift.domain.education import SOURCES
from lift.domain.dates import dated, day_text, time_text

Role = Literal["caregiver", "clinician"]
ROLES: tuple[str, ...] = ("caregiver", "clinician")
ROLE_LABELS = {"caregiver": "Caregiver", "clinician": "Clinician", "patient": "You"}

# An invitation can be used once, within a week of being made.
INVITATION_DAYS = 7
# The clinician panel flags any thoughts answer above "none" in this many local days.
FLAG_DAYS = 14
# Check-in adherence on the panel and the caregiver summary: days checked in of the last 30.
ADHERENCE_DAYS = 30
# What a caregiver's summary lists day by day (check-in done, and thoughts or notes if shared).
RECENT_DAYS = 14

Label = Annotated[str, msgspec.Meta(max_length=80)]


# --- Scopes ---------------------------------------------------------------------------------


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    role: str
    notes: bool = False
    thoughts: bool = False


def scope_for(role: str, notes: bool = False, thoughts: bool = False) -> Scope:
    """A clinician's scope is always everything; a caregiver's is a summary plus whichever of
    notes and thoughts answers the patient switched on (both off unless chosen)."""
    if role == "clinician":
        return Scope(role="clinician", notes=True, thoughts=True)
    if role == "caregiver":
        return Scope(role="caregiver", notes=bool(notes), thoughts=bool(thoughts))
    raise ValueError(f"no sharing scope for role {role!r}")


class Visibility(msgspec.Struct, frozen=True, kw_only=True):
    """Each kind of data, and whether a viewer may see it."""

    checkin_done: bool  # whether a day has a check-in
    mood_anxiety: bool  # daily mood and anxiety values and their trend
    sleep: bool
    scale_bands: bool  # the range (band) a PHQ-9 or GAD-7 total fell in
    scale_totals: bool  # totals, item answers, change from baseline, response and remission
    upcoming_sessions: bool
    session_logs: bool  # past sessions, how they went, side effects, blood pressure
    notes: bool  # free-text notes, on check-ins and on session logs
    thoughts: bool  # the daily thoughts answer, and PHQ-9 item 9
    report: bool  # the printable report (charts, totals, side effects)
    export: bool  # CSV files


OWNER = Visibility(checkin_done=True, mood_anxiety=True, sleep=True, scale_bands=True, scale_totals=True,
                   upcoming_sessions=True, session_logs=True, notes=True, thoughts=True, report=True,
                   export=True)


def visibility(scope: Scope) -> Visibility:
    if scope.role == "clinician":
        return OWNER
    return Visibility(checkin_done=True, mood_anxiety=True, sleep=False, scale_bands=True, scale_totals=False,
                      upcoming_sessions=True, session_logs=False, notes=scope.notes, thoughts=scope.thoughts,
                      report=False, export=False)


class SharedDay(msgspec.Struct, frozen=True, kw_only=True):
    """One check-in as a viewer may see it: what the scope hides is None."""

    local_date: date
    mood: int | None
    anxiety: int | None
    sleep_hours: float | None
    thoughts: int | None
    note: str | None


def shared_day(checkin: Checkin, seen: Visibility) -> SharedDay:
    return SharedDay(
        local_date=checkin.local_date,
        mood=checkin.mood if seen.mood_anxiety else None,
        anxiety=checkin.anxiety if seen.mood_anxiety else None,
        sleep_hours=checkin.sleep_hours if seen.sleep else None,
        thoughts=checkin.thoughts if seen.thoughts else None,
        note=checkin.note if seen.notes else None,
    )


def describe(scope: Scope) -> tuple[list[str], list[str]]:
    """What the viewer will see and what they won't, in the patient's words."""
    if scope.role == "clinician":
        return ([
            "Every check-in: mood, anxiety, sleep, your answer about thoughts of death or suicide, and notes",
            "PHQ-9 and GAD-7 results with their answers, baseline and change",
            "Treatment sessions, how they went, and side effects",
            "A printable report, and your check-ins, scales and sessions as CSV files",
        ], ["Your safety plan, reminders and account settings"])
    sees = [
        "Whether you checked in each day",
        "Your mood and anxiety trend",
        "The range of your latest PHQ-9 and GAD-7 (for example “mild”), not the scores or answers",
        "Your upcoming treatment sessions",
    ]
    hidden = ["Sleep, scores, session logs and side effects, your safety plan"]
    (sees if scope.notes else hidden).append("Your check-in notes")
    (sees if scope.thoughts else hidden).append("Your answers about thoughts of death or suicide")
    return sees, hidden


# describe() speaks to the patient ("your mood"); the invitation page speaks to the person
# invited, about the patient ("their mood").
_TO_THE_INVITEE = {"you": "they", "your": "their", "Your": "Their"}


def describe_to_invitee(scope: Scope) -> tuple[list[str], list[str]]:
    """describe(), worded for the person invited: what they will see of the patient's journal."""
    def about_them(text: str) -> str:
        return re.sub(r"\b(you|your|Your)\b", lambda m: _TO_THE_INVITEE[m.group()], text)

    sees, hidden = describe(scope)
    return [about_them(item) for item in sees], [about_them(item) for item in hidden]


def not_shared_text(scope: Scope) -> str:
    """What the patient keeps back, said on the caregiver's summary as the invitation said it: a
    caregiver who sees no thoughts answers must not take a quiet page for no thoughts."""
    hidden = describe_to_invitee(scope)[1]
    return "Not shared with you: " + "; ".join(item[0].lower() + item[1:] for item in hidden) + "."


def scope_text(scope: Scope) -> str:
    if scope.role == "clinician":
        return "Everything in your journal except your safety plan"
    extras = [name for name, on in (("notes", scope.notes), ("thoughts answers", scope.thoughts)) if on]
    return "Summary" + (f" with {' and '.join(extras)}" if extras else " only")


# --- Invitations ----------------------------------------------------------------------------


class InviteForm(msgspec.Struct, frozen=True, kw_only=True):
    role: Role
    label: Label = ""
    include_notes: bool = False
    include_thoughts: bool = False


INVITE_MESSAGES = {
    "role": "Choose a caregiver or a clinician.",
    "label": "Keep the name to 80 characters or fewer.",
    "include_notes": "Tick the box, or leave it empty.",
    "include_thoughts": "Tick the box, or leave it empty.",
}


class ScopeForm(msgspec.Struct, frozen=True, kw_only=True):
    include_notes: bool = False
    include_thoughts: bool = False


SCOPE_MESSAGES = {"include_notes": INVITE_MESSAGES["include_notes"],
                  "include_thoughts": INVITE_MESSAGES["include_thoughts"]}


class CodeForm(msgspec.Struct, frozen=True, kw_only=True):
    """The short code as typed on the "Enter an invitation code" page."""

    code: Annotated[str, msgspec.Meta(max_length=64)]


CODE_MESSAGES = {"code": "Enter the 8-character code, like 7KQ2-M9XD."}


# --- The grantee's own name for a patient ---------------------------------------------------

NAME_MAX = 80
# A name is one line of text: a tab, a line break or another control character has no place in
# a heading or a list, and some would not show at all. (`$` would pass one line break at the very
# end, but parse_form trims every field first.) An empty name removes it.
GranteeLabel = Annotated[str, msgspec.Meta(max_length=NAME_MAX, pattern=r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$")]


class GranteeLabelForm(msgspec.Struct, frozen=True, kw_only=True):
    """A caregiver's or clinician's name for a patient they see ("Mum", "Jane Doe", a record
    number), which only they see. Trimmed like every field; empty removes it."""

    name: GranteeLabel = ""


GRANTEE_LABEL_MESSAGES = {"name": f"Keep the name to {NAME_MAX} characters or fewer, on one line, or leave it "
                                  "empty to remove it."}


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    patient_id: int
    patient_email: str
    role: str
    scope: Scope
    label: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    withdrawn_at: datetime | None = None
    patient_timezone: str = "UTC"  # its dates are the patient's days, as everywhere in Lift
    used_by: int | None = None


def invitation_expiry(created_at: datetime) -> datetime:
    return created_at + timedelta(days=INVITATION_DAYS)


def invitation_problem(invitation: Invitation | None, now: datetime) -> str | None:
    """Why an invitation cannot be accepted now, or None if it can. A withdrawn invitation
    reads as withdrawn even once expired: that is what the patient did."""
    if invitation is None:
        return "unknown"
    if invitation.withdrawn_at is not None:
        return "withdrawn"
    if invitation.used_at is not None:
        return "used"
    if now >= invitation.expires_at:
        return "expired"
    return None


# Said without naming the patient or anything about them: whoever holds a dead link learns
# nothing from it.
INVITATION_PROBLEMS = {
    "unknown": "This invitation link or code isn't one Lift knows. Check it was copied in full, "
               "or ask for a new invitation.",
    "withdrawn": "This invitation was withdrawn, so it can't be used. Ask for a new one if you need it.",
    "used": "This invitation has already been used. Each invitation works once; ask for a new one "
            "if you need it.",
    "expired": f"This invitation has expired: invitations work for {INVITATION_DAYS} days. "
               "Ask for a new one.",
}


def role_problem(invitation: Invitation, role: str) -> str | None:
    """Why a signed-in account cannot accept this invitation; a patient account never can."""
    if role == invitation.role:
        return None
    wanted = "a caregiver" if invitation.role == "caregiver" else "a clinician"
    return (f"This invitation is for {wanted} account, and you're signed in with a {role} account. "
            f"Sign out, then open the invitation again to create {wanted} account.")


# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CODE_PATTERN = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def normalise_code(raw: str) -> str | None:
    """A typed code in its canonical form ("abcd efgh", "ABCD-EFGH" → "ABCDEFGH"), or None."""
    code = re.sub(r"[\s-]", "", raw or "").upper().translate(_CODE_LOOKALIKES)
    return code if _CODE_PATTERN.match(code) else None


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def looks_like_code(key: str) -> bool:
    return normalise_code(key) is not None


# --- Grants ---------------------------------------------------------------------------------


class Grant(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    patient_id: int
    grantee_id: int
    role: str
    scope: Scope
    label: str
    created_at: datetime
    patient_email: str = ""
    grantee_email: str = ""
    patient_timezone: str = "UTC"
    patient_joined: date | None = None  # the patient's local date when their account was made
    ended_at: datetime | None = None
    grantee_label: str = ""  # the grantee's own name for the patient, which only they see


# The `what` of a "revoke" entry a caregiver or clinician wrote: they ended their own access,
# or deleted their account (which ends every grant they had).
ENDED_BY_GRANTEE = "ended_by_grantee"
ACCOUNT_DELETED = "account_deleted"
# The `what` of a "grant" entry a caregiver or clinician wrote by changing the address they sign
# in with: actor_email is the new address, detail the old one. It tells the patient, and it lets
# the log name that person's earlier entries (under the old address) as the patient named them.
EMAIL_CHANGED = "email_changed"
# How long the patient's Sharing page lists a share the other person ended; the audit log
# keeps it for good.
ENDED_SHOWN_DAYS = 30


class EndedShare(msgspec.Struct, frozen=True, kw_only=True):
    """A share the caregiver or clinician ended, as the patient's Sharing page lists it: they
    ended their own access (the grant says so), or deleted their account (the grant went with
    it, so the patient's log is what remembers it), perhaps after ending their access."""

    label: str  # the name the patient gave them, if it is still known
    email: str
    role: str
    ended_at: datetime  # for a deleted account, when it was deleted
    account_deleted: bool = False
    ended_by_them: bool = False  # a deleted account that had ended its own access first


def ended_shares(ended_grants: Iterable[Grant], deleted_accounts: Iterable[EndedShare]) -> list[EndedShare]:
    """Both kinds in one list, the most recently ended first."""
    shares = [EndedShare(label=g.label, email=g.grantee_email, role=g.role, ended_at=g.ended_at)
              for g in ended_grants if g.ended_at is not None]
    return sorted([*shares, *deleted_accounts], key=lambda share: share.ended_at, reverse=True)


class Ending(msgspec.Struct, frozen=True, kw_only=True):
    """What a caregiver or clinician is shown when they end their own access to a patient."""

    action: str  # the button, on the patient's page and on the confirmation page
    question: str
    keep: str  # the way back, without ending anything
    done: str  # the notice on their list afterwards


# A clinician thinks of a list of patients (a discharged one leaves the panel); a caregiver
# thinks of a person whose journal they follow.
ENDINGS = {
    "clinician": Ending(action="Remove from my list", question="Remove this patient from your list?",
                        keep="Keep on my list",
                        done="Removed from your list. You no longer see their journal; only they can share "
                             "it with you again."),
    "caregiver": Ending(action="Stop seeing this journal", question="Stop seeing this journal?",
                        keep="Keep seeing it",
                        done="You no longer see their journal. Only they can share it with you again."),
}
# The same three facts for both roles, said before they confirm.
ENDING_FACTS = (
    "You lose access at once: their journal leaves your list, and its pages stop opening for you.",
    "Only they can share it with you again, by sending you a new invitation.",
    "Nothing in their journal is deleted. They will see that you ended your access.",
)

# What the patient is told before they stop sharing with someone: a mis-tap would end a
# caregiver's or clinician's access at once, so the button asks first.
STOP_SHARING_FACTS = (
    "They lose access at once, starting with their next click.",
    "Nothing in your journal is deleted, and “Who saw my journal” keeps every time they looked.",
    "To share with them again, send them a new invitation.",
)


# --- The clinician panel --------------------------------------------------------------------


class LatestScore(msgspec.Struct, frozen=True, kw_only=True):
    total: int
    band_key: str
    band_label: str
    local_date: date
    change: int | None
    change_text: str | None
    # The lowest total so far, when lower than the latest: a rise from there after an
    # improvement (a relapse) matters even while the score is still below baseline.
    lowest: int | None = None
    lowest_date: date | None = None


class Concern(msgspec.Struct, frozen=True, kw_only=True):
    """One reason a clinician may want to look at a patient first, in the panel's words."""

    kind: str  # one of ATTENTION_ORDER
    text: str


class PanelRow(msgspec.Struct, frozen=True, kw_only=True):
    patient_id: int
    email: str
    last_checkin: date | None
    phq9: LatestScore | None
    gad7: LatestScore | None
    checkin_days: int
    window: int
    thoughts_flag: bool
    days_since_checkin: int | None = None  # in the patient's own local days
    concerns: tuple[Concern, ...] = ()
    # The days checkin_days is out of (days_counted): `window`, or fewer for a newer patient.
    counted: int = ADHERENCE_DAYS
    checked_in_today: bool = False
    # The patient's local date, by whose year the row's days are written.
    today: date | None = None
    label: str = ""  # the clinician's own name for the patient, if they gave one

    @property
    def shown_as(self) -> str:
        """What the row is known by: the clinician's name for the patient, else the address."""
        return self.label or self.email

    @property
    def checkin_text(self) -> str:
        return panel_checkin_text(self.checkin_days, self.counted, self.window)


def latest_score(results: Sequence[scales.ScaleResult], instrument: scales.Instrument) -> LatestScore | None:
    """The latest total with its band and its change from baseline (None before a second result)."""
    progress = scales.progress(list(results), instrument)
    if progress.latest is None:
        return None
    latest = progress.latest
    band = scales.band_for(instrument, latest.total)
    own = [r for r in results if r.instrument == instrument.key]
    lowest = min(own, key=lambda r: (r.total, -r.local_date.toordinal()))
    rose = lowest.total < latest.total
    return LatestScore(
        total=latest.total, band_key=band.key, band_label=band.label, local_date=latest.local_date,
        change=progress.change,
        change_text=None if progress.change is None else scales.change_text(progress.change,
                                                                           progress.change_percent),
        lowest=lowest.total if rose else None, lowest_date=lowest.local_date if rose else None,
    )


def latest_band(results: Sequence[scales.ScaleResult], instrument: scales.Instrument) -> scales.Band | None:
    own = scales.in_order([r for r in results if r.instrument == instrument.key])
    return scales.band_for(instrument, own[-1].total) if own else None


def window_start(today: date, days: int) -> date:
    return today - timedelta(days=days - 1)


def thoughts_flag(answers: Iterable[tuple[date, int]], today: date, days: int = FLAG_DAYS) -> bool:
    """Any thoughts answer above "none" on a local day within the last `days` days."""
    first = window_start(today, days)
    return any(answer > 0 and first <= day <= today for day, answer in answers)


def checkin_days(days: Iterable[date], today: date, window: int = ADHERENCE_DAYS) -> int:
    first = window_start(today, window)
    return len({day for day in days if first <= day <= today})


def days_counted(days: Iterable[date], today: date, joined: date | None, window: int = ADHERENCE_DAYS) -> int:
    """How many days the check-in count covers: the last `window`, or, for a patient newer than
    that, the days since joining (or since an earlier filled-in day). "3 of the last 30" would
    read as 27 missed days to someone who joined 4 days ago."""
    start = trends.first_day_with_lift(joined, days)
    if start is None:
        return window
    return max(1, min(window, (today - start).days + 1))


def checkin_count_text(count: int, counted: int, window: int = ADHERENCE_DAYS) -> str:
    """The caregiver's sentence for a count from checkin_days over `counted` days."""
    if counted >= window:
        return f"Checked in on {count} of the last {window} days."
    if counted == 1:
        return "Checked in on their first day." if count else "No check-in yet on their first day."
    return f"Checked in on {count} of their first {counted} days."


def panel_checkin_text(count: int, counted: int, window: int = ADHERENCE_DAYS) -> str:
    """The panel's check-in cell: checkin_count_text in a table cell's few words."""
    if counted >= window:
        return f"{count} of {window} days"
    if counted == 1:
        # One day counted: their first day with Lift is today.
        return "Joined today, checked in" if count else "Joined today, none yet"
    return f"{count} of their first {counted} days"


def report_checkin_days(checked_in: Sequence[date], first: date, last: date,
                        joined: date | None, first_entry: date | None = None) -> tuple[str, str]:
    """The report's days checked in, out of its days from the patient's first day with Lift
    (the day they joined, or an earlier day they filled in, in the period or before it), and a
    note saying so: "2 of 30" would read as 28 missed days on the report of someone who joined
    4 days ago."""
    days = (last - first).days + 1
    start = trends.first_day_with_lift(joined, [first_entry, *checked_in]) or first
    if start <= first:
        return f"{len(checked_in)} of {days}", ""
    if start > last:
        return "None", f"their first day with Lift, {dated(start)}, came after this period"
    return f"{len(checked_in)} of {(last - start).days + 1}", f"since their first day with Lift, {dated(start)}"


def report_start(first: date, last: date, joined: date | None,
                 first_entry: date | None = None) -> tuple[date, str]:
    """The first day the report's title names, and why when it is not the period's: the patient's
    first day with Lift when the period began before it, as its charts do (trends.chart_first).
    "Sun 1 Nov to Mon 30 Nov" read as a month's journal for someone who joined on 30 Nov."""
    start = trends.first_day_with_lift(joined, [first_entry])
    shown = trends.chart_first(first, last, start)
    if shown == first:
        return first, ""
    what = "the day of their first entry" if joined is not None and shown < joined else "the day they joined Lift"
    return shown, f"It starts on {what}; the period asked for began on {dated(first)}."


def report_thoughts(checkins: Sequence[Checkin]) -> tuple[str, list[Checkin]]:
    """The report's daily answers about thoughts of death or suicide: a sentence for the period
    and the check-ins whose answer was above "None", newest first. On paper as on the clinician's
    timeline, so passing thoughts on four days do not read as none."""
    reported = sorted((c for c in checkins if c.thoughts > Thoughts.NONE), key=lambda c: c.local_date, reverse=True)
    total = len(checkins)
    if total == 0:
        return "No daily check-ins in this period.", []
    if total == 1:
        return ("The one daily check-in in this period reported "
                f"{'thoughts' if reported else 'no thoughts'} of death or suicide."), reported
    told = f"{len(reported)} of the {total}" if reported else f"None of the {total}"
    return f"{told} daily check-ins in this period reported thoughts of death or suicide.", reported


# A patient who has not checked in for this many local days has gone quiet: in TRD, drifting
# away from the journal can be the first sign of a worse spell, so the panel says so.
QUIET_DAYS = 5
# A rise from baseline this large is a real worsening, not noise: about the smallest change
# that matters clinically on each scale (5 points on the PHQ-9, 4 on the GAD-7).
WORSE_BY = {scales.PHQ9.key: 5, scales.GAD7.key: 4}
# Most urgent first: the attention sort puts a patient with an earlier kind above any patient
# without it, whatever else either has. A session with no log comes last: it may well have
# taken place, so it says less than one the patient reported missing, or weeks of silence.
ATTENTION_ORDER = ("thoughts", "session", "worse", "missed", "quiet", "unlogged")


class PanelSession(msgspec.Struct, frozen=True, kw_only=True):
    """A past session as the panel weighs it: missed, done with what its log says, or still
    planned after its day (never logged)."""

    patient_id: int
    starts_at: datetime  # UTC
    status: str
    side_effects: dict[str, str]
    bp_after: str
    back_to_normal: str


# The causes of treatment.clinic_contact_causes in a few words for the clinician.
CLINICIAN_WORDS = {
    "severe": lambda key: f"{treatment.SIDE_EFFECT_LABELS[key].split(':')[0]} severe",
    "bladder": lambda level: f"bladder pain ({level})",
    "blood_pressure": lambda reading: f"BP after {reading}",
    "next_day": lambda _: "not back to normal until the next day",
    "not_yet": lambda _: "not back to normal yet",
}


def session_warnings(session: PanelSession, day: date, today: date) -> list[str]:
    """What makes Lift tell the patient to contact their clinic after this session (as of today),
    in the clinician's words: the same rule as the patient's advice."""
    causes = treatment.clinic_contact_causes(session.side_effects, session.bp_after or None,
                                             session.back_to_normal or None, (today - day).days)
    return [CLINICIAN_WORDS[kind](detail) for kind, detail in causes]


def session_concerns(sessions: Iterable[PanelSession], timezone: str, today: date,
                     days: int = FLAG_DAYS) -> list[Concern]:
    """Sessions in the patient's last `days` local days that were missed, or whose log calls for
    a call to the clinic, newest first; then one line for those whose day passed with no log."""
    first = window_start(today, days)
    concerns, unlogged = [], []
    for session in sorted(sessions, key=lambda s: s.starts_at, reverse=True):
        day = schedule.local_date_of(session.starts_at, timezone)
        if not first <= day <= today:
            continue
        if session.status == "missed":
            concerns.append(Concern(kind="missed", text=f"Missed session {day_text(day, today)}"))
        elif treatment.awaits_log(session.status, day, today):
            unlogged.append(day)
        elif warnings := session_warnings(session, day, today):
            concerns.append(Concern(kind="session", text=f"Session {day_text(day, today)}: {', '.join(warnings)}"))
    if unlogged:
        concerns.append(Concern(kind="unlogged", text=unlogged_text(unlogged, today)))
    return concerns


def unlogged_text(days: Sequence[date], today: date) -> str:
    """Sessions whose day passed with no log, in the words the patient's own Treatment page
    uses: it says what the journal lacks, not what the patient did."""
    days = sorted(days)
    first, last = day_text(days[0], today), day_text(days[-1], today)
    if len(days) == 1:
        return f"Session {first} not logged yet"
    if len(days) == 2:
        return f"Sessions {first} and {last} not logged yet"
    return f"{len(days)} sessions not logged yet, {first} to {last}"


def days_since(last: date | None, today: date) -> int | None:
    """Never below 0: a check-in dated by the patient's old time zone can fall on what their new
    zone still calls tomorrow (a move west), and that is today's news, not "-1 days ago"."""
    return None if last is None else max(0, (today - last).days)


def days_ago(days: int) -> str:
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")


def attention(thoughts: bool, days_since_checkin: int | None, phq9: LatestScore | None,
              gad7: LatestScore | None, sessions: Sequence[Concern] = (),
              days_since_joining: int | None = None, today: date | None = None) -> tuple[Concern, ...]:
    """Why this patient may need a look first, most urgent first; empty when nothing stands out.
    `today` is the patient's local date: a day from another year is written with its year."""
    concerns = list(sessions)
    if thoughts:
        concerns.append(Concern(kind="thoughts", text="Thoughts reported"))
    for instrument, score in ((scales.PHQ9, phq9), (scales.GAD7, gad7)):
        if worse := _worsening(instrument, score, today):
            concerns.append(worse)
    if days_since_checkin is None:
        # None yet is as quiet as a last check-in on the day before they joined: a patient who
        # joined today has missed nothing (today isn't over), one who joined 4 days ago has gone
        # 5 days without, as has one whose last check-in was 5 days ago.
        if days_since_joining is None or days_since_joining + 1 >= QUIET_DAYS:
            concerns.append(Concern(kind="quiet", text="No check-ins yet"))
    elif days_since_checkin >= QUIET_DAYS:
        concerns.append(Concern(kind="quiet", text=f"No check-in for {days_since_checkin} days"))
    # A stable sort: concerns of one kind keep their order (sessions newest first, PHQ-9 before GAD-7).
    return tuple(sorted(concerns, key=lambda c: ATTENTION_ORDER.index(c.kind)))


def _worsening(instrument: scales.Instrument, score: LatestScore | None, today: date | None) -> Concern | None:
    """A real rise: from baseline, or else from the lowest score since (a relapse after improving)."""
    if score is None:
        return None
    if score.change is not None and score.change >= WORSE_BY[instrument.key]:
        return Concern(kind="worse", text=f"{instrument.name} {score.change_text} from baseline")
    if score.lowest is not None and score.total - score.lowest >= WORSE_BY[instrument.key]:
        rise = scales.change_text(score.total - score.lowest, None)
        return Concern(kind="worse", text=f"{instrument.name} {rise} from its lowest, {score.lowest} on "
                                          f"{day_text(score.lowest_date, today)}")
    return None


# The panel's columns, in order. Needs attention sits beside the name: on a phone the columns
# after the first two are off screen until the table is scrolled sideways.
SORTS = {
    "patient": "Patient",
    "attention": "Needs attention",
    "last_checkin": "Last check-in",
    "phq9": "PHQ-9",
    "gad7": "GAD-7",
    "adherence": "Check-ins",
}
# How each column's order reads in the table's caption: (ascending, descending).
SORT_DIRECTIONS = {
    "patient": ("A to Z", "Z to A"),
    "attention": ("least first", "most first"),
    "last_checkin": ("earliest first", "latest first"),
    "phq9": ("lowest first", "highest first"),
    "gad7": ("lowest first", "highest first"),
    "adherence": ("least often first", "most often first"),
}
DEFAULT_SORT = "attention"
# The first click on a column sorts the way a clinician most often wants it: the highest
# scores, the most in need of attention, and the fewest check-ins first.
DESCENDING_FIRST = frozenset({"phq9", "gad7", "attention", "last_checkin"})


def _urgency(row: PanelRow) -> int:
    """Each kind of concern outweighs every kind after it together (one bit each, most urgent highest)."""
    kinds = {concern.kind for concern in row.concerns}
    return sum(1 << (len(ATTENTION_ORDER) - i) for i, kind in enumerate(ATTENTION_ORDER) if kind in kinds)


def _score_key(score: LatestScore | None) -> tuple[int, int]:
    return (0, 0) if score is None else (1, score.total)


def _adherence_key(row: PanelRow) -> tuple[bool, float, int, int]:
    """How often the patient checked in, over the days they have had with Lift so far.

    The share, not the count: 2 of a new patient's first 2 days is as good a record as 30 of 30,
    and a count would sort it below 20 of 30. Today counts only once checked in, as it isn't
    over: 1 of 2 days, yesterday done, is 1 of 1 so far, not a half. Between equal shares, more
    days without a check-in is the weaker record (0 of 30 below 0 of 1), and then fewer check-ins.

    A patient who joined today with none yet has had no finished day, so has missed nothing: a
    whole share, as the Needs attention column does not call them quiet either. Sorting them
    first, as the least often, would set a clinician chasing someone who has not yet had a day
    to miss; sorting them last in both directions put them below 0 of 30 days. They go with the
    patients who missed no day, and among those, with no check-in yet, as the least often."""
    days = row.counted - (0 if row.checked_in_today else 1)
    share = row.checkin_days / days if days > 0 else 1.0
    return True, share, row.checkin_days - days, row.checkin_days


def known_name_key(label: str, email: str) -> tuple[str, str]:
    """How a caregiver's or clinician's patients are ordered wherever they are listed: by their
    own name for each (else the address), as a reader expects an alphabetical list to run: case
    and accents aside ("Émile" among the e's, not after "zoe"), then by the address."""
    return _folded(label or email), _folded(email)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def sort_panel(rows: Sequence[PanelRow], key: str, descending: bool) -> list[PanelRow]:
    """Rows ordered by one column; ties, and rows with nothing to sort by, fall back to the
    patient as the clinician knows them (their name for them, else the address; then the
    address) so the order never jumps between loads. Missing values sort last."""
    by_email = sorted(rows, key=lambda r: known_name_key(r.label, r.email))
    if key == "patient":
        return by_email[::-1] if descending else by_email
    if key == "attention":
        # Every row has an answer, so none is missing; rows alike in what they need are ordered
        # by PHQ-9, and a row without a PHQ-9 comes last of its group either way.
        sign = -1 if descending else 1
        return sorted(by_email, key=lambda r: (sign * _urgency(r), r.phq9 is None,
                                               sign * r.phq9.total if r.phq9 else 0))
    extract = {
        "last_checkin": lambda r: (r.last_checkin is not None, r.last_checkin or date.min),
        "phq9": lambda r: _score_key(r.phq9),
        "gad7": lambda r: _score_key(r.gad7),
        "adherence": _adherence_key,
    }.get(key)
    if extract is None:
        return by_email
    present = [r for r in by_email if extract(r)[0]]
    missing = [r for r in by_email if not extract(r)[0]]
    return sorted(present, key=extract, reverse=descending) + missing


def sort_choice(key: str | None, direction: str | None) -> tuple[str, bool]:
    """The asked-for sort, or the default for anything unknown: a bad link still shows the panel."""
    chosen = key if key in SORTS else DEFAULT_SORT
    if direction in ("asc", "desc"):
        return chosen, direction == "desc"
    return chosen, chosen in DESCENDING_FIRST


# --- The audit log --------------------------------------------------------------------------


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    at: datetime
    actor_role: str
    actor_email: str
    action: str
    what: str
    detail: str
    actor_label: str = ""  # the name the patient gave the person when sharing, if any
    # The same for the person the patient's own revoke or scope change was about.
    subject_label: str = ""
    # The grant the entry was written under, if any: an address can pass to someone else.
    actor_grant: int | None = None


# A scope change's detail: the caregiver's address then, this, and what they see from then on.
SCOPE_SEPARATOR = ": "


WHAT_LABELS = {
    "summary": "your summary",
    "notes": "your check-in notes",
    "panel": "your row in their list of patients",
    "timeline": "your timeline",
    "report": "your printable report",
    "checkins": "your check-ins as a CSV file",
    "scales": "your PHQ-9 and GAD-7 results as a CSV file",
    "sessions": "your treatment sessions as a CSV file",
}


class AuditLine(msgspec.Struct, frozen=True, kw_only=True):
    entry: AuditEntry  # the newest of the looks it stands for
    times: int = 1
    first_at: datetime


class AuditDay(msgspec.Struct, frozen=True, kw_only=True):
    """One day (the patient's) of their log: how many entries, and the ids they lie between."""
    day: date
    entries: int
    first_id: int
    last_id: int


def _look(entry: AuditEntry, day: date) -> tuple | None:
    """What a look on `day` (the reader's) folds by: the same person (address and grant) at the
    same page on the same day; None for downloads and sharing changes, which always stand alone."""
    if entry.action != "view":
        return None
    return day, entry.actor_role, entry.actor_email, entry.actor_grant, entry.what, entry.detail


def audit_lines(entries: Iterable[AuditEntry], timezone: str, days: Collection[date] | None = None) -> list[AuditLine]:
    """Newest-first entries as the log's lines: the same person's looks at the same page on the
    same day (the reader's) fold into one line ("4 times, the first at 09:02") where the newest
    of them is, whatever came between. A clinician opening a timeline through the day, or
    re-sorting their list, would otherwise fill the page with one sentence. Every look is still
    stored, and the archive lists each. Given `days`, entries on other days are left out: they
    belong to another page."""
    zone = ZoneInfo(timezone)
    lines: list[AuditLine] = []
    folded: dict[tuple, int] = {}  # a look's key: the index of its line
    for entry in entries:
        day = entry.at.astimezone(zone).date()
        if days is not None and day not in days:
            continue
        key = _look(entry, day)
        if key in folded:
            line = lines[folded[key]]
            lines[folded[key]] = AuditLine(entry=line.entry, times=line.times + 1,
                                           first_at=min(line.first_at, entry.at))
            continue
        if key:
            folded[key] = len(lines)
        lines.append(AuditLine(entry=entry, first_at=entry.at))
    return lines


def audit_line_sentence(line: AuditLine, timezone: str, twelve_hour: bool = False) -> str:
    """A line's sentence; repeated looks say how many and when the first was that day (the line's
    own time, beside it, is the last), on the reader's clock (`twelve_hour`)."""
    sentence = audit_sentence(line.entry)
    if line.times == 1:
        return sentence
    first = time_text(line.first_at.astimezone(ZoneInfo(timezone)), twelve_hour)
    return f"{sentence[:-1]} {line.times} times, the first at {first}."


def audit_sentence(entry: AuditEntry) -> str:
    """One line of "who saw what, when", without the time (the page shows it beside)."""
    what = WHAT_LABELS.get(entry.what, entry.what)
    who = entry.actor_email or "Someone"
    role = entry.actor_role
    if entry.actor_label and entry.actor_email:
        # The name the patient knows them by first, the address that proves who it was beside it.
        who, role = entry.actor_label, f"{entry.actor_email}, {role}"
    suffix = f" ({entry.detail})" if entry.detail else ""
    if entry.action == "view":
        return f"{who} ({role}) looked at {what}{suffix}."
    if entry.action == "export":
        return f"{who} ({role}) downloaded {what}{suffix}."
    if entry.action == "invite":
        return f"You invited a {entry.what}{suffix}."
    if entry.action == "withdraw":
        return f"You withdrew an invitation for a {entry.what}{suffix}."
    if entry.action == "grant" and entry.what == EMAIL_CHANGED:
        was = f" (was {entry.detail})" if entry.detail else ""
        return f"{who} ({role}) changed the email address they sign in with{was}."
    if entry.action == "grant":
        # "as a caregiver", never "as a carer@example.com, caregiver": the address goes by the name.
        named = f"{who} ({entry.actor_email})" if who != (entry.actor_email or "Someone") else who
        return f"{named} accepted your invitation and can now see your journal as a {entry.actor_role}{suffix}."
    if entry.action == "scope":
        address, _, sees = entry.detail.partition(SCOPE_SEPARATOR)
        return f"You changed what {_named(entry.subject_label, address)} can see" + (f": {sees}." if sees else ".")
    gone = (entry.action == "revoke" and entry.what == ACCOUNT_DELETED) or (
        entry.action == "delete_account" and entry.actor_role != "patient")
    if gone and entry.detail and entry.actor_email and not entry.actor_label:
        # The account is gone, so the name the patient gave them comes from the invitation they
        # accepted (detail), while the patient's account keeps it.
        who, role = entry.detail, f"{entry.actor_email}, {role}"
    if gone and entry.action == "delete_account":
        return f"{who} ({role}) deleted their Lift account, after ending their own access to your journal."
    if gone:
        return f"{who} ({role}) deleted their Lift account, so they can no longer see your journal."
    if entry.action == "revoke" and entry.actor_role != "patient":
        return f"{who} ({role}) ended their own access to your journal, so they can no longer see it."
    if entry.action == "revoke":
        return f"You stopped sharing with {_named(entry.subject_label, entry.detail)}."
    if entry.action == "delete_account":
        return "The account was deleted."
    return f"{entry.action} {what}{suffix}"


def _named(label: str, address: str) -> str:
    """Someone the patient's own change was about, as the Sharing page lists them: the name the
    patient gave them, with the address that proves who it was beside it, else the address."""
    if label and address:
        return f"{label} ({address})"
    return label or address or "someone"


def local_when(at: datetime, timezone: str, twelve_hour: bool = False) -> str:
    """"Wed 20 May 2026, 14:05" (or "2:05 PM", `twelve_hour`) in the reader's own time zone,
    always with the year: the access log and the report's "made" are records, read later."""
    local = at.astimezone(ZoneInfo(timezone))
    return f"{dated(local.date())}, {time_text(local, twelve_hour)}"


# The trend charts speak to the patient ("your baseline"). On someone else's screen, and on a
# report the patient hands to their clinic, the same sentences speak about the patient.
THIRD_PERSON = (
    ("Your latest", "The latest"),
    ("your baseline", "the baseline"),
    ("your one check-in", "the one check-in"),
    ("all your entries", "all entries"),
    ("your first week with Lift", "their first week with Lift"),
    ("since you joined", "since they joined"),
    ("the day you joined", "the day they joined"),
    ("your first entry", "their first entry"),
)


def about_the_patient(text: str) -> str:
    for mine, theirs in THIRD_PERSON:
        text = text.replace(mine, theirs)
    return text


def chart_about_the_patient(chart: trends.Chart) -> trends.Chart:
    """A chart's words about the patient: its summary and its table's caption (its rows hold days
    and numbers only)."""
    return msgspec.structs.replace(chart, summary=about_the_patient(chart.summary),
                                   table_caption=about_the_patient(chart.table_caption))


# --- Supporting someone: guidance for caregivers --------------------------------------------


class Guidance(msgspec.Struct, frozen=True, kw_only=True):
    heading: str
    text: str
    source: str = ""  # a file name in education.SOURCES, or "" for Lift's own general advice

    @property
    def source_title(self) -> str:
        return SOURCES.get(self.source, "")


# Restated in Lift's own words; the unit tests check no 8-word run is copied from a source.
# {helpline} is the deployment's first crisis line ("call or text 988"), see caregiver_guidance.
CAREGIVER_GUIDANCE = (
    Guidance(
        heading="Treatment days",
        text=("After an esketamine dose the clinic keeps the person for about two hours to watch how "
              "they are. Offer a lift home and some quiet time afterwards; ask the clinic what it "
              "advises about driving."),
        source="001_bbfe915b9883af78.txt",
    ),
    Guidance(
        heading="Side effects are usually brief",
        text=("Effects such as feeling dizzy, sick, confused or detached (“floaty”) mostly come during "
              "a session and for a short while after. Lift suggests calling the clinic about severe "
              "effects, and about any bladder pain."),
        source="001_bbfe915b9883af78.txt",
    ),
    Guidance(
        heading="Ups and downs happen",
        text=("Relief can start within hours, but it does not come for everyone, and depression "
              "coming back is not unusual. A hard week is not a failure: if symptoms return, "
              "treatment can start again."),
        source="001_bbfe915b9883af78.txt",
    ),
    Guidance(
        heading="Part of a wider plan",
        text=("Esketamine is meant to sit alongside therapy, other medicines and everyday support, "
              "not to replace them. Your steady presence is part of that support."),
        source="000_2ff687e3752922c8.txt",
    ),
    Guidance(
        heading="Ask, listen, and stay",
        text=("If you are worried, ask plainly how they are, and whether they are thinking about "
              "suicide. Asking does not put the idea in their head. Listen without rushing to fix "
              "things, and help them {helpline} or contact their care team. If they may act on it "
              "now, call the emergency number."),
    ),
    Guidance(
        heading="Look after yourself too",
        text=("Supporting someone is tiring. You can {helpline} for yourself as well, for advice "
              "on how to help."),
    ),
)


def caregiver_guidance(resources: CrisisResources) -> tuple[Guidance, ...]:
    """The guidance naming this deployment's own crisis line: 988 answers only in North America."""
    return tuple(msgspec.structs.replace(item, text=item.text.format(helpline=resources.helpline))
                 for item in CAREGIVER_GUIDANCE)


def guidance_sources(guidance: Iterable[Guidance]) -> tuple[str, ...]:
    """Each source named once, after the guidance, with the headings it backs, in order of first
    use: 'Source for “Treatment days” and “Ups and downs happen”: <title>.' The same title after
    every piece made a long section longer on a phone. Guidance with no source is Lift's own."""
    backs: dict[str, list[str]] = {}
    for item in guidance:
        if item.source:
            backs.setdefault(item.source_title, []).append(f"“{item.heading}”")
    return tuple(f"Source for {and_list(headings)}: {title}." for title, headings in backs.items())


def and_list(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(filter(None, (", ".join(words[:-1]), words[-1])))


def thoughts_label(answer: int) -> str:
    return THOUGHTS_LABELS.get(answer, str(answer))
