import stat
from pathlib import Path

import pytest

from lift.settings import FRONTEND_DIR, Settings, SettingsError, ensure_secret_key, load_settings


def test_it_uses_safe_defaults_when_nothing_is_set():
    settings = load_settings({})
    assert settings == Settings()
    assert (settings.host, settings.port, settings.cookie_secure) == ("127.0.0.1", 8000, True)
    assert (settings.signin_account_limit, settings.signin_ip_limit, settings.signin_window_minutes) == (5, 20, 15)
    assert settings.signup_ip_limit == 20
    assert (settings.session_days, settings.reader_connections, settings.secret_key) == (30, 4, "")
    assert settings.default_timezone == "America/New_York"
    assert settings.crisis_resources == str(FRONTEND_DIR / "content" / "crisis_resources.toml")


def test_it_reads_only_the_environ_it_is_given(monkeypatch):
    monkeypatch.setenv("LIFT_PORT", "abc")
    assert load_settings({}).port == 8000


@pytest.mark.parametrize("name, raw, field, value", [
    ("LIFT_DATA_DIR", "/srv/lift", "data_dir", "/srv/lift"),
    ("LIFT_HOST", "0.0.0.0", "host", "0.0.0.0"),
    ("LIFT_PORT", "8443", "port", 8443),
    ("LIFT_COOKIE_SECURE", "false", "cookie_secure", False),
    ("LIFT_COOKIE_SECURE", "0", "cookie_secure", False),
    ("LIFT_SECRET_KEY", "s3cret", "secret_key", "s3cret"),
    ("LIFT_DEFAULT_TIMEZONE", "Europe/London", "default_timezone", "Europe/London"),
    # An old alias, which the time zone list no longer offers but still accepts.
    ("LIFT_DEFAULT_TIMEZONE", "US/Eastern", "default_timezone", "US/Eastern"),
    ("LIFT_SESSION_DAYS", "7", "session_days", 7),
    ("LIFT_SIGNIN_ACCOUNT_LIMIT", "3", "signin_account_limit", 3),
    ("LIFT_SIGNIN_IP_LIMIT", "50", "signin_ip_limit", 50),
    ("LIFT_SIGNIN_WINDOW_MINUTES", "60", "signin_window_minutes", 60),
    ("LIFT_SIGNUP_IP_LIMIT", "100", "signup_ip_limit", 100),
    ("LIFT_CRISIS_RESOURCES", "/etc/lift/crisis.toml", "crisis_resources", "/etc/lift/crisis.toml"),
    ("LIFT_READER_CONNECTIONS", "8", "reader_connections", 8),
    ("LIFT_WORKERS", "2", "workers", 2),
    ("LIFT_PUBLIC_URL", "https://lift.clinic.example", "public_url", "https://lift.clinic.example"),
    ("LIFT_PUBLIC_URL", "https://clinic.example:8443/lift/", "public_url", "https://clinic.example:8443/lift/"),
])
def test_it_reads_each_lift_variable(name, raw, field, value):
    assert getattr(load_settings({name: raw}), field) == value


def test_it_treats_an_empty_variable_as_unset():
    assert load_settings({"LIFT_PORT": "", "LIFT_HOST": ""}) == Settings()


def test_it_ignores_variables_that_are_not_lift_settings():
    assert load_settings({"PORT": "1", "LIFT_UNKNOWN": "x"}) == Settings()


@pytest.mark.parametrize("port", ["1", "65535"])
def test_it_accepts_ports_from_1_to_65535(port):
    assert load_settings({"LIFT_PORT": port}).port == int(port)


@pytest.mark.parametrize("name, raw", [
    ("LIFT_PORT", "abc"),
    ("LIFT_PORT", "70000"),
    ("LIFT_PORT", "65536"),
    ("LIFT_PORT", "0"),
    ("LIFT_COOKIE_SECURE", "maybe"),
    ("LIFT_SESSION_DAYS", "a week"),
    ("LIFT_SIGNIN_ACCOUNT_LIMIT", "5.5"),
    ("LIFT_SIGNIN_IP_LIMIT", "many"),
    ("LIFT_SIGNIN_WINDOW_MINUTES", "15m"),
    ("LIFT_SIGNUP_IP_LIMIT", "twenty"),
    ("LIFT_READER_CONNECTIONS", "four"),
    ("LIFT_WORKERS", "0"),
    ("LIFT_WORKERS", "65"),
    ("LIFT_WORKERS", "two"),
    ("LIFT_PUBLIC_URL", "lift.clinic.example"),
    ("LIFT_PUBLIC_URL", "javascript:alert(1)"),
    ("LIFT_PUBLIC_URL", "https://lift.clinic.example/?next=x"),
    ("LIFT_PUBLIC_URL", "https://lift clinic.example"),
    ("LIFT_PUBLIC_URL", "https://lift.clinic.example\n"),  # a stray newline would break the printed link
    ("LIFT_DEFAULT_TIMEZONE", "Mars/Olympus"),
    # tzdata names the time-zone list leaves out: sign-up would open with nothing chosen.
    ("LIFT_DEFAULT_TIMEZONE", "localtime"),
    ("LIFT_DEFAULT_TIMEZONE", "Factory"),
])
def test_it_stops_on_a_bad_value_with_one_line_naming_the_variable(name, raw):
    with pytest.raises(SettingsError) as caught:
        load_settings({name: raw})
    message = str(caught.value)
    assert message.startswith(name)
    assert "\n" not in message


@pytest.mark.parametrize("raw", ["0", "-3"])
@pytest.mark.parametrize("name", [
    "LIFT_SESSION_DAYS", "LIFT_SIGNIN_ACCOUNT_LIMIT", "LIFT_SIGNIN_IP_LIMIT",
    "LIFT_SIGNIN_WINDOW_MINUTES", "LIFT_SIGNUP_IP_LIMIT", "LIFT_READER_CONNECTIONS",
])
def test_it_stops_on_a_count_or_duration_below_1(name, raw):
    # A sign-in or sign-up limit or window of 0 would lock everyone out or never throttle at all.
    with pytest.raises(SettingsError, match=f"^{name}: "):
        load_settings({name: raw})


def test_it_keeps_the_database_in_the_data_directory():
    assert load_settings({"LIFT_DATA_DIR": "/srv/lift"}).database_path == Path("/srv/lift/lift.db")


def test_it_uses_the_configured_secret_key_without_touching_the_disk(tmp_path):
    data_dir = tmp_path / "data"
    assert ensure_secret_key(Settings(secret_key="configured", data_dir=str(data_dir))) == "configured"
    assert not data_dir.exists()


def test_it_generates_a_secret_key_once_and_keeps_it_private(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "nested" / "data"))
    key = ensure_secret_key(settings)
    key_file = tmp_path / "nested" / "data" / "secret_key"
    assert len(key) >= 64
    assert key_file.read_text() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert ensure_secret_key(settings) == key


def test_the_data_directory_it_creates_is_the_owners_alone(tmp_path):
    ensure_secret_key(Settings(data_dir=str(tmp_path / "fresh")))
    assert stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o700


def test_it_generates_a_different_key_for_each_data_directory(tmp_path):
    first = ensure_secret_key(Settings(data_dir=str(tmp_path / "a")))
    assert ensure_secret_key(Settings(data_dir=str(tmp_path / "b"))) != first


def test_it_reads_a_kept_key_without_its_trailing_newline(tmp_path):
    (tmp_path / "secret_key").write_text("kept-key\n")
    assert ensure_secret_key(Settings(data_dir=str(tmp_path))) == "kept-key"


def test_it_never_returns_an_empty_secret_key(tmp_path):
    (tmp_path / "secret_key").write_text("")
    assert ensure_secret_key(Settings(data_dir=str(tmp_path)))
