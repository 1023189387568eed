"""Rules for a browser's push subscription: what Lift accepts, and how a device is named.

The server will later POST to the endpoint a browser hands it, so an endpoint is a URL that a
signed-in person chooses for the server to call. Only https URLs on public hosts are accepted;
a private, loopback or link-local address (the server's own network) is refused unless the
deployment explicitly allows it, which only the tests' local push service needs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re
from typing import Annotated
from urllib.parse import urlsplit

import msgspec
from cryptography.hazmat.primitives.asymmetric import ec

MAX_ENDPOINT_LENGTH = 2048
# More devices than anyone carries; it bounds how many messages one reminder fans out to.
MAX_DEVICES = 10
TOO_MANY_DEVICES = (f"Reminders are on for {MAX_DEVICES} devices already. Remove one you no longer use, "
                    "then try again.")
HELD_BY_ANOTHER_ACCOUNT = ("This browser's reminders belong to another Lift account. Sign in to that account "
                           "and remove this device there, or turn notifications off for this site and on again.")
B64URL = r"^[A-Za-z0-9_-]+={0,2}$"
# Names that only ever mean "this machine" or "this network", never a push service.
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".localdomain")

MALFORMED = "That doesn't look like a browser push subscription. Reload the page and try again."


class SubscriptionKeys(msgspec.Struct, frozen=True):
    p256dh: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=B64URL)]
    auth: Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=B64URL)]


class SubscriptionIn(msgspec.Struct, frozen=True):
    """PushSubscription.toJSON() as the browser sends it."""

    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ENDPOINT_LENGTH)]
    keys: SubscriptionKeys
    expirationTime: float | None = None  # noqa: N815 - the browser's own field name


class EndpointIn(msgspec.Struct, frozen=True):
    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ENDPOINT_LENGTH)]


class RenewalIn(msgspec.Struct, frozen=True):
    """From the service worker when the browser replaced its subscription: the old endpoint,
    the old subscription's auth secret, and the new subscription. The push service knows every
    endpoint, so the endpoint alone would let it swap the keys and read later payloads; the
    auth secret is known only to the browser and Lift (RFC 8291 never sends it)."""

    old_endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ENDPOINT_LENGTH)]
    subscription: SubscriptionIn
    # Missing or empty is simply wrong: answered like an unknown endpoint, not as malformed.
    old_auth: Annotated[str, msgspec.Meta(max_length=40)] = ""


class SignOutForm(msgspec.Struct, kw_only=True):
    """Signing out may carry this browser's push endpoint, so its reminders stop too."""

    push_endpoint: Annotated[str, msgspec.Meta(max_length=MAX_ENDPOINT_LENGTH)] = ""


SIGN_OUT_MESSAGES = {"push_endpoint": "That isn't a push endpoint."}


def decode_b64url(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


def _private_host(host: str) -> bool:
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(LOCAL_SUFFIXES) or "." not in name and ":" not in name:
        return True
    try:
        return is_private_address(name)
    except ValueError:
        return False


def is_private_address(text: str) -> bool:
    """True for any IP address that is not a public unicast one (loopback, private, link-local,
    reserved, multicast), IPv4-mapped IPv6 judged as the IPv4 it carries. ValueError if `text`
    is not an address."""
    address = ipaddress.ip_address(text)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def endpoint_problem(endpoint: str, allow_private: bool) -> str | None:
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "The push address isn't a valid URL."
    if parts.scheme != "https":
        return "The push address must start with https://."
    if not parts.hostname or parts.username is not None or parts.password is not None:
        return "The push address isn't a valid URL."
    if port == 0:
        return "The push address isn't a valid URL."
    if not allow_private and _private_host(parts.hostname):
        return "The push address is on a private or local network, which Lift doesn't send to."
    return None


def keys_problem(keys: SubscriptionKeys) -> str | None:
    """RFC 8291: p256dh is an uncompressed P-256 point (65 bytes), auth a 16-byte secret."""
    public = decode_b64url(keys.p256dh)
    if public is None or len(public) != 65 or public[0] != 4:
        return "The subscription's p256dh key must be a 65-byte P-256 public key."
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)
    except ValueError:
        return "The subscription's p256dh key is not a point on the P-256 curve."
    secret = decode_b64url(keys.auth)
    if secret is None or len(secret) != 16:
        return "The subscription's auth secret must be 16 bytes."
    return None


def subscription_problem(subscription: SubscriptionIn, allow_private: bool) -> str | None:
    return endpoint_problem(subscription.endpoint, allow_private) or keys_problem(subscription.keys)


def endpoint_hash(endpoint: str) -> str:
    """What the page uses to recognise "this device" without the endpoint being shown."""
    return hashlib.sha256(endpoint.encode()).hexdigest()[:32]


BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"),
            ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"), ("Chrome/", "Chrome"),
            ("Chromium/", "Chromium"), ("Safari/", "Safari"))
SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
           ("Mac OS X", "Mac"), ("Macintosh", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_label(user_agent: str) -> str:
    """A name a person recognises ("Chrome on Android"), from the browser's User-Agent."""
    browser = next((name for marker, name in BROWSERS if marker in user_agent), "Browser")
    system = next((name for marker, name in SYSTEMS if marker in user_agent), "")
    label = f"{browser} on {system}" if system else browser
    return re.sub(r"[^\w .-]", "", label)[:80]
