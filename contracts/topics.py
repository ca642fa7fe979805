"""Kafka topic names: one event topic per producing service, one dead-letter topic per consumer."""

INTAKE_EVENTS = "saphan.intake.events"
REFERRAL_EVENTS = "saphan.referral.events"
DOCUMENTS_EVENTS = "saphan.documents.events"
AUDIT_EVENTS = "saphan.audit.events"

EVENT_TOPICS = (INTAKE_EVENTS, REFERRAL_EVENTS, DOCUMENTS_EVENTS, AUDIT_EVENTS)
EVENT_TOPIC_PARTITIONS = 6


def dead_letter_topic(consumer: str) -> str:
    """Return the dead-letter topic of one consuming service."""
    return f"saphan.{consumer}.dlq"
