"""Reads of case data, recorded: every service appends an access event for each case it shows a caller (through
its outbox, to `saphan.access.events`), and audit records them in the ledger beside the writes."""

import uuid
from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import parse_qsl, unquote, urlencode

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from contracts.access import RESOURCE_LENGTH, CaseDataAccessed, Relation, Role, hidden_fields
from saphan_runtime.auth import Principal
from saphan_runtime.authorisation import allowed
from saphan_runtime.cloudevents import now
from saphan_runtime.eventstore import UnitOfWork

PURPOSE_HEADER = "x-saphan-purpose"  # optional: why the caller reads, percent-encoded UTF-8 (headers are ASCII)
# Query parameters that carry personal data (a search by name or national ID): the access event, which goes to
# Kafka and the ledger, records that they were given, not their values.
PERSONAL_PARAMETERS = frozenset({"name", "national_id"})
WITHHELD = "[withheld]"


class RecordAccess(BaseModel):
    """Record that a caller read these cases through this service."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_ids: list[str]
    service: str
    action: str
    resource: str
    user: str
    unit_id: str
    roles: list[Role]
    purpose: str | None = None


async def record_access(command: RecordAccess, uow: UnitOfWork) -> None:
    """Append one access event per case read, each in a stream of its own (reads never conflict)."""
    async with uow:
        at = now()
        for case_id in command.case_ids:
            event = CaseDataAccessed(case_id=case_id, service=command.service, action=command.action,
                                     resource=command.resource, user=command.user, unit_id=command.unit_id,
                                     roles=command.roles, purpose=command.purpose, accessed_at=at)
            await uow.append(f"access-{uuid.uuid4()}", case_id=case_id, expected_version=0, events=[event])
        await uow.commit()


class Reads:
    """The caller, allowed an action by the policy table, and the record of which cases it is shown."""

    def __init__(self, request: Request, principal: Principal, action: str) -> None:
        """Bind the request, the caller and the action it reads for."""
        self.request, self.principal, self.action = request, principal, action

    @property
    def relations(self) -> frozenset[Relation]:
        """Return how the caller's unit stands to the case the path names (checked by the policy)."""
        return getattr(self.request.state, "relations", frozenset())

    def shown(self, record: dict[str, Any], relations: frozenset[Relation] | None = None) -> dict[str, Any]:
        """Return a record with the fields the policy hides from this caller emptied and named in `hidden_fields`."""
        hidden = hidden_fields(self.action, self.relations if relations is None else relations,
                               frozenset(self.principal.roles)) & record.keys()
        return {**{key: None if key in hidden else value for key, value in record.items()},
                "hidden_fields": sorted(hidden)}

    async def record(self, case_ids: Iterable[str]) -> None:
        """Record that the caller was shown these cases."""
        ids = list(dict.fromkeys(case_ids))
        if not ids:
            return
        service = self.request.app.state.service
        url = self.request.url
        query = urlencode([(key, WITHHELD if key in PERSONAL_PARAMETERS else value)
                           for key, value in parse_qsl(url.query, keep_blank_values=True)])
        purpose = unquote(self.request.headers.get(PURPOSE_HEADER, "")).strip()
        await service.bus.handle(RecordAccess(
            case_ids=ids, service=service.settings.name, action=self.action,
            resource=cut(f"{url.path}?{query}" if query else url.path, RESOURCE_LENGTH), user=self.principal.user,
            unit_id=self.principal.unit_id, roles=sorted(self.principal.roles),
            purpose=purpose[:500] if purpose else None))


def cut(text: str, length: int) -> str:
    """Return text cut to a length, the cut marked with an ellipsis (a URL padded with made-up parameters, say)."""
    return text if len(text) <= length else text[:length - 1] + "…"


def reads(action: str) -> Any:
    """Return the dependency giving an endpoint the caller allowed `action` and its read record."""
    check = allowed(action)

    async def dependency(request: Request, principal: Annotated[Principal, Depends(check)]) -> Reads:
        return Reads(request, principal, action)

    return Depends(dependency)
