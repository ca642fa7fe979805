"""OpenTelemetry set-up: the exporter is chosen by the standard OTEL_* variables; none set means no export."""

import logging
import os

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

log = logging.getLogger(__name__)

TRACER_NAME = "saphan"


def setup_tracing(service_name: str) -> bool:
    """Install a tracer provider for this process (unless one is already set) and, where spans are recorded, the
    aiokafka hooks; return whether spans are recorded. With no exporter nothing is traced: the service then spends
    nothing on spans or on carrying trace context no one collects."""
    recording = True
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        resource = Resource.create({"service.name": f"saphan-{service_name}"})
        exporter = _exporter_from_environment()
        recording = exporter is not None
        provider = TracerProvider(resource=resource, sampler=None if recording else ALWAYS_OFF)
        if exporter is not None:
            provider.add_span_processor(BatchSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
    instrumentor = AIOKafkaInstrumentor()
    if recording and not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()
    return recording


def _exporter_from_environment() -> SpanExporter | None:
    endpoint_set = any(
        os.environ.get(name) for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )
    choice = os.environ.get("OTEL_TRACES_EXPORTER", "otlp" if endpoint_set else "none").strip().lower()
    if choice == "none" or (choice == "otlp" and not endpoint_set):
        return None
    if choice == "console":
        return ConsoleSpanExporter()
    if choice == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    raise SystemExit(f"OTEL_TRACES_EXPORTER={choice!r} is not supported here (use otlp, console or none)")


def context_from_headers(headers: list[tuple[str, bytes]] | None) -> Context:
    """Return the trace context a Kafka message carries in its headers."""
    carrier = {key: value.decode("latin-1") for key, value in headers or [] if value is not None}
    return propagate.extract(carrier)
