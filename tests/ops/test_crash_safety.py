"""An acknowledged check-in is never lost: SIGKILL the app mid-load, restart, and count."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import date, timedelta

import httpx
import pytest
from tests.served import ServedApp

PASSWORD = "crash test password 7"
PATIENTS = 6
DAYS = 8  # today and seven days back: every day a check-in may be written for
ROUNDS = 5


async def signed_in_client(url: str, email: str, cookies: httpx.Cookies | None) -> tuple[httpx.AsyncClient, str]:
    """Signed up in the first round; in the later ones, the same session as before the kill (it
    was acknowledged, so the restarted app still knows it), with no password to hash again."""
    client = httpx.AsyncClient(base_url=url, timeout=10, cookies=cookies)
    if cookies is None:
        await client.get("/signup")
        token = client.cookies["csrftoken"]
        response = await client.post("/signup", data={"email": email, "password": PASSWORD, "timezone": "UTC",
                                                      "_csrf_token": token})
        assert response.status_code == 303, response.text[:500]
    # Signing up ends the page's form token; the next page carries a new one.
    form = await client.get("/checkin")
    assert form.status_code == 200 and 'action="/checkin"' in form.text, f"{email} is not signed in"
    return client, client.cookies["csrftoken"]


async def post_checkins(client, token, email, today, acknowledged, mood):
    for offset in range(DAYS):
        day = (today - timedelta(days=offset)).isoformat()
        try:
            response = await client.post("/checkin", data={
                "local_date": day, "mood": str(mood), "anxiety": "3", "sleep_hours": "7", "thoughts": "0",
                "_csrf_token": token})
        except httpx.HTTPError:
            return  # the server died mid-request: this one was never acknowledged
        # Without JavaScript, a saved check-in is answered with a redirect to its page (sent only
        # after the commit, like the page itself).
        if response.status_code == 303 and "?saved=" in response.headers.get("location", ""):
            acknowledged.add((email, day, mood))


@pytest.mark.parametrize("workers", [1, 2], ids=["one process", "two processes"])
async def test_every_acknowledged_check_in_survives_a_sigkill(tmp_path, workers):
    """Two processes write the same file through their own connections and group commits."""
    app = ServedApp(tmp_path / "data", tmp_path / "server.log", LIFT_WORKERS=str(workers))
    acknowledged: set[tuple[str, str, int]] = set()
    sessions: list[httpx.Cookies | None] = [None] * PATIENTS
    try:
        for round_number in range(ROUNDS):
            app.start()
            clients = [await signed_in_client(app.url, f"p{n}@example.com", sessions[n]) for n in range(PATIENTS)]
            today = date.today()
            mood = round_number  # each round overwrites with a new mood, so the latest must win
            load = [asyncio.create_task(post_checkins(c, t, f"p{n}@example.com", today, acknowledged, mood))
                    for n, (c, t) in enumerate(clients)]
            await asyncio.sleep(random.uniform(0.05, 0.4))
            app.kill()
            await asyncio.gather(*load)
            for n, (client, _) in enumerate(clients):
                sessions[n] = httpx.Cookies(client.cookies)
                await client.aclose()
        app.start()
        app.stop()
    finally:
        app.kill()  # a failed round must not leave servers behind
    with sqlite3.connect(tmp_path / "data" / "lift.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {(email, day): mood for email, day, mood in conn.execute(
            "SELECT u.email, c.local_date, c.mood FROM checkins c JOIN users u ON u.id = c.user_id")}
        duplicates = conn.execute(
            "SELECT count(*) FROM (SELECT user_id, local_date FROM checkins GROUP BY 1, 2 HAVING count(*) > 1)"
        ).fetchone()[0]
    assert acknowledged, "the load never got a check-in acknowledged before the kill"
    assert duplicates == 0
    for email, day, mood in acknowledged:
        assert (email, day) in stored, f"acknowledged check-in lost: {email} {day}"
        assert stored[(email, day)] >= mood, f"an acknowledged update was rolled back: {email} {day}"
