"""The daily check-in form, its result (with the crisis panel), and the history."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.exceptions import NotFoundException
from litestar.response import Response

from lift.db import checkins as store
from lift.db import trends as trend_store
from lift.db import users as user_store
from lift.db.connection import DatabaseError
from lift.domain import checkins as rules
from lift.domain import dates, months, paging
from lift.domain.checkins import SaveOutcome
from lift.domain.crisis import THOUGHTS_LABELS
from lift.domain.forms import parse_form
from lift.domain.trends import first_day_with_lift
from lift.web.crisis import crisis_context
from lift.web.guards import patient
from lift.web.pwa import with_offline_crisis
from lift.web.rendering import form_data, is_htmx, local_today, redirect, render, to_page_shown

PAGE_SIZE = 20
SAVE_FAILED = (
    "Your check-in was not saved because of a problem on our side. Your answers are still "
    "here: try Save check-in again in a moment."
)


async def form_view(request: Request, values: dict, errors: dict, status_code: int = 200,
                    checked_in: list[date] | None = None, **extra) -> Response:
    today = local_today(request.scope["user"].timezone)
    if checked_in is None:
        checked_in = await days_checked_in(request, today)
    sent = parse_day(values.get("local_date"))
    offered = rules.open_days(today, checked_in, sent)
    # A change to a day already checked in that comes back with an error stays that day's change
    # (its heading, no day picker), as it was opened.
    extra.setdefault("editing", sent in checked_in)
    days = [(d.isoformat(), dates.day_label(d, today)) for d in offered]
    # A change opened from a History month or page carries it on to the saved page, rebuilt so
    # the form never echoes an address of another site.
    extra["back_to"] = back_param(months.history_place(values.get("back")))
    extra = await with_offline_crisis(request, extra)
    return render(request, "checkins/form.html", status_code=status_code, values=values,
                  errors=errors, days=days, days_left_out=len(offered) < len(rules.fillable_dates(today)),
                  thoughts_labels=THOUGHTS_LABELS, note_max=rules.NOTE_MAX, **extra)


async def days_in_reach_checked_in(request: Request, today: date) -> list[date]:
    """The days within the form's reach that hold a check-in."""
    return await trend_store.checkin_dates_between(request.app.state.db, request.scope["user"].id,
                                                   rules.fillable_dates(today)[-1], today)


async def days_checked_in(request: Request, today: date) -> list[date]:
    """As days_in_reach_checked_in, for a form answering a save that failed, filled in: a read
    failing too must not cost it, so it then offers every day."""
    try:
        return await days_in_reach_checked_in(request, today)
    except DatabaseError:
        return []


def wants_json(request: Request) -> bool:
    """The offline queue sends check-ins from a script (or the service worker) and reads JSON."""
    return "application/json" in request.headers.get("accept", "")


@get("/checkin", guards=[patient], name="checkin")
async def checkin_form(request: Request, day: FromQuery[str | None] = None,
                       back: FromQuery[str | None] = None) -> Response:
    db, user = request.app.state.db, request.scope["user"]
    today = local_today(user.timezone)
    chosen = parse_day(day) or today
    notice = None
    if rules.date_error(chosen, today):
        notice = rules.out_of_reach_notice(chosen, today)
        chosen = today
    existing = await store.checkin_for_day(db, user.id, chosen)
    values = rules.as_form_values(existing) if existing else {"local_date": chosen.isoformat()}
    if existing:
        values["back"] = back
    checked_in = await days_in_reach_checked_in(request, today)
    # Editing a day already done: offer the earlier days still empty, so a missed day is a tap away.
    to_fill = []
    if existing:
        joined = await user_store.joined_on(db, user.id, user.timezone)
        first_day = first_day_with_lift(joined, [await trend_store.first_entry_date(db, user.id)])
        to_fill = rules.days_to_fill(today, checked_in, first_day)
    # The three most recent: the form stays near the top; the week strip on Today shows every day.
    return await form_view(request, values, {}, checked_in=checked_in, editing=existing is not None, notice=notice,
                           days_to_fill=[(d.isoformat(), dates.day_label(d, today)) for d in to_fill[:3]])


@post("/checkin", guards=[patient])
async def save_checkin(request: Request) -> Response:
    user = request.scope["user"]
    values = await form_data(request)
    sent = rules.thoughts_answer(values.get("thoughts"))
    crisis = await crisis_context(request, sent)
    form, errors = parse_form(rules.CheckinForm, rules.with_plain_hours(values), rules.CHECKIN_MESSAGES)
    key, key_errors = parse_form(rules.SubmissionKey, values, rules.SUBMISSION_MESSAGES)
    if key_errors:
        errors["form"] = next(iter(key_errors.values()))
        values.pop("client_uuid", None)
    today = local_today(user.timezone)
    if form and (problem := rules.date_error(form.local_date, today)):
        errors["local_date"] = problem
    if errors:
        return await not_saved(request, values, errors, 422, crisis)
    try:
        if key.client_uuid:
            checkin, outcome = await store.save_keyed_checkin(
                request.app.state.db, user.id, form, key.client_uuid, replace_other=key.on_conflict == "replace"
            )
        else:
            checkin, created = await store.save_checkin(request.app.state.db, user.id, form)
            outcome = SaveOutcome.CREATED if created else SaveOutcome.UPDATED
    except DatabaseError:
        return await not_saved(request, values, {"form": SAVE_FAILED}, 503, crisis)
    if (shown := rules.panel_thoughts(sent, checkin.thoughts, outcome)) != sent:
        crisis = await crisis_context(request, shown)
    place = months.history_place(values.get("back"))
    if outcome is SaveOutcome.CONFLICT:
        if wants_json(request):
            return Response(content={"status": "conflict", "saved": checkin}, status_code=409)
        # Either choice keeps the History page the form came from: the saved one's page leads
        # back there, and so does the saved page after keeping the one sent.
        return render(request, "checkins/conflict.html", status_code=409, saved=checkin, values=values,
                      client_uuid=key.client_uuid, day_label=dates.day_label(checkin.local_date, today),
                      back=back_query(place), back_to=back_param(place),
                      thoughts_labels=THOUGHTS_LABELS, **crisis)
    if wants_json(request):
        return Response(content={"status": "saved", "checkin": checkin, "crisis": crisis["crisis"] is not None},
                        status_code=200)
    # A replay answers "saved": whichever arrival wrote it, the entry is in, once.
    created = outcome is not SaveOutcome.UPDATED
    landing = f"/checkins/{checkin.id}?saved={'new' if created else 'updated'}{back_query(place, '&')}"
    if not is_htmx(request) and crisis["crisis"] is None:
        # Without JavaScript, the saved check-in gets an address of its own (Post/Redirect/Get),
        # so Back from the next page does not ask to send the form again. Not when the answers
        # call for Get help now: that comes in the answer to the form itself, with no second trip
        # that could fail or be slow first, worded for the answers as sent.
        return redirect(request, landing)
    # With htmx the page takes that same address. htmx keeps no copy of a page for Back (no
    # history cache, on purpose), so Back from the next page loads the address again: the form's
    # would be today's form, empty after a save for an earlier day, and without Get help now.
    # The landing shows the saved check-in, Get help now first when its stored answer calls for it.
    return saved_page(request, checkin, created, today, crisis, place, push_url=landing)


def saved_page(request: Request, checkin: rules.Checkin, created: bool, today: date, crisis: dict,
               place: months.HistoryPlace, push_url: str | None = None) -> Response:
    # The answer to the check-in form, wherever it is shown: the tab bar stays on Check in, as it
    # does after a save with JavaScript, not on History, which /checkins/{id} is under.
    return render(request, "checkins/saved.html", push_url=push_url, checkin=checkin, created=created,
                  tab_path="/checkin", place=place, back=back_query(place, "&"),
                  day_label=dates.day_label(checkin.local_date, today),
                  thoughts_labels=THOUGHTS_LABELS, **crisis)


async def not_saved(request: Request, values: dict, errors: dict, status_code: int, crisis: dict) -> Response:
    if wants_json(request):
        return Response(content={"status": "invalid" if status_code == 422 else "failed", "errors": errors},
                        status_code=status_code)
    return await form_view(request, values, errors, status_code, **crisis)


@get("/checkins", guards=[patient], name="history")
async def history(request: Request, page: FromQuery[str | None] = None, month: FromQuery[str | None] = None) -> Response:
    """Check-ins newest first, a page at a time, or one month's (`?month=2026-03`) with the
    months before and after it a tap away."""
    db, user = request.app.state.db, request.scope["user"]
    today = local_today(user.timezone)
    counts = months.month_counts(await store.checkin_month_counts(db, user.id))
    shown = months.parse_month(month) if month else None
    context = {"today": today, "day_label": dates.day_label, "editable": rules.is_editable, "months": counts,
               "picker": months.picker_months(counts, shown)}
    if shown:
        items = await store.checkins_between(db, user.id, shown.first, shown.last)
        newer, older = months.neighbours(shown, [c.month for c in counts])
        return render(request, "checkins/history.html", checkins=items[::-1], month=shown, newer=newer,
                      older=older, empty_month=months.empty_month_message(shown, today),
                      back=back_query(months.history_place(f"/checkins?month={shown.key}")), **context)
    # The month counts add up to every check-in: no second count.
    at = paging.page_of(paging.asked_page(page), sum(c.count for c in counts), PAGE_SIZE)
    if elsewhere := to_page_shown(request, at.number):
        return elsewhere
    items = await store.checkin_page(db, user.id, at.size, at.offset)
    # A month the address names that is no month gets the list from its start, and says why.
    error = months.bad_month_message(month, bool(counts)) if month and month.strip() else None
    return render(request, "checkins/history.html", status_code=400 if error else 200, checkins=items,
                  page=at, month_error=error,
                  back=back_query(months.history_place(f"/checkins?page={at.number}")), **context)


def back_query(place: months.HistoryPlace, joiner: str = "?") -> str:
    """The query that carries a History page's address to a check-in opened from it and on to its
    delete confirmation, its change and that change's saved page ("" for History's start), read
    back with `months.history_place`; `joiner` "&" adds it to an address that has a query."""
    param = back_param(place)
    return f"{joiner}back={quote(param, safe='/')}" if param else ""


def back_param(place: months.HistoryPlace) -> str:
    """The History address to carry on, unquoted ("" for History's start)."""
    return "" if place.address == months.HISTORY else place.address


async def own_checkin(request: Request, checkin_id: int) -> rules.Checkin:
    """The patient's own check-in; anyone else's is a 404 so IDs cannot be probed."""
    checkin = await store.checkin_by_id(request.app.state.db, request.scope["user"].id, checkin_id)
    if checkin is None:
        raise NotFoundException()
    return checkin


@get("/checkins/{checkin_id:int}", guards=[patient])
async def checkin_detail(request: Request, checkin_id: FromPath[int], saved: FromQuery[str | None] = None,
                         back: FromQuery[str | None] = None) -> Response:
    checkin = await own_checkin(request, checkin_id)
    today = local_today(request.scope["user"].timezone)
    place = months.history_place(back)
    if saved:
        # Where a save without JavaScript lands: the page the form's answer would have been,
        # Get help now included whenever the stored thoughts answer calls for it.
        return saved_page(request, checkin, saved != "updated", today,
                          await crisis_context(request, checkin.thoughts), place)
    return render(request, "checkins/detail.html", checkin=checkin, place=place, back=back_query(place),
                  change_back=back_query(place, "&"),
                  day_label=dates.day_label(checkin.local_date, today),
                  editable=rules.is_editable(checkin.local_date, today), thoughts_labels=THOUGHTS_LABELS)


@get("/checkins/{checkin_id:int}/delete", guards=[patient])
async def confirm_delete(request: Request, checkin_id: FromPath[int],
                         back: FromQuery[str | None] = None) -> Response:
    checkin = await own_checkin(request, checkin_id)
    today = local_today(request.scope["user"].timezone)
    return render(request, "checkins/delete.html", checkin=checkin,
                  back=back_query(months.history_place(back)),
                  day_label=dates.day_label(checkin.local_date, today),
                  after_deletion=rules.after_deletion(checkin.local_date, today))


@post("/checkins/{checkin_id:int}/delete", guards=[patient])
async def delete_checkin(request: Request, checkin_id: FromPath[int],
                         back: FromQuery[str | None] = None) -> Response:
    if not await store.delete_checkin(request.app.state.db, request.scope["user"].id, checkin_id):
        raise NotFoundException()
    # Back to the History page the check-in was opened from, which says it is gone.
    return redirect(request, months.history_place(back).with_notice("deleted=1"))


def parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
