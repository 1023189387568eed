"""The app's OpenAPI document, served as JSON only at /schema/openapi.json (not in production).

Handlers read their forms themselves (form_data + parse_form), so Litestar cannot see their
bodies and guesses every response as a JSON 200/201. This module completes the document
Litestar generates: each state-changing route gets its request body from the msgspec Structs
its handler already validates against, and every operation lists the statuses and media
types Lift really answers with. Only the JSON render plugin is used: the interactive viewers
load third-party scripts that the strict CSP forbids.
"""

from __future__ import annotations

import copy
from typing import Any

import msgspec
from litestar import Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.serialization import encode_json

from lift.domain import accounts, checkins, password_resets, push, reminders, safety_plan, scales, sharing
from lift.domain import treatment
from lift.domain.data_rights import DeleteForm

SCHEMA_PATH = "/schema"
COMPONENTS = "#/components/schemas/{name}"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
HTML = "text/html"

# (method, path as in the document) -> the Structs whose fields the handler reads from the body.
FORM_BODIES: dict[tuple[str, str], tuple[type[msgspec.Struct], ...]] = {
    ("post", "/signup"): (accounts.SignupForm,),
    ("post", "/signin"): (accounts.SigninForm,),
    ("post", "/signout"): (push.SignOutForm,),
    ("post", "/account/timezone"): (accounts.TimezoneForm,),
    ("post", "/account/password"): (accounts.PasswordChangeForm,),
    ("post", "/account/email"): (accounts.EmailChangeForm,),
    ("post", "/account/delete"): (DeleteForm,),
    ("post", "/checkin"): (checkins.CheckinForm, checkins.SubmissionKey),
    ("post", "/safety-plan"): (safety_plan.SafetyPlan,),
    ("post", "/treatment/plan"): (treatment.PlanForm, treatment.ScheduleForm),
    ("post", "/treatment/plan/edit"): (treatment.PlanForm,),
    ("post", "/treatment/sessions"): (treatment.SessionForm,),
    ("post", "/treatment/sessions/{session_id}/move"): (treatment.SessionForm,),
    ("post", "/treatment/sessions/{session_id}/log"): (treatment.LogForm,),
    ("post", "/reminders/settings"): (reminders.PreferencesForm,),
    ("post", "/sharing/invitations"): (sharing.InviteForm,),
    ("post", "/sharing/grants/{grant_id}/scope"): (sharing.ScopeForm,),
    ("post", "/caregiver/patients/{patient_id}/name"): (sharing.GranteeLabelForm,),
    ("post", "/clinician/patients/{patient_id}/name"): (sharing.GranteeLabelForm,),
    ("post", "/invite"): (sharing.CodeForm,),
    ("post", "/invite/{key}/signup"): (accounts.SignupForm,),
    ("post", "/reset/{token}"): (password_resets.PasswordResetForm,),
}
# One operation serves every questionnaire: its body is whichever instrument the path names.
SCALE_FORM = ("post", "/scales/{instrument}")
JSON_BODIES: dict[tuple[str, str], type[msgspec.Struct]] = {
    ("post", "/reminders/subscriptions"): push.SubscriptionIn,
    ("post", "/reminders/subscriptions/remove"): push.EndpointIn,
    ("post", "/reminders/subscriptions/renew"): push.RenewalIn,
}

STATUSES = {
    200: "The page.",
    204: "For htmx: the page to go to is in the HX-Redirect header.",
    303: "Done, or not signed in: go to the Location.",
    400: "A query or path parameter Lift can't read.",
    401: "Not signed in (for posts that may carry a crisis answer, a page with crisis resources).",
    403: "The CSRF token is missing or wrong, or the action is not for this kind of account.",
    404: "Not found, or not yours.",
    409: "The action conflicts with the current state.",
    410: "An invitation or password reset link that was used, withdrawn or has expired.",
    413: "The body is over the size limit.",
    422: "Something submitted is wrong: the form again, with a message for each field.",
    429: "Too many attempts: try again later.",
    503: "It could not be saved just now: try again.",
}
# Redirects and "no content" have no body; every other status is an HTML page.
NO_BODY = frozenset({204, 303})
# Beyond the HTML page every operation may answer with, these answer with other media types.
EXTRA_MEDIA: dict[tuple[str, str], dict[int, tuple[str, ...]]] = {
    # The offline page's script asks for JSON (Accept: application/json).
    ("post", "/checkin"): {200: (JSON,), 409: (JSON,), 422: (JSON,), 503: (JSON,)},
    ("post", "/reminders/subscriptions"): {201: (JSON,), 400: (JSON,)},
    ("post", "/reminders/subscriptions/remove"): {400: (JSON,)},
    ("post", "/reminders/subscriptions/renew"): {200: (JSON,), 400: (JSON,), 404: (JSON,)},
    ("get", "/healthz"): {200: (JSON,)},
    ("get", "/readyz"): {200: (JSON,), 503: (JSON,)},
    ("get", "/offline/session"): {200: (JSON,)},
    ("get", "/account/data/archive.json"): {200: (JSON,)},
    ("get", "/export"): {200: ("text/csv",)},
    ("get", "/clinician/export"): {200: ("text/csv",)},
    ("get", "/clinician/patients/{patient_id}/export"): {200: ("text/csv",)},
    ("get", "/calendar/{token}"): {200: ("text/calendar",)},
}


def struct_schemas() -> tuple[dict[type, dict[str, Any]], dict[str, Any]]:
    types = sorted({t for ts in FORM_BODIES.values() for t in ts} | set(JSON_BODIES.values())
                   | set(scales.FORM_TYPES.values()), key=lambda t: t.__name__)
    schemas, components = msgspec.json.schema_components(types, ref_template=COMPONENTS)
    return dict(zip(types, schemas, strict=True)), components


def form_schema(structs: tuple[type[msgspec.Struct], ...], components: dict[str, Any]) -> dict[str, Any]:
    """One flat object with every field the handler reads (a form has no nesting)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for struct in structs:
        component = components[struct.__name__]
        properties.update(component["properties"])
        required += [name for name in component.get("required", []) if name not in required]
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def responses_for(key: tuple[str, str]) -> dict[str, Any]:
    extra = EXTRA_MEDIA.get(key, {})
    responses = {}
    for status in sorted(set(STATUSES) | set(extra)):
        media = (HTML,) if status in STATUSES and status not in NO_BODY else ()
        media += extra.get(status, ())
        response: dict[str, Any] = {"description": STATUSES.get(status, "Created.")}
        if media:
            response["content"] = {m: {"schema": {"type": "object"} if m == JSON else {"type": "string"}}
                                   for m in media}
        if status == 303:
            response["headers"] = {"Location": {"schema": {"type": "string"}, "required": True}}
        responses[str(status)] = response
    return responses


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Litestar's document with Lift's real request bodies and responses filled in."""
    by_struct, components = struct_schemas()
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    clashes = set(schemas) & set(components)
    assert not clashes, f"OpenAPI component names clash: {clashes}"
    schemas.update(components)
    paths = document["paths"]
    for method, path in [*FORM_BODIES, *JSON_BODIES, SCALE_FORM]:
        assert method in paths.get(path, {}), f"no {method.upper()} {path} in the app"
    for path, item in paths.items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            key = (method, path)
            if key in FORM_BODIES:
                body = {FORM: {"schema": form_schema(FORM_BODIES[key], components)}}
            elif key == SCALE_FORM:
                body = {FORM: {"schema": {"anyOf": [by_struct[t] for t in scales.FORM_TYPES.values()]}}}
                for parameter in operation.get("parameters", []):
                    if parameter["name"] == "instrument":
                        parameter["schema"] = {"type": "string", "enum": sorted(scales.FORM_TYPES)}
            elif key in JSON_BODIES:
                body = {JSON: {"schema": by_struct[JSON_BODIES[key]]}}
            else:
                body = None
            if body:
                operation["requestBody"] = {"content": body, "required": True}
            operation["responses"] = responses_for(key)
    return document


class LiftSchemaPlugin(JsonRenderPlugin):
    """The JSON document at /schema/openapi.json, completed once and then served as is."""

    def __init__(self) -> None:
        super().__init__()
        self._completed: bytes | None = None

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        if self._completed is None:
            self._completed = encode_json(complete(copy.deepcopy(openapi_schema)))
        return self._completed


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(title="Lift", version=version, path=SCHEMA_PATH, render_plugins=[LiftSchemaPlugin()])
