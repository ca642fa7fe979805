"""The schema history: a revision is accepted only when it and every earlier revision read each other's events;
`saphan schemas` refuses an incompatible one (writing nothing) and `--check` reports it."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from saphan_runtime import contract_files
from saphan_runtime.cli import app
from saphan_runtime.schema_history import HISTORY_DIR, record, review, revisions
from saphan_runtime.schemas import SCHEMA_DIR, render, versioned_schemas

CASE = {"type": "object", "additionalProperties": False, "required": ["case_id"],
        "properties": {"case_id": {"type": "string", "maxLength": 64}}}


def with_field(schema: dict[str, Any], name: str, field: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "properties": {**schema["properties"], name: field}}


def keep(history: Path, name: str, *schemas: dict[str, Any]) -> None:
    for number, schema in enumerate(schemas, start=1):
        (history / name).mkdir(parents=True, exist_ok=True)
        (history / name / f"{number}.json").write_text(render(schema), encoding="utf-8")


def test_a_new_type_or_a_new_version_is_accepted_as_its_first_revision(tmp_path: Path) -> None:
    keep(tmp_path, "saphan.x.thing-done.v1", CASE)
    incompatible = with_field({**CASE, "required": ["case_id", "why"]}, "why", {"type": "string"})
    [verdict] = review({"saphan.x.thing-done.v2": incompatible}, tmp_path)[:1]
    assert (verdict.revision, verdict.problems) == (1, ())
    assert record([verdict], {"saphan.x.thing-done.v2": incompatible}, tmp_path) == [
        tmp_path / "saphan.x.thing-done.v2" / "1.json"]
    assert revisions("saphan.x.thing-done.v2", tmp_path) == [incompatible]


def test_an_unchanged_schema_needs_no_revision_and_a_description_only_change_is_the_next_one(tmp_path: Path) -> None:
    keep(tmp_path, "saphan.x.thing-done.v1", CASE)
    assert review({"saphan.x.thing-done.v1": CASE}, tmp_path)[0].revision is None
    described = with_field(CASE, "case_id", {"type": "string", "maxLength": 64, "description": "the case"})
    assert (review({"saphan.x.thing-done.v1": described}, tmp_path)[0].revision,
            review({"saphan.x.thing-done.v1": described}, tmp_path)[0].problems) == (2, ())


def test_a_revision_is_checked_against_every_earlier_one_not_only_the_latest(tmp_path: Path) -> None:
    wider = with_field(CASE, "case_id", {"type": "string", "maxLength": 200})
    keep(tmp_path, "saphan.x.thing-done.v1", CASE, wider)  # revision 2 was forced in by hand
    described = with_field(wider, "case_id", {"type": "string", "maxLength": 200, "description": "the case"})
    problems = review({"saphan.x.thing-done.v1": described}, tmp_path)[0].problems
    assert problems == ("old consumers: revision 1 cannot read the new events at case_id: the writer's maxLength 200 "
                        "is above the reader's 64",)


def test_a_refusal_names_the_type_the_field_and_the_next_version(tmp_path: Path) -> None:
    keep(tmp_path, "saphan.x.thing-done.v1", CASE)
    verdict = review({"saphan.x.thing-done.v1": with_field(CASE, "note", {"type": "string"})}, tmp_path)[0]
    assert verdict.explain().splitlines() == [
        "saphan.x.thing-done.v1: an incompatible change; publish it as a new version instead (a new model with "
        "version = 2, type saphan.x.thing-done.v2), and keep this model for the events already stored:",
        "  - old consumers: revision 1 cannot read the new events at note: the writer may send this field, and the "
        "reader refuses unknown fields (additionalProperties false)"]


def test_a_type_whose_model_is_gone_is_reported_while_its_history_is_kept(tmp_path: Path) -> None:
    keep(tmp_path, "saphan.x.thing-done.v1", CASE)
    [verdict] = review({}, tmp_path)
    assert verdict.name == "saphan.x.thing-done.v1" and "could not be replayed" in verdict.problems[0]


def test_the_history_holds_every_current_schema_as_its_latest_revision() -> None:
    for name, schema in versioned_schemas().items():
        assert revisions(name, HISTORY_DIR)[-1] == json.loads(render(schema)), f"run `saphan schemas` ({name})"


@pytest.fixture
def narrower_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the history in which case-reported.v1 once allowed ages up to 150 (the model now says 130)."""
    name = "saphan.intake.case-reported.v1"
    for folder in HISTORY_DIR.iterdir():
        keep(tmp_path, folder.name, *revisions(folder.name, HISTORY_DIR))
    first = revisions(name, HISTORY_DIR)[0]
    first["properties"]["client_age_years"]["anyOf"][0]["maximum"] = 150
    keep(tmp_path, name, first)
    monkeypatch.setattr(contract_files, "HISTORY_DIR", tmp_path)
    return tmp_path


def test_saphan_schemas_refuses_an_incompatible_revision_and_writes_nothing(narrower_history: Path) -> None:
    before = {path: path.read_bytes() for path in SCHEMA_DIR.rglob("*.json")}
    result = CliRunner().invoke(app, ["schemas"])
    assert result.exit_code == 1
    assert "saphan.intake.case-reported.v1: an incompatible change" in result.output
    assert ("replay: the new model cannot read revision 1's events at client_age_years: the writer's maximum 150 is "
            "outside the reader's 130") in result.output
    assert {path: path.read_bytes() for path in SCHEMA_DIR.rglob("*.json")} == before
    assert len(list((narrower_history / "saphan.intake.case-reported.v1").iterdir())) == 1


def test_saphan_schemas_check_reports_an_incompatible_revision(narrower_history: Path) -> None:
    result = CliRunner().invoke(app, ["schemas", "--check"])
    assert result.exit_code == 1
    assert "client_age_years: the writer's maximum 150 is outside the reader's 130" in result.output
