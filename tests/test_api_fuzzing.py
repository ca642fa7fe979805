"""Schemathesis against every service's OpenAPI document (the console's too): whatever a caller sends, the answer is
never a 5xx, and always a status, content type, headers and body the document names.

Each service runs for real and alone: the test broker, a fresh database on each backend (SQLite, and PostgreSQL
when SAPHAN_TEST_POSTGRES_URL is set), served on a loopback port in a thread of its own while Schemathesis calls it.
The document is read from the live /openapi.json, which must equal the exported contracts/openapi/<name>.json. Then
two passes over every operation:

- with a token whose roles together may perform every action of the service (read from
  contracts/access_policy.json), for a unit party to a case seeded first, so requests get past the access checks to
  validation and the handlers: the path parameters name the seeded case (its referrals, its document) most of the
  time. Valid and invalid data (wrong types, values out of range, missing and unknown fields, bytes that are not
  JSON), checked by not_a_server_error, status_code_conformance, content_type_conformance,
  response_headers_conformance, response_schema_conformance, negative_data_rejection (invalid data gets a 4xx) and
  ignored_auth (a route answering 2xx refuses the same call without a token);
- without a token: every operation that requires one answers 401, and none answers 5xx.

Each operation is a Hypothesis test of the cases Schemathesis generates from the document
(`APIOperation.as_strategy`); `schemathesis.pytest.from_fixture` would be the shorter way, but it fails on pytest 9.2
(it sets `Node._nodeid`, which pytest no longer has).

CI generates SAPHAN_FUZZ_EXAMPLES (default 10) examples per operation, valid and invalid each, always the same ones
(seed 1300): about 35 seconds per backend for the whole module. A deeper run, on demand, draws new ones each time
(SAPHAN_FUZZ_SEED repeats a run):

    SAPHAN_FUZZ_EXAMPLES=500 .venv/bin/pytest tests/test_api_fuzzing.py
"""

import asyncio
import itertools
import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis import BaseSchema, Case, GenerationMode

from contracts.access import Role, policy
from contracts.topics import INTAKE_EVENTS
from saphan_runtime.broker import free_port
from saphan_runtime.contract_files import OPENAPI_DIR
from saphan_runtime.service_catalogue import CONSOLE, SERVICES
from saphan_runtime.testing import BrokerUnderTest, bearer, eventually, serving_in_thread
from services.console.session import COOKIE
from tests.helpers import case_reported_event, case_triaged_event, publish_all, report

# Schemathesis's own strategies draw from `random`, which Hypothesis warns of; nothing of ours does.
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
EXAMPLES = int(os.environ.get("SAPHAN_FUZZ_EXAMPLES", "10"))
SEED = int(os.environ.get("SAPHAN_FUZZ_SEED", "0")) or (None if "SAPHAN_FUZZ_EXAMPLES" in os.environ else 1300)
CONFORMS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
            "response_headers_conformance", "response_schema_conformance")
PDF = b"%PDF-1.7\nstatement\n%%EOF\n"


@dataclass(frozen=True)
class Live:
    """A service served for one test, and its OpenAPI document as Schemathesis reads it."""

    name: str
    url: str
    schema: BaseSchema


@dataclass(frozen=True)
class Seeded:
    """Who calls (a unit, with roles), and the values the path parameters take most of the time."""

    unit: str
    values: dict[str, list[str]] = field(default_factory=dict)


@pytest.fixture(params=[*SERVICES, CONSOLE])
def live(request, backend, tmp_path) -> Iterator[Live]:
    """Serve one service (the console has no database: it runs on SQLite's turn only); return it once its live
    document is the exported one."""
    name = request.param
    if name == CONSOLE:
        if backend != "sqlite":
            pytest.skip("the console keeps no database")
        from services.console.bootstrap import bootstrap
        from services.console.settings import Settings

        app = bootstrap(Settings(port=free_port(), var_dir=tmp_path))
        port = app.state.settings.port
    else:
        service = request.getfixturevalue("make_service")(name)
        app, port = service.app, service.settings.port
    with serving_in_thread(app, port) as url:
        exported = json.loads((OPENAPI_DIR / f"{name}.json").read_text(encoding="utf-8"))
        assert httpx.get(f"{url}/openapi.json").json() == exported, f"run `saphan schemas`: {name}'s is stale"
        config = schemathesis.Config.from_dict({
            "base-url": url,
            "generation": {"with-security-parameters": False},  # the token, or none, is the test's choice
            "max-stream-events": 1,  # a server-sent event stream is read to its first event, then left
            "request-timeout": 30,
        })
        yield Live(name, url, schemathesis.openapi.from_url(f"{url}/openapi.json", config=config))


def test_no_request_gets_a_server_error_or_an_answer_the_document_does_not_name(live, request, tmp_path) -> None:
    seeded = SEED_ONE[live.name](live.url, request, tmp_path)
    token = bearer(tmp_path, seeded.unit, *roles_for(live.name))["Authorization"]
    credentials = ({"cookies": {COOKIE: token.removeprefix("Bearer ")}} if live.name == CONSOLE
                   else {"headers": {"Authorization": token}})
    failures = fuzz(live.schema, modes=(GenerationMode.POSITIVE, GenerationMode.NEGATIVE), seeded=seeded.values,
                    checks=(*CONFORMS, "negative_data_rejection", "ignored_auth"), credentials=credentials)
    assert not failures, "\n\n".join(failures)


def test_without_a_token_every_guarded_operation_answers_401(live) -> None:
    # Valid data only: a made-up path would miss the route, and answer 404 before any token is asked for.
    failures = fuzz(live.schema, modes=(GenerationMode.POSITIVE,), checks=CONFORMS, expect_401=True)
    assert not failures, "\n\n".join(failures)


def fuzz(schema: BaseSchema, *, modes: tuple[GenerationMode, ...], checks: tuple[str, ...],
         seeded: dict[str, list[str]] | None = None, credentials: dict[str, Any] | None = None,
         expect_401: bool = False) -> list[str]:
    """Call every operation of a document with generated requests; return what went wrong, an operation a paragraph
    (Hypothesis stops each operation at its first failure, shrunk)."""
    functions = [getattr(schemathesis.checks, name) for name in checks]
    failures = []
    with requests.Session() as session:
        for operation in (operation for path in schema for operation in schema[path].values()):
            cases = st.one_of([operation.as_strategy(mode, path_parameters=fixed) for mode in modes
                               for fixed in seeded_choices(operation.path, seeded or {})])

            @hypothesis.settings(max_examples=EXAMPLES * len(modes), deadline=None, database=None,
                                 suppress_health_check=list(hypothesis.HealthCheck))
            @hypothesis.given(case=cases)
            def call(case: Case) -> None:
                response = case.call_and_validate(session=session, checks=functions, **(credentials or {}))
                if expect_401 and case.operation.definition.raw.get("security"):
                    assert response.status_code == 401, f"{case.method} {case.formatted_path}: {response.text}"

            try:
                (hypothesis.seed(SEED)(call) if SEED is not None else call)()
            except (Exception, BaseExceptionGroup) as error:  # every operation runs; all that failed are reported
                failures.append(f"{operation.label}:\n{error}")
    return failures


def seeded_choices(path: str, seeded: dict[str, list[str]]) -> list[dict[str, str]]:
    """Return the sets of seeded path parameters to call a path with, and an empty one (all made up); the seeded
    ones weigh most."""
    names = [name for name in seeded if f"{{{name}}}" in path]
    choices = [dict(zip(names, values, strict=True)) for values in itertools.product(*(seeded[n] for n in names))]
    return [*choices * 3, {}] if names else [{}]


def roles_for(service: str) -> list[Role]:
    """Return roles that together may perform every action of a service (the first role each action names)."""
    rules = [rule for action, rule in policy()["actions"].items() if action.split(".")[0] == service]
    return sorted({Role(rule["roles"][0]) for rule in rules if rule["roles"]})


def seed_intake(url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Seeded:
    """Report two cases as the hotline (the caller's unit then reported both)."""
    headers = bearer(tmp_path, "hotline-1300", Role.HOTLINE_OPERATOR)
    cases = [httpx.post(f"{url}/cases", json=report(n), headers=headers).json()["case_id"] for n in range(2)]
    return Seeded("hotline-1300", {"case_id": cases, "existing_case_id": cases})


def seed_referral(url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Seeded:
    """Publish a screened case for referral to route; the caller is of the unit that leads it."""
    case_id = str(uuid.uuid4())
    reported(request, case_id, case_triaged_event(case_id))
    status = wait_for(f"{url}/cases/{case_id}/status", bearer(tmp_path, "hotline-1300", Role.HOTLINE_OPERATOR))
    referrals = [referral["referral_id"] for referral in status["referrals"]]
    return Seeded(status["lead_unit"], {"case_id": [case_id], "referral_id": referrals,
                                        "unit_id": [status["lead_unit"]]})


def seed_documents(url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Seeded:
    """Publish a reported case for documents to open a file for, and upload a document to it as its reporter."""
    case_id = str(uuid.uuid4())
    reported(request, case_id)
    headers = bearer(tmp_path, "hotline-1300", Role.HOTLINE_OPERATOR)
    wait_for(f"{url}/cases/{case_id}/documents", headers)
    uploaded = httpx.post(f"{url}/cases/{case_id}/documents", headers=headers,
                          data={"document_type": "statement_record"}, files={"file": ("statement.pdf", PDF)})
    assert uploaded.status_code == 201, uploaded.text
    return Seeded("hotline-1300", {"case_id": [case_id], "document_id": [uploaded.json()["document_id"]]})


def seed_audit(url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Seeded:
    """Publish a reported case for audit to record in its ledger."""
    case_id = str(uuid.uuid4())
    reported(request, case_id)
    wait_for(f"{url}/cases/{case_id}/timeline", bearer(tmp_path, "oversight-1", Role.AUDITOR))
    return Seeded("oversight-1", {"case_id": [case_id]})


def seed_console(url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Seeded:
    """Nothing to seed: the console's own routes are its session's."""
    return Seeded("hotline-1300")


SEED_ONE: dict[str, Callable[[str, pytest.FixtureRequest, Path], Seeded]] = {
    "intake": seed_intake, "referral": seed_referral, "documents": seed_documents, "audit": seed_audit,
    CONSOLE: seed_console}


def reported(request: pytest.FixtureRequest, case_id: str, *more: bytes) -> None:
    """Publish a case's CaseReported (the hotline reported it), and more of its intake events, as intake would."""
    broker: BrokerUnderTest = request.getfixturevalue("broker")

    asyncio.run(publish_all(broker, INTAKE_EVENTS, [case_reported_event(case_id), *more], key=case_id.encode()))


def wait_for(url: str, headers: dict[str, str]) -> Any:
    """Return the body of the first 200 a GET of the URL answers."""
    async def answered() -> Any:
        async with httpx.AsyncClient() as client:
            response = await client.get(url, headers=headers)
        return response.json() if response.status_code == 200 else None

    return asyncio.run(eventually(answered))
