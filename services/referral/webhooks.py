"""Outbound webhooks, in plain Python: which events concern a unit, how a delivery is signed, when to retry."""

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any

SIGNATURE_HEADER = "X-Saphan-Signature"
UNIT_FIELDS = ("unit_id", "to_unit", "from_unit", "escalated_to", "by_unit")
FIRST_RETRY_SECONDS, MAX_RETRY_SECONDS = 1.0, 300.0


def units_named(event: dict[str, Any]) -> set[str]:
    """Return the units an event's data names (the receiver, the sender, the escalation, the actor, the assigned)."""
    data = event.get("data", {})
    named = {data[field] for field in UNIT_FIELDS if isinstance(data.get(field), str)}
    named |= {a["unit_id"] for a in data.get("assignments", []) if isinstance(a, dict) and "unit_id" in a}
    unit = data.get("unit")
    if isinstance(unit, dict) and isinstance(unit.get("unit_id"), str):
        named.add(unit["unit_id"])
    return named


def concerns(event: dict[str, Any], *, unit_id: str, event_types: list[str]) -> bool:
    """Return whether a webhook of a unit wants an event."""
    return event.get("type") in event_types and unit_id in units_named(event)


def sign(secret: str, body: bytes) -> str:
    """Return the signature header's value: the HMAC-SHA256 of the body with the webhook's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """Return whether a signature is the body's (what a receiving system does)."""
    return hmac.compare_digest(sign(secret, body), signature)


def next_attempt(failures: int, now: datetime) -> datetime:
    """Return when to try again after this many failures in a row (exponential, capped at five minutes)."""
    return now + timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (failures - 1), MAX_RETRY_SECONDS))
