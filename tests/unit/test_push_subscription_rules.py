"""Which browser push subscriptions Lift accepts, and how devices are named."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from lift.domain.push import (SubscriptionKeys, device_label, endpoint_hash, endpoint_problem, is_private_address,
                              keys_problem)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def real_keys() -> SubscriptionKeys:
    public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return SubscriptionKeys(p256dh=b64url(public), auth=b64url(os.urandom(16)))


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc:def",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
    "https://web.push.apple.com/QGuQyavXutnMH",
    "https://push.example.org:8443/x",
])
def test_it_accepts_https_endpoints_on_public_hosts(endpoint):
    assert endpoint_problem(endpoint, allow_private=False) is None


@pytest.mark.parametrize(("endpoint", "words"), [
    ("http://fcm.googleapis.com/fcm/send/abc", "https://"),
    ("ftp://push.example.org/x", "https://"),
    ("not a url", "https://"),
    ("https://", "valid URL"),
    ("https://user:pw@push.example.org/x", "valid URL"),
    ("https://push.example.org:99999/x", "valid URL"),
    ("https://127.0.0.1/x", "private"),
    ("https://127.5.5.5:8443/x", "private"),
    ("https://localhost/x", "private"),
    ("https://push.localhost/x", "private"),
    ("https://10.0.0.8/x", "private"),
    ("https://192.168.1.20/x", "private"),
    ("https://172.16.0.1/x", "private"),
    ("https://169.254.169.254/latest/meta-data", "private"),
    ("https://100.64.0.1/x", "private"),
    ("https://[::1]/x", "private"),
    ("https://[fd00::1]/x", "private"),
    ("https://[::ffff:10.0.0.1]/x", "private"),
    ("https://0.0.0.0/x", "private"),
    ("https://printer.local/x", "private"),
    ("https://metadata.google.internal/x", "private"),
    ("https://intranet/x", "private"),
])
def test_it_refuses_other_endpoints_with_a_reason(endpoint, words):
    problem = endpoint_problem(endpoint, allow_private=False)
    assert problem is not None and words in problem


def test_private_hosts_are_allowed_only_when_the_deployment_says_so():
    assert endpoint_problem("https://127.0.0.1:4443/push/x", allow_private=True) is None
    assert "https://" in endpoint_problem("http://127.0.0.1:4443/push/x", allow_private=True)


@pytest.mark.parametrize(("address", "private"), [
    ("142.250.180.10", False), ("2a00:1450:4001:82b::200a", False), ("::ffff:142.250.180.10", False),
    ("127.0.0.1", True), ("127.0.1.1", True), ("10.1.2.3", True), ("172.31.255.255", True),
    ("192.168.0.1", True), ("169.254.169.254", True), ("100.64.0.1", True), ("0.0.0.0", True),
    ("224.0.0.1", True), ("::1", True), ("fe80::1%eth0", True), ("fd12::1", True), ("::ffff:127.0.0.1", True),
    ("ff02::1", True),
])
def test_the_address_a_sender_connected_to_is_judged_public_or_private(address, private):
    # The sender asks this of the socket's peer address at every new connection.
    assert is_private_address(address) is private


def test_a_name_is_not_an_address():
    with pytest.raises(ValueError):
        is_private_address("push.example.org")


def test_it_accepts_a_real_p256_key_and_16_byte_secret():
    assert keys_problem(real_keys()) is None


@pytest.mark.parametrize(("change", "words"), [
    ({"p256dh": b64url(b"\x04" + b"\x01" * 63)}, "65-byte"),
    ({"p256dh": b64url(b"\x02" + b"\x01" * 64)}, "65-byte"),
    ({"p256dh": b64url(b"\x04" + b"\x01" * 64)}, "P-256 curve"),
    ({"auth": b64url(os.urandom(15))}, "16 bytes"),
    ({"auth": b64url(os.urandom(32))}, "16 bytes"),
    ({"auth": "a"}, "16 bytes"),
])
def test_it_refuses_keys_of_the_wrong_size_or_shape(change, words):
    keys = real_keys()
    broken = SubscriptionKeys(p256dh=change.get("p256dh", keys.p256dh), auth=change.get("auth", keys.auth))
    assert words in keys_problem(broken)


@pytest.mark.parametrize(("agent", "label"), [
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
     "Chrome on Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
     "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0",
     "Edge on Windows"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
    ("", "Browser"),
])
def test_it_names_a_device_after_its_browser_and_system(agent, label):
    assert device_label(agent) == label


def test_the_device_hash_is_stable_and_does_not_reveal_the_endpoint():
    endpoint = "https://fcm.googleapis.com/fcm/send/secret-token"
    assert endpoint_hash(endpoint) == endpoint_hash(endpoint)
    assert len(endpoint_hash(endpoint)) == 32 and "secret" not in endpoint_hash(endpoint)
