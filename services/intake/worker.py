"""Intake's Kafka entry point: intake consumes no other service's events yet."""

from saphan_runtime.inbox import Subscriptions

SUBSCRIPTIONS: Subscriptions = {}
