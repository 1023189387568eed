"""Forgot your password: what to do (Lift sends no email), and the operator's reset link,
which lets the person choose a new password and signs them in.

The link's token is a secret in the path: the request log records the route's template only,
and Referrer-Policy: same-origin keeps it from other sites."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Response

from lift.db import password_resets as store
from lift.db.clock import utc_now
from lift.domain import accounts
from lift.domain import password_resets as rules
from lift.domain.forms import parse_form
from lift.passwords import hash_password
from lift.web.auth import start_session
from lift.web.rendering import form_data, render

# Longer than any token Lift makes: anything longer is not worth hashing.
MAX_TOKEN_CHARS = 64


@get(rules.RESET_PATH, name="forgot_password")
async def forgot_password(request: Request) -> Response:
    return render(request, "password_resets/forgot.html", hours=rules.RESET_LINK_HOURS)


async def find_link(request: Request, token: str) -> tuple[rules.ResetLink | None, str | None]:
    """The link a token names, and why it can't be used (None if it can)."""
    link = None
    if len(token) <= MAX_TOKEN_CHARS:
        link = await store.reset_link_by_token(request.app.state.db, store.token_hash(token))
    return link, rules.reset_problem(link, utc_now())


def dead_link(request: Request, problem: str) -> Response:
    return render(request, "password_resets/invalid.html", status_code=404 if problem == "unknown" else 410,
                  message=rules.RESET_PROBLEMS[problem])


def choose_view(request: Request, token: str, link: rules.ResetLink, errors: dict,
                status_code: int = 200) -> Response:
    return render(request, "password_resets/choose.html", status_code=status_code,
                  action=rules.reset_path(token), email=link.email, errors=errors)


@get(f"{rules.RESET_PATH}/{{token:str}}")
async def reset_page(request: Request, token: FromPath[str]) -> Response:
    link, problem = await find_link(request, token)
    if problem:
        return dead_link(request, problem)
    return choose_view(request, token, link, {})


@post(f"{rules.RESET_PATH}/{{token:str}}")
async def reset_password(request: Request, token: FromPath[str]) -> Response:
    link, problem = await find_link(request, token)
    if problem:
        return dead_link(request, problem)
    form, errors = parse_form(rules.PasswordResetForm, await form_data(request), rules.RESET_MESSAGES)
    if form and (weak := accounts.password_problem(form.new_password, link.email)):
        errors["new_password"] = weak
    if errors:
        return choose_view(request, token, link, errors, 422)
    # Hashed before the write transaction: argon2id is slow, and the writer is shared.
    password_hash = await hash_password(form.new_password)
    db = request.app.state.db
    user_id = await store.use_reset_link(db, store.token_hash(token), password_hash, utc_now())
    if user_id is None:  # used in another tab, or replaced, while the password was hashed
        return dead_link(request, "used")
    return await start_session(request, user_id, "/account?notice=password-reset")
