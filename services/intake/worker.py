"""Intake's Kafka entry point: intake consumes no other service's events yet."""

from saphan_runtime.deliveries import Subscriptions

SUBSCRIPTIONS: Subscriptions = {}
