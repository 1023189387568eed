"""CSV rows without a database: RFC 4180 text that Python's csv module reads back to the same
values, formula cells neutralised, instants with the patient's own offset, and columns that
follow the viewer's scope."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from lift.domain import export, schedule, sharing, treatment
from lift.domain.export import Baseline, CheckinRecord, PatientRef, ScaleRecord, SessionRecord

PATIENT = PatientRef(7, "pat@example.com", "America/New_York")
FULL = sharing.visibility(sharing.scope_for("clinician"))


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_like_a_formula_is_neutralised(start):
    assert export.neutralise(f"{start}1+2") == f"'{start}1+2"
    assert export.cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"


@pytest.mark.parametrize("text", [" =1+2", "  +1", "\n=HYPERLINK(1)", "\uff1d1+2", " \uff20SUM(A1)", "\uff0d1",
                                  "\uff0b1"])
def test_a_formula_behind_spaces_or_in_full_width_signs_is_neutralised_too(text):
    assert export.neutralise(text) == "'" + text


def test_other_text_and_numbers_are_written_as_they_are():
    assert export.neutralise("feeling =better") == "feeling =better"
    assert export.neutralise(" slept well") == " slept well" and export.neutralise("") == ""
    assert export.cell(-6) == "-6" and export.cell(7.5) == "7.5" and export.cell(8.0) == "8"
    assert export.cell(None) == "" and export.cell(True) == "1"


def test_rows_round_trip_through_pythons_csv_reader():
    rows = [["a,b", 'say "hi"', "two\nlines", "ünïcode ✓", ""], ["1", "2", "3", "4", "5"]]
    text = export.csv_text(rows)
    assert text.endswith("\r\n") and "\r\n" in text.split('"two\nlines"')[1]
    assert parse(text) == rows


def test_an_instant_carries_the_patients_offset_across_daylight_saving():
    assert export.local_instant("2026-01-15T14:30:00Z", "America/New_York") == "2026-01-15T09:30:00-05:00"
    assert export.local_instant("2026-07-15T14:30:00Z", "America/New_York") == "2026-07-15T10:30:00-04:00"
    assert export.local_instant("2026-07-15T14:30:00Z", "Asia/Kolkata") == "2026-07-15T20:00:00+05:30"
    assert export.local_instant(None, "UTC") is None


def test_a_checkin_row_has_every_documented_column_in_order():
    columns = export.columns_for("checkins", FULL)
    # Clocks in New York went forward at 07:00 UTC that day: the two instants have different offsets.
    record = CheckinRecord("2026-03-08", "2026-03-08T06:30:00Z", "2026-03-08T14:15:00Z", 4, 6, 7.5, 1,
                           '=HYPERLINK("http://evil.example","click")')
    values = dict(zip(export.header(columns), export.checkin_row(PATIENT, record, columns)))
    assert values == {
        "patient_id": "7", "patient_email": "pat@example.com", "timezone": "America/New_York",
        "date": "2026-03-08", "recorded_at": "2026-03-08T01:30:00-05:00",
        "updated_at": "2026-03-08T10:15:00-04:00", "mood": "4", "anxiety": "6", "sleep_hours": "7.5",
        "thoughts": "1", "thoughts_label": "Passing thoughts of death or of not wanting to be here",
        "note": '\'=HYPERLINK("http://evil.example","click")',
    }


def test_a_caregiver_scope_would_have_no_note_thoughts_or_scores_in_any_file():
    seen = sharing.visibility(sharing.scope_for("caregiver"))
    names = {c.name for kind in ("checkins", "scales", "sessions") for c in export.columns_for(kind, seen)}
    assert not names & {"note", "thoughts", "thoughts_label", "sleep_hours", "total", "phq9_9", "side_effects"}
    assert {"date", "mood", "anxiety", "band"} <= names
    with_thoughts = sharing.visibility(sharing.scope_for("caregiver", thoughts=True))
    assert "thoughts" in {c.name for c in export.columns_for("checkins", with_thoughts)}


def scale(id_, day, total, answers=""):
    band = "minimal" if total < 5 else "mild" if total < 10 else "moderate" if total < 15 else "severe"
    band = "moderately-severe" if 15 <= total < 20 else band
    return ScaleRecord(id_, "phq9", day, f"{day}T12:00:00Z", total, band, None, answers)


def test_scale_rows_measure_change_response_and_remission_from_the_baseline():
    columns = export.columns_for("scales", FULL)
    baseline = Baseline(2, "2026-02-01", 18)

    def values(record):
        return dict(zip(export.header(columns), export.scale_row(PATIENT, record, baseline, columns)))

    before = values(scale(1, "2026-01-20", 20))
    at = values(scale(2, "2026-02-01", 18, "phq9_1=2,phq9_9=0"))
    half = values(scale(3, "2026-03-01", 9))
    low = values(scale(4, "2026-04-01", 4))
    assert before["change_from_baseline"] == "" and before["is_baseline"] == "0"
    assert at["is_baseline"] == "1" and at["change_from_baseline"] == "" and at["phq9_1"] == "2"
    assert (half["change_from_baseline"], half["percent_change"], half["response"], half["remission"]) == (
        "-9", "-50", "yes", "no")
    assert (low["response"], low["remission"], low["band"]) == ("yes", "yes", "Minimal")


def test_remission_does_not_apply_to_a_baseline_already_below_5():
    columns = export.columns_for("scales", FULL)
    cells = dict(zip(export.header(columns),
                     export.scale_row(PATIENT, scale(2, "2026-03-01", 2), Baseline(1, "2026-02-01", 4), columns)))
    assert cells["remission"] == "" and cells["response"] == "yes"


def test_a_session_row_spells_out_side_effects_in_the_patients_time():
    columns = export.columns_for("sessions", FULL)
    record = SessionRecord("2026-03-10T15:00:00Z", "induction", "done", 3, 6, "130/85", "140/90", "1_2h",
                           "-felt odd", "nausea=mild,bladder=moderate")
    cells = dict(zip(export.header(columns), export.session_row(PATIENT, record, columns)))
    assert cells["date"] == "2026-03-10" and cells["starts_at"] == "2026-03-10T11:00:00-04:00"
    assert cells["side_effects"] == "Nausea or vomiting: mild; Bladder pain: moderate"
    assert cells["back_to_normal"] == "1 to 2 hours" and cells["note"] == "'-felt odd"


def test_a_session_the_patient_added_reads_as_added_by_the_patient_in_a_clinicians_file():
    """"Added by you" is the patient speaking to themself: in a clinician's file it said they had."""
    record = SessionRecord("2026-03-10T15:00:00Z", treatment.ADDED_BY_PATIENT, "planned", None, None, "", "", None,
                           None, "")
    for named, phase in ((False, "Added by you"), (True, "Added by the patient")):
        columns = export.columns_for("sessions", FULL, named)
        assert dict(zip(export.header(columns), export.session_row(PATIENT, record, columns, named)))["phase"] == phase


def test_the_phase_column_is_defined_by_the_phases_sessions_really_have():
    """It said "e.g. induction or maintenance", words no session carries."""
    meaning = next(m for file, term, m in export.definitions() if (file, term) == ("sessions", "phase"))
    phases = {slot.phase for template, maintenance in (("esketamine", "weekly"), ("esketamine", "every_other_week"),
                                                       ("iv_ketamine", "none"))
              for slot in schedule.template_slots(template, date(2026, 3, 2), maintenance)}
    assert phases == {"Twice a week", "Weekly", "Monthly", "Maintenance, weekly", "Maintenance, every other week"}
    assert all(phase in meaning for phase in phases) and "added by them" in meaning


def test_the_definitions_cover_every_column_and_the_clinical_rules():
    terms = {(file, term) for file, term, _ in export.definitions()}
    for kind in ("checkins", "scales", "sessions"):
        assert {(kind, c.name) for c in export.COLUMNS[kind]} <= terms
    meanings = " ".join(meaning for _, _, meaning in export.definitions())
    assert "at least 50% below the baseline" in meanings and "below 5" in meanings
    assert "Minimal 0-4; Mild 5-9; Moderate 10-14; Moderately severe 15-19; Severe 20-27" in meanings
    assert "not a diagnosis" in meanings


def test_each_file_says_its_text_cells_may_start_with_an_added_apostrophe():
    """The note columns say "as typed", yet a note typed as "-2 degrees outside" is written
    "'-2 degrees outside": with no word on it, a reader took the apostrophe for the patient's."""
    about = {file: meaning for file, term, meaning in export.definitions() if term == "about text cells"}
    assert set(about) == {"checkins", "scales", "sessions"}
    for meaning in about.values():
        assert f"reads {export.neutralise('-2 degrees outside')}." in meaning
        assert all(f"{sign}," in meaning or f"{sign} " in meaning for sign in ("=", "+", "-", "@"))


@pytest.mark.parametrize("named", [False, True])
def test_the_definitions_describe_each_column_of_each_file_once(named):
    pairs = [(file, term) for file, term, _ in export.definitions(named)]
    assert len(pairs) == len(set(pairs)), [pair for pair in pairs if pairs.count(pair) > 1]


@pytest.mark.parametrize("kind", ["checkins", "scales", "sessions"])
def test_a_clinicians_file_ends_with_their_own_name_for_the_patient_after_every_other_column(kind):
    """Appended, so the columns a clinic's spreadsheet or script already reads keep their places;
    the patient's own files have no such column (the name is not theirs to see)."""
    assert export.columns_for(kind, FULL, named=True) == export.columns_for(kind, FULL) + export.GRANTEE_COLUMNS
    assert "your_name_for_patient" not in export.header(export.columns_for(kind, sharing.OWNER))
    assert export.columns_for("definitions", FULL, named=True) == export.DEFINITION_COLUMNS
    named = {(file, term): meaning for file, term, meaning in export.definitions(named=True)}
    assert "only you see it" in named[(kind, "your_name_for_patient")]
    assert (kind, "your_name_for_patient") not in {(file, term) for file, term, _ in export.definitions()}


def test_a_clinicians_name_for_a_patient_is_written_as_text_never_as_a_formula():
    columns = export.columns_for("checkins", FULL, named=True)
    record = CheckinRecord("2026-03-08", "2026-03-08T06:30:00Z", "2026-03-08T14:15:00Z", 4, 6, 7.5, 0, "")
    for label, cell in (("Jane Doe", "Jane Doe"), ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"),
                        (" +44 ref", "' +44 ref"), ("", "")):
        row = export.checkin_row(PatientRef(7, "pat@example.com", "UTC", label), record, columns)
        assert row[-1] == cell and row[:3] == ["7", "pat@example.com", "UTC"]


@pytest.mark.parametrize("start, end, expected", [
    (None, None, export.DateRange(None, None)),
    ("2026-01-01", "", export.DateRange(date(2026, 1, 1), None)),
    ("2026-01-01", "2026-01-01", export.DateRange(date(2026, 1, 1), date(2026, 1, 1))),
    ("2026-02-01", "2026-01-01", None),
    ("yesterday", None, None),
    ("1900-01-01", "2100-12-31", export.DateRange(date(1900, 1, 1), date(2100, 12, 31))),
    ("1899-12-31", None, None),
    (None, "2101-01-01", None),
    ("0001-01-01", "0001-01-07", None),
    (None, "9999-12-31", None),
])
def test_a_date_range_is_two_optional_iso_dates_in_order(start, end, expected):
    assert export.parse_range(start, end)[0] == expected


@pytest.mark.parametrize("start, end, expected", [
    (None, "", {}),
    ("2026-01-01", "2026-01-01", {}),
    ("yesterday", None, {"start": "Enter the From date as year-month-day, like 2026-03-01, or leave it empty."}),
    ("1899-12-31", "2026-02-30", {"start": "Enter a From date in the years 1900 to 2100.",
                                  "end": "Enter the To date as year-month-day, like 2026-03-01, or leave it empty."}),
    ("2026-02-01", "2026-01-01", {"end": "Enter a To date on or after the From date, or leave it empty to go up "
                                         "to the latest entry."}),
    # A From date that is itself wrong is the one to fix first: the order is not judged.
    ("0202-03-01", "2026-01-01", {"start": "Enter a From date in the years 1900 to 2100."}),
])
def test_a_bad_range_says_which_date_to_fix_and_how(start, end, expected):
    assert export.parse_range(start, end)[1] == expected


def test_a_download_of_no_known_file_asks_to_choose_one_beside_the_dates_problems():
    assert export.parse_download("scales", "2026-01-01", None) == (export.DateRange(date(2026, 1, 1), None), {})
    assert export.parse_download("passwords", "2026-01-01", None) == (None, {"kind": export.KIND_PROBLEM})
    assert export.parse_download("", "yesterday", None)[1].keys() == {"kind", "start"}


def test_a_download_name_is_safe_for_a_header_and_a_file_system():
    assert export.filename("checkins", 'pa"tient/../x', "2026-01-01", None) == \
        "lift-pa-tient----x-checkins-2026-01-01-to-latest.csv"
