"""Saphan's shared runtime: event store and outbox, inbox consumer, broker, database, HTTP and telemetry set-up."""
