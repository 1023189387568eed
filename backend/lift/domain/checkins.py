"""The daily check-in: its fields, their limits, and which days may be filled in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

import msgspec

from lift.domain.dates import day_label
from lift.domain.forms import ClientUuid, read_answer
from lift.domain.schedule import local_date_of

BACKFILL_DAYS = 7
NOTE_MAX = 2000

Score = Annotated[int, msgspec.Meta(ge=0, le=10)]
SleepHours = Annotated[float, msgspec.Meta(ge=0, le=24, multiple_of=0.5)]
ThoughtsAnswer = Annotated[int, msgspec.Meta(ge=0, le=3)]
Note = Annotated[str, msgspec.Meta(max_length=NOTE_MAX)]


class CheckinForm(msgspec.Struct, frozen=True, kw_only=True):
    local_date: date
    mood: Score
    anxiety: Score
    sleep_hours: SleepHours
    thoughts: ThoughtsAnswer
    note: Note = ""


CHECKIN_MESSAGES = {
    "local_date": "Choose the day this check-in is for.",
    "mood": "Choose your mood from 0 to 10.",
    "anxiety": "Choose your anxiety from 0 to 10.",
    "sleep_hours": "Enter hours of sleep from 0 to 24, in half hours (for example 7.5).",
    "thoughts": "Choose one answer about thoughts of death or suicide.",
    "note": f"Keep the note to {NOTE_MAX:,} characters or fewer.",
}




# Hours of sleep as people type them: a comma for the decimal mark ("7,5", the usual one in
# much of the world and what many phones' decimal keypads offer) or a unit ("7h", "7.5 hours").
TYPED_HOURS = re.compile(r"(\d+)(?:[.,](\d+))?\s*(?:h|hrs?|hours?)?", re.IGNORECASE)


def with_plain_hours(values: dict[str, str]) -> dict[str, str]:
    """The form with its sleep answer as plain hours ("7,5 h" -> "7.5"), for parsing only: the
    page shows the answer as typed. Anything else is left alone to be refused."""
    typed = values.get("sleep_hours", "")
    match = TYPED_HOURS.fullmatch(typed.strip())
    if not match:
        return values
    whole, fraction = match.groups()
    return {**values, "sleep_hours": f"{whole}.{fraction}" if fraction else whole}


class SubmissionKey(msgspec.Struct, frozen=True, kw_only=True):
    """How a check-in sent by the page's script identifies itself.

    client_uuid makes sending idempotent: the same UUID arriving again changes nothing.
    on_conflict is "ask" for a check-in made offline, which may meet a different check-in
    for the same day saved meanwhile from another device: the patient chooses, Lift does not.
    """

    client_uuid: ClientUuid | None = None
    on_conflict: Literal["replace", "ask"] = "replace"


SUBMISSION_MESSAGES = {
    "client_uuid": "This check-in came with a key Lift can't read. Reload the page and send it again.",
    "on_conflict": "This check-in came with an option Lift doesn't know. Reload the page and send it again.",
}


class SaveOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    # The same client UUID arrived before: nothing was written again.
    REPLAYED = "replayed"
    # The day already holds different answers and the sender asked not to replace them.
    CONFLICT = "conflict"


def fillable_dates(today: date) -> list[date]:
    """Today first, then each earlier day that can still be filled in or edited."""
    return [today - timedelta(days=n) for n in range(BACKFILL_DAYS + 1)]


def open_days(today: date, checked_in: Iterable[date], sent: date | None = None) -> list[date]:
    """The days a new check-in's day picker offers: today first, then each earlier day within
    reach that has no check-in yet. A day already checked in is changed from its own page, which
    shows its answers: chosen here, it would be replaced unseen, its note included. The day a
    form was sent for stays, so a form sent back with an error keeps its day."""
    done = set(checked_in) - {sent}
    return [day for day in fillable_dates(today) if day not in done]


def days_to_fill(today: date, checked_in: Iterable[date], first_day: date | None = None) -> list[date]:
    """Earlier days that can still be filled in and have no check-in yet, newest first. Days
    before the patient's first day with Lift (`trends.first_day_with_lift`: the day they joined,
    or an earlier day they filled in) were never missed: they can still be chosen on the form,
    but are not offered as gaps to fill."""
    done = set(checked_in)
    return [day for day in fillable_dates(today)[1:] if day not in done and (first_day is None or day >= first_day)]


def before_joining(days: Iterable[date], checked_in: Iterable[date], first_day: date | None) -> list[date]:
    """The days shown blank on a week strip: before the patient's first day with Lift, where the
    charts start. A day between an earlier filled-in day and the join date is a day to fill,
    as it is a missed day on the charts."""
    done = set(checked_in)
    return [day for day in days if first_day is not None and day < first_day and day not in done]


def shown_to_fill(to_fill: Iterable[date], shown: Iterable[date]) -> list[date]:
    """The days to fill that Today's week strip shows, each as a +. Without one, "Missed a day?
    Tap +" would point at nothing (a new patient's earlier days are blank, not missed)."""
    strip = set(shown)
    return [day for day in to_fill if day in strip]


def older_than_shown(to_fill: Iterable[date], shown: Iterable[date]) -> list[date]:
    """The days to fill older than Today's week strip. The form reaches BACKFILL_DAYS back, one
    day past the strip's 7, so Today names that day in words rather than let it go unoffered."""
    first = min(shown)
    return [day for day in to_fill if day < first]


def out_of_reach_notice(day: date, today: date) -> str:
    """Why a link to a day opened today's check-in instead."""
    if day > today:
        return "That day hasn't happened yet, so this is today's check-in."
    return (f"{day_label(day, today)} is more than {BACKFILL_DAYS} days ago, so it can no longer be filled "
            "in or changed. This is today's check-in.")


def date_error(day: date, today: date) -> str | None:
    if day > today:
        return "That day hasn't happened yet. Choose today or an earlier day."
    if day < today - timedelta(days=BACKFILL_DAYS):
        # Also what a form left open past midnight hears: it names the day, as the form no longer does.
        return (f"{day_label(day, today)} can no longer be changed: check-ins can be filled in or changed "
                f"up to {BACKFILL_DAYS} days back. Choose another day.")
    return None


def is_editable(day: date, today: date) -> bool:
    return date_error(day, today) is None


def after_deletion(day: date, today: date) -> str:
    """What deleting a day's check-in leaves the patient able to do: past the backfill window
    the day stays empty for good, which they should know before they confirm."""
    if not is_editable(day, today):
        return (f"This day is more than {BACKFILL_DAYS} days ago, so once deleted it can't be filled in "
                "again: it will show as a day without a check-in.")
    last = day + timedelta(days=BACKFILL_DAYS)
    when = {0: "today", 1: "tomorrow"}.get((last - today).days) or day_label(last, today)
    return f"You can fill this day in again until the end of {when}."


# After this many days in a row without a check-in, Today welcomes the patient back. It never
# counts what they missed: stepping away is common in depression, and a tally reads as blame.
AWAY_DAYS = 3


def welcome_back(last_checkin: date | None, today: date, joined: date | None = None) -> str | None:
    """Today's words for a patient coming back after days away, or None (never checked in,
    or not away). They say which missed days can still be filled in, and that the rest can't.
    Days away count from the join date when that is later: a patient who joined today and
    filled in a day from the week before has not been away."""
    if last_checkin is None or (today - max(last_checkin, joined or last_checkin)).days <= AWAY_DAYS:
        return None
    earliest = today - timedelta(days=BACKFILL_DAYS)
    if last_checkin >= earliest:
        return "Start with today. If you remember the days in between, you can still fill them in."
    return (f"Start with today. If you remember them, you can fill in days back to {day_label(earliest, today)}; "
            "days before that stay empty, and that's fine.")


def last_days(today: date, count: int = 7) -> list[date]:
    """The last `count` days ending today, oldest first, for the week-at-a-glance strip."""
    return [today - timedelta(days=n) for n in range(count - 1, -1, -1)]


class Checkin(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    local_date: date
    mood: int
    anxiety: int
    sleep_hours: float
    thoughts: int
    note: str
    updated_at: str


def same_answers(checkin: Checkin, form: CheckinForm) -> bool:
    """Whether a submitted form says exactly what is already stored for its day."""
    return (checkin.local_date, checkin.mood, checkin.anxiety, checkin.sleep_hours, checkin.thoughts,
            checkin.note) == (form.local_date, form.mood, form.anxiety, form.sleep_hours, form.thoughts,
                              form.note)


def as_form_values(checkin: Checkin) -> dict[str, str]:
    """A stored check-in as the strings a form shows, so edit and re-render share one path."""
    return {
        "local_date": checkin.local_date.isoformat(),
        "mood": str(checkin.mood),
        "anxiety": str(checkin.anxiety),
        "sleep_hours": format_hours(checkin.sleep_hours),
        "thoughts": str(checkin.thoughts),
        "note": checkin.note,
    }


def format_hours(hours: float) -> str:
    return str(int(hours)) if hours == int(hours) else str(hours)


def today_in(timezone: str, now: datetime) -> date:
    """A check-in (and a questionnaire result) belongs to the patient's local date, not the
    server's."""
    return local_date_of(now, timezone)


def panel_thoughts(sent: int | None, stored: int, outcome: SaveOutcome) -> int | None:
    """The thoughts answer Get help now is worded for once a check-in is saved: the one sent,
    unless the save was a replay of a key whose stored answer is higher. Then the journal holds
    that answer, and the resend's lower one (a second tap after changing the answer, before the
    first tap was answered) must not take the panel away."""
    if outcome is SaveOutcome.REPLAYED and stored > (sent or 0):
        return stored
    return sent


def thoughts_answer(raw: object) -> int | None:
    """The thoughts answer if it is one of the four choices, whatever else in the form is wrong.

    The crisis panel must appear even when another field fails validation or the save fails.
    """
    return read_answer(raw, ThoughtsAnswer)
