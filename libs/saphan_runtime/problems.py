"""The error contract in the OpenAPI documents: every 4xx and 5xx answer is an RFC 9457 problem
(application/problem+json) of one schema, and every operation that requires a token says it may answer 401 and 403."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

PROBLEM_JSON = "application/problem+json"
SECURED: dict[str, dict[str, str]] = {
    "401": {"description": "no valid bearer token / ไม่มีโทเค็นที่ใช้ได้"},
    "403": {"description": "the caller's role or unit may not do this / ไม่มีสิทธิ์"},
}


class FieldError(BaseModel):
    """One input at fault: the field (e.g. `body.client.birth_date`), why in English and Thai, and the error type."""

    field: str
    message: str
    message_en: str
    message_th: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem: every error answer of every service (`errors` names the fields at fault)."""

    model_config = ConfigDict(extra="allow")  # a conflict says what is allowed instead, readiness its checks

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


def documenting_problems(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Return the app's OpenAPI builder, with every error answer documented as the problem the handlers send."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        document = plain()  # FastAPI builds it once and keeps it; describing it again changes nothing
        describe_problems(document)
        return document

    return openapi


def describe_problems(document: dict[str, Any]) -> None:
    """Document each 4xx and 5xx answer as application/problem+json with the Problem schema (FastAPI's own 422 shape
    is never sent), and 401 and 403 on every operation that requires a token."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs"), Problem=problem_schema)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in document.get("paths", {}).values():
        for operation in item.values():
            responses = operation["responses"]
            if operation.get("security"):
                responses.update({code: {**answer} for code, answer in SECURED.items() if code not in responses})
            for code, answer in responses.items():
                if code[0] in "45":
                    answer["content"] = content
            operation["responses"] = dict(sorted(responses.items()))
