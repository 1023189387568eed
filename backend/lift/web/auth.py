"""Sign up, sign in, sign out, and the account page."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Response

from lift.db import password_resets as reset_store
from lift.db import reminders as reminder_store
from lift.db import sessions, users
from lift.db.clock import utc_now
from lift.db.connection import DatabaseError
from lift.domain import accounts, dates
from lift.domain import password_resets as reset_rules
from lift.domain.checkins import today_in
from lift.domain.forms import parse_form
from lift.domain.push import SIGN_OUT_MESSAGES, SignOutForm
from lift.passwords import hash_password, verify_password
from lift.push.scheduler import replan
from lift.web.guards import signed_in
from lift.web.rendering import SAVE_FAILED, form_data, redirect, render
from lift.web.security import CSRF_COOKIE, SESSION_COOKIE, forget_cookie, session_cookie

NOTICES = {
    "signed-out": "You're signed out.",
    "signed-out-everywhere": "You're signed out on every device.",
    "password-changed": "Your password is changed. Other devices were signed out.",
    "email-changed": ("Your email address is changed: sign in with the new one from now on. "
                      "Other devices were signed out."),
    "password-reset": ("Your new password is set and you're signed in. Any other device signed in to your "
                       "account was signed out. Your journal is just as you left it."),
    "timezone-changed": "Your time zone is saved.",
    "clock-changed": "Your choice of how times are written is saved.",
    "timezone-sessions-kept": ("Your time zone is saved. Your planned sessions keep their clock times: "
                               "a session at {ten} is still at {ten} in the new time zone."),
}


def notice_text(notice: str | None, twelve_hour: bool) -> str | None:
    """The notice, its example time on the reader's clock ("10:00 AM" or "10:00")."""
    text = NOTICES.get(notice or "")
    return text and text.replace("{ten}", dates.time_text(time(10), twelve_hour))


def zone_table() -> str | None:
    """tzdata's zone.tab, from where zoneinfo takes its zones: the system's tzdata first, then
    the tzdata package. None where neither ships it."""
    for directory in zoneinfo.TZPATH:
        path = Path(directory, "zone.tab")
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None


@cache
def known_timezones() -> frozenset[str]:
    """What a form may send: every zone a person could have, aliases too, but not "localtime"
    (the server's zone) or "posix/...", which no list ever showed."""
    return accounts.accepted_timezones(zoneinfo.available_timezones())


@cache
def timezone_choices() -> tuple[str, ...]:
    """The zones offered in the select, found once: the ~420 places of zone.tab, and UTC."""
    return accounts.offered_timezones(known_timezones(), zone_table())


@cache
def offered_zones() -> tuple[zoneinfo.ZoneInfo, ...]:
    """The offered zones, loaded once and kept: zoneinfo forgets a zone nobody holds, and reading
    the ~420 files again for each new minute's list took 0.1 s."""
    return tuple(zoneinfo.ZoneInfo(name) for name in timezone_choices())


@lru_cache(maxsize=1)
def zone_groups_at(minute: datetime) -> tuple[accounts.ZoneGroup, ...]:
    """The select's groups with each zone's offset at this minute. Offsets change only on a
    minute, so every page in the same minute shares one list."""
    return accounts.zone_groups(offered_zones(), minute)


def timezone_list(chosen: str | None) -> accounts.ZoneList:
    """The time zone select for a person whose zone (stored, default or sent) is `chosen`."""
    minute = utc_now().replace(second=0, microsecond=0)
    return accounts.zone_list(chosen, zone_groups_at(minute), timezone_choices(), known_timezones(), minute)


def safe_next(path: str | None) -> str:
    """Only same-site paths, so a sign-in link cannot send someone to another site.
    Control and whitespace characters are refused first: browsers drop tabs and newlines
    from a URL, so `/\t/evil.example` would become `//evil.example`, and a CR or LF cannot go
    into a header at all."""
    if not path or any(ch < " " or ch == "\x7f" or ch.isspace() for ch in path):
        return "/"
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def claim_attempt(request: Request, email: str, attempts: str) -> str | None:
    """Why a password for `email` from this client may not be checked now, or None, in which case
    the attempt is already counted as a failure (a right password clears it): counted before the
    check, so guesses sent at once cannot all pass the throttle."""
    settings = request.app.state.settings

    def refusal(account_failures: int, ip_failures: int) -> str | None:
        return accounts.signin_throttle_message(
            account_failures, ip_failures, settings.signin_account_limit, settings.signin_ip_limit,
            settings.signin_window_minutes, attempts)

    return await users.claim_password_attempt(request.app.state.db, email, client_ip(request),
                                              timedelta(minutes=settings.signin_window_minutes), refusal)


async def claim_signup(request: Request) -> str | None:
    """Why a sign-up from this client may not go on now, or None, in which case it is already
    counted toward its address's hour: counted before the password is hashed (argon2id costs
    ~64 MiB and ~0.1 s of a core), so sign-ups sent at once cannot all pass the limit. Patients
    and invited caregivers or clinicians share the count."""
    limit = request.app.state.settings.signup_ip_limit
    return await users.claim_signup(request.app.state.db, client_ip(request),
                                     timedelta(minutes=accounts.SIGNUP_WINDOW_MINUTES),
                                     lambda made: accounts.signup_throttle_message(made, limit))


WRONG_CURRENT_PASSWORD = "That isn't your current password."
# A password or address change the database refused: the form comes back, but a password
# is never sent back, so unlike SAVE_FAILED this asks for it again.
CREDENTIALS_NOT_SAVED = ("Nothing was changed because of a problem on our side. Enter your "
                         "current password again and try in a moment.")


async def recheck_password(request: Request, password: str) -> tuple[bool, str | None]:
    """A password asked for again inside a session (changing it, deleting the account) counts
    toward the sign-in throttle, so a borrowed unlocked phone is no way to guess it.
    Returns (right, throttle message); a throttled attempt is not checked at all."""
    user, db = request.scope["user"], request.app.state.db
    if throttled := await claim_attempt(request, user.email, "password attempts"):
        return False, throttled
    if await verify_password(await users.password_hash_for(db, user.id), password):
        await users.clear_signin_failures(db, user.email)
        return True, None
    return False, None


async def current_password_problem(request: Request, password: str,
                                   wrong: str = WRONG_CURRENT_PASSWORD) -> tuple[str | None, int]:
    """What to say of a password asked for again inside a session (None when right), and the
    status to answer if the form goes back: the one way every form checks it (the account page's
    cards, deleting the account). `wrong` is what a wrong one is told."""
    right, throttled = await recheck_password(request, password)
    if throttled:
        return throttled, 429
    return (None, 422) if right else (wrong, 422)


async def start_session(request: Request, user_id: int, next_path: str) -> Response:
    """Sign in with a brand-new session token: a token from before sign-in is never reused."""
    settings = request.app.state.settings
    old = request.cookies.get(session_cookie(settings))
    if old:
        await sessions.delete_session(request.app.state.db, old)
    lifetime = timedelta(days=settings.session_days)
    token = await sessions.create_session(
        request.app.state.db, user_id, lifetime, request.headers.get("user-agent", "")
    )
    response = redirect(request, next_path)
    response.set_cookie(
        session_cookie(settings),
        token,
        max_age=int(lifetime.total_seconds()),
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    # A new form token too (the next page makes it): a page left open from before, perhaps
    # someone else's on a shared browser, must not send its forms into this account.
    forget_cookie(response, CSRF_COOKIE, settings)
    return response


@get("/signup", name="signup")
async def signup_page(request: Request) -> Response:
    if request.scope.get("user"):
        return redirect(request, "/")
    default_zone = request.app.state.settings.default_timezone
    # Only a fresh form takes the browser's zone; a form sent back with errors keeps the choice.
    return render(request, "account/signup.html", values={"timezone": default_zone},
                  errors={}, timezones=timezone_list(default_zone), detect_timezone=True)


@post("/signup")
async def signup(request: Request) -> Response:
    values = await form_data(request)
    form, errors = parse_form(accounts.SignupForm, values, accounts.SIGNUP_MESSAGES)
    if email_problem := accounts.email_problem(values.get("email", "")):
        errors["email"] = email_problem
    if form:
        problem = accounts.password_problem(form.password, form.email)
        if problem:
            errors["password"] = problem
        tz_problem = accounts.timezone_problem(form.timezone, known_timezones())
        if tz_problem:
            errors["timezone"] = tz_problem
    status = 422
    if form and not errors and (throttled := await claim_signup(request)):
        errors["form"], status = throttled, 429
    elif form and not errors:
        email = accounts.normalise_email(form.email)
        user = await users.create_user(
            request.app.state.db, email, await hash_password(form.password), "patient", form.timezone,
            dates.clock_of_hour_cycle(values.get("hour_cycle", "")),
        )
        if user:
            return await start_session(request, user.id, "/")
        errors["email"] = "An account with this email already exists. Sign in instead."
    values.pop("password", None)
    return render(request, "account/signup.html", status_code=status, values=values, errors=errors,
                  timezones=timezone_list(values.get("timezone")))


@get("/signin", name="signin")
async def signin_page(
    request: Request, next: FromQuery[str | None] = None, notice: FromQuery[str | None] = None
) -> Response:
    if request.scope.get("user"):
        return redirect(request, safe_next(next))
    return render(request, "account/signin.html", values={}, errors={}, next=safe_next(next),
                  notice=notice_text(notice, twelve_hour=False))


@post("/signin")
async def signin(request: Request) -> Response:
    values = await form_data(request)
    next_path = safe_next(values.get("next"))
    form, errors = parse_form(accounts.SigninForm, values, accounts.SIGNIN_MESSAGES)
    status = 422
    if form:
        db = request.app.state.db
        email = accounts.normalise_email(form.email)
        if throttled := await claim_attempt(request, email, "sign-in attempts"):
            errors["form"], status = throttled, 429
        else:
            found = await users.user_with_password_hash(db, email)
            if await verify_password(found[1] if found else None, form.password):
                await users.clear_signin_failures(db, email)
                return await start_session(request, found[0].id, next_path)
            errors["form"], status = "That email and password don't match an account.", 401
    values.pop("password", None)
    return render(request, "account/signin.html", status_code=status, values=values, errors=errors,
                  next=next_path, notice=None)


@post("/signout", guards=[signed_in])
async def signout(request: Request) -> Response:
    db = request.app.state.db
    # The page sends this browser's push endpoint, if it has one: a phone that is signed out
    # must stop getting this person's reminders (the page also unsubscribes the browser).
    # Signing out always works: an endpoint that fails validation is simply not acted on.
    form, _ = parse_form(SignOutForm, await form_data(request), SIGN_OUT_MESSAGES)
    await sessions.delete_session(db, request.scope["session_token"])
    if form and form.push_endpoint:
        await reminder_store.delete_device_by_endpoint(db, request.scope["user"].id, form.push_endpoint)
    return signed_out_response(request, "signed-out")


def signed_out_response(request: Request, notice: str) -> Response:
    response = redirect(request, f"/signin?notice={notice}")
    forget_cookie(response, SESSION_COOKIE, request.app.state.settings)
    response.headers["Clear-Site-Data"] = '"cache", "cookies"'
    return response


@post("/account/signout-everywhere", guards=[signed_in])
async def signout_everywhere(request: Request) -> Response:
    """Ends every session, and every device's reminders: a lost phone gets nothing more."""
    await sessions.delete_user_sessions(request.app.state.db, request.scope["user"].id)
    await reminder_store.delete_all_devices(request.app.state.db, request.scope["user"].id)
    return signed_out_response(request, "signed-out-everywhere")


@get("/account", guards=[signed_in], name="account")
async def account_page(request: Request, notice: FromQuery[str | None] = None) -> Response:
    return await account_view(request, notice=notice_text(notice, request.scope["user"].twelve_hour))


async def account_view(request: Request, status_code: int = 200, **context) -> Response:
    user = request.scope["user"]
    context.setdefault("values", {"timezone": user.timezone})
    context.setdefault("errors", {})
    # A reset link is a second key to the account: its owner sees that one is waiting, in case
    # they never asked for it (changing the password ends it).
    now = utc_now()
    waiting = await reset_store.unused_link_times(request.app.state.db, user.id, now)
    today = today_in(user.timezone, now)
    notice = waiting and reset_rules.waiting_link_notice(*waiting, user.timezone, today, user.twelve_hour)
    return render(request, "account/account.html", status_code=status_code,
                  timezones=timezone_list(context["values"].get("timezone")), reset_link_notice=notice,
                  **context)


@post("/account/timezone", guards=[signed_in])
async def change_timezone(request: Request) -> Response:
    values = await form_data(request)
    form, errors = parse_form(accounts.TimezoneForm, values, accounts.TIMEZONE_MESSAGES)
    if form and not accounts.timezone_problem(form.timezone, known_timezones()):
        user_id = request.scope["user"].id
        try:
            kept = await users.set_timezone(request.app.state.db, user_id, form.timezone, utc_now())
        except DatabaseError:
            return await account_view(request, 503, values=values, errors={"timezone": SAVE_FAILED})
        # As after saving reminder settings: the stored reminders follow the new zone and the
        # sessions' new instants now, not at the scheduler's next pass.
        await replan(request.app.state, user_id)
        notice = "timezone-sessions-kept" if kept else "timezone-changed"
        return redirect(request, f"/account?notice={notice}")
    errors = errors or {"timezone": accounts.TIMEZONE_MESSAGES["timezone"]}
    return await account_view(request, 422, values=values, errors=errors)


@post("/account/clock", guards=[signed_in])
async def change_clock(request: Request) -> Response:
    """The "Times" setting: "2:30 PM" (12-hour) or "14:30" (24-hour) on every page."""
    values = await form_data(request)
    form, errors = parse_form(accounts.ClockForm, values, accounts.CLOCK_MESSAGES)
    if form:
        try:
            await users.set_clock(request.app.state.db, request.scope["user"].id, form.clock)
        except DatabaseError:
            return await account_view(request, 503, errors={"clock": SAVE_FAILED})
        return redirect(request, "/account?notice=clock-changed")
    return await account_view(request, 422, errors=errors)


@post("/account/password", guards=[signed_in])
async def change_password(request: Request) -> Response:
    user, db = request.scope["user"], request.app.state.db
    values = await form_data(request)
    form, errors = parse_form(accounts.PasswordChangeForm, values, accounts.PASSWORD_CHANGE_MESSAGES)
    status = 422
    if form:
        wrong, status = await current_password_problem(request, form.current_password)
        if wrong:
            errors["current_password"] = wrong
        elif problem := accounts.password_problem(form.new_password, user.email):
            errors["new_password"] = problem
    if form and not errors:
        # A changed password ends every session, this one too (in the same transaction): whoever
        # stole this browser's cookie (the usual reason to change it) must not keep it. The
        # person changing it carries on with a brand-new token, as after signing in.
        try:
            await users.set_password_hash(db, user.id, await hash_password(form.new_password))
        except DatabaseError:
            return await account_view(request, 503, values={"timezone": user.timezone},
                                      errors={"new_password": CREDENTIALS_NOT_SAVED})
        return await start_session(request, user.id, "/account?notice=password-changed")
    return await account_view(request, status, values={"timezone": user.timezone}, errors=errors)


@post("/account/email", guards=[signed_in])
async def change_email(request: Request) -> Response:
    """A new sign-in address, checked like sign-up's, after the current password (throttled like
    sign-in). Whether another account has the address is said only once the password is right,
    and no more than sign-up says of it."""
    user = request.scope["user"]
    values = await form_data(request)
    form, errors = parse_form(accounts.EmailChangeForm, values, accounts.EMAIL_CHANGE_MESSAGES)
    status = 422
    new_email = accounts.normalise_email(form.new_email) if form else ""
    if problem := accounts.email_problem(values.get("new_email", "")):
        errors["new_email"] = problem
    elif form and (problem := accounts.new_email_problem(new_email, user.email)):
        errors["new_email"] = problem
    elif form:
        try:
            wrong, status = await current_password_problem(request, form.current_password)
            if wrong:
                errors["current_password"] = wrong
            elif not await users.set_email(request.app.state.db, user, new_email):
                errors["new_email"] = accounts.EMAIL_TAKEN
        except DatabaseError:
            errors["new_email"], status = CREDENTIALS_NOT_SAVED, 503
    if form and not errors:
        # Every session ended with the old address (as after a password change); this browser
        # carries on with a brand-new token.
        return await start_session(request, user.id, "/account?notice=email-changed")
    # The password card has a current_password field too: this card's errors go by its own ids.
    if "current_password" in errors:
        errors["email_password"] = errors.pop("current_password")
    return await account_view(request, status, values={"timezone": user.timezone,
                                                       "new_email": values.get("new_email", "")},
                              errors=errors)
