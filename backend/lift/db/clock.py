from datetime import UTC, datetime, timedelta


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(instant: datetime) -> str:
    """Instants are stored as ISO 8601 UTC strings, which sort as text."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ago(delta: timedelta) -> str:
    return iso(utc_now() - delta)
