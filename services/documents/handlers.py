"""Documents' use cases; each owns its transaction. The routing table is at the bottom."""

import uuid
from dataclasses import dataclass
from functools import partial

from contracts.documents import ConsentGiven, ConsentWithdrawn, DocumentShared, DocumentUploaded
from saphan_runtime import sealing
from saphan_runtime.bus import Handler
from saphan_runtime.cloudevents import now
from saphan_runtime.eventstore import UnitOfWork
from saphan_runtime.sealing import Keyring
from services.documents import domain, projections
from services.documents.commands import (
    DestroyCaseKey,
    GiveConsent,
    NoteAgencyUnit,
    OpenCaseFile,
    ShareDocument,
    UploadDocument,
    WithdrawConsent,
)
from services.documents.sniffing import sniff
from services.documents.storage import BlobStore


@dataclass(frozen=True)
class Custody:
    """What uploads need: the case keys, the content store and the size limit."""

    keyring: Keyring
    store: BlobStore
    max_bytes: int


async def open_case_file(command: OpenCaseFile, uow: UnitOfWork) -> None:
    """Open a reported case's document file (once), recorded with the inbox in one transaction."""
    async with uow:
        existing = await projections.find_case_file(uow.session, command.case_id)
        opened = domain.open_file(existing, command.case_id)
        if opened is not None:
            await projections.add_case_file(uow.session, opened, opened_at=command.reported_at)
        await uow.commit()


async def upload_document(command: UploadDocument, uow: UnitOfWork, custody: Custody) -> DocumentUploaded:
    """Check, hash and encrypt the content with the case's key, store it whole, then record it. A failure after
    the content is stored removes it again; a crash leaves a blob no event names, swept at start-up."""
    stream = domain.stream_id(command.document_id)
    at = now()
    async with uow:
        existing = await uow.fold(stream, domain.evolve)
        event = domain.upload(
            _upload(command), case_file=await projections.find_case_file(uow.session, command.case_id),
            existing=existing, unit_kind=await projections.unit_kind(uow.session, command.by_unit),
            max_bytes=custody.max_bytes, now=at)
        key = await custody.keyring.key(uow.session, command.case_id, at=at)
        if command.file_name:
            event = event.model_copy(update={"file_name": sealing.seal(key, command.case_id,
                                                                       command.file_name.encode())})
        name = domain.blob_name(event)
        await custody.store.put(name, sealing.encrypt_blob(key, name, command.content))
        try:
            await uow.append(stream, case_id=command.case_id,
                             expected_version=existing.stream_version if existing else 0, events=[event])
            await uow.commit()
        except BaseException:
            await custody.store.delete(name)
            raise
    return event


async def note_agency_unit(command: NoteAgencyUnit, uow: UnitOfWork) -> None:
    """Keep a unit's kind, with the inbox row."""
    async with uow:
        await projections.note_unit(uow.session, command.unit_id, command.kind)
        await uow.commit()


async def destroy_case_key(command: DestroyCaseKey, uow: UnitOfWork, custody: Custody) -> None:
    """Destroy the case's content key (with the inbox row): every stored version becomes unreadable, while the
    records of them and their hashes stay."""
    async with uow:
        await custody.keyring.destroy(uow.session, command.case_id, at=now(), because=command.reason)
        await uow.commit()


async def give_consent(command: GiveConsent, uow: UnitOfWork) -> ConsentGiven:
    """Record a consent, its signed form a พม.1 of the case."""
    stream = domain.consents_stream(command.case_id)
    async with uow:
        form = await uow.fold(domain.stream_id(command.form_document_id), domain.evolve)
        event = domain.give_consent(form, case_id=command.case_id, consent_id=str(uuid.uuid4()),
                                    given_by=command.given_by, by_unit=command.by_unit, now=now())
        await uow.append(stream, case_id=command.case_id, expected_version=await uow.version(stream), events=[event])
        await uow.commit()
    return event


async def withdraw_consent(command: WithdrawConsent, uow: UnitOfWork) -> ConsentWithdrawn:
    """Record a consent's withdrawal; reads it allowed are refused from now on."""
    stream = domain.consents_stream(command.case_id)
    async with uow:
        consents = await uow.fold(stream, domain.evolve_consents)
        event = domain.withdraw_consent(consents, case_id=command.case_id, consent_id=command.consent_id,
                                        by_unit=command.by_unit, now=now())
        await uow.append(stream, case_id=command.case_id, expected_version=await uow.version(stream), events=[event])
        await uow.commit()
    return event


async def share_document(command: ShareDocument, uow: UnitOfWork) -> DocumentShared:
    """Share a document with a unit, if its holder asks and the basis holds."""
    stream = domain.stream_id(command.document_id)
    async with uow:
        document = await uow.fold(stream, domain.evolve)
        consents = await uow.fold(domain.consents_stream(command.case_id), domain.evolve_consents) or {}
        event = domain.share(document, case_id=command.case_id, to_unit=command.to_unit, basis=command.basis,
                             legal_basis=command.legal_basis, note=command.note, by_unit=command.by_unit,
                             consent_stands=any(consents.values()), now=now())
        await uow.append(stream, case_id=command.case_id, expected_version=document.stream_version if document else 0,
                         events=[event])
        await uow.commit()
    return event


def _upload(command: UploadDocument) -> domain.Upload:
    return domain.Upload(case_id=command.case_id, document_id=command.document_id,
                         document_type=command.document_type, content=command.content,
                         content_type=sniff(command.content), declared_sha256=command.declared_sha256,
                         by_unit=command.by_unit, by_user=command.by_user, blob_id=uuid.uuid4().hex)


def handlers(custody: Custody) -> dict[type, Handler]:
    """Return documents' handlers, bound to the custody of content."""
    return {
        OpenCaseFile: open_case_file,
        UploadDocument: partial(upload_document, custody=custody),
        DestroyCaseKey: partial(destroy_case_key, custody=custody),
        NoteAgencyUnit: note_agency_unit,
        GiveConsent: give_consent,
        WithdrawConsent: withdraw_consent,
        ShareDocument: share_document,
    }
