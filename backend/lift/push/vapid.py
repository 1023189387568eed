"""The server's VAPID key pair (RFC 8292): from settings, or generated once into the data directory.

The public key is what browsers subscribe with (applicationServerKey); every push message is
signed with the private key, so a push service only accepts messages from this server.
Changing the pair orphans every existing subscription, which is why it is generated once and
kept, never regenerated on start.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

from lift.settings import Settings, SettingsError

KEY_FILE = "vapid_private_key"


@dataclass(frozen=True)
class VapidKeys:
    signer: Vapid
    public_key: str  # base64url, uncompressed P-256 point: the browser's applicationServerKey
    source: str  # "settings" or the key file's path, for `python -m lift vapid`


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_key_of(signer: Vapid) -> str:
    return _b64url(signer.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


def private_key_text(key: ec.EllipticCurvePrivateKey) -> str:
    return _b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def _signer(text: str, name: str) -> Vapid:
    try:
        return Vapid.from_string(text.strip())
    except Exception:
        raise SettingsError(f"{name}: not a VAPID private key (base64url P-256 key, raw or DER)") from None


def load_vapid_keys(settings: Settings) -> VapidKeys | None:
    """The configured pair, or the one in the data directory; None if there is neither yet."""
    if settings.vapid_private_key:
        signer = _signer(settings.vapid_private_key, "LIFT_VAPID_PRIVATE_KEY")
        public = public_key_of(signer)
        if settings.vapid_public_key and settings.vapid_public_key.rstrip("=") != public:
            raise SettingsError("LIFT_VAPID_PUBLIC_KEY: does not belong to LIFT_VAPID_PRIVATE_KEY")
        return VapidKeys(signer=signer, public_key=public, source="settings")
    if settings.vapid_public_key:
        raise SettingsError("LIFT_VAPID_PUBLIC_KEY: set LIFT_VAPID_PRIVATE_KEY with it")
    path = settings.data_path / KEY_FILE
    if path.exists() and (text := path.read_text().strip()):
        signer = _signer(text, str(path))
        return VapidKeys(signer=signer, public_key=public_key_of(signer), source=str(path))
    return None


def ensure_vapid_keys(settings: Settings) -> tuple[VapidKeys, bool]:
    """The existing pair, or a new one written once (owner-only) into the data directory.
    Returns the keys and whether they were just created."""
    existing = load_vapid_keys(settings)
    if existing is not None:
        return existing, False
    settings.data_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path: Path = settings.data_path / KEY_FILE
    text = private_key_text(ec.generate_private_key(ec.SECP256R1()))
    draft = path.with_name(f"{KEY_FILE}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(text + "\n")
    try:
        # A hard link appears whole and fails if the name exists: when the app and a worker
        # start together, exactly one pair is kept and both sign with it.
        os.link(draft, path)
        created = True
    except FileExistsError:
        created = False
    finally:
        draft.unlink()
    return load_vapid_keys(settings), created
