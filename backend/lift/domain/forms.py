"""Turn submitted form fields into a msgspec Struct, collecting one message per field.

msgspec stops at the first error, but a person fixing a form needs to see every field
that is wrong at once, so each field is converted on its own.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Annotated, Any, TypeVar, get_args

import msgspec

from lift.domain.time_of_day import as_time_value

T = TypeVar("T", bound=msgspec.Struct)

# The key a form carries so that sending it twice stores it once: a phone's check-in
# (crypto.randomUUID) or a questionnaire form (made when shown). Lower-case, hyphenated.
UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ClientUuid = Annotated[str, msgspec.Meta(pattern=rf"^{UUID_PATTERN}$")]
FORM_KEY_FIELD = "client_uuid"
BAD_FORM_KEY = "This form came with a key Lift can't read. It wasn't saved: send it again."


def form_key(values: dict[str, str]) -> tuple[str | None, str | None]:
    """A form's one-time key (made when the form was shown, so a resend after a lost answer
    is done once) and what is wrong with it. No key is no error: such a send is a new item."""
    raw = (values.get(FORM_KEY_FIELD) or "").strip()
    if not raw:
        return None, None
    try:
        return msgspec.convert(raw, ClientUuid), None
    except msgspec.ValidationError:
        return None, BAD_FORM_KEY

# Passwords are taken exactly as typed; every other field is trimmed.
UNTRIMMED_FIELDS = frozenset({"password", "current_password", "new_password"})


@cache
def _fields(struct_type: type[msgspec.Struct]) -> tuple[msgspec.structs.FieldInfo, ...]:
    # msgspec resolves the type annotations on every fields() call; a form's fields never change.
    return msgspec.structs.fields(struct_type)


@cache  # once per field type, not on every form sent
def _is_time_of_day(kind: Any) -> bool:
    # time_of_day.TimeOfDay, alone or in "TimeOfDay | None": marked by its Meta's extra.
    if any(getattr(meta, "extra", None) and meta.extra.get("time_of_day")
           for meta in getattr(kind, "__metadata__", ())):
        return True
    return any(_is_time_of_day(arg) for arg in get_args(kind) if arg is not type(None))


def parse_form(
    struct_type: type[T], data: dict[str, Any], messages: dict[str, str]
) -> tuple[T | None, dict[str, str]]:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in _fields(struct_type):
        raw = data.get(field.name)
        if isinstance(raw, str) and field.name not in UNTRIMMED_FIELDS:
            # Browsers send textarea line breaks as CRLF but count them as one character
            # against maxlength; normalise so the server's limit matches what the page allowed.
            raw = raw.replace("\r\n", "\n").strip()
        if raw is None or raw == "":
            if field.required:
                errors[field.name] = messages[field.name]
            continue
        if isinstance(raw, str) and _is_time_of_day(field.type):
            raw = as_time_value(raw)  # "8:30 pm" typed in a text box is kept as "20:30"
        try:
            value = msgspec.convert(raw, field.type, strict=False)
        except msgspec.ValidationError:
            errors[field.name] = messages[field.name]
            continue
        if isinstance(value, float) and not math.isfinite(value):
            errors[field.name] = messages[field.name]
            continue
        values[field.name] = value
    if errors:
        return None, errors
    return struct_type(**values), {}


def read_answer(raw: object, kind: Any) -> Any | None:
    """One answer of type `kind` (a choice such as 0 to 3) read as parse_form reads it, trimmed
    and converted leniently ("3.0" is 3 to both), or None if it is missing or not a valid one.
    For a rule that must see an answer even when the rest of its form is wrong: the crisis panel."""
    if isinstance(raw, str):
        raw = raw.strip()
    try:
        return msgspec.convert(raw, kind, strict=False)
    except msgspec.ValidationError:
        return None
