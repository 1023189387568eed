"""Installing Lift and using it with no signal: the web app manifest, the two offline pages
the service worker keeps, what the worker must precache for this deployment, and what a
queued check-in needs before it is sent.

Nothing the worker keeps may hold personal data: it fetches every page it keeps without
cookies, and the offline pages here are rendered as for nobody even when someone is signed in.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec
from litestar import Request, get
from litestar.response import Response
from litestar.utils.scope.state import ScopeState

from lift.domain import checkins as rules
from lift.domain.crisis import NOT_KNOWN, THOUGHTS_LABELS, Saved, crisis_prompt_for_thoughts
from lift.settings import FRONTEND_DIR, Settings
from lift.web.crisis import PromptFor, own_plan_and_treatment, saved_for
from lift.web.rendering import render

STATIC_DIR = FRONTEND_DIR / "static"
# What every page needs, or what an installed app shows: precached so that Lift opens with
# no signal. Paths under /static/.
SHELL_ASSETS = (
    "css/app.css", "js/before-htmx.js", "vendor/htmx.min.js", "js/app.js", "js/offline-queue.js",
    "js/offline.js",
    "icons/icon.svg", "icons/icon-192.png", "icons/icon-512.png", "icons/maskable-192.png",
    "icons/maskable-512.png", "icons/apple-touch-icon.png",
)
# Public pages kept for offline use, fetched without cookies. With no signal /checkin, /help
# and /safety-plan open their /offline/... copies (sw.js: OFFLINE_COPIES); every other page
# falls back to /offline.
OFFLINE_PAGES = ("/offline", "/offline/checkin", "/offline/help", "/offline/safety-plan", "/learn")
# How long a navigation waits for the network before the worker shows what it has.
NAVIGATION_TIMEOUT_MS = 4000
THEME_COLOR = "#f6f7fb"


def asset_version(settings: Settings) -> str:
    """A hash of every front-end file (and the release label): it changes with each deploy
    that changes anything a phone keeps, which is what makes a new service worker."""
    digest = hashlib.sha256(settings.release.encode())
    folders = [STATIC_DIR, FRONTEND_DIR / "templates", FRONTEND_DIR / "content"]
    files = sorted(path for folder in folders for path in folder.rglob("*") if path.is_file())
    for path in [*files, Path(settings.crisis_resources)]:
        digest.update(str(path.relative_to(FRONTEND_DIR) if path.is_relative_to(FRONTEND_DIR) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_url(path: str, version: str) -> str:
    return f"/static/{path}?v={version}"


def manifest(version: str) -> dict:
    def icon(name: str, size: int, purpose: str) -> dict:
        return {"src": static_url(f"icons/{name}", version), "sizes": f"{size}x{size}",
                "type": "image/png", "purpose": purpose}

    return {
        "id": "/",
        "name": "Lift: daily check-in journal",
        "short_name": "Lift",
        "description": "A daily journal for treatment-resistant depression: check in, plan treatment, "
                       "and reach help, even with no signal.",
        "lang": "en",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": THEME_COLOR,
        "categories": ["health", "medical"],
        "icons": [icon("icon-192.png", 192, "any"), icon("icon-512.png", 512, "any"),
                  icon("maskable-192.png", 192, "maskable"), icon("maskable-512.png", 512, "maskable")],
        "screenshots": [{
            "src": static_url("icons/screenshot-narrow.png", version), "sizes": "390x844",
            "type": "image/png", "form_factor": "narrow", "label": "Today: the daily check-in and the last 7 days",
        }],
        "shortcuts": [
            {"name": "Check in", "url": "/checkin",
             "icons": [{"src": static_url("icons/icon-192.png", version), "sizes": "192x192"}]},
            {"name": "Get help now", "url": "/help",
             "icons": [{"src": static_url("icons/icon-192.png", version), "sizes": "192x192"}]},
        ],
    }


def worker_config(version: str, card_slugs: list[str]) -> dict:
    return {
        "version": version,
        "assets": [static_url(path, version) for path in SHELL_ASSETS],
        "pages": [*OFFLINE_PAGES, *(f"/learn/{slug}" for slug in card_slugs)],
        "navigationTimeoutMs": NAVIGATION_TIMEOUT_MS,
    }


@get("/manifest.webmanifest", include_in_schema=False)
async def web_manifest(request: Request) -> Response:
    return Response(content=msgspec.json.encode(manifest(request.app.state.asset_version)),
                    media_type="application/manifest+json")


@get("/sw-config.js", include_in_schema=False)
async def worker_config_script(request: Request) -> Response:
    """Imported by /sw.js. The browser compares imported scripts too when it checks for an
    update, so a new version here is a new service worker."""
    config = worker_config(request.app.state.asset_version, list(request.app.state.education))
    script = b"self.LIFT_OFFLINE = " + msgspec.json.encode(config) + b";\n"
    return Response(content=script, media_type="application/javascript")


def offline_context(request: Request, plan=None, treatment: str | None = None, saved: Saved = NOT_KNOWN,
                    prompt_for: PromptFor = crisis_prompt_for_thoughts) -> dict:
    """The hidden parts of a check-in or PHQ-9 page that work with no signal: the "saved on
    this phone" confirmation, and Get help now worded for each answer above "none" to the
    form's crisis question (the thoughts answer, or PHQ-9 item 9 with
    `crisis_prompt_for_phq9_item9`), so such an answer shows the resources at once. Made for
    nobody (the kept copies), its wording holds whatever the patient saved."""
    resources = request.app.state.crisis_resources
    prompts = [(answer, prompt_for(answer, resources, saved)) for answer in (1, 2, 3)]
    return {"offline_prompts": prompts, "offline_plan": plan, "crisis_treatment": treatment,
            "resources": resources}


async def with_offline_crisis(request: Request, context: dict,
                              prompt_for: PromptFor = crisis_prompt_for_thoughts) -> dict:
    """`context` for a form a patient fills in, plus its hidden copies of Get help now. The page
    is never cached, so they hold the patient's own plan and treatment: already read when the
    page shows the panel, else read now."""
    if context.get("crisis"):
        plan, treatment = context["plan"], context.get("crisis_treatment")
    else:
        plan, treatment = await own_plan_and_treatment(request)
    return {**offline_context(request, plan, treatment, saved_for(request, plan), prompt_for), **context}


# The pages below are kept by the service worker and made for nobody (`kept_copy` marks them
# for offline.js, which adds the plan kept on this phone to their Get help now).


@get("/offline", name="offline", include_in_schema=False)
async def offline_page(request: Request) -> Response:
    return render(request, "pages/offline.html", user=None, kept_copy=True)


@get("/offline/checkin", include_in_schema=False)
async def offline_checkin(request: Request) -> Response:
    """The check-in form as the worker keeps it: for nobody, with no answers and no days (the
    page's script lists the days from the phone's own calendar when it opens)."""
    return render(request, "checkins/form.html", user=None, offline=True, values={}, errors={}, days=[],
                  editing=False, thoughts_labels=THOUGHTS_LABELS, note_max=rules.NOTE_MAX, kept_copy=True,
                  **offline_context(request))


@get("/offline/help", include_in_schema=False)
async def offline_help(request: Request) -> Response:
    """Get help now as the worker keeps it for /help."""
    return render(request, "pages/help.html", user=None, plan=None, crisis=None, kept_copy=True,
                  resources=request.app.state.crisis_resources)


@get("/offline/safety-plan", include_in_schema=False)
async def offline_safety_plan(request: Request) -> Response:
    """What /safety-plan shows with no signal: the plan kept on this phone, if there is one."""
    return render(request, "pages/offline_safety_plan.html", user=None, kept_copy=True)


@get("/offline/session", include_in_schema=False)
async def offline_session(request: Request) -> Response:
    """What the queue needs before sending: who is signed in here (so one person's queued
    check-ins never go to another account) and a CSRF token for the sends."""
    user = request.scope.get("user")
    if user is None:
        return Response(content={"status": "signed-out"}, status_code=401)
    if user.role != "patient":
        return Response(content={"status": "not-a-patient"}, status_code=403)
    token = ScopeState.from_scope(request.scope).csrf_token
    return Response(content={"owner": str(user.id), "csrf": token})
