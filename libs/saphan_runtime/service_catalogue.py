"""What each service documents, read from the service itself built offline (a temporary var dir and SQLite file, no
broker; nothing connects until a service starts): its OpenAPI document and the topics and events it consumes."""

import importlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from contracts.envelope import EventData
from saphan_runtime.deliveries import AnyEvent
from saphan_runtime.service import Service
from saphan_runtime.settings import BrokerSettings

SERVICES = ("intake", "referral", "documents", "audit")
CONSOLE = "console"
# Settings that would reach outside the machine while a service is built (documents' bucket connects at once).
OFFLINE_OVERRIDES: dict[str, dict[str, Any]] = {"documents": {"s3_bucket": None}}


@dataclass(frozen=True)
class Subscription:
    """A service consumes a topic: these event types on it, or every event (types None)."""

    service: str
    topic: str
    types: tuple[str, ...] | None


@dataclass(frozen=True)
class Catalogue:
    """The services, their OpenAPI documents (the console's too) and what each consumes."""

    services: tuple[str, ...]
    openapi: dict[str, dict[str, Any]]
    subscriptions: tuple[Subscription, ...]


def catalogue() -> Catalogue:
    """Build every service offline and read its OpenAPI document and subscriptions."""
    with offline_services() as (services, console):
        openapi = {name: service.app.openapi() for name, service in services.items()}
        subscriptions = tuple(found for service in services.values() for found in subscriptions_of(service))
        return Catalogue(SERVICES, {**openapi, CONSOLE: console.openapi()}, subscriptions)


@contextmanager
def offline_services() -> Iterator[tuple[dict[str, Service], FastAPI]]:
    """Yield the four services and the console app, built with development settings in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="saphan-contracts-") as directory:
        var_dir = Path(directory)
        services = {name: _build(name, var_dir) for name in SERVICES}
        yield services, _build(CONSOLE, var_dir)


def _build(name: str, var_dir: Path) -> Any:
    settings_class = importlib.import_module(f"services.{name}.settings").Settings
    bootstrap = importlib.import_module(f"services.{name}.bootstrap").bootstrap
    settings = settings_class(var_dir=var_dir, environment="development", broker=BrokerSettings(bootstrap_servers=""),
                              database_url=f"sqlite+aiosqlite:///{var_dir / name}.db",
                              **OFFLINE_OVERRIDES.get(name, {}))
    return bootstrap(settings)


def subscriptions_of(service: Service) -> list[Subscription]:
    """Return what a service consumes: each topic its consumer subscribes to, with the event types it applies from
    it (every event, for a service subscribed to any event)."""
    every = AnyEvent in service.subscriptions
    by_topic: dict[str, set[str]] = {}
    for model in service.subscriptions:
        if issubclass(model, EventData) and model.topic is not None:
            by_topic.setdefault(model.topic, set()).add(model.type_name())
    return [Subscription(service.settings.name, topic, None if every else tuple(sorted(by_topic[topic])))
            for topic in service.subscribed_topics()]
