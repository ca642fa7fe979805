"""Tracing is set up from the standard OTEL_* variables: nothing set, nothing traced (each case in a fresh process,
since a tracer provider is set once per process)."""

import os
import subprocess
import sys

import pytest

PROBE = """
from opentelemetry import trace
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from saphan_runtime.telemetry import setup_tracing
recording = setup_tracing("probe")
span = trace.get_tracer("probe").start_span("s")
print(recording, span.is_recording(), AIOKafkaInstrumentor().is_instrumented_by_opentelemetry)
"""


@pytest.mark.parametrize(("environment", "expected"), [
    ({}, "False False False"),
    ({"OTEL_TRACES_EXPORTER": "console"}, "True True True"),
])
def test_spans_are_recorded_and_kafka_instrumented_only_with_an_exporter(environment, expected) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    found = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **environment}, capture_output=True,
                           text=True, timeout=60, check=True)
    assert found.stdout.split("\n")[0] == expected
