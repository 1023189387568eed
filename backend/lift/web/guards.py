"""Who may reach a route. Ownership of individual records is checked in the queries.

A signed-in account of another role gets 404 from a role's pages, as if they did not exist:
a caregiver or clinician who edits a URL learns nothing, and nobody can act as a patient.
Every view of a patient by someone else also needs an active grant, read on every request
(shared_patient), and is a 404 without one.
"""

from __future__ import annotations

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler

from lift.db import sharing as sharing_store
from lift.domain.sharing import Grant


# Guards are coroutines: Litestar runs a plain-function guard in a worker thread, which
# would cost every request a thread round trip for a dictionary lookup.
async def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise NotAuthorizedException("Sign in to continue.")


async def _role(connection: ASGIConnection, handler: BaseRouteHandler, role: str) -> None:
    await signed_in(connection, handler)
    if connection.scope["user"].role != role:
        raise NotFoundException()


async def patient(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    await _role(connection, handler, "patient")


async def caregiver(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    await _role(connection, handler, "caregiver")


async def clinician(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    await _role(connection, handler, "clinician")


async def shared_patient(request: Request, patient_id: int) -> Grant:
    """The signed-in viewer's active grant for this patient, or 404: a revoked, missing or
    other patient's grant looks exactly like a patient who does not exist."""
    viewer = request.scope["user"]
    grant = await sharing_store.active_grant(request.app.state.db, patient_id, viewer.id, viewer.role)
    if grant is None:
        raise NotFoundException()
    return grant
