"""Links Lift shows for opening elsewhere (an invitation, a calendar feed and its events) name
LIFT_PUBLIC_URL when it is set, whatever Host the request claimed; without it, the request's
own address, as a deployment without the setting always had."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

import icalendar
import msgspec
import pytest

from tests.integration.sharing_helpers import LINK
from tests.integration.test_reminders import SETTINGS, make_sessions

PUBLIC = "https://lift.clinic.example/app"
FORGED = "evil.example"


@pytest.fixture(params=["public", "unset"])
def settings(settings, request):
    return msgspec.structs.replace(settings, public_url=PUBLIC + "/" if request.param == "public" else "")


async def test_invitation_and_calendar_links_ignore_a_forged_host_when_lift_knows_its_address(
        patient, stranger, app, settings):
    base = PUBLIC if settings.public_url else f"http://{FORGED}"
    today = datetime.now(UTC).date()
    ids = await make_sessions(app, patient.email, "America/New_York", [(today + timedelta(days=3), time(9, 0))])
    await patient.post("/reminders/settings", SETTINGS)  # detailed events: each links to its session
    patient.http.headers["Host"] = FORGED  # every request from here on claims another host

    created = await patient.post("/sharing/invitations", {"role": "caregiver", "label": ""})
    assert created.status_code == 200
    link = LINK.search(created.text).group(1)
    assert link.startswith(f"{base}/invite/") and FORGED not in link.removeprefix(base)

    assert (await patient.post("/reminders/calendar")).status_code == 303
    page = (await patient.get("/reminders")).text
    feed = re.search(r'id="calendar_url" type="url" value="([^"]+)"', page).group(1)
    assert feed.startswith(f"{base}/calendar/") and feed.endswith(".ics")
    assert f'href="webcal://{base.split("://")[1]}/calendar/' in page

    stranger.http.headers["Host"] = FORGED  # a calendar app asking with a forged Host
    response = await stranger.get(urlsplit(feed).path.removeprefix("/app"))
    assert response.status_code == 200
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["URL"]) == f"{base}/treatment/sessions/{ids[0]}"
    assert str(event["UID"]) == f"lift-session-{ids[0]}@{urlsplit(base).hostname}"
    assert (FORGED in response.text) == (not settings.public_url)
