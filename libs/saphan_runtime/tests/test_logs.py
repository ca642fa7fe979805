"""Log lines: one JSON object each, with the trace of the span they were written in, and a readable form on request."""

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from opentelemetry import trace

from saphan_runtime.logs import AccessFields, TraceFields, configure_logging, json_formatter

ACCESS_LINE = '%s - "%s %s HTTP/%s" %d'


@pytest.fixture
def lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """Yield a logger whose lines go, as JSON, to a buffer (the root logger and pytest's capture are left alone)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(json_formatter("intake"))
    handler.addFilter(TraceFields())
    logger = logging.getLogger("saphan.test.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, buffer
    logger.removeHandler(handler)


def written(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_line_is_one_json_object_with_utc_time_level_logger_message_and_service(lines) -> None:
    logger, buffer = lines
    logger.info("case %s opened / เปิดรายการแล้ว", "c-1")
    [line] = written(buffer)
    assert {key: line[key] for key in ("level", "logger", "message", "service")} == {
        "level": "INFO", "logger": "saphan.test.logs", "message": "case c-1 opened / เปิดรายการแล้ว",
        "service": "intake"}
    stamp = datetime.fromisoformat(str(line["timestamp"]))
    assert stamp.utcoffset() == timedelta(0)


def test_a_line_written_inside_a_span_carries_that_span_s_trace_and_span_ids(lines) -> None:
    logger, buffer = lines
    with trace.get_tracer("test").start_as_current_span("handle") as span:
        logger.info("inside")
    [line] = written(buffer)
    context = span.get_span_context()
    assert line["trace_id"] == format(context.trace_id, "032x") and len(str(line["trace_id"])) == 32
    assert line["span_id"] == format(context.span_id, "016x")


def test_a_line_written_outside_any_span_carries_no_trace(lines) -> None:
    logger, buffer = lines
    logger.info("outside")
    [line] = written(buffer)
    assert "trace_id" not in line and "span_id" not in line


def test_an_exception_is_serialised_with_its_traceback_in_the_same_line(lines) -> None:
    logger, buffer = lines
    try:
        raise ValueError("a broken envelope")
    except ValueError:
        logger.exception("could not apply")
    [line] = written(buffer)
    assert line["level"] == "ERROR" and line["message"] == "could not apply"
    assert "Traceback (most recent call last)" in str(line["exception"])
    assert "ValueError: a broken envelope" in str(line["exception"])


def test_an_access_line_keeps_no_query_string_and_probes_that_answered_are_dropped(lines) -> None:
    logger, buffer = lines
    logger.addFilter(AccessFields())
    logger.info(ACCESS_LINE, "10.0.0.7:5123", "GET", "/cases?name=สมศรี", "1.1", 200)
    logger.info(ACCESS_LINE, "10.0.0.7:5123", "GET", "/readyz", "1.1", 200)
    logger.info(ACCESS_LINE, "10.0.0.7:5123", "GET", "/readyz", "1.1", 503)
    first, failed_probe = written(buffer)
    assert first["message"] == '10.0.0.7:5123 - "GET /cases HTTP/1.1" 200'
    assert (first["method"], first["path"], first["status"]) == ("GET", "/cases", 200)
    assert "สมศรี" not in buffer.getvalue()
    assert failed_probe["path"] == "/readyz" and failed_probe["status"] == 503


@pytest.fixture
def root_restored() -> Iterator[None]:
    """Put the root and uvicorn loggers back as they were after a test that configures logging."""
    names = ("", "uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {name: (list(logging.getLogger(name).handlers), logging.getLogger(name).level,
                    logging.getLogger(name).propagate, list(logging.getLogger(name).filters)) for name in names}
    yield
    for name, (handlers, level, propagate, filters) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:], logger.filters[:] = handlers, filters
        logger.setLevel(level)
        logger.propagate = propagate


def test_uvicorn_lines_go_through_the_one_handler_and_text_is_chosen_by_setting(root_restored, monkeypatch) -> None:
    buffer = io.StringIO()
    monkeypatch.setenv("SAPHAN_LOG_FORMAT", "json")
    configure_logging("referral", stream=buffer)
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    line = json.loads(buffer.getvalue())
    assert (line["logger"], line["service"]) == ("uvicorn.error", "referral")

    text = io.StringIO()
    monkeypatch.setenv("SAPHAN_LOG_FORMAT", "text")
    configure_logging("referral", stream=text)
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    assert text.getvalue().rstrip().endswith("INFO uvicorn.error: Application startup complete.")


def test_an_unknown_log_format_stops_the_process_with_the_choices(root_restored, monkeypatch) -> None:
    monkeypatch.setenv("SAPHAN_LOG_FORMAT", "xml")
    with pytest.raises(SystemExit, match="json or text"):
        configure_logging("audit")
