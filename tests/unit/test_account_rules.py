import pytest

from lift.domain import accounts
from lift.domain.forms import parse_form

SIGNUP = {"email": "jane@example.com", "password": "river-lantern-42", "timezone": "Europe/London"}
COMMON = "That password is one of the most common ones. Choose something less guessable."
REPEATS = "That password repeats too few characters. Choose something less guessable."
FROM_EMAIL = "Don't build your password from your email address."


def signup_errors(**changes):
    return parse_form(accounts.SignupForm, {**SIGNUP, **changes}, accounts.SIGNUP_MESSAGES)[1]


def test_it_accepts_a_complete_signup():
    form, errors = parse_form(accounts.SignupForm, SIGNUP, accounts.SIGNUP_MESSAGES)
    assert errors == {}
    assert form == accounts.SignupForm(**SIGNUP)


def test_it_rejects_a_signup_password_of_9_characters():
    assert signup_errors(password="a" * 9) == {"password": "Use at least 10 characters for your password."}


def test_it_accepts_a_signup_password_of_10_characters():
    assert signup_errors(password="abcdefghik") == {}


def test_it_accepts_a_password_of_1024_characters_and_rejects_1025():
    assert signup_errors(password="a" * 1024) == {}
    assert signup_errors(password="a" * 1025) == {"password": accounts.SIGNUP_MESSAGES["password"]}


def test_it_requires_at_least_10_characters_for_a_new_password():
    data = {"current_password": "old", "new_password": "a" * 9}
    assert parse_form(accounts.PasswordChangeForm, data, accounts.PASSWORD_CHANGE_MESSAGES)[1] == {
        "new_password": "Use at least 10 characters for your new password."
    }


def test_it_lets_an_existing_short_password_be_entered_to_sign_in():
    data = {"email": "jane@example.com", "password": "short"}
    assert parse_form(accounts.SigninForm, data, accounts.SIGNIN_MESSAGES)[1] == {}


@pytest.mark.parametrize("email", ["jane@example.com", "j.o'neil+lift@mail.example.co.uk", "a@b.co"])
def test_it_accepts_ordinary_email_addresses(email):
    assert signup_errors(email=email) == {}


@pytest.mark.parametrize("email", ["jane", "jane@example", "@example.com", "jane@@example.com",
                                   "jane doe@example.com", "jane@exa mple.com", "jane@example."])
def test_it_rejects_malformed_email_addresses(email):
    assert signup_errors(email=email) == {"email": "Enter an email address like name@example.com."}


def test_it_rejects_an_email_address_longer_than_254_characters():
    local = "a" * 64
    assert signup_errors(email=f"{local}@{'b' * 185}.com") == {}  # 254 characters
    assert signup_errors(email=f"{local}@{'b' * 186}.com") == {"email": accounts.SIGNUP_MESSAGES["email"]}


def test_it_requires_a_timezone_at_signup():
    assert signup_errors(timezone="") == {"timezone": "Choose your time zone from the list."}


@pytest.mark.parametrize("password", ["password123", "PASSWORD123", "PassWord123", "QwertyUiop", "1234567890"])
def test_it_refuses_common_passwords_whatever_their_case(password):
    assert accounts.password_problem(password, "jane@example.com") == COMMON


def test_it_accepts_a_password_that_is_not_common_and_not_from_the_email():
    assert accounts.password_problem("river-lantern-42", "jane@example.com") is None


def test_it_refuses_a_password_with_fewer_than_4_different_characters():
    assert accounts.password_problem("abcabcabcabc", "jane@example.com") == REPEATS
    assert accounts.password_problem("AbcAbcabcabc", "jane@example.com") == REPEATS


def test_it_accepts_a_password_with_exactly_4_different_characters():
    assert accounts.password_problem("abcdabcdabcd", "jane@example.com") is None


def test_it_refuses_a_password_built_from_the_email_address_whatever_its_case():
    assert accounts.password_problem("my-JANEDOE-2024", "JaneDoe@example.com") == FROM_EMAIL


def test_it_refuses_a_password_containing_a_4_character_email_name():
    assert accounts.password_problem("annabelle-river", "anna@example.com") == FROM_EMAIL


def test_it_ignores_an_email_name_shorter_than_4_characters():
    assert accounts.password_problem("bob-river-lantern", "bob@example.com") is None


def test_it_lowercases_and_trims_email_addresses():
    assert accounts.normalise_email("  Jane.Doe@Example.COM \n") == "jane.doe@example.com"


def test_it_accepts_a_known_timezone():
    assert accounts.timezone_problem("Europe/London", {"Europe/London", "America/New_York"}) is None


@pytest.mark.parametrize("name", ["Europe/Londn", "europe/london", "UTC+1"])
def test_it_refuses_a_timezone_that_is_not_in_the_list(name):
    assert accounts.timezone_problem(name, frozenset({"Europe/London"})) == "Choose your time zone from the list."


def test_it_allows_sign_in_below_both_limits():
    assert accounts.signin_throttle_message(4, 19, account_limit=5, ip_limit=20, minutes=15) is None


def test_it_refuses_sign_in_when_the_account_reaches_its_limit():
    assert accounts.signin_throttle_message(5, 0, account_limit=5, ip_limit=20, minutes=15) == (
        "Too many sign-in attempts. For your security, wait 15 minutes and try again."
    )


def test_it_refuses_sign_in_when_the_address_reaches_its_limit():
    message = accounts.signin_throttle_message(0, 20, account_limit=5, ip_limit=20, minutes=30)
    assert message is not None
    assert "wait 30 minutes" in message


def test_it_allows_sign_ups_from_an_address_until_it_reaches_its_limit_for_the_hour():
    assert accounts.SIGNUP_WINDOW_MINUTES == 60
    assert accounts.signup_throttle_message(0, ip_limit=20) is None
    assert accounts.signup_throttle_message(19, ip_limit=20) is None
    for made in (20, 21, 500):
        message = accounts.signup_throttle_message(made, ip_limit=20)
        assert message is not None and "try again in an hour" in message
        assert "password again" in message  # the form comes back without it


def test_a_new_sign_in_address_must_differ_from_the_current_one_however_it_is_typed():
    assert accounts.new_email_problem("jane@example.com", "Jane@Example.com") is not None
    assert accounts.new_email_problem("jane@new.example", "jane@example.com") is None


def test_the_email_change_form_validates_the_address_like_sign_up_and_keeps_the_password_whole():
    form, errors = parse_form(accounts.EmailChangeForm, {"current_password": " pass phrase ", "new_email": "bad"},
                              accounts.EMAIL_CHANGE_MESSAGES)
    assert form is None and errors == {"new_email": accounts.SIGNUP_MESSAGES["email"]}
    form, errors = parse_form(accounts.EmailChangeForm,
                              {"current_password": " pass phrase ", "new_email": " Jane@New.example "},
                              accounts.EMAIL_CHANGE_MESSAGES)
    assert errors == {} and form.current_password == " pass phrase " and form.new_email == "Jane@New.example"


# Every bidirectional control, other invisible format characters (Cf) and a control character (Cc).
BIDI_CONTROLS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
                 "\u200e", "\u200f", "\u061c"]
OTHER_HIDDEN = ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\U000e0041", "\x00", "\x7f", "\x9b"]
# Default-ignorable characters that are neither: the combining grapheme joiner, Hangul fillers,
# Khmer inherent vowels, variation selectors, and reserved code points kept for more of them.
IGNORABLE = ["\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u17b4", "\u17b5", "\u180b", "\u180f",
             "\ufe00", "\ufe0f", "\U000e0100", "\U000e01ef", "\u2065", "\ufff0", "\U000e0000", "\U000e0fff"]


@pytest.mark.parametrize("hidden", BIDI_CONTROLS + OTHER_HIDDEN + IGNORABLE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("where", ["start", "local part", "domain", "end"])
def test_an_email_address_with_a_hidden_character_is_refused(hidden, where):
    email = {"start": f"{hidden}pat@example.com", "local part": f"pa{hidden}t@example.com",
             "domain": f"pat@exam{hidden}ple.com", "end": f"pat@example.com{hidden}"}[where]
    assert accounts.email_problem(email) == accounts.HIDDEN_CHARACTER


@pytest.mark.parametrize("email", ["jane@example.com", "josé@exämple.com", "用户@例子.广告", "مريم@مثال.شبكة",
                                   "רות@דוגמה.com", "j.o'neil+lift@mail.example.co.uk", "김민준@예시.한국",
                                   "សុខា@example.com", "ᠪᠠᠲᠤ@example.mn"])
def test_an_address_in_any_script_without_hidden_characters_is_accepted(email):
    assert accounts.email_problem(email) is None


def test_the_hidden_ranges_are_exactly_the_format_and_control_characters_and_the_pattern_refuses_them():
    """HIDDEN_RANGES, written out for the OpenAPI document, is Unicode's Cf and Cc categories."""
    import sys
    import unicodedata

    listed = {cp for first, last in accounts.HIDDEN_RANGES for cp in range(first, last + 1)}
    hidden = {cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) in accounts.HIDDEN_CATEGORIES}
    assert listed == hidden, f"Unicode {unicodedata.unidata_version}: update HIDDEN_RANGES"
    for cp in sorted(hidden)[::7] + [0x202E, 0x200B, 0xE007F]:
        email = f"pa{chr(cp)}t@example.com"
        assert signup_errors(email=email) == {"email": accounts.SIGNUP_MESSAGES["email"]}, hex(cp)


# Default_Ignorable_Code_Point as DerivedCoreProperties.txt (Unicode 14.0) defines it:
#   Other_Default_Ignorable_Code_Point + Cf + Variation_Selector - White_Space
#   - FFF9..FFFB (interlinear annotation) - 13430..1343F (Egyptian hieroglyph format controls)
#   - Prepended_Concatenation_Mark
# with these three properties as PropList.txt (Unicode 14.0) lists them, and Cf from Python's
# own Unicode database: a route to the same set that shares nothing with IGNORABLE_RANGES.
OTHER_DEFAULT_IGNORABLE = [(0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x2065, 0x2065),
                           (0x3164, 0x3164), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0xE0000, 0xE0000),
                           (0xE0002, 0xE001F), (0xE0080, 0xE00FF), (0xE01F0, 0xE0FFF)]
VARIATION_SELECTOR = [(0x180B, 0x180D), (0x180F, 0x180F), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF)]
PREPENDED_CONCATENATION_MARK = [(0x0600, 0x0605), (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891),
                                (0x08E2, 0x08E2), (0x110BD, 0x110BD), (0x110CD, 0x110CD)]
VISIBLE_FORMAT = [(0xFFF9, 0xFFFB), (0x13430, 0x1343F)]


def code_points(ranges):
    return {code for first, last in ranges for code in range(first, last + 1)}


def test_the_ignorable_ranges_are_unicodes_default_ignorable_code_points():
    import sys
    import unicodedata

    formats = {code for code in range(sys.maxunicode + 1)
               if unicodedata.category(chr(code)) == "Cf" and not chr(code).isspace()}
    derived = ((code_points(OTHER_DEFAULT_IGNORABLE) | formats | code_points(VARIATION_SELECTOR))
               - code_points(VISIBLE_FORMAT) - code_points(PREPENDED_CONCATENATION_MARK))
    listed = code_points(accounts.IGNORABLE_RANGES)
    assert listed == derived, f"Unicode {unicodedata.unidata_version}: update IGNORABLE_RANGES"
    assert len(listed) == 4174  # DerivedCoreProperties.txt 14.0: "Total code points: 4174"


def test_every_ignorable_code_point_is_a_format_character_a_selector_a_filler_or_reserved():
    """What each one is, by its Unicode category or name: each draws nothing, or a blank."""
    import unicodedata

    marks = {"COMBINING GRAPHEME JOINER", "KHMER VOWEL INHERENT AQ", "KHMER VOWEL INHERENT AA"}
    for code in code_points(accounts.IGNORABLE_RANGES):
        character = chr(code)
        if unicodedata.category(character) in {"Cf", "Cn"}:  # a format character, or reserved
            continue
        name = unicodedata.name(character)
        assert "VARIATION SELECTOR" in name or name.endswith(" FILLER") or name in marks, hex(code)


def test_sign_up_and_a_new_address_refuse_every_ignorable_code_point_with_the_message():
    for code in sorted(code_points(accounts.IGNORABLE_RANGES)):
        email = f"pa{chr(code)}t@example.com"
        assert accounts.email_problem(email) == accounts.HIDDEN_CHARACTER, hex(code)
        assert signup_errors(email=email) == {"email": accounts.SIGNUP_MESSAGES["email"]}, hex(code)
