"""The Reminders page: devices that get notifications, what to be reminded about, and the
service worker script that receives them."""

from __future__ import annotations

import msgspec
from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from lift.db import calendar as calendar_store
from lift.db import reminders as store
from lift.db.clock import utc_now
from lift.db.connection import DatabaseError
from lift.domain import reminders as rules
from lift.domain.forms import parse_form
from lift.domain.push import (
    HELD_BY_ANOTHER_ACCOUNT,
    MALFORMED,
    MAX_DEVICES,
    TOO_MANY_DEVICES,
    EndpointIn,
    RenewalIn,
    SubscriptionIn,
    device_label,
    subscription_problem,
)
from lift.push.scheduler import replan
from lift.settings import FRONTEND_DIR
from lift.web.calendar import forget_new_link, new_link
from lift.web.guards import patient
from lift.web.rendering import SAVE_FAILED, day_in, form_data, redirect, render

SERVICE_WORKER = FRONTEND_DIR / "static" / "sw.js"

NOTICES = {
    "saved": "Your reminder settings are saved.",
    "test-sent": "A test notification is on its way to that device. It can take a few seconds to arrive.",
    "device-removed": "That device won't get reminders any more.",
    "calendar-removed": "Your calendar link is turned off. Calendars that used it will stop updating.",
}


async def reminders_view(request: Request, status_code: int = 200, **context) -> Response:
    user, db = request.scope["user"], request.app.state.db
    prefs = await store.preferences_for(db, user.id)
    context.setdefault("values", rules.preferences_as_form_values(prefs))
    context.setdefault("errors", {})
    return render(request, "reminders/index.html", status_code=status_code,
                  devices=await store.devices_for(db, user.id), gone_devices=await store.gone_devices_for(db, user.id),
                  public_key=request.app.state.vapid.public_key,
                  quiet_notes=rules.quiet_hours_notes(prefs, user.twelve_hour),
                  details_example=rules.details_example(user.twelve_hour),
                  lead_choices=rules.LEAD_CHOICES,
                  field_names=rules.PREFERENCES_NAMES,
                  lead_label=rules.lead_label,
                  calendar_since=await calendar_store.feed_created_at(db, user.id),
                  # Stored instants are UTC; an evening in New York is already tomorrow there.
                  local_day=day_in(user.timezone), **context)


@get("/reminders", guards=[patient], name="reminders")
async def reminders_page(request: Request, notice: FromQuery[str | None] = None) -> Response:
    response = await reminders_view(request, notice=NOTICES.get(notice or ""), **await new_link(request))
    return forget_new_link(request, response)


@post("/reminders/settings", guards=[patient])
async def save_settings(request: Request) -> Response:
    user, values = request.scope["user"], await form_data(request)
    answers = rules.settings_answers(values, await store.preferences_for(request.app.state.db, user.id))
    form, errors = parse_form(rules.PreferencesForm, answers, rules.preferences_messages(user.twelve_hour))
    for field, problem in rules.settings_problems(answers).items():
        errors.setdefault(field, problem)
    if errors:
        return await reminders_view(request, 422, values=values, errors=errors)
    prefs = rules.preferences_from_form(form)
    try:
        await store.save_preferences(request.app.state.db, user.id, prefs, utc_now())
    except DatabaseError:
        return await reminders_view(request, 503, values=values, errors={"form": SAVE_FAILED})
    await replan(request.app.state, user.id)
    return redirect(request, "/reminders?notice=saved")


def _json_error(message: str, status_code: int = 400) -> Response:
    return Response(content={"error": message}, status_code=status_code)


@post("/reminders/subscriptions", guards=[patient])
async def subscribe(request: Request) -> Response:
    """The page's script posts PushSubscription.toJSON() here after the browser subscribed."""
    try:
        subscription = msgspec.json.decode(await request.body(), type=SubscriptionIn)
    except msgspec.DecodeError:
        return _json_error(MALFORMED)
    settings = request.app.state.settings
    if problem := subscription_problem(subscription, settings.push_allow_private_endpoints):
        return _json_error(problem)
    user = request.scope["user"]
    if not await store.has_room_for(request.app.state.db, user.id, subscription.endpoint, MAX_DEVICES):
        return _json_error(TOO_MANY_DEVICES)
    label = device_label(request.headers.get("user-agent", ""))
    device_id = await store.save_subscription(request.app.state.db, user.id, subscription, label, utc_now())
    if device_id is None:
        return _json_error(HELD_BY_ANOTHER_ACCOUNT, 409)
    await replan(request.app.state, user.id)
    return Response(content={"id": device_id}, status_code=201)


@post("/reminders/subscriptions/renew")
async def renew(request: Request) -> Response:
    """The service worker's call when the browser replaced its push subscription
    (`pushsubscriptionchange`), so reminders keep coming. A service worker cannot read the
    CSRF token and may run with no session, so the old subscription is the credential: its
    endpoint names the device and its auth secret proves the caller is that browser (the push
    service knows the endpoint too). The device keeps its owner. Exempt from CSRF for that
    reason. A wrong or missing secret is answered exactly like an unknown endpoint."""
    try:
        renewal = msgspec.json.decode(await request.body(), type=RenewalIn)
    except msgspec.DecodeError:
        return _json_error(MALFORMED)
    settings = request.app.state.settings
    if problem := subscription_problem(renewal.subscription, settings.push_allow_private_endpoints):
        return _json_error(problem)
    device_id = await store.renew_subscription(request.app.state.db, renewal.old_endpoint, renewal.old_auth,
                                             renewal.subscription)
    if device_id is None:
        return _json_error("No device has that subscription.", 404)
    return Response(content={"id": device_id}, status_code=200)


@post("/reminders/subscriptions/remove", guards=[patient])
async def unsubscribe(request: Request) -> Response:
    """Turning reminders off on the device in hand: the script sends that device's endpoint."""
    try:
        found = msgspec.json.decode(await request.body(), type=EndpointIn)
    except msgspec.DecodeError:
        return _json_error(MALFORMED)
    await store.delete_device_by_endpoint(request.app.state.db, request.scope["user"].id, found.endpoint)
    return Response(content=b"", status_code=204)


@post("/reminders/devices/{device_id:int}/test", guards=[patient])
async def send_test(request: Request, device_id: FromPath[int]) -> Response:
    now = utc_now()
    note = rules.device_test_notification()
    queued = await store.queue_message(
        request.app.state.db, request.scope["user"].id, device_id, rules.payload(note),
        rules.URGENCY["test"], rules.TOPICS["test"], now + rules.TEST_TTL, now,
    )
    if queued is None:
        raise NotFoundException()
    if (scheduler := request.app.state.scheduler) is not None:
        scheduler.wake()
    return redirect(request, "/reminders?notice=test-sent")


@post("/reminders/devices/{device_id:int}/delete", guards=[patient])
async def remove_device(request: Request, device_id: FromPath[int]) -> Response:
    if not await store.delete_device(request.app.state.db, request.scope["user"].id, device_id):
        raise NotFoundException()
    return redirect(request, "/reminders?notice=device-removed")


@get("/sw.js", include_in_schema=False)
async def service_worker() -> Response:
    """Served from the site root so its scope can be the whole site."""
    return Response(content=SERVICE_WORKER.read_bytes(), media_type="text/javascript",
                    headers={"Service-Worker-Allowed": "/"})

