"""The time zone list: places a person recognises, each with its offset now, and every old name
still accepted."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from lift.domain import accounts

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
ZONE_TAB = """\
# tzdb timezone descriptions (deprecated version)
#
#country-
#code	coordinates	TZ	comments
AR	-3436-05827	America/Argentina/Buenos_Aires	Buenos Aires (BA, CF)
GB	+513030-0000731	Europe/London
IN	+2232+08822	Asia/Kolkata
NP	+2743+08519	Asia/Kathmandu
US	+404251-0740023	America/New_York	Eastern (most areas)
ZZ	+0000+00000	Nowhere/Gone
"""
ALIASES = ("US/Eastern", "Etc/GMT+5", "GB", "Japan", "EST5EDT", "Asia/Calcutta", "Canada/Pacific")
AVAILABLE = {"America/Argentina/Buenos_Aires", "Europe/London", "Asia/Kolkata", "Asia/Kathmandu",
             "America/New_York", "UTC", *ALIASES, "localtime", "Factory", "posixrules", "posix/Europe/London",
             "right/UTC", "SystemV/EST5"}


def test_every_zone_but_tzdata_internals_is_accepted_aliases_too():
    accepted = accounts.accepted_timezones(AVAILABLE)
    assert set(ALIASES) <= accepted and "America/New_York" in accepted
    internals = {"localtime", "Factory", "posixrules", "posix/Europe/London", "right/UTC", "SystemV/EST5"}
    assert not accepted & internals


def test_zone_tab_gives_its_zone_names_without_comments():
    assert accounts.zone_tab_names(ZONE_TAB) == {
        "America/Argentina/Buenos_Aires", "Europe/London", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York",
        "Nowhere/Gone"}


def test_the_list_offers_the_places_of_zone_tab_and_utc_but_no_alias():
    offered = accounts.offered_timezones(accounts.accepted_timezones(AVAILABLE), ZONE_TAB)
    assert offered == ("America/Argentina/Buenos_Aires", "America/New_York", "Asia/Kathmandu", "Asia/Kolkata",
                       "Europe/London", "UTC")


def test_without_zone_tab_the_list_offers_every_area_and_city_name():
    offered = accounts.offered_timezones(accounts.accepted_timezones(AVAILABLE), None)
    assert offered == ("America/Argentina/Buenos_Aires", "America/New_York", "Asia/Calcutta",
                       "Asia/Kathmandu", "Asia/Kolkata", "Europe/London", "UTC")


@pytest.mark.parametrize("zone, instant, offset", [
    ("America/New_York", WINTER, "UTC−05:00"),
    ("America/New_York", SUMMER, "UTC−04:00"),
    ("Europe/London", WINTER, "UTC+00:00"),
    ("Europe/London", SUMMER, "UTC+01:00"),
    ("Asia/Kolkata", WINTER, "UTC+05:30"),
    ("Asia/Kathmandu", SUMMER, "UTC+05:45"),
    ("America/St_Johns", WINTER, "UTC−03:30"),
    ("UTC", SUMMER, "UTC+00:00"),
    ("Etc/GMT+5", SUMMER, "UTC−05:00"),
])
def test_it_writes_a_zones_offset_at_the_instant(zone, instant, offset):
    assert accounts.utc_offset(ZoneInfo(zone), instant) == offset


def test_the_offset_changes_at_the_instant_the_clocks_do():
    # New York's clocks went forward at 02:00 local on 8 March 2026, 07:00 UTC.
    zone = ZoneInfo("America/New_York")
    assert accounts.utc_offset(zone, datetime(2026, 3, 8, 6, 59, tzinfo=UTC)) == "UTC−05:00"
    assert accounts.utc_offset(zone, datetime(2026, 3, 8, 7, 0, tzinfo=UTC)) == "UTC−04:00"


@pytest.mark.parametrize("zone, label", [
    ("America/New_York", "New York — America (UTC−05:00)"),
    ("America/Argentina/Buenos_Aires", "Buenos Aires — Argentina (UTC−03:00)"),
    ("America/Indiana/Indianapolis", "Indianapolis — Indiana (UTC−05:00)"),
    ("America/North_Dakota/New_Salem", "New Salem — North Dakota (UTC−06:00)"),
    ("America/Port-au-Prince", "Port-au-Prince — America (UTC−05:00)"),
    ("Indian/Maldives", "Maldives — Indian Ocean (UTC+05:00)"),
    ("Asia/Kathmandu", "Kathmandu — Asia (UTC+05:45)"),
    ("UTC", "UTC"),
])
def test_each_place_reads_as_city_region_and_offset(zone, label):
    assert accounts.place_label(ZoneInfo(zone), WINTER) == label


@pytest.mark.parametrize("zone, now, label", [
    ("America/New_York", WINTER, "New York — America (UTC−05:00)"),
    ("America/New_York", SUMMER, "New York — America (UTC−04:00)"),
    ("America/Indiana/Indianapolis", WINTER, "Indianapolis — Indiana (UTC−05:00)"),
    ("Asia/Kolkata", SUMMER, "Kolkata — Asia (UTC+05:30)"),
    ("Asia/Calcutta", WINTER, "Calcutta — Asia (UTC+05:30)"),
    ("US/Eastern", WINTER, "US/Eastern (UTC−05:00)"),
    ("Etc/GMT+5", WINTER, "Etc/GMT+5 (UTC−05:00)"),
    ("UTC", SUMMER, "UTC"),
])
def test_a_persons_zone_reads_as_the_list_words_it_with_its_offset_at_the_instant(zone, now, label):
    assert accounts.zone_label(zone, now) == label


@pytest.mark.parametrize("zone, label", [
    ("America/New_York", "New York — America"),
    ("America/Argentina/Buenos_Aires", "Buenos Aires — Argentina"),
    ("Indian/Maldives", "Maldives — Indian Ocean"),
    ("US/Eastern", "US/Eastern"),
    ("UTC", "UTC"),
])
def test_without_an_instant_a_zone_reads_without_an_offset(zone, label):
    assert accounts.zone_label(zone) == label


def test_the_list_groups_places_by_area_with_cities_in_order_and_utc_last():
    zones = [ZoneInfo(name) for name in ("Europe/London", "America/New_York", "UTC", "Indian/Maldives",
                                         "America/Argentina/Buenos_Aires", "Asia/Kolkata")]
    groups = accounts.zone_groups(zones, SUMMER)
    assert [(group.region, [choice.value for choice in group.choices]) for group in groups] == [
        ("America", ["America/Argentina/Buenos_Aires", "America/New_York"]),
        ("Asia", ["Asia/Kolkata"]),
        ("Europe", ["Europe/London"]),
        ("Indian Ocean", ["Indian/Maldives"]),
        ("Other", ["UTC"]),
    ]
    assert groups[0].choices[1] == accounts.ZoneChoice("America/New_York", "New York — America (UTC−04:00)")


OFFERED = ("America/New_York", "Europe/London", "UTC")
ACCEPTED = frozenset({*OFFERED, "US/Eastern", "Etc/GMT+5"})


@pytest.mark.parametrize("alias, label", [("US/Eastern", "US/Eastern (UTC−05:00)"),
                                          ("Etc/GMT+5", "Etc/GMT+5 (UTC−05:00)")])
def test_a_persons_alias_is_kept_as_its_own_choice_by_its_name_and_real_offset(alias, label):
    groups = accounts.zone_groups([ZoneInfo(name) for name in OFFERED], WINTER)
    select = accounts.zone_list(alias, groups, OFFERED, ACCEPTED, WINTER)
    assert select.kept == accounts.ZoneChoice(alias, label) and select.groups == groups


@pytest.mark.parametrize("chosen", ["Europe/London", "Mars/Olympus", "localtime", None])
def test_an_offered_or_unknown_zone_adds_no_choice(chosen):
    assert accounts.zone_list(chosen, (), OFFERED, ACCEPTED, WINTER).kept is None
