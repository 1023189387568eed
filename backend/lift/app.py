"""create_app(settings) is the one place where Lift is assembled."""

from __future__ import annotations

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

from lift.db.connection import Database
from lift.db.sessions import purge_expired
from lift.domain.checkins import format_hours
from lift.domain.crisis import sms_link
from lift.domain.safety_plan import STEPS, tel_link
from lift.settings import FRONTEND_DIR, Settings, ensure_secret_key, load_settings
from lift.web import auth, checkins, errors, pages
from lift.web.crisis import load_crisis_resources
from lift.web.security import add_security_headers, current_user

ROUTES = [
    pages.home, pages.health, pages.get_help, pages.safety_plan_page, pages.save_safety_plan,
    auth.signup_page, auth.signup, auth.signin_page, auth.signin, auth.signout,
    auth.account_page, auth.change_timezone, auth.change_password, auth.signout_everywhere,
    checkins.checkin_form, checkins.save_checkin, checkins.history, checkins.checkin_detail,
    checkins.confirm_delete, checkins.delete_checkin,
    errors.not_found,
]

# A full safety plan in a non-Latin script is ~110 KB once form-encoded; leave room for it.
MAX_BODY_BYTES = 256 * 1024


def configure_templates(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters["hours"] = format_hours
    engine.engine.filters["tel"] = tel_link
    engine.engine.filters["sms"] = sms_link
    engine.engine.globals["safety_plan_steps"] = STEPS


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    secret = ensure_secret_key(settings)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        db = Database(settings.database_path, readers=settings.reader_connections)
        await db.open()
        await purge_expired(db, failures_older_than=timedelta(days=1))
        app.state.db = db
        try:
            yield
        finally:
            await db.close()

    static = create_static_files_router(
        path="/static", directories=[FRONTEND_DIR / "static"], name="static",
        include_in_schema=False,
    )
    return Litestar(
        route_handlers=[*ROUTES, static],
        lifespan=[database],
        middleware=[current_user],
        before_send=[add_security_headers],
        csrf_config=CSRFConfig(
            secret=secret, cookie_secure=settings.cookie_secure, cookie_httponly=True,
            cookie_samesite="lax", exclude=["/static"],
        ),
        template_config=TemplateConfig(
            directory=FRONTEND_DIR / "templates", engine=JinjaTemplateEngine,
            engine_callback=configure_templates,
        ),
        plugins=[HTMXPlugin()],
        exception_handlers={
            NotAuthorizedException: errors.not_signed_in,
            HTTPException: errors.http_error,
            Exception: errors.unexpected_error,
        },
        state=State({"settings": settings, "crisis_resources": load_crisis_resources(Path(settings.crisis_resources))}),
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=None,
    )
