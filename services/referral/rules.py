"""Routing rules, kept as data (routing_rules.json) and read into plain, validated values."""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from contracts.common import AgencyKind, ProblemType, ReferralRole


class Condition(BaseModel):
    """When a rule fires; every stated condition must hold, and an empty condition always holds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_age_years: int | None = None
    min_age_years: int | None = None
    problem_types_any: frozenset[ProblemType] = frozenset()
    has_subdistrict: bool | None = None


class Assignment(BaseModel):
    """An agency kind a rule makes party to the case, and its role."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agency_kind: AgencyKind
    role: ReferralRole


class Rule(BaseModel):
    """One routing rule: its id, condition, assignments and the reason shown to people."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    when: Condition
    assign: tuple[Assignment, ...] = Field(min_length=1)
    reason: str = Field(min_length=1)


class RuleBook(BaseModel):
    """The ordered rules; the last one should always fire, so every case gets a lead."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    rules: tuple[Rule, ...] = Field(min_length=1)


def load_rules(path: Path) -> RuleBook:
    """Read and validate the rule file."""
    return RuleBook.model_validate_json(path.read_text(encoding="utf-8"))
