"""Settings read once from LIFT_* environment variables into a frozen Struct."""

from __future__ import annotations

import os
import secrets
import zoneinfo
from pathlib import Path

from typing import Annotated, Literal

import msgspec

from lift.domain.accounts import accepted_timezones

REPO_ROOT = Path(__file__).resolve().parents[2]
FRONTEND_DIR = REPO_ROOT / "frontend"


Positive = Annotated[int, msgspec.Meta(ge=1)]


class SettingsError(Exception):
    """A LIFT_* variable has a value Lift cannot start with."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    # "production" refuses to start without the secrets and protections a real deployment needs.
    environment: Literal["development", "production"] = "development"
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
    # Sign-ups allowed from one IP address per hour (accounts.SIGNUP_WINDOW_MINUTES): each one
    # costs an argon2id hash. A clinic signing up its patients on its own Wi-Fi is one address.
    signup_ip_limit: Positive = 20
    crisis_resources: str = str(FRONTEND_DIR / "content" / "crisis_resources.toml")
    reader_connections: Positive = 4
    # Server processes. One uses one core; on a server with more cores, one per core serves
    # more people at once. Each process has its own connections and, if enabled, scheduler.
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    # Web Push. Without keys here, Lift generates a pair once into the data directory.
    vapid_private_key: str = ""
    vapid_public_key: str = ""
    # The contact a push service can write to about this server's messages (RFC 8292).
    vapid_subject: Annotated[str, msgspec.Meta(pattern=r"^mailto:[^@\s]+@[^@\s]+$")] = "mailto:admin@localhost"
    # Run the reminder scheduler inside the app. Any number of schedulers may share one
    # database (`python -m lift worker` runs one on its own): each reminder is sent once.
    run_scheduler: bool = True
    push_concurrency: Annotated[int, msgspec.Meta(ge=1, le=256)] = 16
    push_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=120)] = 10.0
    # Only for tests and private deployments: accept push endpoints on private or loopback
    # addresses, and trust this CA file (instead of the system's) for push services.
    push_allow_private_endpoints: bool = False
    push_ca_file: str = ""
    # A label for this deployment (a commit, a date). It is part of the service worker's
    # version with the hash of the front-end files, so each deploy offers phones an update.
    release: Annotated[str, msgspec.Meta(max_length=100)] = ""
    # The address people open Lift at (https://lift.clinic.example), for the links Lift gives
    # out (invitations, calendar feeds, the operator's reset links) instead of the request's Host
    # header. Lift serves pages without it, then taking links from Host; it sends no email.
    public_url: Annotated[str, msgspec.Meta(max_length=200, pattern=r"^https?://[^/\s?#]+(/[^\s?#]*)?\Z")] = ""

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def database_path(self) -> Path:
        return self.data_path / "lift.db"


_ENV_FIELDS = {
    "LIFT_ENV": "environment",
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
    "LIFT_SIGNUP_IP_LIMIT": "signup_ip_limit",
    "LIFT_CRISIS_RESOURCES": "crisis_resources",
    "LIFT_READER_CONNECTIONS": "reader_connections",
    "LIFT_WORKERS": "workers",
    "LIFT_VAPID_PRIVATE_KEY": "vapid_private_key",
    "LIFT_VAPID_PUBLIC_KEY": "vapid_public_key",
    "LIFT_VAPID_SUBJECT": "vapid_subject",
    "LIFT_RUN_SCHEDULER": "run_scheduler",
    "LIFT_PUSH_CONCURRENCY": "push_concurrency",
    "LIFT_PUSH_TIMEOUT_SECONDS": "push_timeout_seconds",
    "LIFT_PUSH_ALLOW_PRIVATE_ENDPOINTS": "push_allow_private_endpoints",
    "LIFT_PUSH_CA_FILE": "push_ca_file",
    "LIFT_RELEASE": "release",
    "LIFT_PUBLIC_URL": "public_url",
}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read LIFT_* variables; a bad value raises SettingsError with a one-line message."""
    environ = dict(os.environ if environ is None else environ)
    raw = {field: environ[name] for name, field in _ENV_FIELDS.items() if environ.get(name)}
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_explain(str(exc))) from None
    if problem := production_problem(settings):
        raise SettingsError(problem)
    if settings.default_timezone not in accepted_timezones(zoneinfo.available_timezones()):
        raise SettingsError(f"LIFT_DEFAULT_TIMEZONE: unknown time zone {settings.default_timezone!r}")
    return settings


def production_problem(settings: Settings) -> str | None:
    """In production, a missing secret or protection stops start-up with one line saying which."""
    if settings.environment != "production":
        return None
    if len(settings.secret_key) < 32:
        return "LIFT_SECRET_KEY: production needs a secret key of at least 32 characters"
    if not settings.cookie_secure:
        return "LIFT_COOKIE_SECURE: production cookies must be Secure (serve Lift over HTTPS)"
    if not (settings.vapid_private_key and settings.vapid_public_key):
        return "LIFT_VAPID_PRIVATE_KEY / LIFT_VAPID_PUBLIC_KEY: production needs the Web Push key pair"
    if settings.push_allow_private_endpoints:
        return "LIFT_PUSH_ALLOW_PRIVATE_ENDPOINTS: only for tests, never in production"
    return public_url_problem(settings.public_url)


def public_url_problem(public_url: str) -> str | None:
    """Production's check of the address reset links are printed with: over plain HTTP, a
    link would carry its token in the clear."""
    if public_url.startswith("http://"):
        return "LIFT_PUBLIC_URL: production is served over HTTPS, so its address starts with https://"
    return None


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
