"""Error pages: HTML a person can act on, never a stack trace, never a 500 for their input."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from litestar import Request, get
from litestar.datastructures import FormMultiDict
from litestar.exceptions import HTTPException, InternalServerException, NotAuthorizedException, NotFoundException
from litestar.params import FromPath
from litestar.response import Response
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from lift.domain import scales
from lift.domain.crisis import CrisisPrompt
from lift.logs import route_template
from lift.web.crisis import item9_prompt_for, thoughts_prompt_for
from lift.web.middleware import CLIENT_CLOSED_REQUEST, client_hung_up
from lift.web.rendering import form_values, redirect, render, wants_fragment

log = logging.getLogger("lift")

MESSAGES = {
    400: ("That request didn't make sense", "Something in the request was not in a form Lift understands."),
    403: ("You can't open this page", "Your account doesn't have access to this page."),
    404: ("Page not found", "There is nothing here, or it is not yours to see."),
    405: ("That didn't work", "This page can't be used that way."),
    413: ("That was too much to send", "The form was larger than Lift accepts. Shorten it and try again."),
    429: ("Slow down a moment", "Too many requests came from here. Wait a minute and try again."),
}
CLIENT_ERROR = ("That didn't work", "Lift couldn't handle that request. Go back and try again.")
SERVER_ERROR = ("Something went wrong on our side", "It is not something you did. Try again in a moment.")
DATABASE_WRITE = "Lift couldn't save that because of a problem on our side. Go back and try again in a moment."
DATABASE_READ = "Lift couldn't open this page because of a problem on our side. Try again in a moment."
# A caregiver or clinician whose access ended (or was narrowed) meets the same 404 as for a
# journal that never existed, so nothing is revealed; the words say what may have happened
# without blaming anyone.
NOT_SHARED = ("Not shared with you now", "This isn't shared with you at the moment. The person whose journal "
              "it is chooses what to share, and can change that at any time. Your home page shows what they "
              "share with you now.")
SHARED_PATHS = ("/caregiver/patients/", "/clinician/patients/")
# A range switch on a summary or timeline whose sharing ended meanwhile asked for its charts only:
# swapped there, the notice sat among the rest of the journal still on screen (the thoughts flag,
# the check-ins). It replaces the whole of <main> instead, from the top, and the address stays.
WHOLE_PAGE = {"HX-Retarget": "#main", "HX-Reswap": "innerHTML show:window:top", "HX-Push-Url": "false"}
CSRF_EXPIRED = ("This form had expired",
                "Nothing was saved. Go back, reload the page, and send it again.")
SIGNED_OUT_CHECKIN = (
    "You were signed out, so this check-in was not saved. Sign in and check in again."
)
# A check-in that could not be read (signed out, expired form) may have reported suicidal
# thoughts, so these pages show the crisis resources rather than risk hiding them.
CRISIS_SENSITIVE_PATHS = ("/checkin", "/scales")
# The two forms with a crisis question, whose answer words the panel when it can be read.
CHECKIN_PATH = "/checkin"
PHQ9_PATH = f"/scales/{scales.PHQ9.key}"
# Get help itself: whatever stops Lift from making it (a database it cannot read for a signed-in
# person's session), its error page still shows the resources.
HELP_PATH = "/help"


def _crisis_sensitive(request: Request) -> bool:
    path = request.url.path
    return path == HELP_PATH or (request.method == "POST" and path.startswith(CRISIS_SENSITIVE_PATHS))


def _error_page(request: Request, status: int, title: str, message: str,
                takes_focus: bool = False) -> Response:
    crisis_sensitive = _crisis_sensitive(request)
    return render(request, "pages/error.html", status_code=status, title=title, message=message,
                  signed_out=status == 401, takes_focus=takes_focus,
                  show_crisis=crisis_sensitive, crisis=_prompt_for_refused_form(request) if crisis_sensitive else None,
                  plan=None, plan_unknown=True, resources=request.app.state.crisis_resources)


def _prompt_for_refused_form(request: Request) -> CrisisPrompt | None:
    """Get help now worded for the crisis answer of a check-in or PHQ-9 that was not let in
    (signed out, an expired form), read by the rules a saved one is: a plan or intent still
    reads "call 911 or 988 now" without JavaScript. Only from a form already read, as the CSRF
    check reads every form sent without JavaScript: an exception handler cannot read a body,
    and one not read yet may be gone or too large. Anything else keeps the generic panel."""
    form = ScopeState.from_scope(request.scope).form
    if form is Empty or request.method != "POST":
        return None
    try:
        values = form_values(FormMultiDict.from_form_data(form))
    except Exception:  # noqa: BLE001 - a form that cannot be read must never cost the page
        log.warning("refused form unreadable on %s", route_template(request.scope))
        return None
    resources = request.app.state.crisis_resources
    if request.url.path == CHECKIN_PATH:
        return thoughts_prompt_for(values, resources)
    if request.url.path == PHQ9_PATH:
        return item9_prompt_for(values, resources)
    return None


@get("/{path:path}", name="not_found", include_in_schema=False)
async def not_found(path: FromPath[str]) -> None:
    """Unknown addresses go through the middleware like any page, so a signed-in person's
    404 still has their navigation and a CSRF token."""
    raise NotFoundException()


def _page_to_return_to(request: Request) -> str:
    """Where sign-in leads back to: the page asked for or, for a form sent while signed out,
    the page the form was on. A POST route has no page of its own: sent back to it, the
    browser's GET met "This page can't be used that way" (an invitee's Accept, say).
    The query string comes along: a reminder opens `/checkin?day=…`, and without it the
    patient would sign in to today's form instead of the day the reminder was about."""
    if request.method in ("GET", "HEAD"):
        page = urlsplit(str(request.url))
    else:
        page = urlsplit(request.headers.get("referer", ""))
        if page.netloc != request.url.netloc or not page.path:
            return "/"
    return page.path + (f"?{page.query}" if page.query else "")


def _sign_in_address(request: Request) -> str:
    """`next` is percent-encoded whole, so its own `?` and `&` cannot become sign-in's."""
    return f"/signin?next={quote(_page_to_return_to(request), safe='/')}"


def not_signed_in(request: Request, _: NotAuthorizedException) -> Response:
    if _crisis_sensitive(request):
        return _error_page(request, 401, "You're signed out", SIGNED_OUT_CHECKIN)
    return redirect(request, _sign_in_address(request))


def http_error(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, InternalServerException) and client_hung_up(request.scope):
        # Litestar's "client disconnected prematurely" while reading the body: not a fault of
        # ours, and no one is left to read a page. The request line says 499 (middleware).
        return Response(b"", status_code=CLIENT_CLOSED_REQUEST)
    status = exc.status_code
    if status >= 500:
        log.error("request failed: %s %s: %s", request.method, route_template(request.scope), type(exc).__name__)
    title, message = MESSAGES.get(status, SERVER_ERROR if status >= 500 else CLIENT_ERROR)
    if status == 403 and "CSRF" in str(exc.detail):
        # Not "You can't open this page": the person may open it, only the form's token was old.
        title, message = CSRF_EXPIRED
    if status == 404 and _viewing_someone_elses_journal(request):
        if wants_fragment(request):
            page = _error_page(request, status, *NOT_SHARED, takes_focus=True)
            page.headers.update(WHOLE_PAGE)
            return page
        title, message = NOT_SHARED
    return _error_page(request, status, title, message)


def _viewing_someone_elses_journal(request: Request) -> bool:
    user = request.scope.get("user")
    return user is not None and user.role != "patient" and request.url.path.startswith(SHARED_PATHS)


def database_unavailable(request: Request, exc: Exception) -> Response:
    """A locked or full database (sqlite3.OperationalError) is our fault and passes: 503, try
    again. A constraint that fails is a bug, not a passing state: that stays a 500. Forms that
    hold typed text catch any database error themselves and come back filled in."""
    log.error("database error on %s %s", request.method, route_template(request.scope), exc_info=exc)
    message = DATABASE_WRITE if request.method == "POST" else DATABASE_READ
    return _error_page(request, 503, SERVER_ERROR[0], message)


def unexpected_error(request: Request, exc: Exception) -> Response:
    # The route template, not the path: a path can hold a calendar or invitation token.
    log.exception("unexpected error on %s %s", request.method, route_template(request.scope), exc_info=exc)
    return _error_page(request, 500, *SERVER_ERROR)
