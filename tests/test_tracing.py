"""One trace follows a report: intake's HTTP request → the outbox relay → referral's consumer → audit's consumer."""

import asyncio

import httpx
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from contracts.topics import INTAKE_EVENTS, REFERRAL_EVENTS
from saphan_runtime.testing import eventually, running
from tests.helpers import UsualCallers, report

TRIAGED, ROUTED = "saphan.intake.case-triaged.v1", "saphan.referral.routing-decided.v1"


def _ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[ReadableSpan]:
    chain = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        chain.append(span)
    return chain


async def test_one_trace_spans_the_request_the_relay_and_both_consumers(make_service, spans, tmp_path) -> None:
    intake, referral, audit = make_service("intake"), make_service("referral"), make_service("audit")
    async with running(intake) as intake_url, running(referral), running(audit) as audit_url:
        spans.clear()
        async with httpx.AsyncClient(auth=UsualCallers(tmp_path, {"intake": intake_url, "audit": audit_url})) as client:
            case_id = (await client.post(f"{intake_url}/cases", json=report())).json()["case_id"]

            async def complete() -> bool:
                response = await client.get(f"{audit_url}/cases/{case_id}/timeline",
                                            params={"include_reads": "false"})
                return response.status_code == 200 and len(response.json()["events"]) == 7  # 3 referrals

            await eventually(complete)
        await asyncio.sleep(0.2)  # let the last spans end
    finished = [s for s in spans.get_finished_spans() if s.attributes.get("saphan.case_id") == case_id
                or s.name.startswith("POST /cases")]
    request = next(s for s in finished if s.kind is SpanKind.SERVER and s.name.startswith("POST /cases"))
    trace_spans = {s.context.span_id: s for s in spans.get_finished_spans() if s.context.trace_id ==
                   request.context.trace_id}

    def spans_of(name: str, kind: SpanKind, event_type: str, group: str | None = None) -> list[ReadableSpan]:
        return [s for s in trace_spans.values() if s.name == name and s.kind is kind and
                s.attributes.get("cloudevents.event_type") == event_type and
                (group is None or s.attributes.get("messaging.consumer.group.name") == group)]

    def one(name: str, kind: SpanKind, event_type: str) -> ReadableSpan:
        found = spans_of(name, kind, event_type)
        assert len(found) == 1, f"{name}: {[s.name for s in trace_spans.values()]}"
        return found[0]

    def attempts(topic: str, event_type: str, group: str) -> list[ReadableSpan]:
        """A consumer's spans of processing one event: one per attempt. An event is tried again when it waits for
        its cause (the consumer of two topics can see a referral's event before the intake event it follows) or
        its batch was undone; at least one attempt ends without an error."""
        found = spans_of(f"{topic} process", SpanKind.CONSUMER, event_type, group)
        assert found and any(s.status.is_ok for s in found), f"{group} {topic}: {[s.name for s in found]}"
        return found

    intake_publish = one(f"{INTAKE_EVENTS} publish", SpanKind.PRODUCER, TRIAGED)
    referral_consumes = attempts(INTAKE_EVENTS, TRIAGED, "referral")
    referral_publish = one(f"{REFERRAL_EVENTS} publish", SpanKind.PRODUCER, ROUTED)

    assert request in _ancestors(intake_publish, trace_spans)
    assert all(intake_publish in _ancestors(attempt, trace_spans) for attempt in referral_consumes)
    assert any(attempt in _ancestors(referral_publish, trace_spans) for attempt in referral_consumes)
    for attempt in attempts(REFERRAL_EVENTS, ROUTED, "audit"):
        assert referral_publish in _ancestors(attempt, trace_spans)
    for attempt in attempts(INTAKE_EVENTS, TRIAGED, "audit"):
        assert intake_publish in _ancestors(attempt, trace_spans)
