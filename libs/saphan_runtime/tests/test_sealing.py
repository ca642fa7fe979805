"""Sealing personal data per case: sealed values bound to their case, keys kept wrapped, and crypto-shredding."""

import base64
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.common import Sealed
from saphan_runtime.sealing import (
    CASE_KEYS,
    KeyDestroyed,
    Keyring,
    Unreadable,
    case_keys_table,
    keyring_from,
    master_key_id,
    open_sealed,
    seal,
)
from saphan_runtime.tests.support import tables_store

AT = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
MASTER = bytes(range(32))
OTHER_MASTER = bytes(range(32, 64))
DATA_KEY = bytes(range(100, 132))
REPORT = "สมชาย ใจดี 1-2345-67890-12-3".encode()


def key_store(url: str) -> AbstractAsyncContextManager[async_sessionmaker[AsyncSession]]:
    """Return sessions on a database whose `case_keys` table exists (its engine disposed of afterwards)."""
    return tables_store(url, case_keys_table)


def flipped(sealed: Sealed, at: int) -> Sealed:
    """Return the sealed value with one ciphertext byte flipped."""
    raw = bytearray(base64.urlsafe_b64decode(sealed.ciphertext + "=" * (-len(sealed.ciphertext) % 4)))
    raw[at] ^= 0x01
    ciphertext = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    return Sealed(kid=sealed.kid, nonce=sealed.nonce, ciphertext=ciphertext)


def test_a_sealed_value_opens_with_its_key_and_case() -> None:
    sealed = seal(DATA_KEY, "case-a", REPORT)
    assert open_sealed(DATA_KEY, "case-a", sealed) == REPORT
    assert sealed.kid == "case:case-a" and sealed.alg == "A256GCM"


def test_sealing_the_same_value_twice_gives_different_ciphertexts() -> None:
    first, second = seal(DATA_KEY, "case-a", REPORT), seal(DATA_KEY, "case-a", REPORT)
    assert first.nonce != second.nonce and first.ciphertext != second.ciphertext


def test_a_value_sealed_for_one_case_does_not_open_as_another() -> None:
    sealed = seal(DATA_KEY, "case-a", REPORT)
    with pytest.raises(Unreadable):
        open_sealed(DATA_KEY, "case-b", sealed)


def test_a_value_does_not_open_with_another_key() -> None:
    sealed = seal(DATA_KEY, "case-a", REPORT)
    with pytest.raises(Unreadable):
        open_sealed(bytes(32), "case-a", sealed)


@pytest.mark.parametrize("at", [0, 5, -1])
def test_a_flipped_ciphertext_byte_makes_the_value_unreadable(at: int) -> None:
    sealed = seal(DATA_KEY, "case-a", REPORT)
    with pytest.raises(Unreadable):
        open_sealed(DATA_KEY, "case-a", flipped(sealed, at))


def test_the_sealed_json_shows_no_plaintext() -> None:
    text = b"Somchai Jaidee, 081 234 5678"
    sealed = seal(DATA_KEY, "case-a", text)
    document = sealed.model_dump_json()
    assert "Somchai" not in document and "081 234 5678" not in document
    assert base64.urlsafe_b64encode(text).decode()[:12] not in document
    assert Sealed.model_validate_json(document) == sealed


async def test_a_case_key_is_made_once_and_stored_wrapped(database) -> None:
    keyring = Keyring(MASTER)
    async with key_store(database("keys")) as sessions:
        async with sessions() as session, session.begin():
            made = await keyring.key(session, "case-a", at=AT)
        async with sessions() as session, session.begin():
            again = await keyring.key(session, "case-a", at=AT)
            rows = (await session.execute(select(CASE_KEYS))).all()
    assert again == made and len(made) == 32
    assert len(rows) == 1
    row = rows[0]
    assert row.case_id == "case-a" and row.master_key_id == keyring.master_key_id == master_key_id(MASTER)
    assert row.wrapped_key != made and made not in row.wrapped_key
    assert row.created_at == AT and row.destroyed_at is None


async def test_each_case_gets_a_key_of_its_own(database) -> None:
    keyring = Keyring(MASTER)
    async with key_store(database("keys")) as sessions, sessions() as session, session.begin():
        first = await keyring.key(session, "case-a", at=AT)
        second = await keyring.key(session, "case-b", at=AT)
    assert first != second


async def test_the_keyring_opens_what_was_sealed_with_the_case_key(database) -> None:
    keyring = Keyring(MASTER)
    async with key_store(database("keys")) as sessions:
        async with sessions() as session, session.begin():
            sealed = seal(await keyring.key(session, "case-a", at=AT), "case-a", REPORT)
        async with sessions() as session:
            opened = await keyring.open(session, "case-a", sealed)
            assert await keyring.existing_key(session, "case-unknown") is None
    assert opened == REPORT


async def test_a_destroyed_key_is_destroyed_once_and_opens_nothing(database) -> None:
    keyring = Keyring(MASTER)
    async with key_store(database("keys")) as sessions:
        async with sessions() as session, session.begin():
            sealed = seal(await keyring.key(session, "case-a", at=AT), "case-a", REPORT)
        async with sessions() as session, session.begin():
            first = await keyring.destroy(session, "case-a", at=AT, because="retention ended")
        async with sessions() as session, session.begin():
            second = await keyring.destroy(session, "case-a", at=AT, because="again")
            never_made = await keyring.destroy(session, "case-unknown", at=AT, because="none")
        async with sessions() as session:
            opened = await keyring.open(session, "case-a", sealed)
            row = (await session.execute(select(CASE_KEYS).where(CASE_KEYS.c.case_id == "case-a"))).one()
            with pytest.raises(KeyDestroyed):
                await keyring.key(session, "case-a", at=AT)
            with pytest.raises(KeyDestroyed):  # a case with no key gets a destroyed one: nothing sealed later
                await keyring.key(session, "case-unknown", at=AT)
    assert (first, second, never_made) == (True, False, False)
    assert opened is None
    assert row.wrapped_key is None and row.destroyed_at == AT and row.destroyed_because == "retention ended"


async def test_a_new_case_key_is_held_for_its_transaction_until_destroyed_and_made_only_once(database) -> None:
    keyring = Keyring(MASTER)
    async with key_store(database("keys")) as sessions:
        async with sessions() as session, session.begin():
            made = await keyring.new_key(session, "case-n", at=AT)
            await session.execute(delete(CASE_KEYS))  # the held key answers without reading the table
            assert await keyring.existing_key(session, "case-n") == made
            await keyring.destroy(session, "case-n", at=AT, because="erased")
            assert await keyring.existing_key(session, "case-n") is None
        async with sessions() as session, session.begin():
            await keyring.new_key(session, "case-m", at=AT)
        with pytest.raises(IntegrityError):
            async with sessions() as session, session.begin():
                await keyring.new_key(session, "case-m", at=AT)


async def test_a_keyring_with_another_master_key_cannot_unwrap(database) -> None:
    async with key_store(database("keys")) as sessions:
        async with sessions() as session, session.begin():
            sealed = seal(await Keyring(MASTER).key(session, "case-a", at=AT), "case-a", REPORT)
        async with sessions() as session:
            other = Keyring(OTHER_MASTER)
            with pytest.raises(Unreadable):
                await other.key(session, "case-a", at=AT)
            with pytest.raises(Unreadable):
                await other.open(session, "case-a", sealed)


async def test_a_wrapped_key_moved_to_another_case_does_not_unwrap(database) -> None:
    keyring = Keyring(MASTER)
    async with key_store(database("keys")) as sessions:
        async with sessions() as session, session.begin():
            await keyring.key(session, "case-a", at=AT)
            wrapped = await session.scalar(select(CASE_KEYS.c.wrapped_key).where(CASE_KEYS.c.case_id == "case-a"))
            await session.execute(CASE_KEYS.insert(), {"case_id": "case-b", "wrapped_key": wrapped,
                                                       "master_key_id": keyring.master_key_id, "created_at": AT})
        async with sessions() as session:
            with pytest.raises(Unreadable):
                await keyring.key(session, "case-b", at=AT)


def test_a_development_master_key_is_made_once_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "master.key"
    first = keyring_from("", path)
    second = keyring_from("", path)
    assert first.master_key_id == second.master_key_id
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(base64.b64decode(path.read_text())) == 32
    assert [p.name for p in path.parent.iterdir()] == ["master.key"]


def test_a_configured_master_key_is_used_and_no_file_is_made(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    keyring = keyring_from(base64.b64encode(MASTER).decode(), path)
    assert keyring.master_key_id == master_key_id(MASTER)
    assert not path.exists()


@pytest.mark.parametrize("configured", [base64.b64encode(bytes(16)).decode(), base64.b64encode(bytes(33)).decode(),
                                        "not base64!"])
def test_a_configured_master_key_that_is_not_32_bytes_of_base64_is_refused(configured: str, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="32 bytes"):
        keyring_from(configured, tmp_path / "master.key")


@pytest.mark.parametrize("length", [0, 16, 31, 33, 64])
def test_a_master_key_of_the_wrong_length_is_refused(length: int) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Keyring(bytes(length))
