"""PHQ-9 and GAD-7: items as published, exact scoring, bands, baseline, response and remission.

Both published forms say no permission is needed to reproduce, translate, display or
distribute them; ATTRIBUTION below is their own footer, and Lift shows it with every form and
result. Every answer is kept under a stable item ID (phq9_1 … phq9_9, gad7_1 … gad7_7), so
scoring and stored data never depend on how a question is worded on screen.

A score describes the last two weeks; it is never a diagnosis. Every sentence shown about a
score says what the range means and suggests talking it over with a clinician.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated

import msgspec

from lift.domain.forms import UUID_PATTERN, ClientUuid, read_answer

ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, translate, "
    "display or distribute."
)

# The two published forms word their stems differently: only the PHQ-9 says "any of".
PHQ9_STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
GAD7_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"

ANSWER_LABELS = ("Not at all", "Several days", "More than half the days", "Nearly every day")

# Both published forms end with this same question. It is optional and unscored: it tells a
# clinician how much the problems get in the way, and never changes the total or the band.
DIFFICULTY_QUESTION = (
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?"
)
DIFFICULTY_LABELS = ("Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult")

# Scales are offered once a week: often enough to follow a treatment course week by week,
# while each questionnaire still asks about the last two weeks.
DUE_EVERY_DAYS = 7

# Response: a fall of at least half from baseline. Remission: a PHQ-9 total below 5.
REMISSION_BELOW = 5

Answer = Annotated[int, msgspec.Meta(ge=0, le=3)]

# A form sent again with changed answers names the keys it was sent with before (offline.js
# adds each one as it makes a new key), so the result an earlier send stored is replaced, not
# kept beside the correction. Space-separated, the latest last; the oldest fall off.
MAX_REPLACED_KEYS = 10
ReplacedKeys = Annotated[str, msgspec.Meta(
    pattern=rf"^{UUID_PATTERN}( {UUID_PATTERN}){{0,{MAX_REPLACED_KEYS - 1}}}$")]


class Item(msgspec.Struct, frozen=True):
    id: str
    number: int
    text: str


class Band(msgspec.Struct, frozen=True):
    key: str  # also a CSS modifier
    label: str
    low: int
    high: int

    @property
    def range_text(self) -> str:
        return f"{self.low}–{self.high}"


class Instrument(msgspec.Struct, frozen=True):
    key: str
    name: str
    measures: str
    stem: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    has_difficulty: bool  # ends with the unscored DIFFICULTY_QUESTION, as both published forms do

    @property
    def max_total(self) -> int:
        return 3 * len(self.items)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)


def _items(prefix: str, texts: tuple[str, ...]) -> tuple[Item, ...]:
    return tuple(Item(id=f"{prefix}_{n}", number=n, text=text) for n, text in enumerate(texts, start=1))


PHQ9 = Instrument(
    key="phq9",
    name="PHQ-9",
    measures="depression",
    stem=PHQ9_STEM,
    items=_items("phq9", (
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    )),
    bands=(
        Band("minimal", "Minimal", 0, 4),
        Band("mild", "Mild", 5, 9),
        Band("moderate", "Moderate", 10, 14),
        Band("moderately-severe", "Moderately severe", 15, 19),
        Band("severe", "Severe", 20, 27),
    ),
    has_difficulty=True,
)

GAD7 = Instrument(
    key="gad7",
    name="GAD-7",
    measures="anxiety",
    stem=GAD7_STEM,
    items=_items("gad7", (
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    )),
    bands=(
        Band("minimal", "Minimal", 0, 4),
        Band("mild", "Mild", 5, 9),
        Band("moderate", "Moderate", 10, 14),
        Band("severe", "Severe", 15, 21),
    ),
    has_difficulty=True,
)

INSTRUMENTS = {PHQ9.key: PHQ9, GAD7.key: GAD7}
PHQ9_ITEM9 = "phq9_9"


def instrument_for(key: str) -> Instrument | None:
    return INSTRUMENTS.get(key)


def _form_type(instrument: Instrument) -> type[msgspec.Struct]:
    fields: list = [(item_id, Answer) for item_id in instrument.item_ids]
    if instrument.has_difficulty:
        fields.append(("difficulty", Answer | None, None))
    fields.append(("baseline", bool, False))
    # Made when the form is shown: a form sent twice (its first answer lost) is stored once.
    fields.append(("client_uuid", ClientUuid | None, None))
    fields.append(("replaces", ReplacedKeys | None, None))
    name = instrument.key.capitalize() + "Form"
    return msgspec.defstruct(name, fields, frozen=True, kw_only=True)


FORM_TYPES = {key: _form_type(instrument) for key, instrument in INSTRUMENTS.items()}


def form_messages(instrument: Instrument) -> dict[str, str]:
    messages = {
        item.id: f"Choose one answer for question {item.number}." for item in instrument.items
    }
    messages["difficulty"] = "Choose one of the four answers, or leave this question blank."
    messages["baseline"] = "Tick the box, or leave it empty."
    messages["client_uuid"] = "This form came with a key Lift can't read. Reload the page and answer again."
    messages["replaces"] = REPLACES_UNREADABLE
    return messages


REPLACES_UNREADABLE = (
    "Lift couldn't tell which earlier answers these replace, so nothing was saved. Your answers "
    "are still here: save them again. If an earlier save of this form went through, it is kept "
    "too, and you can delete it from All results."
)


def replaced_keys(form: msgspec.Struct) -> tuple[str, ...]:
    """The keys a form sent again with changed answers was sent with before."""
    return tuple(form.replaces.split()) if form.replaces else ()


def answers_of(form: msgspec.Struct, instrument: Instrument) -> dict[str, int]:
    return {item_id: getattr(form, item_id) for item_id in instrument.item_ids}


def total_score(instrument: Instrument, answers: dict[str, int]) -> int:
    """The sum of every item; refuses a missing, extra or out-of-range answer."""
    if set(answers) != set(instrument.item_ids):
        raise ValueError(f"{instrument.name} needs exactly its {len(instrument.items)} answers")
    if any(not 0 <= value <= 3 for value in answers.values()):
        raise ValueError(f"{instrument.name} answers are scored 0-3")
    return sum(answers.values())


def band_for(instrument: Instrument, total: int) -> Band:
    for band in instrument.bands:
        if band.low <= total <= band.high:
            return band
    raise ValueError(f"{instrument.name} total must be 0-{instrument.max_total}, got {total}")


def band_by_key(instrument: Instrument, key: str) -> Band:
    return next(band for band in instrument.bands if band.key == key)


def band_meaning(instrument: Instrument, band: Band) -> str:
    """What the range means, in plain words, without naming a condition the person has."""
    scores = f"{instrument.name} scores from {band.low} to {band.high}"
    if band.key == "minimal":
        return (
            f"{scores} are in the range usually called minimal: few {instrument.measures} "
            "symptoms over the last two weeks. A score is not a diagnosis; keep sharing how "
            "you feel with your clinician."
        )
    return (
        f"{scores} are in the range usually called {band.label.lower()}. A score is not a "
        "diagnosis: it is a summary of the last two weeks to talk over with your clinician, "
        "especially if it has changed."
    )


# Beside the result when item 9 is above 0, so a low total never reads as reassurance.
ITEM9_NOTE = (
    "Your answer to question 9 matters more than the total. Whatever the score, please talk "
    "with someone about these thoughts today, and tell your clinician."
)


def item9_answer(result: ScaleResult) -> int:
    """A PHQ-9 result's answer to item 9 (0 when it is a GAD-7 or the item was not answered)."""
    return result.answers.get(PHQ9_ITEM9, 0) if result.instrument == PHQ9.key else 0


def item_answer(raw: object) -> int | None:
    """One answer if it is one of the four choices, whatever else in the form is wrong.

    PHQ-9 item 9 must bring up the crisis panel even when other answers are missing. It reads
    the answer exactly as the form's own validation does ("3.0" is 3 to both), so any answer
    that is saved is also an answer the crisis rule has seen.
    """
    return read_answer(raw, Answer)


# --- Stored results, baseline, response and remission -------------------------------------


class ScaleResult(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    instrument: str
    local_date: date
    total: int
    band: str
    difficulty: int | None = None
    is_baseline: bool = False
    answers: dict[str, int] = {}
    # The key of the form that stored it; None for results stored before forms had keys.
    client_uuid: str | None = None


class SavedResult(msgspec.Struct, frozen=True, kw_only=True):
    """A result as saved, with the earlier sends of its form kept for their question 9."""
    result: ScaleResult
    kept: tuple[ScaleResult, ...] = ()


def _same_questionnaire_and_day(earlier: ScaleResult, instrument: str, local_date: date) -> bool:
    return earlier.instrument == instrument and earlier.local_date == local_date


def is_changed_by(earlier: ScaleResult, instrument: str, local_date: date) -> bool:
    """Whether new answers whose form names `earlier` in `replaces` are a change of it: only of
    the same questionnaire and local day (a form left open past midnight leaves yesterday's be).
    A change replaces it (`supersedes`) or keeps it beside the change (`kept_for_question_9`)."""
    return _same_questionnaire_and_day(earlier, instrument, local_date)


def kept_for_question_9(earlier: ScaleResult, instrument: str, local_date: date,
                        answers: dict[str, int]) -> bool:
    """An earlier send of the same form whose PHQ-9 question 9 was answered higher than now.

    Its answer was met with Get help now, and the people the patient shares thoughts with read
    it; changed answers never take it away. It stays beside the correction, which the patient
    may delete on purpose, as any result. The correction's own answers word the panel."""
    return (_same_questionnaire_and_day(earlier, instrument, local_date)
            and item9_answer(earlier) > answers.get(PHQ9_ITEM9, 0))


def kept_beside(result: ScaleResult, changed: Sequence[ScaleResult]) -> tuple[ScaleResult, ...]:
    """Of the results `result` was saved as a change of (`changed`: those still stored, a change
    of a change's included), those saved before it whose question 9 was answered higher
    (`kept_for_question_9`): a change to lower answers keeps them beside it. Its result page says
    so whenever it is shown, not only in the save's own answer; a questionnaire filled in anew
    the same day says nothing of the day's others. Each result carries its answers."""
    return tuple(earlier for earlier in changed if earlier.id < result.id
                 and kept_for_question_9(earlier, result.instrument, result.local_date, result.answers))


def supersedes(earlier: ScaleResult, instrument: str, local_date: date, answers: dict[str, int]) -> bool:
    """Whether answers sent again from a form replace the result an earlier send of it stored:
    only the same questionnaire on the same local day (a form left open past midnight keeps
    yesterday's), and never one with a higher answer to question 9. `earlier` carries its
    answers."""
    return (is_changed_by(earlier, instrument, local_date)
            and not kept_for_question_9(earlier, instrument, local_date, answers))


def answers_can_change(result: ScaleResult, today: date) -> bool:
    """Whether the patient may still change a result's answers ("Change answers").

    The changed answers are sent as a correction naming the result's key in `replaces`, and
    `supersedes` lets a correction replace only a result of the same local day: so only a
    result taken on the patient's today, and stored with its form's key. A correction that
    lowers question 9 still keeps it beside the new one (`kept_for_question_9`)."""
    return result.client_uuid is not None and _same_questionnaire_and_day(result, result.instrument, today)


def being_changed(stored: Sequence[ScaleResult], instrument: str, keys: Sequence[str],
                  today: date) -> ScaleResult | None:
    """The result a questionnaire form sent back with errors is changing, so that it still says
    "You're changing…": of the results its `replaces` keys stored (`stored`, this patient's), the
    first named that is of this questionnaire and can still change (`answers_can_change`:
    today's). None when no key names one: a new form, or a result since deleted or of another day."""
    by_key = {result.client_uuid: result for result in stored}
    for key in keys:
        result = by_key.get(key)
        if result is not None and result.instrument == instrument and answers_can_change(result, today):
            return result
    return None


def form_values(result: ScaleResult) -> dict[str, str]:
    """A result's answers as its form's fields, filled in for "Change answers", naming the
    result's key in `replaces` so that saving them replaces it as a correction does."""
    values = {item_id: str(answer) for item_id, answer in result.answers.items()}
    if result.difficulty is not None:
        values["difficulty"] = str(result.difficulty)
    if result.is_baseline:
        values["baseline"] = "true"
    if result.client_uuid:
        values["replaces"] = result.client_uuid
    return values


def next_due(last_taken: date) -> date:
    """The local date a questionnaire is due again: a week after it was last taken.

    Counted in the patient's local calendar days, so a week that has a daylight-saving
    change in it is still seven days, not 167 or 169 hours.
    """
    return last_taken + timedelta(days=DUE_EVERY_DAYS)


def is_due(last_taken: date | None, today: date) -> bool:
    """Due when never taken, or when its last local date is a week or more before today."""
    return last_taken is None or today >= next_due(last_taken)


def due_instruments(last_taken: dict[str, date], today: date) -> list[Instrument]:
    return [inst for key, inst in INSTRUMENTS.items() if is_due(last_taken.get(key), today)]


def last_taken(results: list[ScaleResult]) -> dict[str, date]:
    """The latest local date each questionnaire was taken."""
    latest: dict[str, date] = {}
    for result in results:
        latest[result.instrument] = max(result.local_date, latest.get(result.instrument, result.local_date))
    return latest


def in_order(results: list[ScaleResult]) -> list[ScaleResult]:
    return sorted(results, key=lambda r: (r.local_date, r.id))


def baseline_of(results: list[ScaleResult]) -> ScaleResult | None:
    """The most recent result the patient marked as baseline, else their first one."""
    ordered = in_order(results)
    marked = [r for r in ordered if r.is_baseline]
    if marked:
        return marked[-1]
    return ordered[0] if ordered else None


class Progress(msgspec.Struct, frozen=True, kw_only=True):
    instrument: str
    baseline: ScaleResult | None
    latest: ScaleResult | None
    change: int | None  # latest minus baseline; negative is an improvement
    change_percent: int | None
    response_applies: bool
    remission_applies: bool
    response_first: ScaleResult | None
    remission_first: ScaleResult | None
    response_target: int | None  # the highest total that counts as a response

    @property
    def latest_in_response(self) -> bool:
        return bool(self.response_applies and self.change is not None
                    and is_response(self.baseline.total, self.latest.total))

    @property
    def latest_in_remission(self) -> bool:
        return bool(self.remission_applies and self.change is not None
                    and self.latest.total < REMISSION_BELOW)


def is_response(baseline_total: int, total: int) -> bool:
    """At least a 50% fall from baseline; a baseline of 0 cannot fall, so never a response."""
    return baseline_total > 0 and 2 * total <= baseline_total


def progress(results: list[ScaleResult], instrument: Instrument) -> Progress:
    """Change from baseline and, for the PHQ-9, when response and remission were first reached.

    Only results taken after the baseline count. Remission is counted only from a baseline
    of 5 or more: a patient whose baseline was already below 5 has nothing to remit from.
    """
    own = [r for r in results if r.instrument == instrument.key]
    baseline = baseline_of(own)
    if baseline is None:
        return Progress(instrument=instrument.key, baseline=None, latest=None, change=None,
                        change_percent=None, response_applies=False, remission_applies=False,
                        response_first=None, remission_first=None, response_target=None)
    ordered = in_order(own)
    after = ordered[ordered.index(baseline) + 1:]
    latest = after[-1] if after else baseline
    change = latest.total - baseline.total if after else None
    percent = round(100 * change / baseline.total) if change is not None and baseline.total else None
    is_phq9 = instrument.key == PHQ9.key
    response_applies = is_phq9 and baseline.total > 0
    remission_applies = is_phq9 and baseline.total >= REMISSION_BELOW
    return Progress(
        instrument=instrument.key, baseline=baseline, latest=latest, change=change,
        change_percent=percent, response_applies=response_applies,
        remission_applies=remission_applies,
        response_first=next((r for r in after if is_response(baseline.total, r.total)), None)
        if response_applies else None,
        remission_first=next((r for r in after if r.total < REMISSION_BELOW), None)
        if remission_applies else None,
        response_target=baseline.total // 2 if response_applies else None,
    )


def change_text(change: int, percent: int | None) -> str:
    """"down 6 points (33%)", "up 2 points", "no change" — plain words, no judgement."""
    if change == 0:
        return "no change"
    direction = "down" if change < 0 else "up"
    points = abs(change)
    text = f"{direction} {points} point{'s' if points != 1 else ''}"
    return f"{text} ({abs(percent)}%)" if percent is not None else text
