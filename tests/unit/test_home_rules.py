from datetime import date, timedelta

from lift.domain import home

TODAY = date(2026, 11, 29)


def test_it_offers_the_first_steps_for_an_empty_or_young_journal():
    assert home.in_first_weeks(None, TODAY)
    assert home.in_first_weeks(TODAY - timedelta(days=13), TODAY)


def test_it_stops_offering_them_after_two_weeks():
    assert not home.in_first_weeks(TODAY - timedelta(days=14), TODAY)


def test_it_offers_only_the_steps_not_taken():
    assert [s.key for s in home.open_steps(has_treatment_plan=False, has_device=False, shares=False)] == [
        "treatment", "reminders", "sharing"]
    assert [s.key for s in home.open_steps(has_treatment_plan=True, has_device=False, shares=True)] == [
        "reminders"]
    assert home.open_steps(has_treatment_plan=True, has_device=True, shares=True) == []
