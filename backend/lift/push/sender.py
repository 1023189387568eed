"""Send one Web Push message with pywebpush, and say what happened in terms the scheduler acts on.

pywebpush is blocking (requests), so each send runs on a thread of a bounded pool: the event
loop never waits on a push service, and a push service that hangs holds one thread until the
request timeout, never the others.

Known pywebpush traps, each handled here:
- its default TTL is 0, which drops the message for a phone that is offline right now;
- its default timeout is none, so one silent push service would hold a thread forever;
- it writes `aud` and `exp` into the claims dict it is given, so a dict reused for another
  push service would carry the wrong audience: every call gets a fresh dict;
- a WebPushException may come without a response (a network error): check before reading it;
- it posts through requests, which follows redirects: a push service never redirects, and a
  followed redirect would let an endpoint send the server anywhere, so none is followed.

An endpoint's host is checked when the device subscribes, but its DNS can change afterwards
(rebinding): unless private endpoints are allowed, the address actually connected to is
checked too, before TLS starts or any byte of the message is sent.
"""

from __future__ import annotations

import asyncio
import email.utils
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import requests
from pywebpush import WebPushException, webpush
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from lift.domain.push import is_private_address
from lift.domain.reminders import MAX_PAYLOAD_BYTES, MIN_TTL_SECONDS, TOPIC_PATTERN
from lift.push.vapid import VapidKeys


@dataclass(frozen=True)
class PushMessage:
    endpoint: str
    p256dh: str
    auth: str
    payload: str
    ttl: int
    urgency: str
    topic: str


@dataclass(frozen=True)
class SendResult:
    # sent: accepted. gone: the subscription no longer exists (404/410). retry: try again later
    # (429, 5xx, timeout, network). failed: will not work however often it is tried.
    status: Literal["sent", "gone", "retry", "failed"]
    http_status: int | None = None
    retry_after: float | None = None  # seconds, from a 429's or 503's Retry-After
    error: str = ""


# Longest wait a Retry-After is taken at (the scheduler then applies its own, shorter limit):
# keeps an absurd value ("9" repeated 400 times is infinity as a float) a finite number.
RETRY_AFTER_LIMIT_SECONDS = 86400.0


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After, 0 to a day; None when it says nothing usable.

    RFC 9110 allows a delay in seconds (ASCII digits only: str.isdigit also accepts "²" or
    "١٢", which float() refuses or reads) or an HTTP date; anything else is ignored."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), RETRY_AFTER_LIMIT_SECONDS)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    wait = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(0.0, wait), RETRY_AFTER_LIMIT_SECONDS)


def classify(http_status: int, retry_after: str | None) -> SendResult:
    if http_status < 300:
        return SendResult(status="sent", http_status=http_status)
    if http_status in (404, 410):
        return SendResult(status="gone", http_status=http_status)
    if http_status == 429 or http_status >= 500:
        return SendResult(status="retry", http_status=http_status,
                          retry_after=retry_after_seconds(retry_after), error=f"HTTP {http_status}")
    # 400 (malformed), 401/403 (VAPID refused), 413 (too large): retrying cannot help.
    return SendResult(status="failed", http_status=http_status, error=f"HTTP {http_status}")


class PrivateAddressRefused(Exception):
    """Not an OSError, so urllib3 neither retries it nor hides it in a connection error."""


def _public_only(connection_class: type[HTTPConnection]) -> type[HTTPConnection]:
    class PublicOnlyConnection(connection_class):
        def _new_conn(self):
            sock = super()._new_conn()
            address = sock.getpeername()[0]
            if is_private_address(address):
                sock.close()
                raise PrivateAddressRefused(f"refused: {self.host} is at a private address")
            return sock

    return PublicOnlyConnection


class PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _public_only(HTTPConnection)


class PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _public_only(HTTPSConnection)


class PublicAddressesOnly(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": PublicHTTPPool, "https": PublicHTTPSPool}


class PushSession(requests.Session):
    """Follows no redirect; with a CA file, verifies push services with that file alone (plain
    requests lets REQUESTS_CA_BUNDLE override Session.verify); with public_only, connects to
    public addresses only."""

    def __init__(self, ca_file: str = "", public_only: bool = True) -> None:
        super().__init__()
        self.ca_file = ca_file
        if ca_file:
            self.verify = ca_file
        if public_only:
            self.mount("https://", PublicAddressesOnly())
            self.mount("http://", PublicAddressesOnly())

    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if self.ca_file:
            merged["verify"] = self.ca_file
        return merged


class Sender:
    def __init__(self, vapid: VapidKeys, subject: str, *, timeout: float, concurrency: int,
                 ca_file: str = "", allow_private: bool = False) -> None:
        self.vapid, self.subject, self.timeout, self.ca_file = vapid, subject, timeout, ca_file
        self.allow_private = allow_private
        self.concurrency = concurrency
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="lift-push")
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def _session(self) -> requests.Session:
        """One keep-alive session per thread: requests sessions are not shared across threads."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = PushSession(self.ca_file, public_only=not self.allow_private)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def send_blocking(self, message: PushMessage) -> SendResult:
        if message.ttl < MIN_TTL_SECONDS:
            return SendResult(status="failed", error="TTL below the minimum")
        if len(message.payload.encode()) > MAX_PAYLOAD_BYTES:
            return SendResult(status="failed", error="payload too large")
        if not TOPIC_PATTERN.match(message.topic):
            return SendResult(status="failed", error="invalid Topic")
        try:
            response = webpush(
                subscription_info={"endpoint": message.endpoint,
                                   "keys": {"p256dh": message.p256dh, "auth": message.auth}},
                data=message.payload,
                vapid_private_key=self.vapid.signer,
                vapid_claims={"sub": self.subject},  # fresh per call: pywebpush adds aud and exp to it
                ttl=message.ttl,
                timeout=self.timeout,
                headers={"Urgency": message.urgency, "Topic": message.topic},
                requests_session=self._session(),
            )
        except WebPushException as exc:
            if exc.response is None:
                return SendResult(status="retry", error=exc.message[:200])
            return classify(exc.response.status_code, exc.response.headers.get("Retry-After"))
        except requests.RequestException as exc:  # timeouts, refused connections, TLS errors
            return SendResult(status="retry", error=f"{type(exc).__name__}")
        except Exception as exc:  # a subscription whose keys cannot be used, say
            return SendResult(status="failed", error=f"{type(exc).__name__}: {exc}"[:200])
        return classify(response.status_code, response.headers.get("Retry-After"))

    async def send(self, message: PushMessage) -> SendResult:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self.send_blocking, message)

    def close(self) -> None:
        """Wait for sends in flight (each bounded by the timeout), then close connections."""
        self._pool.shutdown(wait=True)
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
