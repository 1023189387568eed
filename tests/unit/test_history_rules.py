"""Paging and months for History and the questionnaire results list, and the access log's pages of
whole days (domain/paging, domain/months)."""

from datetime import date

import pytest

from lift.domain.months import (Month, MonthCount, bad_month_message, empty_month_message, history_place,
                                month_counts, neighbours, parse_month, picker_months)
from lift.domain.paging import asked_page, day_pages, page_of


@pytest.mark.parametrize("asked, total, expected", [
    (1, 0, (1, 1, 0)),  # an empty list is page 1 of 1
    (1, 20, (1, 1, 0)),
    (2, 21, (2, 2, 20)),
    (0, 45, (1, 3, 0)),
    (-5, 45, (1, 3, 0)),
    (3, 45, (3, 3, 40)),
    (4, 45, (3, 3, 40)),  # beyond the end: the last page, not an empty one
    (10**30, 45, (3, 3, 40)),
])
def test_a_page_stays_within_the_list(asked, total, expected):
    page = page_of(asked, total, 20)
    assert (page.number, page.pages, page.offset) == expected


@pytest.mark.parametrize("raw, expected", [
    (None, 1), ("", 1), ("2", 2), (" 2 ", 2), ("+2", 2), ("007", 7), ("0", 0), ("-3", -3),
    ("9" * 5000, 10**9),  # int() itself refuses a number this long: past any end, not an error
    ("-" + "9" * 5000, -10**9), ("000000000000000000002", 2),
    # No whole number: the first page, never a refusal.
    ("abc", 1), ("1.5", 1), ("1e3", 1), ("1_0", 1), ("２", 1), ("2abc", 1), ("--2", 1), ("\x00", 1), ("-", 1),
])
def test_a_page_number_in_an_address_is_read_leniently(raw, expected):
    assert asked_page(raw) == expected


@pytest.mark.parametrize("day_sizes, expected", [
    ([], []),
    ([3], [range(0, 1)]),
    ([20, 30, 1], [range(0, 2), range(2, 3)]),  # 50 fit on one page, the 51st entry's day begins the next
    ([49, 2, 48], [range(0, 1), range(1, 3)]),  # the old page of 50 entries split the second day
    ([120, 1, 1], [range(0, 1), range(1, 3)]),  # a day of more than a page is a page alone, never split
    ([1, 120, 1], [range(0, 1), range(1, 2), range(2, 3)]),
])
def test_the_access_log_pages_whole_days_of_at_most_a_pages_entries(day_sizes, expected):
    assert day_pages(day_sizes, 50) == expected


@pytest.mark.parametrize("raw, expected", [
    ("2026-03", Month(2026, 3)),
    (" 2026-12 ", Month(2026, 12)),
    ("0001-01", Month(1, 1)),
    ("9999-12", Month(9999, 12)),
])
def test_a_month_is_read_from_year_dash_month(raw, expected):
    assert parse_month(raw) == expected


@pytest.mark.parametrize("raw", ["2026-13", "2026-00", "0000-05", "2026-3", "26-03", "2026-03-01", "March",
                                 "", "２０２６-０３", "2026-03\n1", "'; DROP TABLE checkins"])
def test_anything_else_is_no_month(raw):
    assert parse_month(raw) is None


def test_a_month_knows_its_first_and_last_day_and_its_name():
    assert (Month(2024, 2).first, Month(2024, 2).last) == (date(2024, 2, 1), date(2024, 2, 29))
    assert Month(2025, 2).last == date(2025, 2, 28)
    assert Month(9999, 12).last == date(9999, 12, 31)
    assert (Month(2026, 3).key, Month(2026, 3).label) == ("2026-03", "March 2026")


def test_the_month_list_is_newest_first_with_its_counts():
    counts = month_counts([("2025-12", 31), ("2026-02", 1), ("2026-01", 12)])
    assert [c.month for c in counts] == [Month(2026, 2), Month(2026, 1), Month(2025, 12)]
    assert [c.count for c in counts] == [1, 12, 31]


def test_the_month_picker_offers_the_month_shown_even_without_check_ins():
    counts = month_counts([("2025-12", 31), ("2026-02", 1)])
    assert picker_months(counts, None) == [Month(2026, 2), Month(2025, 12)]
    assert picker_months(counts, Month(2026, 2)) == [Month(2026, 2), Month(2025, 12)]
    assert picker_months(counts, Month(2026, 1)) == [Month(2026, 2), Month(2026, 1), Month(2025, 12)]
    assert picker_months([], Month(2030, 5)) == [Month(2030, 5)]


def test_a_stored_date_that_is_no_month_is_left_out_of_the_list():
    assert month_counts([("garbage", 3), ("2026-01", 2)]) == [MonthCount(Month(2026, 1), 2)]


def test_the_pager_of_a_month_skips_months_without_check_ins():
    have = [Month(2026, 4), Month(2026, 1), Month(2025, 11)]
    assert neighbours(Month(2026, 1), have) == (Month(2026, 4), Month(2025, 11))
    assert neighbours(Month(2026, 4), have) == (None, Month(2026, 1))
    assert neighbours(Month(2025, 11), have) == (Month(2026, 1), None)
    # A month with none (a bookmark, emptied since) still leads to both sides.
    assert neighbours(Month(2026, 2), have) == (Month(2026, 4), Month(2026, 1))
    assert neighbours(Month(2026, 2), []) == (None, None)


def test_an_empty_month_says_whether_it_is_still_to_come():
    today = date(2026, 3, 15)
    assert empty_month_message(Month(2026, 4), today) == "April 2026 hasn't come yet, so it has no check-ins."
    assert empty_month_message(Month(9999, 12), today) == "December 9999 hasn't come yet, so it has no check-ins."
    assert empty_month_message(Month(2026, 3), today) == "You have no check-ins in March 2026."
    assert empty_month_message(Month(2025, 3), today) == "You have no check-ins in March 2025."


def test_a_bad_month_is_quoted_back_short():
    assert bad_month_message("2026-13", any_checkins=True) == (
        "“2026-13” isn't a month Lift can show. Choose one from the list. Below are all your check-ins, newest first.")
    assert bad_month_message(" x ", any_checkins=False) == "“x” isn't a month Lift can show."
    assert "x" * 21 not in bad_month_message("x" * 5000, any_checkins=True)


@pytest.mark.parametrize("raw, address, label", [
    ("/checkins?month=2026-09", "/checkins?month=2026-09", "Back to September 2026"),
    ("/checkins?page=3", "/checkins?page=3", "Back to page 3 of your check-ins"),
    ("/checkins", "/checkins", "Back to all check-ins"),
    ("/checkins?page=1", "/checkins", "Back to all check-ins"),
    (None, "/checkins", "Back to all check-ins"),
])
def test_a_history_address_sent_back_is_where_the_way_back_leads(raw, address, label):
    place = history_place(raw)
    assert (place.address, place.label) == (address, label)


@pytest.mark.parametrize("raw", [
    "https://evil.example/checkins?month=2026-09", "//evil.example", "/checkins/../signout",
    "/checkins?month=2026-13", "/checkins?month= 2026-09", "/checkins?month=2026-09&x=1", "/checkins?page=0",
    "/checkins?page=-2", "/checkins?page=２", "/checkins?page=9999999", "/checkins?deleted=1",
    "/scales?page=2",
    "/checkins?month=2026-09#top", "javascript:alert(1)", "",
    # The audit of `back`: other sites however written, script, encodings, control characters,
    # spaces and a very long value.
    "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "javascript:", "https://x", "／／evil.example",
    "/checkins%3Fmonth%3D2026-09", "/checkins?month%3D2026-09", "/checkins?month=2026%2D09",
    "/checkins?month=2026-09\n", "\n/checkins?month=2026-09", "/checkins?month=2026-09\r\nLocation: //evil",
    "/checkins?page=2\n", "/checkins?page=2 ", " /checkins?page=2", "/checkins?month=2026-09\x00",
    "/checkins?month=2026-09" + "x" * 10_000, '/checkins?month=2026-09"><script>alert(1)</script>',
    "/checkins/../checkins?month=2026-09", "/checkins/?month=2026-09", "/CHECKINS?month=2026-09",
    "/checkins?Month=2026-09", "/checkins?back=/checkins?month=2026-09",
])
def test_anything_but_a_history_address_leads_back_to_historys_start(raw):
    assert history_place(raw).address == "/checkins"


def test_a_notice_joins_the_address_as_one_more_parameter():
    month = history_place("/checkins?month=2026-09")
    assert month.with_notice("deleted=1") == "/checkins?month=2026-09&deleted=1"
    assert history_place(None).with_notice("deleted=1") == "/checkins?deleted=1"
