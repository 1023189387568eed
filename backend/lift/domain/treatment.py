"""Treatment plans, sessions and session logs: fields, limits, side effects, and the clinic rule.

The side-effect list is the one the patient-education article (seed 001) gives for ketamine and
esketamine, plus "sedation or sleepiness", which neither source document names: it is asked
about because the product brief lists it, not because a source does, and no card claims it.
The "contact your clinic" rule is Lift's: any side effect the patient calls severe, or bladder
pain at any level (the documents name it among the effects, and it is one to raise early).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

import msgspec

from lift.domain import schedule
from lift.domain.dates import day_label, day_text, time_text, weekday_name
from lift.domain.safety_plan import PHONE_MESSAGE, Phone
from lift.domain.time_of_day import TimeOfDay, parse_time_of_day

NOTE_MAX = 2000
ShortText = Annotated[str, msgspec.Meta(max_length=120)]
AdviceText = Annotated[str, msgspec.Meta(max_length=500)]
Score = Annotated[int, msgspec.Meta(ge=0, le=10)]
Note = Annotated[str, msgspec.Meta(max_length=NOTE_MAX)]
BP_PATTERN = r"^\s*\d{2,3}\s*/\s*\d{2,3}\s*$"
BloodPressure = Annotated[str, msgspec.Meta(pattern=BP_PATTERN)]

Medication = Literal["esketamine", "iv_ketamine", "other"]
MEDICATIONS = {
    "esketamine": "Esketamine nasal spray (Spravato)",
    "iv_ketamine": "IV ketamine infusion",
    "other": "Something else",
}

# The schedules that fit each treatment. A template is one medicine's schedule as the
# patient-education article gives it (seed 001: esketamine, or IV ketamine), so it is offered
# only with that medicine; for anything else the patient adds the sessions their clinic booked
# one by one. The plan form shows only these (app.css, app.js) and unfit_schedule refuses the rest.
SCHEDULES_FOR: dict[str, tuple[str, ...]] = {
    "esketamine": ("esketamine", "none"),
    "iv_ketamine": ("iv_ketamine", "none"),
    "other": ("none",),
}
SCHEDULE_MEDICINES = {"esketamine": "esketamine", "iv_ketamine": "IV ketamine"}


def treatments_fitting(template: str) -> list[str]:
    """The treatments a schedule fits, in the form's order."""
    return [medication for medication, fitting in SCHEDULES_FOR.items() if template in fitting]


def schedule_mismatch(medication: str, template: str) -> str | None:
    """Why this schedule does not fit this treatment, or None when it does. The refused form
    comes back with the schedule no longer chosen (`shown_again`), and the message says so."""
    if template in SCHEDULES_FOR[medication]:
        return None
    instead = (f"Choose the {SCHEDULE_MEDICINES[medication]} schedule, or add sessions one by one."
               if medication in SCHEDULE_MEDICINES else "For another treatment, add your sessions one by one.")
    return (f"The schedule you had chosen is for {SCHEDULE_MEDICINES[template]}, so it is no longer chosen. "
            f"{instead}")


def unfit_schedule(values: dict[str, str]) -> str | None:
    """Why the plan form's schedule does not fit its treatment, or None: also when either answer
    is not one the form offers, which is then its own error. Read from the answers as sent, so
    it is reported even when another answer fails to parse (trimmed, as parse_form reads them)."""
    medication, template = ((values.get(field) or "").strip() for field in ("medication", "template"))
    if medication not in SCHEDULES_FOR or template not in schedule.TEMPLATES:
        return None
    return schedule_mismatch(medication, template)


def shown_again(values: dict[str, str], unfit: str | None) -> dict[str, str]:
    """A refused plan form's answers, to fill it in again: every one as sent, except a schedule
    that does not fit the treatment (`unfit`, what unfit_schedule said of these answers), which
    is no longer chosen. The form hides such a schedule (app.css); without JavaScript nothing
    unchooses it when the treatment changes, so it would come back chosen out of sight. Its own
    questions' answers stay, for when it is chosen again."""
    if unfit:
        return {field: value for field, value in values.items() if field != "template"}
    return values


# (key, label) in the order the log form asks about them.
SIDE_EFFECTS = (
    ("dissociation", "Dissociation: feeling detached or “floating”"),
    ("dizziness", "Dizziness"),
    ("nausea", "Nausea or vomiting"),
    ("sedation", "Sedation or sleepiness"),
    ("confusion", "Confusion"),
    ("anxiety", "Anxiety"),
    ("memory", "Memory problems"),
    # The article's "emotional numbness"; "Numbness" alone read as a body feeling.
    ("numbness", "Feeling emotionally numb or flat"),
    ("visual", "Visual changes"),
    ("blood_pressure", "Raised blood pressure or heart rate"),
    ("digestive", "Stomach or digestion trouble"),
    ("bladder", "Bladder pain"),
)
SIDE_EFFECT_LABELS = dict(SIDE_EFFECTS)
SEVERITIES = ("none", "mild", "moderate", "severe")
Severity = Literal["none", "mild", "moderate", "severe"]

BACK_TO_NORMAL = {
    "": "Not sure",
    "under_1h": "Within an hour",
    "1_2h": "1 to 2 hours",
    "2_4h": "2 to 4 hours",
    "same_day": "Later the same day",
    "next_day": "The next day or later",
    "not_yet": "Not yet",
}
Outcome = Literal["done", "missed", "rescheduled"]
OUTCOMES = {
    "done": "I had the session",
    "missed": "I missed it",
    "rescheduled": "It was moved to another day or time",
}


# Answers that belong to one treatment or schedule: the treatment's name to "Something else",
# the maintenance spacing to esketamine's schedule, the twice-weekly weeks to IV ketamine's, and
# the first day, time and last day to any schedule (not to sessions added one by one). The form
# shows each only with its choice (app.css); `applicable` leaves the others out before parsing,
# so a hidden answer can neither block a save nor be stored against a treatment it does not fit.
ONLY_WITH_MEDICATION = {"medication_name": ("other",)}
ONLY_WITH_TEMPLATE = {
    "maintenance": ("esketamine",),
    "induction_weeks": ("iv_ketamine",),
    **{field: ("esketamine", "iv_ketamine") for field in ("start_date", "session_time", "end_date")},
}


def applicable(values: dict[str, str]) -> dict[str, str]:
    """The plan form's answers without those that do not apply to the chosen treatment and
    schedule. Schedule answers stay while no known schedule is chosen: that is its own error."""
    medication, template = values.get("medication"), values.get("template")
    kept = {}
    for field, value in values.items():
        if field in ONLY_WITH_MEDICATION and medication not in ONLY_WITH_MEDICATION[field]:
            continue
        if field in ONLY_WITH_TEMPLATE and template in schedule.TEMPLATES and template not in ONLY_WITH_TEMPLATE[field]:
            continue
        kept[field] = value
    return kept


class PlanForm(msgspec.Struct, frozen=True, kw_only=True):
    """The treatment itself: what, where, and what the clinic said about food and drink."""

    medication: Medication
    medication_name: ShortText = ""
    clinic_name: ShortText = ""
    clinic_phone: Phone = ""
    food_advice: AdviceText = ""


class ScheduleForm(msgspec.Struct, frozen=True, kw_only=True):
    """How the first sessions are made when a plan is set up."""

    template: schedule.TemplateName
    start_date: date | None = None
    session_time: TimeOfDay | None = None
    end_date: date | None = None
    maintenance: schedule.Maintenance = "none"
    induction_weeks: Literal[2, 3] = 3


class SessionForm(msgspec.Struct, frozen=True, kw_only=True):
    """One session added or moved by hand."""

    session_date: date
    session_time: TimeOfDay


class LogForm(msgspec.Struct, frozen=True, kw_only=True):
    outcome: Outcome
    new_date: date | None = None
    new_time: TimeOfDay | None = None
    mood_before: Score | None = None
    mood_after: Score | None = None
    bp_before: BloodPressure | None = None
    bp_after: BloodPressure | None = None
    back_to_normal: Literal["under_1h", "1_2h", "2_4h", "same_day", "next_day", "not_yet"] | None = None
    note: Note = ""


PLAN_MESSAGES = {
    "medication": "Choose the treatment you are having.",
    "medication_name": "Keep the treatment name to 120 characters or fewer.",
    "clinic_name": "Keep the clinic name to 120 characters or fewer.",
    "clinic_phone": PHONE_MESSAGE,
    "food_advice": "Keep the clinic's advice to 500 characters or fewer.",
}
SCHEDULE_MESSAGES = {
    "template": "Choose a schedule from the list, or choose to add sessions one by one.",
    "start_date": "Enter the date of the first session.",
    "end_date": "Enter the last day as a date, or leave it empty.",
    "maintenance": "Choose how maintenance sessions are spaced, or choose not yet.",
    "induction_weeks": "Choose 2 or 3 weeks of twice-weekly sessions.",
}
LOG_MESSAGES = {
    "outcome": "Choose whether you had the session, missed it, or it was moved.",
    "new_date": "Enter the new date of the session.",
    "mood_before": "Choose your mood before the session from 0 to 10.",
    "mood_after": "Choose your mood after the session from 0 to 10.",
    "bp_before": "Enter blood pressure as two numbers, like 120/80.",
    "bp_after": "Enter blood pressure as two numbers, like 120/80.",
    "back_to_normal": "Choose how long it took to feel back to normal.",
    "note": f"Keep the note to {NOTE_MAX:,} characters or fewer.",
}


# A time's message gives its example on the patient's clock ("9:30 AM" or "09:30"), as every
# time they read in Lift is: "like 09:30" leaves a 12-hour reader unsure how to write 9:30 PM.
SESSION_TIME_LEAD, NEW_TIME_LEAD = "Enter the time of day", "Enter the new time"


def _time_message(lead: str, twelve_hour: bool) -> str:
    return f"{lead}, like {time_text(time(9, 30), twelve_hour)}."


def schedule_messages(twelve_hour: bool) -> dict[str, str]:
    return {**SCHEDULE_MESSAGES, "session_time": _time_message(SESSION_TIME_LEAD, twelve_hour)}


def session_messages(twelve_hour: bool) -> dict[str, str]:
    return {"session_date": "Enter the date of the session.",
            "session_time": _time_message(SESSION_TIME_LEAD, twelve_hour)}


def log_messages(twelve_hour: bool) -> dict[str, str]:
    return {**LOG_MESSAGES, "new_time": _time_message(NEW_TIME_LEAD, twelve_hour)}


SEVERITY_MESSAGE = "Choose none, mild, moderate or severe."
NOT_YET = "This session hasn't happened yet. You can log it on the day."
CHANGED_MEANWHILE = "This session was changed in another window or tab. Reload it to see where it stands."


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    medication: str
    medication_name: str
    clinic_name: str
    clinic_phone: str
    food_advice: str
    updated_at: str

    @property
    def treatment_label(self) -> str:
        if self.medication == "other" and self.medication_name:
            return self.medication_name
        return MEDICATIONS[self.medication]


class Session(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    plan_id: int
    starts_at: datetime  # UTC
    requested_date: date
    requested_time: time
    phase: str
    status: str
    ride_home: str  # "", "arranged" or "dismissed"
    moved_to: int | None = None
    has_log: bool = False
    moved_to_starts_at: datetime | None = None  # UTC: when the session it was moved to starts


class SessionLog(msgspec.Struct, frozen=True, kw_only=True):
    mood_before: int | None
    mood_after: int | None
    bp_before: str
    bp_after: str
    back_to_normal: str
    note: str
    side_effects: dict[str, str]  # only effects above "none"
    updated_at: str


def plan_problems(plan: PlanForm | None, sched: ScheduleForm | None, today: date, *,
                  twelve_hour: bool = False) -> dict[str, str]:
    """Rules across fields that msgspec cannot check one field at a time. Either part may be
    None (it failed to parse) and the other is still checked, so every problem shows at once."""
    errors: dict[str, str] = {}
    if plan and plan.medication == "other" and not plan.medication_name:
        errors["medication_name"] = "Enter the name of the treatment."
    if sched is None or sched.template == "none":
        return errors
    if sched.start_date is None:
        errors["start_date"] = SCHEDULE_MESSAGES["start_date"]
    elif problem := schedule.start_date_error(sched.start_date, today):
        errors["start_date"] = problem
    elif problem := schedule.end_date_error(sched.start_date, sched.end_date):
        errors["end_date"] = problem
    if sched.session_time is None:
        errors["session_time"] = _time_message(SESSION_TIME_LEAD, twelve_hour)
    return errors


def parse_side_effects(values: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Each side effect's severity (fields effect_<key>, missing means none), and any errors."""
    chosen: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, _ in SIDE_EFFECTS:
        raw = (values.get(f"effect_{key}") or "none").strip()
        if raw not in SEVERITIES:
            errors[f"effect_{key}"] = SEVERITY_MESSAGE
        elif raw != "none":
            chosen[key] = raw
    return chosen, errors


def log_problems(form: LogForm, status: str, session_day: date, today: date, *,
                 twelve_hour: bool = False) -> dict[str, str]:
    """Why this log cannot be saved for a session in this status on this day; {} if it can.
    A "form" problem concerns the session itself, not one answer."""
    if problem := schedule.transition_error(status, form.outcome):
        return {"form": problem}
    if form.outcome != "rescheduled":
        return {"form": problem} if (problem := log_block_reason(status, session_day, today)) else {}
    errors: dict[str, str] = {}
    if form.new_date is None:
        errors["new_date"] = LOG_MESSAGES["new_date"]
    elif problem := schedule.start_date_error(form.new_date, today):
        errors["new_date"] = problem
    if form.new_time is None:
        errors["new_time"] = _time_message(NEW_TIME_LEAD, twelve_hour)
    return errors


SAME_TIME = "That's when this session already is. Choose another day or time to move it to."


def same_time_error(item: SessionView, timezone: str, new_date: date | None, new_time: str | None) -> str | None:
    """A move to the day and time the session already has (the move form opens filled with
    them) would only leave a session saying "Moved to" its own day and time: refused. Compared
    as times, not as the label shown (whose format is the reader's), and as the instant the new
    time becomes: 02:30 on a spring-forward day is placed at 03:00 (the gap rule), so asking a
    03:00 session for 02:30 moves it nowhere."""
    # The gap rule moves a time forward within its day, so only that day and the one before can
    # land on the session; any other date is a move (and never reaches resolve_local's limits).
    if new_date is None or new_time is None or not 0 <= (item.day - new_date).days <= 1:
        return None
    if (asked := parse_time_of_day(new_time)) is None:
        return None  # the form's own check words a time that is no time
    same_clock = new_date == item.day and asked == schedule.local_time_of(item.session.starts_at, timezone)
    lands_on_it = schedule.resolve_local(new_date, asked, timezone).starts_at == item.session.starts_at
    return SAME_TIME if same_clock or lands_on_it else None


BP_FORMAT = re.compile(BP_PATTERN)


def blood_pressure_problems(values: dict[str, str]) -> dict[str, str]:
    """Readings that have the right shape but cannot be right (checked even when other answers
    are wrong, so the patient sees every problem at once; a wrong shape is parse_form's)."""
    errors = {}
    for field in ("bp_before", "bp_after"):
        value = (values.get(field) or "").strip()
        if BP_FORMAT.match(value) and (problem := blood_pressure_error(value)):
            errors[field] = problem
    return errors


def log_block_reason(status: str, day: date, today: date) -> str | None:
    """Why a session cannot be logged at all right now, or None."""
    if status in ("rescheduled", "cancelled"):
        return schedule.transition_error(status, "done")
    if day > today:
        return NOT_YET
    return None


def log_offered(session: Session, timezone: str, now: datetime) -> bool:
    """Whether to offer logging the session. The server takes a log all day (log_block_reason),
    but before the session starts the checklist is what matters, so "Log how it went" waits for
    the start; a log already given, or a session settled early, can be changed at any time."""
    today = schedule.local_date_of(now, timezone)
    if log_block_reason(session.status, schedule.local_date_of(session.starts_at, timezone), today):
        return False
    return session.status != "planned" or session.starts_at <= now


# How long a session keeps the patient at the clinic: the esketamine dose, then two hours of
# monitoring (seed 001). The sources give no length for an IV ketamine infusion or another
# treatment, so the same two hours stand for them. The calendar feed blocks this long too.
# The phase of a session the patient added one by one, in the patient's words. Anyone else reads
# it said of the patient: to a caregiver or clinician "Added by you" said they had added it.
ADDED_BY_PATIENT = "Added by you"
ADDED_BY_PATIENT_TO_OTHERS = "Added by the patient"


def phase_for(phase: str, own: bool) -> str:
    """A session's phase for its reader: the patient's own (`own`), or a caregiver's or clinician's."""
    return ADDED_BY_PATIENT_TO_OTHERS if phase == ADDED_BY_PATIENT and not own else phase


SESSION_LENGTH = timedelta(hours=2)


def is_over(session: Session, now: datetime) -> bool:
    """Whether the session's time and its usual length have passed: from then on what its
    checklist prepares for (the ride home, the clinic's food advice) is behind the patient, and
    what is left, while it is unlogged, is how it went. Elapsed time, like the instant it is
    stored as: on the night the clocks change a session still lasts two real hours."""
    return now >= session.starts_at + SESSION_LENGTH


def split_blood_pressure(text: str) -> tuple[int, int]:
    systolic, diastolic = (int(part) for part in text.split("/"))
    return systolic, diastolic


def blood_pressure_error(text: str) -> str | None:
    systolic, diastolic = split_blood_pressure(text)
    if not (60 <= systolic <= 260 and 30 <= diastolic <= 160) or diastolic >= systolic:
        return "That reading looks mistyped: enter the top number, a slash, then the bottom one, like 120/80."
    return None


def normal_blood_pressure(text: str | None) -> str:
    """"120 / 80" and "120/80" are stored alike."""
    if not text:
        return ""
    systolic, diastolic = split_blood_pressure(text)
    return f"{systolic}/{diastolic}"


# The American Heart Association's line for a hypertensive crisis: a top number above 180 or a
# bottom number above 120. Esketamine raises blood pressure for a while after a dose.
CRISIS_SYSTOLIC, CRISIS_DIASTOLIC = 180, 120


def clinic_contact_causes(side_effects: dict[str, str], bp_after: str | None = None,
                          back_to_normal: str | None = None, days_since_session: int = 0) -> list[tuple[str, str]]:
    """What in a session's log calls for contacting the clinic, as (kind, detail) pairs: the one
    rule behind the patient's advice (clinic_contact_reasons) and the clinician's panel."""
    causes = [("severe", key) for key, level in side_effects.items() if level == "severe" and key != "bladder"]
    if side_effects.get("bladder", "none") != "none":
        causes.append(("bladder", side_effects["bladder"]))
    if bp_after:
        systolic, diastolic = split_blood_pressure(bp_after)
        if systolic > CRISIS_SYSTOLIC or diastolic > CRISIS_DIASTOLIC:
            causes.append(("blood_pressure", f"{systolic}/{diastolic}"))
    # The effects usually pass within hours of the session; into the next day is not usual.
    if back_to_normal == "next_day":
        causes.append(("next_day", ""))
    elif back_to_normal == "not_yet" and days_since_session > 0:
        causes.append(("not_yet", ""))
    return causes


def clinic_contact_reasons(side_effects: dict[str, str], bp_after: str | None = None,
                           back_to_normal: str | None = None, emergency_number: str = "911",
                           days_since_session: int = 0) -> list[str]:
    """Why the patient should contact their clinic now; empty when nothing calls for it."""
    sentences = {
        "severe": lambda key: f"{SIDE_EFFECT_LABELS[key]} was severe",
        "bladder": lambda level: f"You had bladder pain ({level})",
        "blood_pressure": lambda reading: (
            f"Your blood pressure after the session was {reading}: a top number over "
            f"{CRISIS_SYSTOLIC} or a bottom number over {CRISIS_DIASTOLIC} is very high. If you also "
            f"have chest pain, a severe headache, trouble breathing, weakness or changes in your sight, "
            f"call {emergency_number} now"
        ),
        "next_day": lambda _: "It took until the next day or later to feel back to normal",
        "not_yet": lambda _: "You still don't feel back to normal since the session",
    }
    causes = clinic_contact_causes(side_effects, bp_after, back_to_normal, days_since_session)
    return [sentences[kind](detail) for kind, detail in causes]


def as_log_values(log: SessionLog | None, status: str) -> dict[str, str]:
    """A stored log as the strings its form shows, so editing and re-rendering share one path."""
    if log is None:
        return {"outcome": status if status in OUTCOMES else ""}
    values = {
        "outcome": status,
        "mood_before": "" if log.mood_before is None else str(log.mood_before),
        "mood_after": "" if log.mood_after is None else str(log.mood_after),
        "bp_before": log.bp_before,
        "bp_after": log.bp_after,
        "back_to_normal": log.back_to_normal,
        "note": log.note,
    }
    values.update({f"effect_{key}": level for key, level in log.side_effects.items()})
    return values


def as_plan_values(plan: Plan) -> dict[str, str]:
    return {"medication": plan.medication, "medication_name": plan.medication_name,
            "clinic_name": plan.clinic_name, "clinic_phone": plan.clinic_phone,
            "food_advice": plan.food_advice}


def mood_change(log: SessionLog) -> int | None:
    if log.mood_before is None or log.mood_after is None:
        return None
    return log.mood_after - log.mood_before


def upcoming(sessions: list[Session], today: date, timezone: str) -> list[Session]:
    """Planned sessions from today on: today's stays listed until it is logged."""
    return [s for s in sessions if s.status == "planned"
            and schedule.local_date_of(s.starts_at, timezone) >= today]


def earlier(sessions: list[Session], today: date, timezone: str) -> list[Session]:
    """Everything that is not upcoming, newest first."""
    ahead = {s.id for s in upcoming(sessions, today, timezone)}
    return sorted((s for s in sessions if s.id not in ahead), key=lambda s: s.starts_at, reverse=True)


def todays_session(sessions: list[Session], today: date, timezone: str) -> Session | None:
    """The session that makes today a treatment day: the first planned or done one today."""
    for s in sorted(sessions, key=lambda s: s.starts_at):
        if s.status in ("planned", "done") and schedule.local_date_of(s.starts_at, timezone) == today:
            return s
    return None


# A session still "planned" after its day was had or missed, and only its log says which.
# Within this many days Today names it by its weekday; an older one by its date.
WEEKDAY_DAYS = 6
# Today asks about it for this many days after its day, then no more: a patient who stopped
# treatment would otherwise be asked about their last session for ever. Two weeks reach the next
# session of a weekly or every-other-week schedule; past them the session stays on Treatment.
LOG_QUESTION_DAYS = 14


def awaits_log(status: str, day: date, today: date) -> bool:
    """A session still planned after its local day: had or missed, only a log would say which."""
    return status == "planned" and day < today


def needs_log(session: Session, today: date, timezone: str) -> bool:
    return awaits_log(session.status, schedule.local_date_of(session.starts_at, timezone), today)


def session_to_log(sessions: list[Session], today: date, timezone: str) -> Session | None:
    """The one past session Today asks about ("How did Tuesday's session go?"), or None.

    It is the latest session before today still awaiting its log, asked about while it waits:
    until it is logged (as had or missed), moved or cancelled, or a newer session is logged, for
    up to LOG_QUESTION_DAYS after its local day. Not 6 days: a week-old session dropped off Today
    just as the next one came, so the only record of a dose could slip away unseen. Once a newer
    session is logged the patient is keeping the log again, and an older gap stays on Treatment
    as "Not logged yet" without a nudge, which would read as a tally of what was let slip; so
    does a session past the limit. Never more than one line: only the latest waiting session is
    asked about.

    `sessions` must hold the latest dose session before today (`db/treatment.last_dose_before`)
    and today's (a session logged today is newer); more do no harm."""
    waiting = max((s for s in sessions if needs_log(s, today, timezone)), key=lambda s: s.starts_at,
                  default=None)
    if waiting is None or any(s.status in ("done", "missed") and s.starts_at > waiting.starts_at
                              for s in sessions):
        return None
    if (today - schedule.local_date_of(waiting.starts_at, timezone)).days > LOG_QUESTION_DAYS:
        return None
    return waiting


def log_question(day: date, today: date) -> str:
    """"How did yesterday's session go?", the weekday's name within the last week, and past it
    the date: "Thursday" would then be last Thursday, not the session's."""
    days = (today - day).days
    if days > WEEKDAY_DAYS:
        return f"How did your session on {day_text(day, today)} go?"
    name = "yesterday" if days == 1 else weekday_name(day)
    return f"How did {name}'s session go?"


# fullmatch and [0-9]: `$` would also match before a trailing newline, and `\d` any
# Unicode digit; either would let a character a header cannot carry through.
SESSION_DAY_PATH = re.compile(r"/treatment/sessions/[0-9]+")


def back_path(raw: str | None) -> str:
    """Where a checklist tick returns to without htmx: home or a session page, nowhere else."""
    if raw and (raw == "/" or SESSION_DAY_PATH.fullmatch(raw)):
        return raw
    return "/treatment"


class SessionView(msgspec.Struct, frozen=True, kw_only=True):
    """A session as the patient reads it, in their own time zone."""

    session: Session
    day: date
    day_label: str
    time_label: str
    status_label: str
    moved_to_label: str  # "" unless it was moved to a session still there
    time_note: str
    is_today: bool
    loggable: bool
    log_offered: bool
    needs_log: bool
    over: bool


def moved_to_label(session: Session, timezone: str, today: date | None, twelve_hour: bool = False) -> str:
    """When a moved session now takes place, in the patient's zone ("Thu 3 Dec, 10:00", or
    "10:00 AM" for a reader on a 12-hour clock), or "" when it was not moved or the session it
    moved to is gone. The day is written by `day_text` (with its year on paper, `today` None)."""
    if session.status != "rescheduled" or session.moved_to_starts_at is None:
        return ""
    day = schedule.local_date_of(session.moved_to_starts_at, timezone)
    at = time_text(schedule.local_time_of(session.moved_to_starts_at, timezone), twelve_hour)
    return f"{day_text(day, today)}, {at}"


def status_label(session: Session, timezone: str, today: date | None, twelve_hour: bool = False) -> str:
    """The session's status in words. A moved one says when to ("Moved to Thu 3 Dec, 10:00"):
    "Moved" alone left the patient to open it to find the new time."""
    moved_to = moved_to_label(session, timezone, today, twelve_hour)
    return f"Moved to {moved_to}" if moved_to else schedule.STATUS_LABELS[session.status]


def view(session: Session, timezone: str, today: date, now: datetime | None = None,
         on_paper: bool = False, twelve_hour: bool = False) -> SessionView:
    """`now` is for the patient's own pages: without it logging is never offered (a caregiver or
    clinician reads the session but cannot log it), and the session is never `over`. `on_paper`
    (the report) writes the day a session was moved to with its year. Times are on the reader's
    clock (`twelve_hour`), a caregiver's or clinician's own on theirs."""
    day = schedule.local_date_of(session.starts_at, timezone)
    # The note explains the gap or fold rule only while the session is still where the rule
    # put it in this zone; a past or settled session keeps its instant when the patient
    # changes zone, and the note would no longer be true.
    resolved = schedule.resolve_local(session.requested_date, session.requested_time, timezone)
    note = ""
    if resolved.starts_at == session.starts_at:
        note = schedule.adjustment_note(session.requested_date, session.requested_time, timezone, today,
                                        twelve_hour)
    return SessionView(
        session=session, day=day, day_label=day_label(day, today),
        time_label=time_text(schedule.local_time_of(session.starts_at, timezone), twelve_hour),
        status_label=status_label(session, timezone, None if on_paper else today, twelve_hour),
        moved_to_label=moved_to_label(session, timezone, None if on_paper else today, twelve_hour),
        time_note=note,
        is_today=day == today,
        loggable=log_block_reason(session.status, day, today) is None,
        log_offered=now is not None and log_offered(session, timezone, now),
        needs_log=needs_log(session, today, timezone),
        over=now is not None and is_over(session, now),
    )
