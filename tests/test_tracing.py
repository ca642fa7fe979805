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

    def one(name: str, kind: SpanKind, event_type: str, group: str | None = None) -> ReadableSpan:
        found = [s for s in trace_spans.values() if s.name == name and s.kind is kind and
                 s.attributes.get("cloudevents.event_type") == event_type and
                 (group is None or s.attributes.get("messaging.consumer.group.name") == group)]
        assert len(found) == 1, f"{name}: {[s.name for s in trace_spans.values()]}"
        return found[0]

    intake_publish = one(f"{INTAKE_EVENTS} publish", SpanKind.PRODUCER, TRIAGED)
    referral_consume = one(f"{INTAKE_EVENTS} process", SpanKind.CONSUMER, TRIAGED, "referral")
    referral_publish = one(f"{REFERRAL_EVENTS} publish", SpanKind.PRODUCER, ROUTED)
    audit_consume_intake = one(f"{INTAKE_EVENTS} process", SpanKind.CONSUMER, TRIAGED, "audit")
    audit_consume_referral = one(f"{REFERRAL_EVENTS} process", SpanKind.CONSUMER, ROUTED, "audit")

    assert request in _ancestors(intake_publish, trace_spans)
    assert intake_publish in _ancestors(referral_consume, trace_spans)
    assert referral_consume in _ancestors(referral_publish, trace_spans)
    assert referral_publish in _ancestors(audit_consume_referral, trace_spans)
    assert intake_publish in _ancestors(audit_consume_intake, trace_spans)
