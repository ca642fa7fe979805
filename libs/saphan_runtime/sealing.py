"""Personal data sealed per case (crypto-shredding): each case has its own 256-bit data key, kept in the owning
service's `case_keys` table wrapped (AES-256-GCM) by the service's master key from its settings. Personal data is
sealed with the case's key before it is stored or published; destroying the key makes every copy unreadable (the
service's store, Kafka, the audit ledger) while the events keep their bytes, hashes and proofs."""

import base64
import hashlib
import os
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, LargeBinary, MetaData, String, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.common import Sealed
from saphan_runtime import direct
from saphan_runtime.db import UtcDateTime
from saphan_runtime.dev_secrets import development_secret
from saphan_runtime.errors import Conflict


def case_keys_table(metadata: MetaData) -> Table:
    """Add the `case_keys` table to a service's tables: each case's data key, wrapped, until it is destroyed."""
    return Table(
        "case_keys",
        metadata,
        Column("case_id", String(64), primary_key=True),
        Column("wrapped_key", LargeBinary, nullable=True, doc="nonce + AES-GCM(master, data key); NULL once destroyed"),
        Column("master_key_id", String(16), nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("destroyed_at", UtcDateTime(), nullable=True),
        Column("destroyed_because", String(200), nullable=True),
    )


CASE_KEYS = case_keys_table(MetaData())


class KeyDestroyed(Conflict):
    """The case's key was destroyed: nothing can be sealed for it any more (HTTP 409)."""


class Unreadable(Exception):
    """A sealed value does not open with its case's key: it was altered, or sealed for another case."""


def master_key_id(master_key: bytes) -> str:
    """Return the id of a master key (so a rotated key is told apart from the old one)."""
    return hashlib.sha256(b"saphan-master-key:" + master_key).hexdigest()[:16]


NONCE_BYTES = 12


def _aad(case_id: str, purpose: str) -> bytes:
    return f"saphan:{purpose}:{case_id}".encode()


def _encrypt(aead: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    """Return a fresh nonce followed by the ciphertext and its tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, plaintext, aad)


def _decrypt(aead: AESGCM, sealed: bytes, aad: bytes, what: str) -> bytes:
    """Open what `_encrypt` made (Unreadable, naming `what`, when it was altered or bound to something else)."""
    try:
        return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as error:
        raise Unreadable(f"{what} does not open with its key") from error


def seal(key: bytes, case_id: str, plaintext: bytes) -> Sealed:
    """Seal bytes with a case's data key; the case id is bound in, so it cannot be passed off as another case's."""
    sealed = _encrypt(AESGCM(key), plaintext, _aad(case_id, "data"))
    return Sealed(kid=f"case:{case_id}", nonce=_b64(sealed[:NONCE_BYTES]), ciphertext=_b64(sealed[NONCE_BYTES:]))


def open_sealed(key: bytes, case_id: str, sealed: Sealed) -> bytes:
    """Open a value sealed with a case's data key (Unreadable when it was altered or is another case's)."""
    raw = _unb64(sealed.nonce) + _unb64(sealed.ciphertext)
    return _decrypt(AESGCM(key), raw, _aad(case_id, "data"), f"sealed data of case {case_id}")


def encrypt_blob(key: bytes, name: str, content: bytes) -> bytes:
    """Encrypt content at rest with a case's data key; its storage name is bound in (nonce + ciphertext + tag)."""
    return _encrypt(AESGCM(key), content, _aad(name, "blob"))


def decrypt_blob(key: bytes, name: str, blob: bytes) -> bytes:
    """Decrypt content stored under a name (Unreadable when altered or moved)."""
    return _decrypt(AESGCM(key), blob, _aad(name, "blob"), f"the content stored as {name}")


HELD_KEYS = "sealing.keys"  # session.info: the case keys a writer's transaction made or unwrapped


class Keyring:
    """A service's case keys, wrapped by its master key."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the master key must be 32 bytes (256 bits)")
        self._master = AESGCM(master_key)
        self.master_key_id = master_key_id(master_key)

    async def key(self, session: AsyncSession, case_id: str, *, at: datetime) -> bytes:
        """Return a case's data key, made and stored (wrapped) on first use, in the caller's transaction."""
        row = (await session.execute(select(CASE_KEYS).where(CASE_KEYS.c.case_id == case_id))).first()
        if row is not None:
            if row.wrapped_key is None:
                raise KeyDestroyed(f"the key of case {case_id} was destroyed / กุญแจของรายการนี้ถูกทำลายแล้ว")
            return self._held(session, case_id, self._unwrap(case_id, row.wrapped_key))
        return await self.new_key(session, case_id, at=at)

    async def new_key(self, session: AsyncSession, case_id: str, *, at: datetime) -> bytes:
        """Make and store (wrapped) the data key of a case that has none yet (a new case), in the caller's
        transaction; a case that has one already makes the insert fail."""
        key = AESGCM.generate_key(bit_length=256)
        await direct.insert_rows(session, CASE_KEYS, [{"case_id": case_id, "wrapped_key": self._wrap(case_id, key),
                                                       "master_key_id": self.master_key_id, "created_at": at}])
        return self._held(session, case_id, key)

    @staticmethod
    def _held(session: AsyncSession, case_id: str, key: bytes) -> bytes:
        """Keep a key for the rest of the writer's transaction (its projections open what it sealed)."""
        session.info.setdefault(HELD_KEYS, {})[case_id] = key
        return key

    async def existing_key(self, session: AsyncSession, case_id: str) -> bytes | None:
        """Return a case's data key, or None when it has none or it was destroyed."""
        if (held := session.info.get(HELD_KEYS, {}).get(case_id)) is not None:
            return bytes(held)
        wrapped = await session.scalar(select(CASE_KEYS.c.wrapped_key).where(CASE_KEYS.c.case_id == case_id))
        return None if wrapped is None else self._unwrap(case_id, wrapped)

    async def open(self, session: AsyncSession, case_id: str, sealed: Sealed) -> bytes | None:
        """Return what was sealed for a case, or None when its key was destroyed."""
        key = await self.existing_key(session, case_id)
        return None if key is None else open_sealed(key, case_id, sealed)

    async def destroy(self, session: AsyncSession, case_id: str, *, at: datetime, because: str) -> bool:
        """Destroy a case's key (in the caller's transaction); return whether there was one to destroy. A case
        that had none gets a destroyed one, so nothing can be sealed for it afterwards either."""
        session.info.get(HELD_KEYS, {}).pop(case_id, None)
        result = await session.execute(
            update(CASE_KEYS).where(CASE_KEYS.c.case_id == case_id, CASE_KEYS.c.wrapped_key.is_not(None))
            .values(wrapped_key=None, destroyed_at=at, destroyed_because=because[:200]))
        if result.rowcount:  # type: ignore[attr-defined]
            return True
        if await session.scalar(select(CASE_KEYS.c.case_id).where(CASE_KEYS.c.case_id == case_id)) is None:
            await session.execute(insert(CASE_KEYS), {"case_id": case_id, "wrapped_key": None,
                                                      "master_key_id": self.master_key_id, "created_at": at,
                                                      "destroyed_at": at, "destroyed_because": because[:200]})
        return False

    def _wrap(self, case_id: str, key: bytes) -> bytes:
        return _encrypt(self._master, key, _aad(case_id, "key"))

    def _unwrap(self, case_id: str, wrapped: bytes) -> bytes:
        return _decrypt(self._master, wrapped, _aad(case_id, "key"), f"the key of case {case_id} (master key)")


def keyring_of(session: AsyncSession) -> Keyring | None:
    """Return the keyring the service put in its sessions' info (None where there is none, as in a replay)."""
    keyring: Keyring | None = session.info.get("keyring")
    return keyring


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def keyring_from(configured: str, development_file: Path) -> Keyring:
    """Return the keyring of a configured master key (32 bytes, base64), or in development of a key kept in a file."""
    if configured:
        try:
            return Keyring(base64.b64decode(configured, validate=True))
        except ValueError as error:
            raise SystemExit(f"the master key must be 32 bytes in base64: {error}") from error
    return Keyring(development_secret(development_file, lambda: AESGCM.generate_key(bit_length=256)))
