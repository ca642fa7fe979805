"""Every environment variable a process reads, derived from the settings models, so the deployment files (compose,
Kubernetes) are generated from the code (`saphan deployment`) and checked against it in both directions."""

import importlib
from dataclasses import dataclass
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

from saphan_runtime.settings import ServiceSettings

SERVICES = ("intake", "referral", "documents", "audit", "console")

# Read outside the settings models: the log set-up, and the OpenTelemetry SDK's standard variables.
PROCESS_VARIABLES = ("SAPHAN_LOG_LEVEL", "SAPHAN_LOG_FORMAT")
TELEMETRY_VARIABLES = ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                       "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES")
# Fields that say what a process is rather than how it runs: not settable from outside.
IDENTITY_FIELDS = frozenset({"name"})
# Settings that hold a secret: they go in a Secret (Kubernetes) or a required .env entry (compose), never a ConfigMap.
SECRET_SUFFIXES = ("_MASTER_KEY", "_SIGNING_KEY", "_ACCESS_KEY_ID", "_SECRET_ACCESS_KEY", "_DATABASE_URL")
# Settings whose code default suits only a developer's machine: every deployment sets them itself.
DEPLOYMENT_SUFFIXES = ("_HOST", "_URL")
DEPLOYMENT_VARIABLES = ("SAPHAN_ENV", "SAPHAN_VAR_DIR", "KAFKA_BOOTSTRAP_SERVERS", "AUTH_ISSUER", "AUTH_AUDIENCE")


@dataclass(frozen=True)
class Variable:
    """One environment variable of a service: its name, default and whether it is a secret."""

    name: str
    default: Any
    annotation: Any

    @property
    def secret(self) -> bool:
        """Return whether the value is a secret (or embeds one, as a database URL with its password does)."""
        return self.name.endswith(SECRET_SUFFIXES)

    @property
    def per_deployment(self) -> bool:
        """Return whether every deployment must set it (its default is a developer machine's), secrets included."""
        return self.secret or self.name in DEPLOYMENT_VARIABLES or self.name.endswith(DEPLOYMENT_SUFFIXES)

    @property
    def required(self) -> bool:
        """Return whether a production process cannot run without it (no default, or a development default)."""
        optional = self.default is None or self.name.startswith("DOCUMENTS_S3_")
        return self.per_deployment and not optional and self.name != "SAPHAN_VAR_DIR"


def settings_class(service: str) -> type[ServiceSettings]:
    """Return a service's settings model."""
    settings: type[ServiceSettings] = importlib.import_module(f"services.{service}.settings").Settings
    return settings


def variables(service: str) -> dict[str, Variable]:
    """Return every variable a service's settings model reads, by name."""
    model = settings_class(service)
    skipped = IDENTITY_FIELDS | model.unused_settings | ({"master_key"} if not model.seals_personal_data else set())
    return {variable.name: variable for variable in _walk(model, skipped)}


def _walk(model: type[BaseSettings], skipped: frozenset[str] | set[str] = frozenset()) -> list[Variable]:
    prefix = str(model.model_config.get("env_prefix", ""))
    found: list[Variable] = []
    for field_name, info in model.model_fields.items():
        if field_name in skipped:
            continue
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, BaseSettings):
            found.extend(_walk(nested))
            continue
        name = info.validation_alias if isinstance(info.validation_alias, str) else f"{prefix}{field_name}".upper()
        found.append(Variable(name=name, default=_default(info), annotation=info.annotation))
    return found


def _default(info: FieldInfo) -> Any:
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    return None if info.default is PydanticUndefined else info.default


def known_names(service: str) -> set[str]:
    """Return every variable name a service's process reads (its settings, the log set-up and OpenTelemetry)."""
    return {*variables(service), *PROCESS_VARIABLES, *TELEMETRY_VARIABLES}

