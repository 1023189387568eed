"""Settings read once from LIFT_* environment variables into a frozen Struct."""

from __future__ import annotations

import os
import secrets
import zoneinfo
from pathlib import Path

from typing import Annotated

import msgspec

REPO_ROOT = Path(__file__).resolve().parents[2]
FRONTEND_DIR = REPO_ROOT / "frontend"


Positive = Annotated[int, msgspec.Meta(ge=1)]


class SettingsError(Exception):
    """A LIFT_* variable has a value Lift cannot start with."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    data_dir: str = "data"
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    # Cookies are Secure unless explicitly turned off for plain-http local use.
    cookie_secure: bool = True
    secret_key: str = ""
    default_timezone: str = "America/New_York"
    session_days: Positive = 30
    # Failed sign-ins allowed per account and per IP address in one window.
    signin_account_limit: Positive = 5
    signin_ip_limit: Positive = 20
    signin_window_minutes: Positive = 15
    crisis_resources: str = str(FRONTEND_DIR / "content" / "crisis_resources.toml")
    reader_connections: Positive = 4

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def database_path(self) -> Path:
        return self.data_path / "lift.db"


_ENV_FIELDS = {
    "LIFT_DATA_DIR": "data_dir",
    "LIFT_HOST": "host",
    "LIFT_PORT": "port",
    "LIFT_COOKIE_SECURE": "cookie_secure",
    "LIFT_SECRET_KEY": "secret_key",
    "LIFT_DEFAULT_TIMEZONE": "default_timezone",
    "LIFT_SESSION_DAYS": "session_days",
    "LIFT_SIGNIN_ACCOUNT_LIMIT": "signin_account_limit",
    "LIFT_SIGNIN_IP_LIMIT": "signin_ip_limit",
    "LIFT_SIGNIN_WINDOW_MINUTES": "signin_window_minutes",
    "LIFT_CRISIS_RESOURCES": "crisis_resources",
    "LIFT_READER_CONNECTIONS": "reader_connections",
}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read LIFT_* variables; a bad value raises SettingsError with a one-line message."""
    environ = dict(os.environ if environ is None else environ)
    raw = {field: environ[name] for name, field in _ENV_FIELDS.items() if environ.get(name)}
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_explain(str(exc))) from None
    if settings.default_timezone not in zoneinfo.available_timezones():
        raise SettingsError(f"LIFT_DEFAULT_TIMEZONE: unknown time zone {settings.default_timezone!r}")
    return settings


def _explain(message: str) -> str:
    for name, field in _ENV_FIELDS.items():
        if f"$.{field}" in message:
            return f"{name}: {message.split(' - at ')[0]}"
    return message


def ensure_secret_key(settings: Settings) -> str:
    """The configured key, or one generated once and kept in the data directory."""
    if settings.secret_key:
        return settings.secret_key
    key_file = settings.data_path / "secret_key"
    if key_file.exists() and (existing := key_file.read_text().strip()):
        return existing
    settings.data_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created owner-only from the start, never briefly readable by others.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(key)
    return key
