"""Account rules: what makes an acceptable email, password and time zone."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
import unicodedata
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import msgspec

from lift.domain import dates

PASSWORD_MIN = 10
PASSWORD_MAX = 1024

Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
# Unicode's format (Cf) and control (Cc) characters as code point ranges, for the pattern of an
# address typed for a new account or a new sign-in address, with IGNORABLE_RANGES below
# (`email_problem` says why to the person). The unit tests check both against the running
# Python's Unicode database.
HIDDEN_RANGES = ((0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C),
                 (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
                 (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF),
                 (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438),
                 (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F))
# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt of Unicode 14.0, the
# running Python's; 4174 code points): besides format characters, the combining grapheme joiner
# U+034F, the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0 (shown as a blank), the Khmer
# inherent vowels U+17B4 and U+17B5, the variation selectors, and code points reserved for more
# of these. A text shows each as nothing or as a blank, so an address holding one looks like
# another address.
IGNORABLE_RANGES = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
                    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
                    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
                    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
_HIDDEN = "".join(chr(first) if first == last else f"{chr(first)}-{chr(last)}"
                  for first, last in (*HIDDEN_RANGES, *IGNORABLE_RANGES))
NewEmail = Annotated[str, msgspec.Meta(max_length=254,
                                       pattern=rf"^[^@\s{_HIDDEN}]+@[^@\s{_HIDDEN}]+\.[^@\s{_HIDDEN}]+$")]
Password = Annotated[str, msgspec.Meta(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
AnyPassword = Annotated[str, msgspec.Meta(min_length=1, max_length=PASSWORD_MAX)]
TimeZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]

# The most common passwords of ten or more characters in public breach lists. Shorter
# ones are already refused by the length rule.
COMMON_PASSWORDS = frozenset(
    """
    1234567890 0123456789 0987654321 1111111111 0000000000 1212121212 1122334455
    qwertyuiop asdfghjkl; 1q2w3e4r5t 1qaz2wsx3edc qwerty1234 qwerty12345 qwerty123456
    password12 password123 password1234 passwordpassword p@ssword123 password01
    iloveyou12 iloveyou123 abcdefghij abcd123456 a123456789 123456789a 12345678910
    aaaaaaaaaa zaq12wsxcv welcome123 welcome1234 letmein123 administrator changeme123
    football123 baseball123 sunshine123 princess123 starwars123 trustno1234 monkey1234
    dragon1234 superman123 michael123 jennifer12 1234qwerty 123qweasdzxc qazwsxedcrfv
    """.split()
)


class SignupForm(msgspec.Struct, frozen=True, kw_only=True):
    email: NewEmail
    password: Password
    timezone: TimeZoneName


class SigninForm(msgspec.Struct, frozen=True, kw_only=True):
    email: Email
    password: AnyPassword


class PasswordChangeForm(msgspec.Struct, frozen=True, kw_only=True):
    current_password: AnyPassword
    new_password: Password


class TimezoneForm(msgspec.Struct, frozen=True, kw_only=True):
    timezone: TimeZoneName


class ClockForm(msgspec.Struct, frozen=True, kw_only=True):
    clock: Literal["12", "24"]


class EmailChangeForm(msgspec.Struct, frozen=True, kw_only=True):
    current_password: AnyPassword
    new_email: NewEmail


SIGNUP_MESSAGES = {
    "email": "Enter an email address like name@example.com.",
    "password": f"Use at least {PASSWORD_MIN} characters for your password.",
    "timezone": "Choose your time zone from the list.",
}
SIGNIN_MESSAGES = {
    "email": "Enter the email address you signed up with.",
    "password": "Enter your password.",
}
PASSWORD_CHANGE_MESSAGES = {
    "current_password": "Enter your current password.",
    "new_password": f"Use at least {PASSWORD_MIN} characters for your new password.",
}
TIMEZONE_MESSAGES = {"timezone": "Choose your time zone from the list."}
CLOCK_MESSAGES = {"clock": "Choose how times are written: 2:30 PM or 14:30."}
EMAIL_CHANGE_MESSAGES = {
    "current_password": "Enter your current password.",
    "new_email": SIGNUP_MESSAGES["email"],
}
# What sign-up says of an address another account has, less its "Sign in instead": changing
# to it reveals no more than signing up with it (and needs the password first).
EMAIL_TAKEN = "An account with this email already exists."


def password_problem(password: str, email: str) -> str | None:
    """Why a password that passes the length rule is still too easy to guess."""
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        return "That password is one of the most common ones. Choose something less guessable."
    if len(set(lowered)) < 4:
        return "That password repeats too few characters. Choose something less guessable."
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return "Don't build your password from your email address."
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


# Unicode's format characters (Cf: the bidirectional controls U+202A-U+202E, U+2066-U+2069,
# U+200E, U+200F and U+061C, zero-width spaces and joiners, U+FEFF...), control characters
# (Cc) and the other default-ignorable ones (IGNORABLE_RANGES). An address holding one looks
# like another on every page that shows it (a caregiver's list, a patient's Sharing page and
# log), or like nothing at all.
HIDDEN_CATEGORIES = frozenset({"Cf", "Cc"})
_IGNORABLE = frozenset(code for first, last in IGNORABLE_RANGES for code in range(first, last + 1))
HIDDEN_CHARACTER = ("This email address has a hidden character in it (one that shows as nothing or as a "
                    "blank, or changes the direction of the text). Type the address again yourself "
                    "instead of pasting it.")


def is_hidden(character: str) -> bool:
    return unicodedata.category(character) in HIDDEN_CATEGORIES or ord(character) in _IGNORABLE


def email_problem(email: str) -> str | None:
    """The message for an address typed for a new account or a new sign-in address that holds a
    hidden character, which `NewEmail` refuses with the general one. Sign-in (`Email`) keeps
    accepting any address an account already has."""
    if any(is_hidden(character) for character in email):
        return HIDDEN_CHARACTER
    return None


def new_email_problem(new_email: str, current_email: str) -> str | None:
    """Why a new sign-in address (already normalised) cannot replace the current one."""
    if new_email == normalise_email(current_email):
        return "That is already your email address. Enter the new one."
    return None


# tzdata entries that name no place a person lives: offered in the list they only puzzle, and
# "localtime" is whatever the server's clock is set to.
NOT_A_PLACE = frozenset({"Factory", "localtime", "posixrules"})
NOT_A_PLACE_PREFIXES = ("posix/", "right/", "SystemV/")

# The areas of tzdata's place names ("Area/City"), as the list names them. Every other name is an
# old alias: US/Eastern, GB, Japan, EST5EDT, and Etc/GMT+5, which is UTC−05:00 (POSIX's sign).
AREAS = {"Africa": "Africa", "America": "America", "Antarctica": "Antarctica", "Arctic": "Arctic",
         "Asia": "Asia", "Atlantic": "Atlantic", "Australia": "Australia", "Europe": "Europe",
         "Indian": "Indian Ocean", "Pacific": "Pacific"}
# Where the list puts UTC, the one zone it offers that names no place.
OTHER_ZONES = "Other"


class ZoneChoice(msgspec.Struct, frozen=True):
    value: str
    label: str


class ZoneGroup(msgspec.Struct, frozen=True):
    region: str
    choices: tuple[ZoneChoice, ...]


class ZoneList(msgspec.Struct, frozen=True):
    """The time zone select: `kept` is the person's own zone when the groups do not offer it
    (an alias they chose from the old list, or their browser reported), shown first and selected."""
    kept: ZoneChoice | None
    groups: tuple[ZoneGroup, ...]


def accepted_timezones(available: Iterable[str]) -> frozenset[str]:
    """Every zone a form may send: every tzdata name but those that are no place. Aliases stay
    accepted, though the list offers none: an account may already hold one, and a browser may
    report one (Chrome says Asia/Calcutta, Europe/Kiev)."""
    return frozenset(zone for zone in available
                     if zone not in NOT_A_PLACE and not zone.startswith(NOT_A_PLACE_PREFIXES))


def zone_tab_names(zone_tab: str) -> frozenset[str]:
    """The zones in tzdata's zone.tab: one for each country, or each part of one with its own
    clock, named for its main city by today's name (Asia/Kolkata, Europe/Kyiv), never an alias."""
    rows = (line.split("\t") for line in zone_tab.splitlines() if not line.startswith("#"))
    return frozenset(row[2].strip() for row in rows if len(row) >= 3)


def offered_timezones(accepted: Iterable[str], zone_tab: str | None) -> tuple[str, ...]:
    """The zones the list offers, sorted: the places in zone.tab that are accepted, and UTC.
    Without zone.tab, every accepted "Area/City" name, old ones such as Asia/Calcutta included."""
    if zone_tab is None:
        places = {zone for zone in accepted if zone.split("/", 1)[0] in AREAS and "/" in zone}
    else:
        places = zone_tab_names(zone_tab)
    return tuple(sorted(zone for zone in accepted if zone in places or zone == "UTC"))


def utc_offset(zone: ZoneInfo, instant: datetime) -> str:
    """The zone's offset from UTC at the instant: "UTC+05:30", "UTC−05:00" (a true minus sign,
    which screen readers say as "minus")."""
    offset = instant.astimezone(zone).utcoffset() or timedelta()
    hours, minutes = divmod(abs(round(offset.total_seconds() / 60)), 60)
    return f"UTC{'−' if offset < timedelta() else '+'}{hours:02d}:{minutes:02d}"


def place_label(zone: ZoneInfo, instant: datetime) -> str:
    """"New York — America (UTC−05:00)": the city, its region (the state or country where tzdata
    names one: "Indianapolis — Indiana"), and the offset at the instant. UTC is just "UTC"."""
    return zone_label(zone.key, instant)


def zone_label(name: str, instant: datetime | None = None) -> str:
    """A time zone as a person reads it, in the words of the time zone list: "New York — America",
    with the offset at the instant when one is given ("New York — America (UTC−05:00)"). A name
    that is no "Area/City" place (an old alias such as US/Eastern) stays as it is, with its offset;
    UTC is just "UTC". Only for reading: an ICS TZID or a CSV column keeps the IANA name."""
    *regions, city = name.split("/")
    if regions and regions[0] in AREAS:
        words = f"{city} — {AREAS.get(regions[-1], regions[-1])}".replace("_", " ")
    else:
        words = name
    if instant is None or name == "UTC":
        return words
    return f"{words} ({utc_offset(ZoneInfo(name), instant)})"


def zone_groups(zones: Iterable[ZoneInfo], instant: datetime) -> tuple[ZoneGroup, ...]:
    """The offered zones by area, areas and cities in alphabetical order, UTC last under "Other"."""
    grouped: dict[str, list[ZoneChoice]] = {}
    for zone in zones:
        area = AREAS.get(zone.key.split("/", 1)[0], OTHER_ZONES) if "/" in zone.key else OTHER_ZONES
        grouped.setdefault(area, []).append(ZoneChoice(zone.key, place_label(zone, instant)))
    order = sorted(grouped, key=lambda area: (area == OTHER_ZONES, area))
    return tuple(ZoneGroup(area, tuple(sorted(grouped[area], key=lambda choice: choice.label)))
                 for area in order)


def zone_list(chosen: str | None, groups: tuple[ZoneGroup, ...], offered: Collection[str],
              accepted: Collection[str], instant: datetime) -> ZoneList:
    """The select for a person whose zone is `chosen`: an accepted zone the groups do not offer
    is kept as its own choice, by its tzdata name ("US/Eastern (UTC−05:00)"), so saving the form
    unchanged never moves anyone to another zone."""
    if chosen is None or chosen in offered or chosen not in accepted:
        return ZoneList(None, groups)
    return ZoneList(ZoneChoice(chosen, f"{chosen} ({utc_offset(ZoneInfo(chosen), instant)})"), groups)


def timezone_problem(name: str, known: frozenset[str] | set[str]) -> str | None:
    return None if name in known else TIMEZONE_MESSAGES["timezone"]


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    email: str
    role: str
    timezone: str
    clock: str | None = None  # "12" or "24" as chosen; None: not chosen, see `twelve_hour`

    @property
    def twelve_hour(self) -> bool:
        """Whether this person reads times of day as "2:30 PM" (else "14:30")."""
        return dates.uses_twelve_hour(self.clock, self.timezone)


def signin_throttle_message(
    account_failures: int, ip_failures: int, account_limit: int, ip_limit: int, minutes: int,
    attempts: str = "sign-in attempts",
) -> str | None:
    """Refuse further attempts once either counter reaches its limit within the window."""
    if account_failures >= account_limit or ip_failures >= ip_limit:
        return f"Too many {attempts}. For your security, wait {minutes} minutes and try again."
    return None


# Sign-ups counted per client address: each one costs an argon2id hash (~64 MiB, ~0.1 s of a
# core), so a burst from one address could take the server's CPU and fill the database.
SIGNUP_WINDOW_MINUTES = 60

# A throttle's row (a failed sign-in, an unknown invitation key, a sign-up) names a client's
# address, so it is deleted soon after its window stops counting it; the margin keeps it while
# a count that started at the window's edge may still read it (times are stored to the second).
THROTTLE_MARGIN = timedelta(minutes=1)


def throttle_kept(window: timedelta) -> timedelta:
    """How long a throttle keeps a row: its window, then the margin."""
    return window + THROTTLE_MARGIN


def signup_throttle_message(ip_signups: int, ip_limit: int) -> str | None:
    """Refuse a sign-up once `ip_limit` were tried from the address within the window (an hour).
    A clinic's Wi-Fi is one address for every patient it helps sign up, so the limit is a budget
    for the hour, and the message says how to go on, not that anyone did wrong."""
    if ip_signups >= ip_limit:
        return ("Too many accounts were asked for from this network in the last hour, so Lift can't "
                "create another one just now. Please try again in an hour. Your email address and time "
                "zone are kept below; you'll need to type your password again.")
    return None
