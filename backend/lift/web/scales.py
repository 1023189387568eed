"""Weekly PHQ-9 and GAD-7: the questionnaires, their results, baseline, response and remission."""

from __future__ import annotations

from datetime import date

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from lift.db import scales as store
from lift.db import sharing as sharing_store
from lift.db.clock import iso, utc_now
from lift.db.connection import DatabaseError
from lift.domain import paging, scales
from lift.domain.checkins import today_in
from lift.domain.crisis import crisis_prompt_for_phq9_item9
from lift.domain.forms import parse_form
from lift.web.crisis import crisis_context, item9_sent
from lift.web.guards import patient
from lift.web.pwa import with_offline_crisis
from lift.web.rendering import form_data, is_htmx, local_today, new_form_key, redirect, render, to_page_shown

RESULTS_PAGE_SIZE = 20
SAVE_FAILED = (
    "Your answers were not saved because of a problem on our side. They are still here: "
    "try Save again in a moment."
)
NOTICES = {
    "baseline": "Your baseline is changed. Progress is now measured from it.",
    "deleted": "The result was deleted.",
}


def instrument_or_404(key: str) -> scales.Instrument:
    instrument = scales.instrument_for(key)
    if instrument is None:
        raise NotFoundException()
    return instrument


async def form_view(request: Request, instrument: scales.Instrument, values: dict, errors: dict,
                    status_code: int = 200, changing: scales.ScaleResult | None = None, **crisis) -> Response:
    crisis.setdefault("crisis", None)
    values = new_form_key(values)
    if instrument is scales.PHQ9:
        # Get help now for item 9 is on the page before it is sent, for when the answer is slow
        # or never comes back (no signal, a timeout, a proxy's error page).
        crisis = await with_offline_crisis(request, crisis, crisis_prompt_for_phq9_item9)
    return render(request, "scales/form.html", status_code=status_code, instrument=instrument,
                  values=values, errors=errors, answer_labels=scales.ANSWER_LABELS,
                  difficulty_question=scales.DIFFICULTY_QUESTION,
                  difficulty_labels=scales.DIFFICULTY_LABELS, attribution=scales.ATTRIBUTION,
                  changing=changing, changing_item9=scales.item9_answer(changing) if changing else 0, **crisis)


async def changing_from(request: Request, instrument: scales.Instrument, values: dict) -> scales.ScaleResult | None:
    """The result a form sent back is changing ("Change answers"), found by the keys in its
    `replaces` (read already: one Lift could not read was taken out): this patient's, of this
    questionnaire, and still today's. Unread, the form still comes back with its answers."""
    keys = tuple(values.get("replaces", "").split())
    if not keys:
        return None
    user = request.scope["user"]
    try:
        stored = await store.results_with_keys(request.app.state.db, user.id, keys)
    except DatabaseError:
        return None
    return scales.being_changed(stored, instrument.key, keys, local_today(user.timezone))


@get("/scales", guards=[patient], name="scales")
async def scales_page(request: Request, done: FromQuery[str | None] = None, page: FromQuery[str | None] = None) -> Response:
    user = request.scope["user"]
    results = await store.results_for(request.app.state.db, user.id)
    # Question 9 above 0 is marked in the list as History marks a thoughts answer above "none".
    item9 = await sharing_store.item9_answers(request.app.state.db, user.id)
    today = local_today(user.timezone)
    phq9, gad7 = scales.progress(results, scales.PHQ9), scales.progress(results, scales.GAD7)
    last_taken = scales.last_taken(results)
    # Progress needs every result, so they are all read already: the list's page is a slice of them.
    newest_first = scales.in_order(results)[::-1]
    at = paging.page_of(paging.asked_page(page), len(newest_first), RESULTS_PAGE_SIZE)
    if elsewhere := to_page_shown(request, at.number):
        return elsewhere
    return render(request, "scales/index.html", results=newest_first[at.offset:at.offset + at.size], page=at,
                  thoughts_reported={result_id for result_id, (_, answer) in item9.items() if answer > 0},
                  due=scales.due_instruments(last_taken, today), last_taken=last_taken,
                  next_due=scales.next_due,
                  instruments=scales.INSTRUMENTS,
                  phq9=phq9, gad7=gad7, baseline_ids={p.baseline.id for p in (phq9, gad7) if p.baseline},
                  notice=NOTICES.get(done or ""), today=today, band_by_key=scales.band_by_key,
                  change_text=scales.change_text, attribution=scales.ATTRIBUTION)


@get("/scales/{instrument:str}", guards=[patient])
async def scale_form(request: Request, instrument: FromPath[str]) -> Response:
    return await form_view(request, instrument_or_404(instrument), {}, {})


@post("/scales/{instrument:str}", guards=[patient])
async def save_scale(request: Request, instrument: FromPath[str]) -> Response:
    chosen = instrument_or_404(instrument)
    user = request.scope["user"]
    values = await form_data(request)
    sent = item9_sent(values) if chosen is scales.PHQ9 else None
    crisis = await crisis_context(request, sent, crisis_prompt_for_phq9_item9)
    form, errors = parse_form(scales.FORM_TYPES[chosen.key], values, scales.form_messages(chosen))
    if errors:
        for key in ("client_uuid", "replaces"):
            if bad_key := errors.pop(key, None):
                # Said above the form, which comes back with a new key to send it with (and
                # naming no earlier send it could not read).
                values.pop(key, None)
                errors.setdefault("form", bad_key)
        return await form_view(request, chosen, values, errors, 422,
                               changing=await changing_from(request, chosen, values), **crisis)
    answers = scales.answers_of(form, chosen)
    total = scales.total_score(chosen, answers)
    band = scales.band_for(chosen, total)
    now = utc_now()
    today = today_in(user.timezone, now)
    db = request.app.state.db
    try:
        saved = await store.save_result(
            db, user.id, chosen.key, today, iso(now), answers, total,
            band.key, getattr(form, "difficulty", None), form.baseline, form.client_uuid,
            scales.replaced_keys(form),
        )
    except DatabaseError:
        # A change comes back still saying what it changes, as after a 422: the read of the
        # result it replaces may still work while the write is refused.
        return await form_view(request, chosen, values, {"form": SAVE_FAILED}, 503,
                               changing=await changing_from(request, chosen, values), **crisis)
    if not is_htmx(request) and crisis["crisis"] is None and not saved.kept:
        # Without JavaScript, the result gets an address of its own (Post/Redirect/Get), so Back
        # from the next page does not ask to send the form again. Not when the answer calls for
        # Get help now: that comes in the answer to the form itself, with no second trip that
        # could fail or be slow first, worded for the answers as sent.
        return redirect(request, f"/scales/results/{saved.result.id}?saved=1")
    # With htmx the result takes its own address, the one a save without JavaScript lands on. htmx
    # keeps no copy of a page for Back (no history cache, on purpose), so Back from the next page
    # loads the address again: the form's would be an empty questionnaire, as if nothing was saved.
    return await result_page(request, chosen, saved.result, band, today, crisis, saved.kept,
                             push_url=f"/scales/results/{saved.result.id}?saved=1")


async def result_page(request: Request, instrument: scales.Instrument, result: scales.ScaleResult,
                      band: scales.Band, today: date, crisis: dict,
                      kept: tuple[scales.ScaleResult, ...] = (), push_url: str | None = None) -> Response:
    """A result just saved: its score and range, with Get help now first when called for, and
    the change from baseline."""
    user = request.scope["user"]
    progress = scales.progress(await store.results_for(request.app.state.db, user.id), instrument)
    return render(request, "scales/result.html", push_url=push_url, instrument=instrument, result=result,
                  band=band, kept=kept, meaning=scales.band_meaning(instrument, band), item9_note=scales.ITEM9_NOTE,
                  progress=progress, today=today, can_change=scales.answers_can_change(result, today),
                  change_text=scales.change_text, attribution=scales.ATTRIBUTION, **crisis)


async def to_replacement(request: Request, result_id: int, page: str = "") -> Response:
    """What a result's page answers when the patient has no result with that ID (anyone else's
    reads as missing, so IDs cannot be probed). One that changed answers replaced is deleted, but
    its addresses stay in the patient's history (Back from the change's result, a bookmark): they
    lead to the same page of the newest result that replaced it, or to that result when its
    answers can no longer change. Any other is a 404."""
    user, db = request.scope["user"], request.app.state.db
    newer_id = await store.replacement_of(db, user.id, result_id)
    newer = await store.result_by_id(db, user.id, newer_id) if newer_id is not None else None
    if newer is None:
        raise NotFoundException()
    if page == "/change" and not scales.answers_can_change(newer, local_today(user.timezone)):
        page = ""
    return redirect(request, f"/scales/results/{newer.id}{page}")


@get("/scales/results/{result_id:int}", guards=[patient])
async def scale_result(request: Request, result_id: FromPath[int], saved: FromQuery[str | None] = None) -> Response:
    result = await store.result_by_id(request.app.state.db, request.scope["user"].id, result_id)
    if result is None:
        # ?saved=1 too: the replacement's stored question 9 then words Get help now.
        return await to_replacement(request, result_id, "?saved=1" if saved else "")
    instrument = scales.INSTRUMENTS[result.instrument]
    band = scales.band_by_key(instrument, result.band)
    today = local_today(request.scope["user"].timezone)
    if saved:
        # Where a save without JavaScript lands: the page the form's answer would have been,
        # Get help now included whenever the stored question 9 calls for it.
        crisis = await crisis_context(request, scales.item9_answer(result), crisis_prompt_for_phq9_item9)
        # Reloaded, it still says that a higher answer to question 9 was kept beside this one
        # when it was saved as a change of it; not beside a questionnaire filled in anew.
        changed = await store.results_changed_by(request.app.state.db, request.scope["user"].id, result.id)
        return await result_page(request, instrument, result, band, today, crisis, scales.kept_beside(result, changed))
    return render(request, "scales/detail.html", instrument=instrument, result=result, band=band, today=today,
                  item9=scales.item9_answer(result), can_change=scales.answers_can_change(result, today),
                  meaning=scales.band_meaning(instrument, band), answer_labels=scales.ANSWER_LABELS,
                  difficulty_question=scales.DIFFICULTY_QUESTION,
                  difficulty_labels=scales.DIFFICULTY_LABELS,
                  attribution=scales.ATTRIBUTION)


@get("/scales/results/{result_id:int}/change", guards=[patient])
async def change_answers(request: Request, result_id: FromPath[int]) -> Response:
    """The questionnaire filled in with a result's answers. Saved, they go through save_scale
    like any form (Get help now included) and replace the result as a correction does: the
    form names its key in `replaces`. Only today's results (`scales.answers_can_change`)."""
    result = await store.result_by_id(request.app.state.db, request.scope["user"].id, result_id)
    if result is None:
        return await to_replacement(request, result_id, "/change")
    if not scales.answers_can_change(result, local_today(request.scope["user"].timezone)):
        raise NotFoundException()
    return await form_view(request, scales.INSTRUMENTS[result.instrument], scales.form_values(result), {},
                           changing=result)


@post("/scales/results/{result_id:int}/baseline", guards=[patient])
async def mark_baseline(request: Request, result_id: FromPath[int]) -> Response:
    if not await store.mark_baseline(request.app.state.db, request.scope["user"].id, result_id):
        raise NotFoundException()
    return redirect(request, "/scales?done=baseline")


@post("/scales/results/{result_id:int}/delete", guards=[patient])
async def delete_result(request: Request, result_id: FromPath[int]) -> Response:
    if not await store.delete_result(request.app.state.db, request.scope["user"].id, result_id):
        raise NotFoundException()
    return redirect(request, "/scales?done=deleted")
