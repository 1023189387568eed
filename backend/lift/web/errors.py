"""Error pages: HTML a person can act on, never a stack trace, never a 500 for their input."""

from __future__ import annotations

import logging

from litestar import Request
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Response

from lift.web.rendering import redirect, render

log = logging.getLogger("lift")

MESSAGES = {
    400: ("That request didn't make sense", "Something in the request was not in a form Lift understands."),
    403: ("You can't open this page", "Your account doesn't have access to this page."),
    404: ("Page not found", "There is nothing here, or it is not yours to see."),
    405: ("That didn't work", "This page can't be used that way."),
    413: ("That was too much to send", "The form was larger than Lift accepts. Shorten it and try again."),
    429: ("Slow down a moment", "Too many requests came from here. Wait a minute and try again."),
    500: ("Something went wrong on our side", "It is not something you did. Try again in a moment."),
}
CSRF_MESSAGE = (
    "This form had expired, so nothing was saved. Go back, reload the page, and send it again."
)


def not_signed_in(request: Request, _: NotAuthorizedException) -> Response:
    return redirect(request, f"/signin?next={request.url.path}")


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code if exc.status_code in MESSAGES else 500
    if status >= 500:
        log.error("request failed: %s %s: %r", request.method, request.url.path, exc)
    title, message = MESSAGES[status]
    if status == 403 and "CSRF" in str(exc.detail):
        message = CSRF_MESSAGE
    return render(request, "pages/error.html", status_code=exc.status_code, title=title, message=message)


def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    title, message = MESSAGES[500]
    return render(request, "pages/error.html", status_code=500, title=title, message=message)
