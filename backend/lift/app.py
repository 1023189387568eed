"""create_app(settings) is the one place where Lift is assembled."""

from __future__ import annotations

import sqlite3

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Message, Receive, Scope, Send
from markupsafe import Markup, escape

from lift.db.connection import Database
from lift.db.sessions import purge_expired
from lift.domain import dates
from lift.domain.checkins import format_hours
from lift.domain.crisis import crisis_reading, saved_in, sms_link
from lift.domain.safety_plan import STEPS, tel_link
from lift.settings import FRONTEND_DIR, Settings, ensure_secret_key, load_settings
from lift.web import auth, checkins, errors, pages, password_resets
from lift.web import scales, trends
from lift.web import education, treatment
from lift.web import calendar, push
from lift.web import pwa
from lift.web.openapi import openapi_config
from lift.web import caregiver, clinician, data_rights, export, report, sharing
from lift.push.scheduler import reminder_lifespan
from lift.web.crisis import load_crisis_resources
from lift.web.rendering import current_tab, zone_label
from lift.web.middleware import lift_middleware
from lift.web.security import CSRF_COOKIE, cookie_name, ids_fit_sqlite, security_headers, session_cookie

ROUTES = [
    pages.home, pages.health, pages.ready, pages.get_help, pages.safety_plan_page, pages.save_safety_plan,
    auth.signup_page, auth.signup, auth.signin_page, auth.signin, auth.signout,
    auth.account_page, auth.change_timezone, auth.change_clock, auth.change_password, auth.change_email,
    auth.signout_everywhere,
    password_resets.forgot_password, password_resets.reset_page, password_resets.reset_password,
    checkins.checkin_form, checkins.save_checkin, checkins.history, checkins.checkin_detail,
    checkins.confirm_delete, checkins.delete_checkin,
    scales.scales_page, scales.scale_form, scales.save_scale, scales.scale_result, scales.change_answers,
    scales.mark_baseline, scales.delete_result, trends.trends_page,
    treatment.overview, treatment.new_plan, treatment.create_plan, treatment.edit_plan, treatment.save_plan,
    treatment.confirm_delete_plan, treatment.delete_plan, treatment.new_session, treatment.add_session,
    treatment.session_page, treatment.move_form, treatment.move_session, treatment.cancel_session,
    treatment.ride_home, treatment.log_form, treatment.save_log, education.learn, education.learn_card,
    errors.not_found,
    push.reminders_page, push.save_settings, push.subscribe, push.renew, push.unsubscribe, push.send_test,
    push.remove_device, push.service_worker, calendar.create_feed, calendar.delete_feed, calendar.calendar_feed,
    pwa.web_manifest, pwa.worker_config_script, pwa.offline_page, pwa.offline_checkin, pwa.offline_help,
    pwa.offline_safety_plan, pwa.offline_session,
    sharing.sharing_page, sharing.create_invitation, sharing.withdraw_invitation, sharing.confirm_revoke,
    sharing.revoke_grant, sharing.change_scope, sharing.audit_page, sharing.enter_code, sharing.open_with_code,
    sharing.invitation_page, sharing.signup_and_accept, sharing.accept,
    caregiver.people, caregiver.summary, caregiver.notes, caregiver.confirm_stop, caregiver.stop,
    caregiver.name_page, caregiver.give_name,
    clinician.panel, clinician.timeline, clinician.confirm_remove, clinician.remove, clinician.name_page,
    clinician.give_name, report.own_report, report.patient_report, export.own_export,
    export.patient_export, export.panel_export, data_rights.data_page, data_rights.archive,
    data_rights.confirm_delete, data_rights.delete_account,
]

# A full safety plan in a non-Latin script is ~110 KB once form-encoded; leave room for it.
MAX_BODY_BYTES = 256 * 1024


def email_breaks(email: str) -> Markup:
    """An address in a heading wraps after the @ on a narrow phone, not in the middle of a word."""
    return Markup("@<wbr>").join(escape(part) for part in email.split("@"))


def configure_templates(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters["hours"] = format_hours
    engine.engine.filters["tel"] = tel_link
    engine.engine.filters["sms"] = sms_link
    engine.engine.filters["email_breaks"] = email_breaks
    # Where a person reads their time zone; a calendar's TZID and a CSV column keep the IANA name.
    engine.engine.filters["zone_label"] = zone_label
    engine.engine.globals["safety_plan_steps"] = STEPS
    engine.engine.globals["crisis_reading"] = crisis_reading
    engine.engine.globals["saved_in"] = saved_in
    engine.engine.globals["current_tab"] = current_tab
    # Every day a template writes goes through domain/dates.py, which says which form where.
    engine.engine.globals.update(weekday=dates.weekday, weekday_name=dates.weekday_name, dated=dates.dated,
                                 day_text=dates.day_text, day_label=dates.day_label)
    # Templates ship with the release; checking each file's mtime on every render is wasted work.
    engine.engine.auto_reload = False


class LiftApp(Litestar):
    """Answers HEAD on every GET route as that GET without its body (RFC 9110, 9.3.2): uptime
    monitors and link checkers send HEAD, and Litestar routes it only to explicit handlers.
    The request log still records HEAD."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET", "head_request": True}
            send = _headers_only(send)
        await super().__call__(scope, receive, send)


def _headers_only(send: Send) -> Send:
    async def send_without_body(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_without_body


def create_app(settings: Settings | None = None) -> LiftApp:
    settings = settings or load_settings()
    secret = ensure_secret_key(settings)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        db = Database(settings.database_path, readers=settings.reader_connections)
        await db.open()
        await purge_expired(db, signin_window=timedelta(minutes=settings.signin_window_minutes))
        app.state.db = db
        app.state.readiness = pages.ReadinessProbe()
        try:
            yield
        finally:
            await db.close()

    static = create_static_files_router(
        path="/static", directories=[FRONTEND_DIR / "static"], name="static",
        include_in_schema=False,
    )
    return LiftApp(
        route_handlers=[*ROUTES, static],
        lifespan=[database, reminder_lifespan(settings)],
        middleware=[lift_middleware(MAX_BODY_BYTES, session_cookie(settings))],
        before_send=[security_headers(hsts=settings.cookie_secure)],
        guards=[ids_fit_sqlite],
        csrf_config=CSRFConfig(
            secret=secret, cookie_name=cookie_name(CSRF_COOKIE, settings.cookie_secure),
            cookie_secure=settings.cookie_secure, cookie_httponly=True,
            cookie_samesite="lax",
            # The service worker cannot read the token; that route's credential is the old
            # push subscription, not the session (web/push.py: renew). Litestar searches these
            # regexes anywhere in the path, so each is anchored at both ends (\Z, not $, which
            # also matches before a trailing newline): "/invite/static-x/accept" needs the token.
            exclude=[r"^/static/", r"^/reminders/subscriptions/renew\Z"],
        ),
        template_config=TemplateConfig(
            directory=FRONTEND_DIR / "templates", engine=JinjaTemplateEngine,
            engine_callback=configure_templates,
        ),
        plugins=[HTMXPlugin()],
        exception_handlers={
            NotAuthorizedException: errors.not_signed_in,
            HTTPException: errors.http_error,
            sqlite3.OperationalError: errors.database_unavailable,
            Exception: errors.unexpected_error,
        },
        state=State({"settings": settings, "crisis_resources": load_crisis_resources(Path(settings.crisis_resources)),
                     "education": education.load_cards(), "asset_version": pwa.asset_version(settings)}),
        request_max_body_size=MAX_BODY_BYTES,
        # The document maps every route and form for anyone; production keeps it to itself.
        openapi_config=None if settings.environment == "production" else openapi_config(version="0.1.0"),
    )
