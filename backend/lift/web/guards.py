"""Who may reach a route. Ownership of individual records is checked in the queries."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler


def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise NotAuthorizedException("Sign in to continue.")


def patient(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    signed_in(connection, handler)
    if connection.scope["user"].role != "patient":
        raise PermissionDeniedException("This page is for patients.")
