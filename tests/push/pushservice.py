"""A local Web Push service on 127.0.0.1, over TLS, that checks what a real one checks.

For every message it verifies the VAPID JWT (RFC 8292: ES256 signature by the key in the
Authorization header, that key being the server's, `aud` the endpoint's origin, `exp` in the
future and at most 24 hours away, `sub` a mailto: contact), checks the TTL, Urgency and Topic
headers (RFC 8030), and decrypts the aes128gcm body (RFC 8291) with the private key of the
subscription it was sent to. A message that fails any check is answered 400 and recorded as
a problem, so a test only has to assert `service.problems == []`.

Each subscription is a real P-256 key pair and 16-byte auth secret, made per test, and can
be told how to answer: 201, 404, 410, 429 with Retry-After, 500, or hang (never answer).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import ipaddress
import json
import os
import re
import secrets
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path

import http_ece
from aiohttp import web
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.x509.oid import NameOID

TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
URGENCIES = {"very-low", "low", "normal", "high"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Answer:
    status: int = 201
    retry_after: str | None = None
    hang: bool = False
    delay: float = 0.0  # answer, but only after this many seconds
    location: str | None = None  # a redirect's target (with a 3xx status)


CREATED = Answer(201)
HANG = Answer(hang=True)


@dataclass
class Received:
    subscriber: str
    at: float  # time.monotonic() when the request arrived
    answered: int | None
    headers: dict[str, str]
    claims: dict
    message: dict | None
    problems: list[str]


@dataclass
class Subscriber:
    """A browser's push subscription, as seen by the push service that issued it."""

    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    answers: list[Answer] = field(default_factory=lambda: [CREATED])
    received: list[Received] = field(default_factory=list)

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    def subscription_json(self) -> dict:
        """What PushSubscription.toJSON() gives the page."""
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def next_answer(self) -> Answer:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    @property
    def delivered(self) -> list[Received]:
        return [r for r in self.received if r.answered == 201]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, which the sender is told to trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Lift test push service")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=False,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "push-cert.pem", folder / "push-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class LocalPushService:
    def __init__(self, vapid_public_key: str, folder: Path, verify: bool = True) -> None:
        self.vapid_public_key = vapid_public_key.rstrip("=")
        self.folder, self.verify = folder, verify
        self.subscribers: dict[str, Subscriber] = {}
        self.raw_posts = 0
        self.accepted = 0
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        # Every connection a request came on, with its socket, for close() to finish off.
        self._connections: dict[asyncio.BaseTransport, object] = {}
        self.cert_path: Path | None = None
        self.origin = ""

    async def start(self) -> LocalPushService:
        self.cert_path, key_path = make_certificate(self.folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, key_path)
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_post("/push/{id}", self._push)
        app.router.add_post("/raw", self._raw)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.origin = f"https://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
        # aiohttp's cleanup only starts to close a TLS connection (the close_notify exchange may
        # wait 30 s for the device), and one a device left half-closed may never finish. A socket
        # still open when the test's event loop ends is closed by the garbage collector later,
        # and its "unclosed transport" warning fails whichever test is running then.
        for transport in self._connections:
            transport.abort()
        for _ in range(100):  # abort closes each socket on the loop's next turn
            if all(sock.fileno() == -1 for sock in self._connections.values()):
                return
            await asyncio.sleep(0)
        raise AssertionError("the local push service left connections open")

    def _remember(self, request: web.Request) -> None:
        if request.transport is not None:
            self._connections.setdefault(request.transport, request.transport.get_extra_info("socket"))

    def subscribe(self, *answers: Answer) -> Subscriber:
        sub_id = secrets.token_urlsafe(12)
        subscriber = Subscriber(id=sub_id, endpoint=f"{self.origin}/push/{sub_id}",
                                private_key=ec.generate_private_key(ec.SECP256R1()),
                                auth=os.urandom(16), answers=list(answers) or [CREATED])
        self.subscribers[sub_id] = subscriber
        return subscriber

    @property
    def received(self) -> list[Received]:
        return sorted((r for s in self.subscribers.values() for r in s.received), key=lambda r: r.at)

    @property
    def problems(self) -> list[str]:
        return [f"{r.subscriber}: {p}" for r in self.received for p in r.problems]

    async def _raw(self, request: web.Request) -> web.Response:
        self._remember(request)
        await request.read()
        self.raw_posts += 1
        return web.Response(status=201)

    async def _push(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        self._remember(request)
        subscriber = self.subscribers.get(request.match_info["id"])
        body = await request.read()
        if subscriber is None:
            return web.Response(status=404)
        headers = {k.lower(): v for k, v in request.headers.items()}
        claims, message, problems = {}, None, []
        if self.verify:
            claims, problems = self._check_vapid(headers.get("authorization", ""))
            problems += self._check_headers(headers, body)
            if not problems:
                message, problem = self._decrypt(subscriber, body)
                problems += [problem] if problem else []
        answer = subscriber.next_answer() if not problems else Answer(400)
        record = Received(subscriber=subscriber.id, at=arrived, answered=None if answer.hang else answer.status,
                          headers=headers, claims=claims, message=message, problems=problems)
        subscriber.received.append(record)
        if answer.hang:
            await self._closing.wait()  # never answers; the sender's timeout has to end it
            return web.Response(status=503)
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.status == 201:
            self.accepted += 1
        if answer.retry_after and not answer.retry_after.isascii():
            return self._answer_in_latin1(request, answer)
        extra = {"Retry-After": answer.retry_after} if answer.retry_after else {}
        location = answer.location or f"/messages/{secrets.token_hex(4)}"
        return web.Response(status=answer.status, headers={"Location": location, **extra})

    def _answer_in_latin1(self, request: web.Request, answer: Answer) -> web.Response:
        """A Retry-After of bytes above 0x7F (obs-text), which HTTP clients read as Latin-1:
        aiohttp would send the text as UTF-8, so "²" would arrive as "Â²". The answer is
        written on the connection itself, which is then closed; what aiohttp tries to write
        after it goes nowhere."""
        head = (f"HTTP/1.1 {answer.status} Refused\r\nRetry-After: {answer.retry_after}\r\n"
                "Content-Length: 0\r\nConnection: close\r\n\r\n")
        request.transport.write(head.encode("latin-1"))
        request.transport.close()
        return web.Response(status=answer.status)

    def _check_vapid(self, authorization: str) -> tuple[dict, list[str]]:
        match = re.fullmatch(r"vapid t=([A-Za-z0-9_\-.]+),\s*k=([A-Za-z0-9_\-]+)", authorization)
        if not match:
            return {}, [f"Authorization is not 'vapid t=..., k=...': {authorization[:40]!r}"]
        token, key = match.groups()
        problems = []
        if key != self.vapid_public_key:
            problems.append("VAPID key k is not the server's public key")
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(unb64url(header_b64))
            claims = json.loads(unb64url(claims_b64))
            signature = unb64url(signature_b64)
        except ValueError:
            return {}, problems + ["VAPID token is not a JWT"]
        if header.get("alg") != "ES256" or header.get("typ") != "JWT":
            problems.append(f"JWT header is {header}")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        der = utils.encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            problems.append("JWT signature does not verify with the VAPID key")
        if len(signature) != 64:
            problems.append("JWT signature is not 64 bytes (r||s)")
        if claims.get("aud") != self.origin:
            problems.append(f"aud is {claims.get('aud')!r}, not {self.origin!r}")
        now = time.time()
        if not isinstance(claims.get("exp"), int) or not now < claims["exp"] <= now + 24 * 3600:
            problems.append(f"exp {claims.get('exp')!r} is not in the next 24 hours")
        if not str(claims.get("sub", "")).startswith("mailto:"):
            problems.append(f"sub {claims.get('sub')!r} is not a mailto: contact")
        return claims, problems

    def _check_headers(self, headers: dict[str, str], body: bytes) -> list[str]:
        problems = []
        ttl = headers.get("ttl", "")
        if not ttl.isdigit() or int(ttl) <= 0:
            problems.append(f"TTL {ttl!r} is not a positive number of seconds")
        if headers.get("urgency") not in URGENCIES:
            problems.append(f"Urgency {headers.get('urgency')!r} is not one of {sorted(URGENCIES)}")
        if not TOPIC.match(headers.get("topic", "")):
            problems.append(f"Topic {headers.get('topic')!r} is not 1-32 URL-safe base64 characters")
        if headers.get("content-encoding") != "aes128gcm":
            problems.append(f"Content-Encoding is {headers.get('content-encoding')!r}")
        if len(body) > 4096:
            problems.append(f"body is {len(body)} bytes, over 4096")
        return problems

    def _decrypt(self, subscriber: Subscriber, body: bytes) -> tuple[dict | None, str | None]:
        try:
            plain = http_ece.decrypt(body, private_key=subscriber.private_key, auth_secret=subscriber.auth,
                                     version="aes128gcm")
        except Exception as exc:
            return None, f"aes128gcm body does not decrypt: {exc!r}"
        if len(plain) > 3993:
            return None, f"plaintext is {len(plain)} bytes, over 3993"
        try:
            return json.loads(plain), None
        except ValueError:
            return None, "plaintext is not JSON"


# Run on its own (the fan-out benchmark does, so it has a core of its own) ------------------

async def _serve(public_key: str, folder: Path, verify: bool) -> None:
    import signal

    service = await LocalPushService(public_key, folder, verify=verify).start()

    async def subscribers(request: web.Request) -> web.Response:
        count = int(request.query.get("count", "1"))
        return web.json_response([service.subscribe().subscription_json() for _ in range(count)])

    async def stats(request: web.Request) -> web.Response:
        per = [len(s.received) for s in service.subscribers.values()]
        return web.json_response({"accepted": service.accepted, "raw_posts": service.raw_posts,
                                  "received": sum(per), "max_per_subscriber": max(per, default=0),
                                  "problems": service.problems[:5], "problem_count": len(service.problems)})

    control = web.Application()
    control.router.add_post("/subscribers", subscribers)
    control.router.add_get("/stats", stats)
    runner = web.AppRunner(control, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    control_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    print(json.dumps({"origin": service.origin, "cert": str(service.cert_path), "control": control_url}), flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await stop.wait()
    await runner.cleanup()
    await service.close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="A local Web Push service for tests and benchmarks.")
    parser.add_argument("--public-key", required=True, help="the server's VAPID public key (base64url)")
    parser.add_argument("--folder", required=True, help="where to write the TLS certificate")
    parser.add_argument("--no-verify", action="store_true", help="accept without checking (not the default)")
    args = parser.parse_args()
    asyncio.run(_serve(args.public_key, Path(args.folder), verify=not args.no_verify))
