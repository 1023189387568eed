"""Render a page in full, or only its main region for an htmx request that targets it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template
from litestar.utils import url_quote

from lift.db.clock import utc_now
from lift.domain import accounts, dates
from lift.domain.checkins import today_in
from lift.domain.forms import FORM_KEY_FIELD

# Shown above a form whose write failed (a locked or full database): the form comes back with
# everything the person typed, so nothing is lost by trying again.
SAVE_FAILED = (
    "Nothing was saved because of a problem on our side. What you entered is still here: "
    "try again in a moment."
)
FULL_LAYOUT = "base.html"
FRAGMENT_LAYOUT = "_fragment.html"
# A patient's tab bar, and the addresses each tab holds: every page the More page links to is
# under More, so the tab bar always shows where the patient is, however deep.
PATIENT_TABS = {
    "/": ("/",),
    "/checkin": ("/checkin",),
    "/trends": ("/trends",),
    "/checkins": ("/checkins",),
    "/account": ("/account", "/scales", "/safety-plan", "/treatment", "/learn", "/reminders",
                 "/sharing", "/report", "/export"),
}


def current_tab(path: str) -> str | None:
    """The patient tab whose area holds `path` (the page itself or one below it), if any."""
    for tab, areas in PATIENT_TABS.items():
        if any(path == area or (area != "/" and path.startswith(area + "/")) for area in areas):
            return tab
    return None


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def wants_fragment(request: Request) -> bool:
    """htmx requests get the <main> content; boosted navigations and plain loads get the page."""
    return is_htmx(request) and request.headers.get("hx-boosted") != "true"


def render(request: Request, template: str, status_code: int = 200, push_url: str | None = None,
           **context: Any) -> Template:
    """The page, or its <main> for htmx. `push_url` is the address of a page that answers an htmx
    POST, when the page has one of its own (a GET shows it again)."""
    context.setdefault("user", request.scope.get("user"))
    context["layout"] = FRAGMENT_LAYOUT if wants_fragment(request) else FULL_LAYOUT
    # A boosted form's answer (sent back with errors, or a result) would otherwise put the address
    # it was posted to in the history, and many answer only POST: reloading the page, or coming
    # back to it, would show "This page can't be used that way". The address stays the form's,
    # unless the answer has an address of its own.
    headers = {"HX-Push-Url": push_url or "false"} if request.method == "POST" and is_htmx(request) else None
    return Template(template_name=template, context=context, status_code=status_code, headers=headers)


def local_today(timezone: str) -> date:
    """Today in `timezone` (a person's own zone, not the server's), from one reading of the
    clock. Code that also uses that instant itself reads the clock once and passes it to
    `today_in`, so the two cannot fall either side of midnight."""
    return today_in(timezone, utc_now())


def zone_label(timezone: str, offset: bool = True) -> str:
    """The `zone_label` filter: a time zone as a person reads it ("New York — America
    (UTC−05:00)"), with its offset now; without it (`offset=False`) on a record of days and times
    over a span, where the offset changes with the seasons."""
    return accounts.zone_label(timezone, utc_now() if offset else None)


def day_in(timezone: str) -> Callable[[datetime], str]:
    """For a page's `local_day`: an instant ("since", "ended on") as the day it fell on in
    `timezone`, written as domain/dates.py says for a reader whose today is that zone's."""
    today = local_today(timezone)
    return lambda instant: dates.day_of(instant, timezone, today)


def site_url(request: Request) -> str:
    """Where Lift is, without a trailing slash, for the links it shows to be opened elsewhere
    (an invitation, a calendar feed): LIFT_PUBLIC_URL when set, since the request's own address
    comes from its Host header, which a client or a loose proxy can make anything."""
    return request.app.state.settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")


def redirect(request: Request, path: str) -> Response:
    """A redirect htmx follows as a full navigation, and a browser follows as a 303."""
    if is_htmx(request):
        # Quoted as Litestar's Redirect quotes Location: a second layer, so no character that
        # a browser would drop or a server would refuse ever reaches the header raw.
        return Response(content=b"", status_code=204, headers={"HX-Redirect": url_quote(path)})
    return Redirect(path=path, status_code=303)


def to_page_shown(request: Request, shown: int) -> Response | None:
    """A redirect to the address of the page a list shows when its address asked for another
    (past the end, below 1, or no number at all, as in ?page=abc), the rest of the query kept;
    None when they agree. The address, Back and the pager then say the same page; an empty list
    is page 1, which answers itself."""
    # From the query string itself: Litestar's parsed parameters do not keep their order, and
    # keep only the last of a repeated `page`.
    sent = parse_qsl(request.scope["query_string"].decode("latin-1"), keep_blank_values=True)
    asked = [value for key, value in sent if key == "page"]
    if asked == [str(shown)] or (not asked and shown == 1):
        return None
    query = [(key, value) for key, value in sent if key != "page"]
    query.insert(next((n for n, (key, _) in enumerate(sent) if key == "page"), len(query)), ("page", str(shown)))
    return redirect(request, f"{request.url.path}?{urlencode(query)}")


def new_form_key(values: dict) -> dict:
    """A form's values with a one-time key (a UUID) made as it is shown, so that a resend after
    a lost answer is done once; a form sent back (422, 503) keeps the key it came with."""
    return {FORM_KEY_FIELD: str(uuid.uuid4()), **values}


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form as a plain dict of text; a body that is not a form reads as empty.
    A field sent as a file (multipart) reads as empty text: no form of Lift's takes a file."""
    return form_values(await request.form())


def form_values(form: FormMultiDict) -> dict[str, str]:
    """A form as a plain dict of text, each field's first value; a file reads as empty text."""
    return {key: value if isinstance(value := form.get(key), str) else "" for key in form.keys()}
