"""Kafka topic names: one event topic per producing service, one dead-letter topic per consumer."""



def event_topic(producer: str) -> str:
    """Return the event topic of one producing service."""
    return f"saphan.{producer}.events"


INTAKE_EVENTS = event_topic("intake")
REFERRAL_EVENTS = event_topic("referral")
DOCUMENTS_EVENTS = event_topic("documents")
AUDIT_EVENTS = event_topic("audit")

# Reads of case data, by every service: who read which case, for which action. Audit records them with the writes.
ACCESS_EVENTS = "saphan.access.events"

EVENT_TOPICS = (INTAKE_EVENTS, REFERRAL_EVENTS, DOCUMENTS_EVENTS, AUDIT_EVENTS, ACCESS_EVENTS)
# Four: the embedded broker (Tansu 0.6) creates a topic with four partitions when a client asks for it before it
# exists, as every client does while the broker comes back empty from a restart, and it does not grow a topic later.
# A producer whose metadata still listed more partitions wrote to partitions no consumer was given (seen in the fault
# runs: every lost report hashed to partitions 4 and 5 of six).
EVENT_TOPIC_PARTITIONS = 4

# The audit ledger's entries in sequence order, for mirrors and for rebuilding the ledger: one partition, kept forever.
AUDIT_LEDGER = "saphan.audit.ledger"
PUBLISHED_TOPICS = (*EVENT_TOPICS, AUDIT_LEDGER)

# The name of the broker's current life: its first record, written by the first process to find it empty. A broker
# that restarted empty (or a cluster rebuilt from nothing) has a new one; each consumer group carries it
# (see saphan_runtime.broker_life). One partition, kept forever.
BROKER_LIFE = "saphan.broker-life"


def partitions_of(topic: str) -> int:
    """Return how many partitions a published topic has (the ledger has one: its order is the sequence)."""
    return 1 if topic == AUDIT_LEDGER else EVENT_TOPIC_PARTITIONS


def configs_of(topic: str) -> dict[str, str]:
    """Return a topic's Kafka configs: the event topics and the ledger are the record, kept forever, as is the name of
    the broker's life; dead letters (also kept in each consumer's own database) take the broker's default
    retention."""
    return {"retention.ms": "-1"} if topic in (*PUBLISHED_TOPICS, BROKER_LIFE) else {}


def relay_marker_topic(producer: str) -> str:
    """Return the empty topic whose presence tells a producing service's relay the broker still holds what it
    published (a broker that restarted empty lacks it; see saphan_runtime.broker_memory)."""
    return f"saphan.{producer}.relay-marker"


def dead_letter_topic(consumer: str) -> str:
    """Return the dead-letter topic of one consuming service."""
    return f"saphan.{consumer}.dlq"
