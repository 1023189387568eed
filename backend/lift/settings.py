"""Settings read once from LIFT_* environment variables into a frozen Struct."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import msgspec

REPO_ROOT = Path(__file__).resolve().parents[2]
FRONTEND_DIR = REPO_ROOT / "frontend"


class SettingsError(Exception):
    """A LIFT_* variable has a value Lift cannot start with."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    data_dir: str = "data"
    host: str = "127.0.0.1"
    port: int = msgspec.field(default=8000)
    # Cookies are Secure unless explicitly turned off for plain-http local use.
    cookie_secure: bool = True
    secret_key: str = ""
    default_timezone: str = "America/New_York"
    session_days: int = 30
    # Failed sign-ins allowed per account and per IP address in one window.
    signin_account_limit: int = 5
    signin_ip_limit: int = 20
    signin_window_minutes: int = 15
    crisis_resources: str = str(FRONTEND_DIR / "content" / "crisis_resources.toml")
    reader_connections: int = 4

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
    if not 1 <= settings.port <= 65535:
        raise SettingsError("LIFT_PORT must be between 1 and 65535")
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
    if key_file.exists():
        return key_file.read_text().strip()
    settings.data_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
