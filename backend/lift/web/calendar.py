"""The private calendar feed: turn it on (or get a new address), turn it off, and serve it."""

from __future__ import annotations

from datetime import timedelta

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response

from lift.db import calendar as store
from lift.db.clock import utc_now
from lift.db.reminders import preferences_for
from lift.domain import calendar as feeds
from lift.web.guards import patient
from lift.web.push import reminders_view
from lift.web.rendering import redirect


def feed_url(request: Request, token: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/calendar/{token}.ics"


@post("/reminders/calendar", guards=[patient])
async def create_feed(request: Request) -> Response:
    """A new feed address, shown once: only its hash is kept, so it cannot be shown again."""
    token = feeds.new_token()
    user = request.scope["user"]
    await store.replace_feed_token(request.app.state.db, user.id, feeds.token_hash(token), utc_now())
    url = feed_url(request, token)
    return await reminders_view(request, calendar_url=url,
                                webcal_url="webcal://" + url.split("://", 1)[1])


@post("/reminders/calendar/delete", guards=[patient])
async def delete_feed(request: Request) -> Response:
    await store.delete_feed(request.app.state.db, request.scope["user"].id)
    return redirect(request, "/reminders?notice=calendar-removed")


@get("/calendar/{token:str}", name="calendar_feed")
async def calendar_feed(request: Request, token: FromPath[str]) -> Response:
    """No sign-in: calendar apps cannot sign in. The unguessable token is the credential."""
    token = token.removesuffix(".ics")
    db = request.app.state.db
    owner = await store.feed_owner(db, feeds.token_hash(token)) if 20 <= len(token) <= 100 else None
    if owner is None:
        raise NotFoundException()
    user_id, timezone = owner
    now = utc_now()
    sessions = await store.sessions_for_feed(db, user_id, now - timedelta(days=feeds.PAST_DAYS))
    detailed = (await preferences_for(db, user_id)).detailed_text
    base_url = str(request.base_url).rstrip("/")
    body = feeds.calendar_feed(sessions, timezone, now, request.url.hostname or "lift", base_url, detailed)
    return Response(content=body.encode(), media_type="text/calendar",
                     headers={"Content-Disposition": 'inline; filename="lift.ics"',
                              "X-Robots-Tag": "noindex"})
