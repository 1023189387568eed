"""The private calendar feed: turn it on (or get a new address), turn it off, and serve it."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response

from lift.db import calendar as store
from lift.db.clock import utc_now
from lift.db.reminders import preferences_for
from lift.domain import calendar as feeds
from lift.web.guards import patient
from lift.web.rendering import redirect, site_url
from lift.web.security import cookie_name, forget_cookie

# A new link goes to the page that shows it in a cookie, never in its address: a reload of that
# page sends no form again (which made another link and silently stopped the one just added to a
# calendar), and the token lands in no URL, history entry or Referer. Sent only to the Reminders
# pages, same-site only, unreadable by scripts, and for one minute: the page deletes it as it
# shows the link. Over HTTPS it is `__Secure-lift_new_calendar_link` (web/security.cookie_name).
NEW_LINK_COOKIE = "lift_new_calendar_link"
NEW_LINK_PATH = "/reminders"
NEW_LINK_SECONDS = 60


def new_link_cookie(request: Request) -> str:
    return cookie_name(NEW_LINK_COOKIE, request.app.state.settings.cookie_secure, NEW_LINK_PATH)


async def feed_owner(request: Request, token: str) -> tuple[int, str] | None:
    """The patient (id, time zone) whose feed has this token; a token of no length Lift makes
    is not even looked up."""
    if not 20 <= len(token) <= 100:
        return None
    return await store.feed_owner(request.app.state.db, feeds.token_hash(token))


def feed_url(request: Request, token: str) -> str:
    return f"{site_url(request)}/calendar/{token}.ics"


@post("/reminders/calendar", guards=[patient])
async def create_feed(request: Request) -> Response:
    """A new feed address, shown once: only its hash is kept, so it cannot be shown again."""
    token = feeds.new_token()
    user = request.scope["user"]
    await store.replace_feed_token(request.app.state.db, user.id, feeds.token_hash(token), utc_now())
    # The link is shown once, far down the page: the page opens there.
    response = redirect(request, "/reminders#calendar")
    response.set_cookie(new_link_cookie(request), token, max_age=NEW_LINK_SECONDS, path=NEW_LINK_PATH,
                        secure=request.app.state.settings.cookie_secure, httponly=True, samesite="strict")
    return response


async def new_link(request: Request) -> dict[str, str]:
    """The link just made, for the page to show once ({} when there is none): only while it is
    still this patient's link, so a link replaced since, or a cookie planted, shows nothing."""
    token = request.cookies.get(new_link_cookie(request), "")
    owner = await feed_owner(request, token)
    if owner is None or owner[0] != request.scope["user"].id:
        return {}
    url = feed_url(request, token)
    return {"calendar_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


def forget_new_link(request: Request, response: Response) -> Response:
    if new_link_cookie(request) in request.cookies:
        forget_cookie(response, NEW_LINK_COOKIE, request.app.state.settings, NEW_LINK_PATH)
    return response


@post("/reminders/calendar/delete", guards=[patient])
async def delete_feed(request: Request) -> Response:
    await store.delete_feed(request.app.state.db, request.scope["user"].id)
    return redirect(request, "/reminders?notice=calendar-removed")


@get("/calendar/{token:str}", name="calendar_feed")
async def calendar_feed(request: Request, token: FromPath[str]) -> Response:
    """No sign-in: calendar apps cannot sign in. The unguessable token is the credential."""
    token = token.removesuffix(".ics")
    db = request.app.state.db
    owner = await feed_owner(request, token)
    if owner is None:
        raise NotFoundException()
    user_id, timezone = owner
    now = utc_now()
    sessions = await store.sessions_for_feed(db, user_id, now - timedelta(days=feeds.PAST_DAYS))
    detailed = (await preferences_for(db, user_id)).detailed_text
    # The events' links, and the host in their UIDs, say where Lift is, not what Host the request named.
    base_url = site_url(request)
    body = feeds.calendar_feed(sessions, timezone, now, urlsplit(base_url).hostname or "lift", base_url, detailed)
    return Response(content=body.encode(), media_type="text/calendar",
                     headers={"Content-Disposition": 'inline; filename="lift.ics"',
                              "X-Robots-Tag": "noindex"})
