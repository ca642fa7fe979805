"""Log set-up for every process: one JSON object a line (the default, what log collectors read), or a readable line
for a person at a terminal (SAPHAN_LOG_FORMAT=text); JSON lines carry the trace and span of the current span."""

import logging
import os
import sys
from typing import Any

from opentelemetry import trace
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

FORMATS = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Requests nobody reads in the access log: probes and scrapes, every few seconds, that answered well.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class TraceFields(logging.Filter):
    """Add the current span's trace and span ids (hex, as W3C `traceparent` writes them); none outside a span."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")
            record.span_id = format(context.span_id, "016x")
        return True


class AccessFields(logging.Filter):
    """Give uvicorn's access lines their parts as fields, without the query string (a search by name or ID number
    carries personal data there), and drop the probes and scrapes that answered well."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple) or len(args) != 5:
            return True
        client, method, full_path, version, status = args
        path = str(full_path).split("?", 1)[0]
        if path in QUIET_PATHS and isinstance(status, int) and status < 400:
            return False
        record.args = (client, method, path, version, status)
        record.client, record.method, record.path, record.status = client, method, path, status
        return True


def json_formatter(service: str) -> JsonFormatter:
    """Return the formatter of one JSON object a line: timestamp (UTC, ISO 8601), level, logger, message, service,
    and whatever a filter or `extra=` added (trace_id, span_id, the exception as `exception`)."""
    return JsonFormatter("%(levelname)s %(name)s %(message)s", timestamp="timestamp",
                         rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception",
                                        "stack_info": "stack"},
                         static_fields={"service": service}, json_ensure_ascii=False,
                         reserved_attrs=[*RESERVED_ATTRS, "color_message"])  # uvicorn's copy with terminal colours


def log_format() -> str:
    """Return the configured log format (SAPHAN_LOG_FORMAT: json, the default, or text)."""
    chosen = os.environ.get("SAPHAN_LOG_FORMAT", "json").strip().lower() or "json"
    if chosen not in FORMATS:
        raise SystemExit(f"SAPHAN_LOG_FORMAT={chosen!r} is not a log format (use {' or '.join(FORMATS)})")
    return chosen


def configure_logging(service: str, *, stream: Any = None) -> logging.Handler:
    """Send every log line of this process, uvicorn's included, to one handler on stderr; return the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(json_formatter(service) if log_format() == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(TraceFields())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(os.environ.get("SAPHAN_LOG_LEVEL", "INFO").upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.disabled = False  # a logging.config.dictConfig elsewhere may have disabled it
        logger.setLevel(logging.NOTSET)  # the root's level rules
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessFields) for f in access.filters):
        access.addFilter(AccessFields())
    return handler
