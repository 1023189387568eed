"""CSV exports as pure functions: the documented columns, one row per record, and safe cells.

Files follow RFC 4180 (comma separated, CRLF line ends, fields quoted when they hold a comma,
quote or line break) in UTF-8 with a header row. Instants are ISO 8601 in the patient's own
time zone with its UTC offset, e.g. 2026-03-08T09:15:00-04:00; dates are the patient's local
dates. Which columns a file has comes from sharing.visibility(), like every shared page; a
clinician's files end with one more, their own name for the patient (GRANTEE_COLUMNS). A column
is only ever added at the end, so a spreadsheet or script reading the others keeps working.

A cell that begins with = + - @ tab or carriage return would be read as a formula by a
spreadsheet (CSV injection, OWASP). Such text cells get a leading apostrophe, which
spreadsheets show as text. Numbers Lift writes itself (a negative change, say) are not text
a person typed, and are written as plain numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache

import msgspec
from zoneinfo import ZoneInfo

from lift.domain import scales
from lift.domain.crisis import THOUGHTS_LABELS
from lift.domain.sharing import Visibility
from lift.domain.treatment import BACK_TO_NORMAL, SIDE_EFFECT_LABELS, phase_for

KINDS = ("checkins", "scales", "sessions", "definitions")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Full-width forms, which some spreadsheets (and input methods) turn into the ASCII ones.
FULL_WIDTH_FORMULA_STARTS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")


class Column(msgspec.Struct, frozen=True):
    name: str
    meaning: str
    needs: tuple[str, ...] = ()  # Visibility fields that must all be true to include it


PATIENT_COLUMNS = (
    Column("patient_id", "Lift's number for the patient, the same in every file."),
    Column("patient_email", "The email address of the patient's Lift account."),
    Column("timezone", "The patient's time zone (IANA name); every time in the row is in it."),
)

CHECKIN_COLUMNS = (
    *PATIENT_COLUMNS,
    Column("date", "The patient's local date the check-in is for (YYYY-MM-DD).", ("checkin_done",)),
    Column("recorded_at", "When the check-in was first saved: ISO 8601 with the patient's UTC offset.",
           ("checkin_done",)),
    Column("updated_at", "When the check-in was last changed: ISO 8601 with the patient's UTC offset.",
           ("checkin_done",)),
    Column("mood", "Mood from 0 (the lowest) to 10 (the best).", ("mood_anxiety",)),
    Column("anxiety", "Anxiety from 0 (none) to 10 (the most).", ("mood_anxiety",)),
    Column("sleep_hours", "Hours of sleep the night before, in half hours.", ("sleep",)),
    Column("thoughts", "Thoughts of death or suicide: 0 none, 1 passing thoughts, 2 thoughts of ending "
           "their life, 3 thoughts with a plan or intent.", ("thoughts",)),
    Column("thoughts_label", "The thoughts answer in the words the patient chose.", ("thoughts",)),
    Column("note", "The patient's own note, as typed.", ("notes",)),
)

ITEM_IDS = scales.PHQ9.item_ids + scales.GAD7.item_ids


def _item_column(item_id: str) -> Column:
    name = "PHQ-9" if item_id.startswith("phq9") else "GAD-7"
    # PHQ-9 question 9 asks about thoughts of death or self-harm: it goes with the thoughts answers.
    needs = ("scale_totals", "thoughts") if item_id == scales.PHQ9_ITEM9 else ("scale_totals",)
    return Column(item_id, f"{name} question {item_id.split('_')[1]}: 0 not at all, 1 several days, "
                  "2 more than half the days, 3 nearly every day.", needs)


SCALE_COLUMNS = (
    *PATIENT_COLUMNS,
    Column("date", "The patient's local date the questionnaire was taken.", ("scale_bands",)),
    Column("taken_at", "When it was saved: ISO 8601 with the patient's UTC offset.", ("scale_bands",)),
    Column("instrument", "phq9 (PHQ-9, depression) or gad7 (GAD-7, anxiety).", ("scale_bands",)),
    Column("band", "The range the total falls in (see the band definitions).", ("scale_bands",)),
    Column("total", "The total score: PHQ-9 0-27, GAD-7 0-21.", ("scale_totals",)),
    Column("is_baseline", "1 for the result that change is measured from: the one the patient marked as "
           "baseline, else their first of that questionnaire.", ("scale_totals",)),
    Column("change_from_baseline", "This total minus the baseline total; negative is an improvement. "
           "Empty for the baseline and for results before it.", ("scale_totals",)),
    Column("percent_change", "The change as a whole percentage of the baseline total.", ("scale_totals",)),
    Column("response", "PHQ-9 only: yes when the total is at least 50% below the baseline. Empty when it "
           "does not apply (GAD-7, a baseline of 0, or no baseline before it).", ("scale_totals",)),
    Column("remission", "PHQ-9 only: yes when the total is below 5. Empty when the baseline was already "
           "below 5, and for GAD-7.", ("scale_totals",)),
    Column("difficulty", "The last question of the PHQ-9 and of the GAD-7, not part of the total: how "
           "difficult the problems made it to work, take care of things at home or get along with other "
           "people. 0 not difficult at all to 3 extremely difficult. Empty if not answered.",
           ("scale_totals",)),
    *(_item_column(item_id) for item_id in ITEM_IDS),
)

SESSION_COLUMNS = (
    *PATIENT_COLUMNS,
    Column("date", "The patient's local date of the session.", ("upcoming_sessions",)),
    Column("starts_at", "The session's start: ISO 8601 with the patient's UTC offset.", ("upcoming_sessions",)),
    Column("phase", "Where it falls in the treatment plan's schedule, as the patient's Treatment page says: Twice a "
                    "week, Weekly, Monthly, Maintenance, weekly or Maintenance, every other week; a session the "
                    "patient added on its own says that it was added by them.", ("upcoming_sessions",)),
    Column("status", "planned, done, missed, rescheduled (moved) or cancelled. A session still planned after "
                     "its day was not logged: it may have taken place or not.", ("upcoming_sessions",)),
    Column("mood_before", "Mood just before the session, 0-10.", ("session_logs",)),
    Column("mood_after", "Mood after the session, 0-10.", ("session_logs",)),
    Column("bp_before", "Blood pressure before, systolic/diastolic.", ("session_logs",)),
    Column("bp_after", "Blood pressure after, systolic/diastolic.", ("session_logs",)),
    Column("back_to_normal", "How long until the patient felt back to normal.", ("session_logs",)),
    Column("side_effects", "Side effects above none, as effect: severity pairs separated by semicolons.",
           ("session_logs",)),
    Column("note", "The patient's note about the session, as typed.", ("session_logs", "notes")),
)

# Only in a caregiver's or clinician's files (a clinician's: caregivers download none), after
# every other column of each file.
GRANTEE_COLUMNS = (
    Column("your_name_for_patient", "Your own name for the patient, as you gave it in Lift (only you see it); "
           "empty if you gave none."),
)

DEFINITION_COLUMNS = (
    Column("file", "Which export the row describes."),
    Column("term", "A column name, or a definition Lift uses."),
    Column("meaning", "What it means."),
)

COLUMNS = {"checkins": CHECKIN_COLUMNS, "scales": SCALE_COLUMNS, "sessions": SESSION_COLUMNS,
           "definitions": DEFINITION_COLUMNS}

RESPONSE_DEFINITION = ("Response: a PHQ-9 total at least 50% lower than the baseline total (a baseline of 0 "
                       "cannot fall, so response does not apply).")
REMISSION_DEFINITION = (f"Remission: a PHQ-9 total below {scales.REMISSION_BELOW}, counted only when the "
                        f"baseline was {scales.REMISSION_BELOW} or more.")
NOT_A_DIAGNOSIS = ("A PHQ-9 or GAD-7 total summarises the last two weeks as the patient reported them. "
                   "It is not a diagnosis.")
# The note columns say "as typed", and a reader comparing a cell with the page would otherwise take
# the apostrophe neutralise() adds ("'-2 degrees outside") for part of what the patient wrote.
TEXT_CELLS = ("A text cell that begins with =, +, - or @ (also after spaces) is written with an apostrophe "
              "added in front, so that a spreadsheet shows it as text and never runs it as a formula: a note "
              "typed as -2 degrees outside reads '-2 degrees outside. Numbers Lift writes itself have none.")


def definitions(named: bool = False) -> list[tuple[str, str, str]]:
    """Every column of every file once (with GRANTEE_COLUMNS for a caregiver's or clinician's
    files: `named`), then the bands, what a score is not, and each file's added apostrophes. The
    response and remission rules are the meanings of the scales file's columns of those names."""
    rows = [(kind, column.name, column.meaning) for kind in ("checkins", "scales", "sessions")
            for column in COLUMNS[kind] + (GRANTEE_COLUMNS if named else ())]
    for instrument in scales.INSTRUMENTS.values():
        bands = "; ".join(f"{band.label} {band.low}-{band.high}" for band in instrument.bands)
        rows.append(("scales", f"{instrument.name} bands", bands))
    rows.append(("scales", "about scores", NOT_A_DIAGNOSIS))
    rows += [(kind, "about text cells", TEXT_CELLS) for kind in ("checkins", "scales", "sessions")]
    return rows


def columns_for(kind: str, seen: Visibility, named: bool = False) -> tuple[Column, ...]:
    """The file's columns this viewer may see, and for a caregiver or clinician (`named`) their
    own name for the patient last."""
    shown = tuple(c for c in COLUMNS[kind] if all(getattr(seen, need) for need in c.needs))
    return shown + GRANTEE_COLUMNS if named and kind != "definitions" else shown


# --- Cells ----------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP), also when
    spaces or line breaks come first (some spreadsheets trim them) or the sign is full-width."""
    start = text.lstrip(" \n")
    return "'" + text if start.startswith(FORMULA_STARTS + FULL_WIDTH_FORMULA_STARTS) else text


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return format(value, "g") if isinstance(value, float) else str(value)
    return neutralise(str(value))


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_instant(utc_text: str | None, timezone: str) -> str | None:
    """A stored UTC instant ("2026-03-08T14:15:00Z") as ISO 8601 with the patient's offset: a CSV
    is read by programs, so never on the account's 12-hour clock (dates.time_text is for people)."""
    if not utc_text:
        return None
    instant = datetime.fromisoformat(utc_text)
    return instant.astimezone(_zone(timezone)).isoformat(timespec="seconds")


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """RFC 4180 text for some rows; the csv module quotes what needs quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def header(columns: Sequence[Column]) -> list[str]:
    return [c.name for c in columns]


def pick(values: dict[str, object], columns: Sequence[Column]) -> list[str]:
    return [cell(values.get(c.name)) for c in columns]


# --- Rows -----------------------------------------------------------------------------------


class PatientRef(msgspec.Struct, frozen=True):
    id: int
    email: str
    timezone: str
    label: str = ""  # the downloading caregiver's or clinician's own name for the patient


class CheckinRecord(msgspec.Struct, frozen=True, array_like=True):
    local_date: str
    created_at: str
    updated_at: str
    mood: int
    anxiety: int
    sleep_hours: float
    thoughts: int
    note: str


def patient_values(patient: PatientRef) -> dict[str, object]:
    return {"patient_id": patient.id, "patient_email": patient.email, "timezone": patient.timezone,
            "your_name_for_patient": patient.label}


def checkin_row(patient: PatientRef, record: CheckinRecord, columns: Sequence[Column]) -> list[str]:
    values = patient_values(patient)
    values.update(
        date=record.local_date, recorded_at=local_instant(record.created_at, patient.timezone),
        updated_at=local_instant(record.updated_at, patient.timezone), mood=record.mood,
        anxiety=record.anxiety, sleep_hours=record.sleep_hours, thoughts=record.thoughts,
        thoughts_label=THOUGHTS_LABELS.get(record.thoughts, ""), note=record.note,
    )
    return pick(values, columns)


class ScaleRecord(msgspec.Struct, frozen=True, array_like=True):
    id: int
    instrument: str
    local_date: str
    taken_at: str
    total: int
    band: str
    difficulty: int | None
    answers: str  # "phq9_1=2,phq9_2=1,…"


class Baseline(msgspec.Struct, frozen=True):
    id: int
    local_date: str
    total: int


def scale_row(patient: PatientRef, record: ScaleRecord, baseline: Baseline | None,
              columns: Sequence[Column]) -> list[str]:
    """One result, with change, response and remission measured from the patient's baseline.
    Results dated before the baseline (or the baseline itself) have no change."""
    instrument = scales.INSTRUMENTS[record.instrument]
    values = patient_values(patient)
    band = scales.band_by_key(instrument, record.band)
    values.update(date=record.local_date, taken_at=local_instant(record.taken_at, patient.timezone),
                  instrument=record.instrument, band=band.label, total=record.total,
                  difficulty=record.difficulty,
                  is_baseline=baseline is not None and baseline.id == record.id)
    after = baseline is not None and (record.local_date, record.id) > (baseline.local_date, baseline.id)
    if after:
        change = record.total - baseline.total
        values["change_from_baseline"] = change
        values["percent_change"] = round(100 * change / baseline.total) if baseline.total else None
        if instrument is scales.PHQ9 and baseline.total > 0:
            values["response"] = "yes" if scales.is_response(baseline.total, record.total) else "no"
        if instrument is scales.PHQ9 and baseline.total >= scales.REMISSION_BELOW:
            values["remission"] = "yes" if record.total < scales.REMISSION_BELOW else "no"
    for pair in filter(None, record.answers.split(",")):
        item_id, _, answer = pair.partition("=")
        values[item_id] = int(answer)
    return pick(values, columns)


class SessionRecord(msgspec.Struct, frozen=True, array_like=True):
    starts_at: str
    phase: str
    status: str
    mood_before: int | None
    mood_after: int | None
    bp_before: str
    bp_after: str
    back_to_normal: str | None
    note: str | None
    side_effects: str  # "nausea=mild,dizziness=moderate"


def side_effects_text(pairs: str) -> str:
    effects = []
    for pair in filter(None, pairs.split(",")):
        key, _, severity = pair.partition("=")
        effects.append(f"{SIDE_EFFECT_LABELS.get(key, key)}: {severity}")
    return "; ".join(effects)


def session_row(patient: PatientRef, record: SessionRecord, columns: Sequence[Column],
                named: bool = False) -> list[str]:
    """`named`: a clinician's file (see columns_for), which reads the phase as said of the patient."""
    values = patient_values(patient)
    starts = local_instant(record.starts_at, patient.timezone)
    values.update(date=starts[:10], starts_at=starts, phase=phase_for(record.phase, own=not named),
                  status=record.status,
                  mood_before=record.mood_before, mood_after=record.mood_after,
                  bp_before=record.bp_before, bp_after=record.bp_after,
                  back_to_normal=BACK_TO_NORMAL.get(record.back_to_normal or "", "") if record.back_to_normal
                  else "", side_effects=side_effects_text(record.side_effects), note=record.note)
    return pick(values, columns)


# --- Date ranges ----------------------------------------------------------------------------


class DateRange(msgspec.Struct, frozen=True):
    first: date | None  # None: from the first entry
    last: date | None  # None: up to the latest entry


# Far wider than any journal, and far enough from date.min and date.max that a chart's six
# lead-in days or a local day's UTC bounds stay valid dates (near them, a report page or a CSV
# stream already under way would fail).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


# The form's two date fields, as their labels name them.
RANGE_FIELDS = {"start": "From", "end": "To"}


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text.strip()) if text and text.strip() else None


def parse_range(start: str | None, end: str | None) -> tuple[DateRange | None, dict[str, str]]:
    """The dates asked for, either end open, and what is wrong with each date field, said so the
    person can fix it: a date that is not one, one outside the years Lift accepts, or a To date
    before the From date. The range is None whenever anything is wrong."""
    problems: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for field, text in (("start", start), ("end", end)):
        label = RANGE_FIELDS[field]
        try:
            days[field] = _day(text)
        except ValueError:
            problems[field] = f"Enter the {label} date as year-month-day, like 2026-03-01, or leave it empty."
            continue
        if days[field] and not EARLIEST_DATE <= days[field] <= LATEST_DATE:
            problems[field] = f"Enter a {label} date in the years {EARLIEST_DATE.year} to {LATEST_DATE.year}."
    first, last = days.get("start"), days.get("end")
    if not problems and first and last and first > last:
        problems["end"] = ("Enter a To date on or after the From date, or leave it empty to go up to "
                           "the latest entry.")
    return (None if problems else DateRange(first, last)), problems


KIND_PROBLEM = "Choose which file to download."


def parse_download(kind: str, start: str | None, end: str | None) -> tuple[DateRange | None, dict[str, str]]:
    """The download form's answers: parse_range's, and a file that is none of KINDS (an address
    edited or mangled) marked for the person to choose, as the dates are, rather than "not found"."""
    chosen, problems = parse_range(start, end)
    if kind not in KINDS:
        problems = {"kind": KIND_PROBLEM, **problems}
    return (None if problems else chosen), problems


def range_text(chosen: DateRange) -> str:
    if chosen.first is None and chosen.last is None:
        return "all dates"
    first = chosen.first.isoformat() if chosen.first else "the first entry"
    last = chosen.last.isoformat() if chosen.last else "the latest entry"
    return f"{first} to {last}"


def filename(kind: str, who: str, first: str | None, last: str | None) -> str:
    """A download name with no characters a header or a file system would choke on. Without a To
    date the file goes up to the latest entry, planned sessions after today included, and its
    name says "latest", not "today"."""
    span = f"-{first or 'start'}-to-{last or 'latest'}" if kind != "definitions" else ""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in who)[:40] or "lift"
    return f"lift-{safe}-{kind}{span}.csv"
