"""Who may do what: the roles a token carries, and the access policy table (contracts/access_policy.json) that the
services enforce and the tests read."""

import json
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, Field

from contracts.envelope import EventData
from contracts.topics import ACCESS_EVENTS


class Role(StrEnum):
    """The roles a token may carry (claim `roles`)."""

    HOTLINE_OPERATOR = "hotline_operator"  # takes 1300 calls and reports
    SOCIAL_WORKER = "social_worker"  # นักสังคมสงเคราะห์ of a provincial office
    SHELTER_SOCIAL_WORKER = "shelter_social_worker"  # of a children and family shelter
    PROSECUTOR = "prosecutor"  # juvenile and family prosecutor
    TAMBON_CENTRE_OFFICER = "tambon_centre_officer"  # the prosecutor's tambon coordination centre
    SUPERVISOR = "supervisor"  # oversees a unit's cases and routing
    AUDITOR = "auditor"  # reads case histories through audit, and nothing else
    ADMINISTRATOR = "administrator"  # keeps the agency registry
    AGENCY_SYSTEM = "agency_system"  # another agency's system, a machine client


class Relation(StrEnum):
    """How a unit stands to a case; only a unit with a relation may read it (need to know)."""

    REPORTER = "reporter"  # its user reported the case
    LEAD = "lead"  # it leads the case
    SENDER = "sender"  # it sent a referral of the case
    REFERRED = "referred"  # a referral to it, or a request to take the case over, is pending
    SERVING = "serving"  # it accepted a referral (accepted, in progress, on hold, completed)
    OVERSEER = "overseer"  # it is told when a referral of the case misses a deadline


POLICY_FILE = Path(__file__).with_name("access_policy.json")
RESOURCE_LENGTH = 2000  # at most, of an access event's `resource` (a longer request is recorded cut, marked "…")


@cache
def policy() -> dict[str, Any]:
    """Return the access policy table: for each action, the roles allowed and what they may see."""
    table: dict[str, Any] = json.loads(POLICY_FILE.read_text(encoding="utf-8"))
    return table


def roles_allowed(action: str) -> frozenset[Role]:
    """Return the roles that may perform an action (empty for an action the table does not name)."""
    rule = policy()["actions"].get(action)
    return frozenset(Role(role) for role in rule["roles"]) if rule else frozenset()


def relations_allowed(action: str) -> frozenset[Relation]:
    """Return the relations to a case under which an action is allowed (empty for an action not about one case)."""
    rule = policy()["actions"].get(action)
    return frozenset(Relation(name) for name in rule.get("relations", ())) if rule else frozenset()


def hidden_fields(action: str, relations: frozenset[Relation], roles: frozenset[Role]) -> frozenset[str]:
    """Return the fields an action must not show a caller of these roles standing in these relations to the case."""
    hidden: set[str] = set()
    table = policy()
    for rule in table["field_rules"].get(table["actions"][action].get("fields"), ()):
        by_relation = not relations.isdisjoint(Relation(name) for name in rule["relations"])
        by_role = "roles" not in rule or not roles.isdisjoint(Role(name) for name in rule["roles"])
        if not (by_relation and by_role):
            hidden.update(rule["fields"])
    return frozenset(hidden)


class CaseDataAccessed(EventData):
    """A user of a unit read a case's data through a service (the read side of the legal trail)."""

    event_type = "saphan.access.case-data-accessed"
    version = 1
    topic = ACCESS_EVENTS

    case_id: str = Field(min_length=1, max_length=64)
    service: str = Field(description="the service that answered, e.g. intake")
    action: str = Field(description="the action of the access policy table, e.g. intake.case.read")
    resource: str = Field(max_length=RESOURCE_LENGTH, description="what was read: the request's path and query")
    user: str = Field(max_length=200)
    unit_id: str = Field(max_length=64)
    roles: list[Role]
    purpose: str | None = Field(default=None, max_length=500, description="the reason the caller gave, if any")
    accessed_at: AwareDatetime
