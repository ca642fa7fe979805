"""Signed checkpoints of the ledger: the signed text (origin, size, root, time) and Ed25519 signing."""

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from saphan_runtime.dev_secrets import development_secret

ORIGIN = "saphan-audit-ledger"


def note(size: int, root_hex: str, at: datetime) -> str:
    """Return the text a checkpoint signs: one line each for the origin, the size, the root and the time."""
    return f"{ORIGIN}\n{size}\n{root_hex}\n{at.isoformat()}\n"


@dataclass(frozen=True)
class Signer:
    """Signs checkpoints with the audit service's Ed25519 key."""

    key: Ed25519PrivateKey

    @property
    def public_key(self) -> str:
        """Return the public key, raw bytes in base64 (what auditors verify with)."""
        raw = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    @property
    def key_id(self) -> str:
        """Return a short name of the key: the first 8 bytes of the SHA-256 of the public key, hex."""
        return key_id(self.public_key)

    def sign(self, text: str) -> str:
        """Return the signature of a note, base64."""
        return base64.b64encode(self.key.sign(text.encode())).decode()


def key_id(public_key: str) -> str:
    """Return the id of a public key (base64, raw)."""
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]


def verify(public_key: str, text: str, signature: str) -> bool:
    """Return whether a note was signed by the key."""
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(base64.b64decode(signature),
                                                                               text.encode())
        return True
    except (InvalidSignature, ValueError):
        return False


def load_key(seed_b64: str) -> Ed25519PrivateKey:
    """Return the private key from its 32-byte seed, base64."""
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed_b64))


def development_key(path: Path) -> Ed25519PrivateKey:
    """Return the key kept in a file (made on first use, readable by the owner only): for development only."""
    return Ed25519PrivateKey.from_private_bytes(
        development_secret(path, lambda: Ed25519PrivateKey.generate().private_bytes_raw()))
