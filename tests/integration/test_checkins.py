from html import unescape
import re
from datetime import date, timedelta
from urllib.parse import unquote

import pytest

from lift.domain import dates
from lift.web import rendering
from tests.integration.conftest import insert_checkin, joined_days_ago


def day_the_browser_sends(html: str) -> dict:
    """What a browser submits for the day picker: the selected option, else the first enabled one;
    a selected option that is disabled sends nothing. A change to a day has no picker: its day."""
    if kept := re.search(r'<input type="hidden" name="local_date" value="([^"]*)">', html):
        return {"local_date": kept.group(1)}
    picker = re.search(r'<select id="local_date".*?</select>', html, flags=re.S).group(0)
    options = re.findall(r"<option ([^>]*)>", picker)
    chosen = next((o for o in options if re.search(r"\bselected\b", o)), None)
    chosen = chosen or next(o for o in options if not re.search(r"\bdisabled\b", o))
    if re.search(r"\bdisabled\b", chosen):
        return {}
    return {"local_date": re.search(r'value="([^"]*)"', chosen).group(1)}


def crisis_region(html: str) -> bool:
    # Inert <template> copies of Get help now (kept for use with no signal) are not shown.
    html = re.sub(r"<template\b.*?</template>", "", html, flags=re.S)
    return 'aria-labelledby="crisis-title"' in html and ">Get help now<" in html


async def test_it_saves_a_check_in_and_confirms_after_commit(patient, database):
    response = await patient.check_in(mood=6, anxiety=3, sleep_hours="7.5", note="Slept well")
    assert response.status_code == 200
    assert "Check-in saved" in response.text
    row = database.execute("SELECT mood, anxiety, sleep_hours, thoughts, note, local_date FROM checkins").fetchone()
    assert tuple(row) == (6, 3, 7.5, 0, "Slept well", patient.today().isoformat())


async def test_it_updates_the_same_day_instead_of_adding_a_second(patient, database):
    await patient.check_in(mood=2)
    response = await patient.check_in(mood=8)
    assert "Check-in updated" in response.text
    assert database.execute("SELECT count(*), max(mood) FROM checkins").fetchone()[:] == (1, 8)


async def test_it_fills_in_a_missed_day_up_to_seven_days_back(patient, database):
    week_ago = patient.today() - timedelta(days=7)
    response = await patient.check_in(local_date=week_ago.isoformat())
    assert response.status_code == 200
    assert database.execute("SELECT local_date FROM checkins").fetchone()[0] == week_ago.isoformat()


@pytest.mark.parametrize("days", [8, -1])
async def test_it_refuses_days_outside_the_window_and_keeps_the_answers(patient, database, days):
    day = patient.today() - timedelta(days=days)
    response = await patient.check_in(local_date=day.isoformat(), note="keep me")
    assert response.status_code == 422
    assert 'id="local_date-error"' in response.text
    assert "keep me" in response.text
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


@pytest.mark.parametrize(
    "field, value",
    [("mood", "11"), ("mood", "-1"), ("mood", "five"), ("anxiety", "10.5"), ("sleep_hours", "24.5"),
     ("sleep_hours", "7.3"), ("thoughts", "4"), ("note", "x" * 2001), ("local_date", "2026-13-01"),
     ("mood", ""), ("sleep_hours", "nan")],
)
async def test_it_shows_a_field_error_and_writes_nothing_for_bad_input(patient, database, field, value):
    response = await patient.check_in(**{field: value}, **({"note": "typed"} if field != "note" else {}))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    if field != "note":
        assert ">typed</textarea>" in response.text
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


async def test_it_reads_sleep_typed_with_a_decimal_comma_and_shows_a_wrong_one_as_typed(patient, database):
    assert (await patient.check_in(sleep_hours="7,5")).status_code == 200
    assert database.execute("SELECT sleep_hours FROM checkins").fetchone()[0] == 7.5

    response = await patient.check_in(sleep_hours="7,3 h")
    assert response.status_code == 422
    assert 'value="7,3 h"' in response.text
    assert database.execute("SELECT sleep_hours FROM checkins").fetchone()[0] == 7.5


async def test_it_lists_every_wrong_field_at_once(patient):
    response = await patient.post("/checkin", {"local_date": patient.today().isoformat()})
    assert response.status_code == 422
    for field in ("mood", "anxiety", "sleep_hours", "thoughts"):
        assert f'id="{field}-error"' in response.text


async def test_it_answers_a_malformed_body_with_422_not_500(patient):
    token = await patient.csrf_token()
    response = await patient.http.post(
        "/checkin", content=b"\x00\xff{not a form", headers={"x-csrftoken": token, "content-type": "application/json"}
    )
    assert response.status_code == 422


async def test_it_keeps_typed_values_and_says_so_when_the_database_fails(patient, database):
    database.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON checkins BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    database.commit()
    response = await patient.check_in(mood=3, note="please keep this")
    assert response.status_code == 503
    assert "was not saved" in response.text
    assert "please keep this" in response.text
    assert 'value="3" checked' in response.text
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


async def test_it_pages_history_newest_first(patient, database):
    for days in range(3):
        await patient.check_in(local_date=(patient.today() - timedelta(days=days)).isoformat(), mood=days)
    response = await patient.get("/checkins")
    assert response.status_code == 200
    positions = [response.text.index(f"Mood {m} ") for m in (0, 1, 2)]
    assert positions == sorted(positions)


async def test_it_paginates_after_twenty_check_ins(patient, database):
    user_id = database.execute("SELECT id FROM users").fetchone()[0]
    database.executemany(
        "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, created_at, updated_at)"
        " VALUES (?, date('2025-01-01', ?), 5, 5, 7, 0, 'x', 'x')",
        [(user_id, f"+{n} days") for n in range(25)],
    )
    database.commit()
    first = await patient.get("/checkins")
    second = await patient.get("/checkins?page=2")
    assert first.text.count('class="history__item"') == 20
    assert second.text.count('class="history__item"') == 5
    assert "Page 2 of 2" in second.text


async def test_history_gives_the_year_of_a_check_in_from_another_year(patient, database):
    last_year = patient.today().year - 1
    user_id = database.execute("SELECT id FROM users").fetchone()[0]
    database.execute("INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, created_at,"
                     " updated_at) VALUES (?, ?, 5, 5, 7, 0, 'x', 'x')", (user_id, f"{last_year}-11-29"))
    database.commit()
    history = await patient.get("/checkins")
    assert f" 29 Nov {last_year}</span>" in history.text


def insert_checkins(database, days, note: str = "") -> None:
    """Check-ins for the only user on the given days, written behind the app's back (too old for the form)."""
    user_id = database.execute("SELECT id FROM users").fetchone()[0]
    database.executemany(
        "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at, updated_at)"
        " VALUES (?, ?, 5, 5, 7, 0, ?, 'x', 'x')", [(user_id, day.isoformat(), note) for day in days])
    database.commit()


def listed_days(html: str) -> list[str]:
    return re.findall(r'<span class="history__day">([^<]*)</span>', html)


def month_options(html: str) -> list[tuple[str, str]]:
    picker = re.search(r'<select id="month" name="month"[^>]*>(.*?)</select>', html, flags=re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', picker)


async def test_a_past_month_is_one_jump_away_with_its_neighbours_in_the_pager(patient, database):
    insert_checkins(database, [date(2025, 1, d) for d in (3, 9)] + [date(2025, 3, d) for d in range(1, 32)]
                    + [date(2025, 6, 30)])
    first = await patient.get("/checkins")
    # Only months with check-ins, newest first.
    assert month_options(first.text) == [("2025-06", "June 2025"), ("2025-03", "March 2025"),
                                         ("2025-01", "January 2025")]
    assert '<form class="month-jump" action="/checkins" method="get">' in first.text

    march = await patient.get("/checkins?month=2025-03")
    assert march.status_code == 200
    # The whole month, newest first, and nothing from the months either side.
    assert listed_days(march.text) == [f"{dates.day_text(date(2025, 3, d), patient.today())}" for d in range(31, 0, -1)]
    assert "<h2>March 2025</h2>" in march.text
    assert '<option value="2025-03" selected>' in march.text
    assert '<a class="button" href="/checkins?month=2025-06" rel="prev">Newer: June 2025</a>' in march.text
    assert '<a class="button" href="/checkins?month=2025-01" rel="next">Older: January 2025</a>' in march.text
    # The pager says no more than its links: the heading above names the month, and its status
    # line said "March 2025" again, to the eye and to a screen reader's landmark list alike.
    pager = re.search(r'<nav class="pager" aria-label="Months">(.*?)</nav>', march.text, re.S).group(1)
    assert re.sub(r"<[^>]*>", "|", pager).split() == ["|Newer:", "June", "2025|", "|Older:", "January", "2025|"]

    # February has none: the pager skips it, and a bookmark to it says so and still leads on.
    january = await patient.get("/checkins?month=2025-01")
    assert 'rel="prev">Newer: March 2025</a>' in january.text and 'rel="next"' not in january.text
    february = await patient.get("/checkins?month=2025-02")
    assert february.status_code == 200 and listed_days(february.text) == []
    assert "You have no check-ins in February 2025." in february.text
    # The select names the month on screen, in its place among the others, not the newest.
    assert month_options(february.text) == [("2025-06", "June 2025"), ("2025-03", "March 2025"),
                                            ("2025-02", "February 2025"), ("2025-01", "January 2025")]
    assert '<option value="2025-02" selected>' in february.text
    assert 'rel="prev">Newer: March 2025</a>' in february.text and 'rel="next">Older: January 2025</a>' in february.text


async def test_a_month_shows_only_the_patients_own_check_ins(patient, other_patient, database):
    await patient.check_in(note="only mine")
    month = patient.today().strftime("%Y-%m")
    response = await other_patient.get(f"/checkins?month={month}")
    assert response.status_code == 200 and listed_days(response.text) == []
    assert "You have no check-ins in" in response.text and 'id="month"' not in response.text


@pytest.mark.parametrize("month", ["2025-13", "2025-00", "March", "2025-3", "0000-01", "x" * 3000, "2025-03-01"])
async def test_a_month_that_is_no_month_is_said_so_with_the_list_from_its_start(patient, database, month):
    insert_checkins(database, [date(2025, 1, 3), date(2025, 3, 1)])
    response = await patient.get("/checkins", params={"month": month})
    assert response.status_code == 400
    assert f"“{month[:20]}” isn't a month Lift can show. Choose one from the list. Below are all" in unescape(response.text)
    assert listed_days(response.text) == [dates.day_text(date(2025, 3, 1), patient.today()),
                                          dates.day_text(date(2025, 1, 3), patient.today())]
    assert len(month_options(response.text)) == 2


async def test_a_month_that_is_no_month_with_only_one_month_of_check_ins_still_offers_the_picker(patient, database):
    insert_checkins(database, [date(2025, 1, 3)])
    assert 'id="month"' not in (await patient.get("/checkins")).text  # one month: nothing to jump to
    response = await patient.get("/checkins?month=2025-1")
    assert response.status_code == 400 and month_options(response.text) == [("2025-01", "January 2025")]


async def test_a_month_that_is_no_month_without_check_ins_does_not_point_to_a_list(patient):
    response = await patient.get("/checkins?month=soon")
    assert response.status_code == 400
    assert "“soon” isn't a month Lift can show.</p>" in unescape(response.text) and "No check-ins yet" in response.text


async def test_a_month_still_to_come_says_so(patient, database):
    insert_checkins(database, [date(2025, 1, 3), date(2025, 3, 1)])
    next_year = patient.today().year + 1
    for month, label in (("9999-12", "December 9999"), (f"{next_year}-01", f"January {next_year}")):
        response = await patient.get(f"/checkins?month={month}")
        assert response.status_code == 200
        assert f"{label} hasn't come yet, so it has no check-ins." in unescape(response.text)
        assert 'rel="next">Older: March 2025</a>' in response.text


async def test_a_day_with_a_note_says_so_in_the_list_without_the_note(patient, database):
    await patient.check_in(local_date=patient.today().isoformat(), note="Told my sister about the dreams")
    await patient.check_in(local_date=(patient.today() - timedelta(days=1)).isoformat())
    html = (await patient.get("/checkins")).text
    rows = re.findall(r'<span class="history__values">(.*?)</span>', html)
    assert rows == ["Mood 5 · Anxiety 4 · Sleep 7.5 h · Note", "Mood 5 · Anxiety 4 · Sleep 7.5 h"]
    assert "sister" not in html
    month = await patient.get(f"/checkins?month={patient.today():%Y-%m}")
    assert "Sleep 7.5 h · Note</span>" in month.text and "sister" not in month.text


async def test_a_page_past_the_end_is_sent_to_the_last_pages_address(patient, database):
    """/checkins?page=7 of 2 showed page 2 under page=7: the address, Back and the pager disagreed."""
    insert_checkins(database, [date(2025, 1, 1) + timedelta(days=n) for n in range(25)])
    response = await patient.get("/checkins?page=7")
    assert response.status_code == 303 and response.headers["location"] == "/checkins?page=2"
    response = await patient.get("/checkins?page=7", follow_redirects=True)
    assert response.status_code == 200 and str(response.url).endswith("/checkins?page=2")
    assert "Page 2 of 2" in response.text and len(listed_days(response.text)) == 5
    assert 'href="/checkins?page=1" rel="prev">Newer</a>' in response.text and 'rel="next"' not in response.text
    for asked in ("0", "-3"):
        assert (await patient.get(f"/checkins?page={asked}")).headers["location"] == "/checkins?page=1"
    # The rest of the address stays: a delete from a last page that emptied it says so on the page before.
    response = await patient.get("/checkins?page=3&deleted=1")
    assert response.headers["location"] == "/checkins?page=2&deleted=1"
    htmx = await patient.get("/checkins?page=7", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert htmx.status_code == 204 and htmx.headers["hx-redirect"] == "/checkins?page=2"


@pytest.mark.parametrize("asked", ["abc", "", "1.5", "2abc", "%EF%BC%92", "%00", "1e3", "9" * 5000 + "x"])
async def test_a_page_that_is_no_number_is_the_first_page_at_its_own_address(patient, database, asked):
    """/checkins?page=abc (an address edited by hand, a mangled link) was a bare 400 page."""
    insert_checkins(database, [date(2025, 1, 1) + timedelta(days=n) for n in range(25)])
    response = await patient.get(f"/checkins?page={asked}&deleted=1")
    assert response.status_code == 303 and response.headers["location"] == "/checkins?page=1&deleted=1"
    landed = await patient.get(response.headers["location"])
    assert landed.status_code == 200 and "Page 1 of 2" in landed.text and len(listed_days(landed.text)) == 20
    htmx = await patient.get(f"/checkins?page={asked}", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert htmx.status_code == 204 and htmx.headers["hx-redirect"] == "/checkins?page=1"


async def test_a_page_asked_for_twice_is_one_page_at_one_address(patient, database):
    """Litestar reads the last of a repeated parameter: the address kept both."""
    insert_checkins(database, [date(2025, 1, 1) + timedelta(days=n) for n in range(25)])
    for query in ("page=1&page=2", "page=x&page=2", "page=2&page=2"):
        response = await patient.get(f"/checkins?{query}")
        assert response.status_code == 303 and response.headers["location"] == "/checkins?page=2"
    response = await patient.get("/checkins?page=2", follow_redirects=True)
    assert response.status_code == 200 and not response.history


async def test_an_empty_history_is_page_one_whatever_page_is_asked_for(patient):
    response = await patient.get("/checkins?page=4", follow_redirects=True)
    assert response.status_code == 200 and str(response.url).endswith("/checkins?page=1")
    assert len(response.history) == 1 and "No check-ins yet" in response.text


async def test_it_deletes_a_check_in_after_confirmation(patient, database):
    await patient.check_in()
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    confirm = await patient.get(f"/checkins/{checkin_id}/delete")
    assert "Delete this check-in?" in confirm.text
    response = await patient.post(f"/checkins/{checkin_id}/delete")
    assert response.status_code == 303
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


def link_to(html: str, words: str) -> str:
    """The address of the link (or button link) whose text is `words`."""
    return unescape(re.search(rf'<a [^>]*href="([^"]*)"[^>]*>{re.escape(words)}</a>', html).group(1))


async def test_a_check_in_deleted_from_a_month_of_history_goes_back_to_that_month(patient, database):
    """Deleting a check-in opened from September's page landed on the list's first page, newest first."""
    insert_checkins(database, [date(2026, 9, 3), date(2026, 9, 17), date(2026, 10, 2)])
    september = (await patient.get("/checkins?month=2026-09")).text
    opened = re.search(r'<a class="history__item" href="([^"]*)">', september).group(1)
    assert opened.endswith("?back=/checkins%3Fmonth%3D2026-09")
    detail = (await patient.get(opened)).text
    assert link_to(detail, "Back to September 2026") == "/checkins?month=2026-09"
    confirm = (await patient.get(link_to(detail, "Delete"))).text
    assert link_to(confirm, "Keep it") == opened
    action = unescape(re.search(r'<form method="post" action="([^"]*)">', confirm).group(1))
    response = await patient.post(action)
    assert response.status_code == 303 and response.headers["location"] == "/checkins?month=2026-09&deleted=1"
    landed = (await patient.get(response.headers["location"])).text
    assert "The check-in was deleted." in landed and "<h2>September 2026</h2>" in landed
    assert len(listed_days(landed)) == 1
    # With htmx, the same place as a full navigation.
    other = re.search(r'<a class="history__item" href="/checkins/(\d+)\?', landed).group(1)
    response = await patient.post(f"/checkins/{other}/delete?back=/checkins%3Fmonth%3D2026-09",
                                  headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/checkins?month=2026-09&deleted=1"


async def test_a_check_in_opened_from_a_later_page_of_history_leads_back_to_that_page(patient, database):
    insert_checkins(database, [date(2025, 1, 1) + timedelta(days=n) for n in range(25)])
    second = (await patient.get("/checkins?page=2")).text
    opened = re.search(r'<a class="history__item" href="([^"]*)">', second).group(1)
    detail = (await patient.get(opened)).text
    assert link_to(detail, "Back to page 2 of your check-ins") == "/checkins?page=2"
    first = (await patient.get("/checkins")).text
    opened = re.search(r'<a class="history__item" href="([^"]*)">', first).group(1)
    assert "?" not in opened
    assert link_to((await patient.get(opened)).text, "Back to all check-ins") == "/checkins"


# Ways back a page could be sent that are no History page: each must lead to History's start.
NOT_HISTORY_ADDRESSES = ["https://evil.example/", "//evil.example/checkins", "/signout",
                         "/checkins?month=2026-09&next=https://evil.example", "/checkins%0d%0aSet-Cookie:x"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-form", "htmx"])
async def test_a_check_in_changed_from_a_month_of_history_leads_back_to_that_month(patient, database, htmx):
    """Its Change link dropped the month: after the save, the way back led to History's start."""
    yesterday = patient.today() - timedelta(days=1)
    insert_checkins(database, [yesterday])
    month = f"{yesterday:%Y-%m}"
    listed = (await patient.get(f"/checkins?month={month}")).text
    detail = (await patient.get(re.search(r'<a class="history__item" href="([^"]*)">', listed).group(1))).text
    change = link_to(detail, "Change")
    assert change == f"/checkin?day={yesterday.isoformat()}&back=/checkins%3Fmonth%3D{month}"
    form = (await patient.get(change)).text
    assert f'<input type="hidden" name="back" value="/checkins?month={month}">' in form
    sent = {"local_date": yesterday.isoformat(), "mood": "7", "anxiety": "3", "sleep_hours": "7",
            "thoughts": "0", "back": f"/checkins?month={month}"}
    headers = {"HX-Request": "true", "x-csrftoken": await patient.csrf_token()} if htmx else {}
    response = await patient.post("/checkin", sent, headers=headers)
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    landing = response.headers["HX-Push-Url" if htmx else "location"]
    assert landing == f"/checkins/{checkin_id}?saved=updated&back=/checkins%3Fmonth%3D{month}"
    saved = (await patient.get(landing)).text
    for page in (saved, response.text) if htmx else (saved,):  # htmx: the answer itself too
        assert link_to(page, f"Back to {yesterday:%B %Y}") == f"/checkins?month={month}"
        assert link_to(page, "Change it") == change
    # Sent back with an error, the change still carries the month.
    refused = (await patient.post("/checkin", sent | {"mood": "11"}, headers=headers)).text
    assert f'<input type="hidden" name="back" value="/checkins?month={month}">' in refused


@pytest.mark.parametrize("back", NOT_HISTORY_ADDRESSES)
async def test_a_change_carries_no_way_back_that_is_not_a_history_page(patient, database, back):
    await patient.check_in()
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    form = (await patient.get("/checkin", params={"day": patient.today().isoformat(), "back": back})).text
    assert "Change your check-in" in form and 'name="back"' not in form and "evil" not in form
    sent = {"local_date": patient.today().isoformat(), "mood": "7", "anxiety": "3", "sleep_hours": "7",
            "thoughts": "0", "back": back}
    response = await patient.post("/checkin", sent)
    assert response.headers["location"] == f"/checkins/{checkin_id}?saved=updated"
    saved = (await patient.get(f"/checkins/{checkin_id}", params={"saved": "updated", "back": back})).text
    assert "evil" not in saved and "Back to" not in saved


@pytest.mark.parametrize("back", NOT_HISTORY_ADDRESSES)
async def test_a_way_back_that_is_not_a_history_page_leads_to_historys_start(patient, database, back):
    await patient.check_in()
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    detail = (await patient.get(f"/checkins/{checkin_id}", params={"back": back})).text
    assert link_to(detail, "Back to all check-ins") == "/checkins" and "evil" not in detail
    confirm = (await patient.get(f"/checkins/{checkin_id}/delete", params={"back": back})).text
    assert "evil" not in confirm and f'action="/checkins/{checkin_id}/delete"' in confirm
    response = await patient.post(f"/checkins/{checkin_id}/delete", params={"back": back})
    assert response.status_code == 303 and response.headers["location"] == "/checkins?deleted=1"


# `back` as it may arrive in an address, already percent-encoded: other sites however written,
# script, a second `back`, double encoding, control characters (a header split), and very long.
HOSTILE_BACK_QUERIES = [
    "//evil.example", "https://x", "/%5Cevil.example", "%2F%2Fevil.example", "javascript:", "javascript:alert(1)",
    "/%09/evil.example", "%EF%BC%8F%EF%BC%8Fevil.example", "%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    "/checkins%253Fmonth%253D2026-09", "/checkins%3Fmonth%3D2026-09%0A", "%20/checkins%3Fmonth%3D2026-09",
    "/checkins%3Fmonth%3D2026-09%0D%0ALocation:%20//evil.example", "/checkins%3Fmonth%3D2026-09%00",
    "/checkins%3Fmonth%3D2026-09&back=//evil.example", "/checkins%3Fmonth%3D2026-09" + "x" * 6000,
]


@pytest.mark.parametrize("back", HOSTILE_BACK_QUERIES)
async def test_a_hostile_way_back_reaches_no_page_and_no_redirect(patient, database, back):
    """Every reader of `back` (a check-in's page, its saved page, its delete confirmation, its change
    form, the save and the delete) answers as for History's start: no 500, nothing of the value
    on the page, no redirect anywhere else."""
    await patient.check_in()
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    today = patient.today().isoformat()
    for address in (f"/checkins/{checkin_id}", f"/checkins/{checkin_id}?saved=updated",
                    f"/checkins/{checkin_id}/delete", f"/checkin?day={today}"):
        response = await patient.get(f"{address}{'&' if '?' in address else '?'}back={back}")
        assert response.status_code == 200
        page = response.text
        assert not any(word in page for word in ("evil", "alert(", "javascript", "Location:", "back="))
        assert 'name="back"' not in page and "Back to " not in page.replace("Back to all check-ins", "")
    sent = {"local_date": today, "mood": "6", "anxiety": "3", "sleep_hours": "7", "thoughts": "0",
            "back": unquote(back)}
    response = await patient.post("/checkin", sent)
    assert response.headers["location"] == f"/checkins/{checkin_id}?saved=updated"
    response = await patient.post("/checkin", sent, headers={"HX-Request": "true"})
    assert response.headers["hx-push-url"] == f"/checkins/{checkin_id}?saved=updated" and "evil" not in response.text
    response = await patient.post(f"/checkins/{checkin_id}/delete?back={back}")
    assert response.status_code == 303 and response.headers["location"] == "/checkins?deleted=1"


async def test_its_delete_confirmation_says_what_is_lost_and_when_the_day_can_be_filled_again(patient, database):
    await patient.check_in(mood=3, note="rough day")
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    confirm = (await patient.get(f"/checkins/{checkin_id}/delete")).text
    assert "You would lose: mood 3, anxiety 4, sleep 7.5 h, and your note." in confirm
    assert "You can fill this day in again until the end of" in confirm


async def test_its_delete_confirmation_warns_that_an_older_day_cannot_be_filled_again(patient, database):
    insert_checkin(database, patient.today() - timedelta(days=10))
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    confirm = (await patient.get(f"/checkins/{checkin_id}/delete")).text
    assert "once deleted it can&#39;t be filled in again" in confirm


async def test_it_edits_a_recent_check_in_from_its_page(patient, database):
    await patient.check_in(mood=2)
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    detail = await patient.get(f"/checkins/{checkin_id}")
    assert f'href="/checkin?day={patient.today().isoformat()}"' in detail.text
    form = await patient.get(f"/checkin?day={patient.today().isoformat()}")
    assert "Change your check-in" in form.text and 'value="2" checked' in form.text


async def test_a_change_sent_back_with_an_error_is_still_that_days_change(patient, database):
    await patient.check_in(mood=2)
    page = (await patient.check_in(mood=3, sleep_hours="25")).text
    assert "Enter hours of sleep from 0 to 24" in page
    assert "Change your check-in" in page and "Daily check-in" not in page
    assert '<select id="local_date"' not in page  # no day picker: the day stays the one being changed
    assert f'<input type="hidden" name="local_date" value="{patient.today().isoformat()}">' in page
    assert [row["mood"] for row in database.execute("SELECT mood FROM checkins")] == [2]


@pytest.mark.parametrize("thoughts", [0, 1, 2, 3])
async def test_a_past_check_in_with_thoughts_above_none_points_to_help(patient, database, thoughts):
    """Saving it showed Get help now; opened again later (from History), the day showed its
    answer, "Thoughts with a plan or intent to act" too, and nothing more, as a past PHQ-9 once did."""
    await patient.check_in(thoughts=thoughts)
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    html = (await patient.get(f"/checkins/{checkin_id}")).text
    if thoughts == 0:
        assert 'role="note"' not in html and 'href="/help"' not in html.split("<main", 1)[1]
        return
    note = html.split('<div class="alert" role="note">', 1)[1].split("</div>", 1)[0]
    assert "thoughts of death or suicide" in note and '<a href="/help">Get help now</a>' in note


async def test_it_returns_404_for_another_patients_check_in(patient, other_patient, database):
    await patient.check_in(note="private")
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    for path in (f"/checkins/{checkin_id}", f"/checkins/{checkin_id}/delete"):
        response = await other_patient.get(path)
        assert response.status_code == 404
        assert "private" not in response.text
    response = await other_patient.post(f"/checkins/{checkin_id}/delete")
    assert response.status_code == 404
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 1


async def test_it_never_shows_one_patients_check_ins_to_another(patient, other_patient):
    await patient.check_in(note="only mine")
    history = await other_patient.get("/checkins")
    home = await other_patient.get("/")
    assert "only mine" not in history.text and "No check-ins yet" in history.text
    assert "You haven't checked in today" in home.text


async def test_it_sends_a_signed_out_visitor_to_sign_in(stranger):
    for path in ("/", "/checkin", "/checkins", "/safety-plan", "/account"):
        response = await stranger.get(path)
        if path == "/":
            assert "Create an account" in response.text
        else:
            assert response.status_code == 303
            assert response.headers["location"] == f"/signin?next={path}"


async def test_it_serves_the_form_fragment_to_htmx_and_the_page_to_boosted_links(patient):
    fragment = await patient.get("/checkin", headers={"HX-Request": "true"})
    page = await patient.get("/checkin", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" not in fragment.text and "Save check-in" in fragment.text
    assert "<html" in page.text


async def test_a_read_after_a_half_read_cursor_still_sees_new_commits(app, patient, database):
    """A reader left mid-SELECT must not pin an old snapshot for the next request."""
    db = app.state.db
    for _ in range(db._reader_count):
        async with db.read() as conn:
            await conn.execute("SELECT id FROM users")  # deliberately never fetched
    await patient.check_in(mood=9)
    for _ in range(db._reader_count):
        assert "Today's check-in is done" in (await patient.get("/")).text


async def test_a_form_saved_after_midnight_asks_for_a_day_instead_of_overwriting_today(
        patient, database, monkeypatch):
    real_now = rendering.utc_now
    monkeypatch.setattr(rendering, "utc_now", lambda: real_now() - timedelta(days=1))
    oldest = patient.today() - timedelta(days=8)  # the oldest editable day, until midnight
    await patient.check_in(local_date=oldest.isoformat(), mood=1, note="last week")
    form = await patient.get(f"/checkin?day={oldest.isoformat()}")
    assert f'type="hidden" name="local_date" value="{oldest.isoformat()}"' in form.text
    monkeypatch.setattr(rendering, "utc_now", real_now)  # midnight passes
    await patient.check_in(mood=9, note="today")  # meanwhile, from the phone

    answers = {"mood": "1", "anxiety": "4", "sleep_hours": "7.5", "thoughts": "0", "note": "last week"}
    refused = await patient.post("/checkin", {"local_date": oldest.isoformat(), **answers})
    assert refused.status_code == 422
    assert "can no longer be changed" in refused.text and ">last week</textarea>" in refused.text
    # Save pressed again on the page that came back:
    again = await patient.post("/checkin", {**day_the_browser_sends(refused.text), **answers})
    assert again.status_code == 422
    assert 'id="local_date-error"' in again.text and ">last week</textarea>" in again.text
    today = database.execute("SELECT mood, note FROM checkins WHERE local_date = ?",
                             (patient.today().isoformat(),)).fetchone()
    assert tuple(today) == (9, "today")


async def test_a_day_already_done_offers_the_empty_earlier_days(patient, database):
    joined_days_ago(database, 30)
    today = patient.today()
    await patient.check_in()
    await patient.check_in(local_date=(today - timedelta(days=2)).isoformat())
    html = (await patient.get("/checkin")).text
    assert "Change your check-in" in html and "Missed a day?" in html
    offered = re.findall(r'href="/checkin\?day=([0-9-]+)"', html)
    assert offered == [(today - timedelta(days=n)).isoformat() for n in (1, 3, 4)]  # the three most recent


def picker_days(html: str) -> list[str]:
    picker = re.search(r'<select id="local_date".*?</select>', html, flags=re.S).group(0)
    return re.findall(r'<option value="([^"]+)"', picker)


async def test_a_new_check_in_does_not_offer_a_day_already_checked_in_so_it_cannot_replace_it_unseen(
        patient, database):
    today = patient.today()
    yesterday, earlier = today - timedelta(days=1), today - timedelta(days=3)
    await patient.check_in(local_date=yesterday.isoformat(), mood=8, note="A good walk")
    html = (await patient.get("/checkin")).text
    assert "Daily check-in" in html
    assert picker_days(html) == [(today - timedelta(days=n)).isoformat() for n in (0, 2, 3, 4, 5, 6, 7)]
    assert "Days you've already checked in aren't listed" in html
    assert 'aria-describedby="local_date-hint"' in html
    # An earlier empty day opened from Today's week strip: neither yesterday nor, once done, today.
    await patient.check_in(mood=6)
    html = (await patient.get(f"/checkin?day={earlier.isoformat()}")).text
    assert day_the_browser_sends(html) == {"local_date": earlier.isoformat()}
    assert today.isoformat() not in picker_days(html) and yesterday.isoformat() not in picker_days(html)


async def test_a_change_sent_back_with_an_error_keeps_its_day_offered(patient, database):
    yesterday = patient.today() - timedelta(days=1)
    await patient.check_in(local_date=yesterday.isoformat(), mood=8)
    refused = await patient.check_in(local_date=yesterday.isoformat(), mood=3, sleep_hours="lots")
    assert refused.status_code == 422
    assert day_the_browser_sends(refused.text) == {"local_date": yesterday.isoformat()}


async def test_a_new_patient_is_offered_every_day_in_reach_with_no_word_of_days_left_out(patient):
    html = (await patient.get("/checkin")).text
    assert len(picker_days(html)) == 8 and "aren't listed" not in html


async def test_days_before_the_account_existed_are_not_offered_as_missed(patient, database):
    joined_days_ago(database, 2)
    await patient.check_in()
    offered = re.findall(r'href="/checkin\?day=([0-9-]+)"', (await patient.get("/checkin")).text)
    assert offered == [(patient.today() - timedelta(days=n)).isoformat() for n in (1, 2)]


async def test_after_a_day_filled_in_before_joining_the_days_since_it_are_offered_as_on_the_charts(
        patient, database):
    joined_days_ago(database, 1)
    await patient.check_in()
    await patient.check_in(local_date=(patient.today() - timedelta(days=4)).isoformat())
    offered = re.findall(r'href="/checkin\?day=([0-9-]+)"', (await patient.get("/checkin")).text)
    assert offered == [(patient.today() - timedelta(days=n)).isoformat() for n in (1, 2, 3)]


async def test_a_day_out_of_reach_in_the_address_says_so_and_opens_today(patient):
    html = (await patient.get(f"/checkin?day={(patient.today() - timedelta(days=10)).isoformat()}")).text
    assert "is more than 7 days ago, so it can no longer be filled in or changed" in html
    assert "This is today&#39;s check-in." in html
    future = (await patient.get(f"/checkin?day={(patient.today() + timedelta(days=1)).isoformat()}")).text
    assert "That day hasn&#39;t happened yet, so this is today&#39;s check-in." in future
    assert "Missed a day?" not in html


async def test_today_welcomes_back_after_two_weeks_away_and_says_which_days_can_be_filled(patient, database):
    joined_days_ago(database, 30)
    insert_checkin(database, patient.today() - timedelta(days=15))
    home = (await patient.get("/")).text
    assert "Welcome back" in home and "days before that stay empty" in home
    yesterday = (patient.today() - timedelta(days=1)).isoformat()
    assert f'<a href="/checkin?day={yesterday}">Fill in a missed day</a>' in home


async def test_today_has_no_welcome_back_on_the_first_day_or_the_day_after_a_check_in(patient):
    assert "Welcome back" not in (await patient.get("/")).text
    await patient.check_in(local_date=(patient.today() - timedelta(days=1)).isoformat())
    assert "Welcome back" not in (await patient.get("/")).text


# --- Without JavaScript, a save goes to its check-in's own address (Post/Redirect/Get) ------------


def first_in_main(html: str) -> str:
    """The first element inside <main>: what a patient and a screen reader meet first."""
    return html.split('<main id="main" tabindex="-1">', 1)[1].lstrip()[:60]


async def test_without_javascript_a_save_lands_on_its_page_so_back_and_reload_send_nothing_again(
        patient, database):
    form = {"local_date": patient.today().isoformat(), "mood": "6", "anxiety": "3", "sleep_hours": "7.5",
            "thoughts": "0", "note": "Slept well"}
    response = await patient.post("/checkin", form)
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    assert response.status_code == 303 and response.headers["location"] == f"/checkins/{checkin_id}?saved=new"
    for _ in range(2):  # the page reloaded: nothing is sent, nothing stored
        page = await patient.get(response.headers["location"])
        assert page.status_code == 200 and "<h1" in page.text and ">Check-in saved</h1>" in page.text
        assert "thank you for checking in" in page.text and "Slept well" in page.text
        assert "<dd>6 / 10</dd>" in page.text and not crisis_region(page.text)
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 1

    changed = await patient.post("/checkin", form | {"mood": "7"})
    assert changed.headers["location"] == f"/checkins/{checkin_id}?saved=updated"
    page = await patient.get(changed.headers["location"])
    assert ">Check-in updated</h1>" in page.text and "<dd>7 / 10</dd>" in page.text


@pytest.mark.parametrize(("thoughts", "wording"), [
    (1, "You don&#39;t have to carry these thoughts alone"),
    (2, "Please reach out to someone now"),
    (3, "If you might act on these thoughts, call"),
])
async def test_without_javascript_get_help_now_comes_in_the_answer_to_the_form(patient, thoughts, wording):
    """No redirect on the crisis path: one trip, the panel worded for the answers as sent."""
    form = {"local_date": patient.today().isoformat(), "mood": "2", "anxiety": "8", "sleep_hours": "4",
            "thoughts": str(thoughts), "note": ""}
    response = await patient.post("/checkin", form)
    assert response.status_code == 200 and "Check-in saved" in response.text
    assert crisis_region(response.text) and wording in response.text
    assert first_in_main(response.text).startswith('<section class="crisis')


async def test_with_htmx_a_save_is_answered_with_its_page_at_once_under_the_address_it_lands_on(
        patient, database):
    """The address bar and the history get the saved check-in's own address, the one a save without
    JavaScript lands on, so Back from the next page loads it (htmx keeps no copy of a page), not
    today's form: empty after a save for an earlier day, and without Get help now."""
    token = await patient.csrf_token()
    htmx = {"HX-Request": "true", "x-csrftoken": token}
    yesterday = (patient.today() - timedelta(days=1)).isoformat()
    form = {"local_date": yesterday, "mood": "5", "anxiety": "4", "sleep_hours": "7", "thoughts": "0"}
    response = await patient.http.post("/checkin", data=form, headers=htmx)
    assert response.status_code == 200 and "Check-in saved" in response.text and "<html" not in response.text
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    assert response.headers["HX-Push-Url"] == f"/checkins/{checkin_id}?saved=new"

    changed = await patient.http.post("/checkin", data=form | {"mood": "6"}, headers=htmx)
    assert "Check-in updated" in changed.text
    assert changed.headers["HX-Push-Url"] == f"/checkins/{checkin_id}?saved=updated"

    # The answers call for Get help now: it comes in the answer itself, and the address pushed
    # shows it first too, from the stored answer.
    crisis = await patient.http.post("/checkin", data=form | {"thoughts": "2"}, headers=htmx)
    assert crisis_region(crisis.text) and "Please reach out to someone now" in crisis.text
    assert crisis.headers["HX-Push-Url"] == f"/checkins/{checkin_id}?saved=updated"
    landing = (await patient.get(crisis.headers["HX-Push-Url"])).text
    assert first_in_main(landing).startswith('<section class="crisis')
    # Below Get help now, the page's h1, its title is an h2.
    assert "Please reach out to someone now" in landing and ">Check-in updated</h2>" in landing

    refused = await patient.http.post("/checkin", data=form | {"mood": "11"}, headers=htmx)
    assert refused.status_code == 422 and refused.headers["HX-Push-Url"] == "false"  # no page of its own


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-form", "htmx"])
async def test_back_onto_the_first_saved_page_shows_get_help_now_for_the_answer_changed_since(
        patient, database, htmx):
    """Saved with thoughts "none", then changed to a higher answer: the first save's address
    (`?saved=new`, made when the answer was "none") still names the same check-in, and loaded
    again (Back) it is the stored answer, not the one the address was made for, that words the
    panel. The answer is nowhere in the address."""
    headers = {"HX-Request": "true", "x-csrftoken": await patient.csrf_token()} if htmx else {}
    form = {"local_date": patient.today().isoformat(), "mood": "5", "anxiety": "4", "sleep_hours": "7",
            "thoughts": "0"}
    first = await patient.post("/checkin", form, headers=headers)
    landing = first.headers["HX-Push-Url" if htmx else "location"]
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    assert landing == f"/checkins/{checkin_id}?saved=new"
    assert not crisis_region((await patient.get(landing)).text)

    changed = await patient.post("/checkin", form | {"thoughts": "3"}, headers=headers)
    assert changed.status_code == 200 and crisis_region(changed.text)
    assert [tuple(row) for row in database.execute("SELECT id, thoughts FROM checkins")] == [(checkin_id, 3)]
    back = (await patient.get(landing)).text
    assert crisis_region(back) and first_in_main(back).startswith('<section class="crisis')
    assert "If you might act on these thoughts, call" in back and "Check-in saved" in back

    # And down again: the stored "none" takes the panel away from both addresses.
    await patient.post("/checkin", form | {"thoughts": "0"}, headers=headers)
    for address in (landing, f"/checkins/{checkin_id}?saved=updated"):
        assert not crisis_region((await patient.get(address)).text)


async def test_the_page_a_save_lands_on_shows_get_help_now_first_when_its_stored_thoughts_call_for_it(
        patient, other_patient, database):
    """Get help now comes in the answer to the form (no redirect), worded for the stored answer
    when the form was sent again with its key and a lower answer: Lift kept the first send's.
    Where a save lands without JavaScript, the stored answer words it too."""
    key = "0b7e7c1e-4f4a-4a3e-9a51-6c2d8a0f1b23"
    form = {"local_date": patient.today().isoformat(), "mood": "2", "anxiety": "8", "sleep_hours": "4",
            "client_uuid": key}
    first = await patient.post("/checkin", form | {"thoughts": "2"})
    assert first.status_code == 200 and crisis_region(first.text)
    again = await patient.post("/checkin", form | {"thoughts": "0"})
    assert again.status_code == 200 and crisis_region(again.text)
    assert "Please reach out to someone now" in again.text
    landing = f"/checkins/{database.execute('SELECT id FROM checkins').fetchone()[0]}?saved=new"
    page = (await patient.get(landing)).text
    assert crisis_region(page) and first_in_main(page).startswith('<section class="crisis')
    assert "Please reach out to someone now" in page and "Check-in saved" in page
    assert (await other_patient.get(landing)).status_code == 404
