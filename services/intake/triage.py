"""Screening rules: urgency (domain brief 4.6) and the duty shift, each decision naming its rule."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from contracts.common import DutyShift, ProblemType, Response, RuleFired, Urgency
from contracts.intake import IntakeReport

BANGKOK = ZoneInfo("Asia/Bangkok")
OFFICE_OPENS, OFFICE_CLOSES = time(8, 30), time(16, 30)
ADULT_AGE = 18

RESPONSES = {Urgency.CRISIS: Response.RAPID_RESPONSE, Urgency.URGENT: Response.FIELD_VISIT,
             Urgency.NORMAL: Response.ROUTINE}


@dataclass(frozen=True)
class Facts:
    """What triage looks at."""

    problems: frozenset[ProblemType]
    age_years: int | None
    immediate_danger: bool
    has_disability: bool

    @property
    def is_child(self) -> bool:
        """Return whether the client is known to be under 18."""
        return self.age_years is not None and self.age_years < ADULT_AGE


@dataclass(frozen=True)
class TriageRule:
    """One named rule: when it holds, the case gets this urgency."""

    rule_id: str
    urgency: Urgency
    holds: Callable[[Facts], bool]
    reason: str


def _any(*problems: ProblemType) -> Callable[[Facts], bool]:
    return lambda facts: bool(facts.problems & set(problems))


P = ProblemType
# Ordered: the first rule that holds decides. The last always holds.
RULES: tuple[TriageRule, ...] = (
    TriageRule("crisis.immediate-danger", Urgency.CRISIS, lambda f: f.immediate_danger,
               "The client is in danger now: rapid response / ผู้ประสบปัญหาอยู่ในอันตรายขณะนี้: ทีมเคลื่อนที่เร็ว"),
    TriageRule("crisis.child-sexual-abuse", Urgency.CRISIS, lambda f: f.is_child and P.SEXUAL_ABUSE in f.problems,
               "A child sexually abused: rapid response / เด็กถูกล่วงละเมิดทางเพศ: ทีมเคลื่อนที่เร็ว"),
    TriageRule("crisis.human-trafficking", Urgency.CRISIS, _any(P.HUMAN_TRAFFICKING),
               "Human trafficking: rapid response / การค้ามนุษย์: ทีมเคลื่อนที่เร็ว"),
    TriageRule("crisis.psychiatric-crisis", Urgency.CRISIS, _any(P.PSYCHIATRIC_CRISIS),
               "Psychiatric crisis: rapid response / ภาวะวิกฤตทางจิตเวช: ทีมเคลื่อนที่เร็ว"),
    TriageRule("urgent.child-harmed", Urgency.URGENT,
               lambda f: f.is_child and bool(f.problems & {P.DOMESTIC_VIOLENCE, P.CHILD_ABUSE_OR_NEGLECT,
                                                             P.CHILD_LABOUR, P.UNPLANNED_PREGNANCY}),
               "A child harmed, neglected, made to work or pregnant: field visit / เด็กถูกกระทำหรือถูกทอดทิ้ง "
               "ใช้แรงงาน หรือตั้งครรภ์: ลงพื้นที่"),
    TriageRule("urgent.violence", Urgency.URGENT,
               _any(P.DOMESTIC_VIOLENCE, P.SEXUAL_ABUSE, P.VIOLENCE_AGAINST_ELDERLY_OR_DISABLED),
               "Violence against the client: field visit / ผู้ประสบปัญหาถูกกระทำรุนแรง: ลงพื้นที่"),
    TriageRule("urgent.abandoned-dependent", Urgency.URGENT, _any(P.ABANDONED_DEPENDENT_PERSON),
               "A dependent person abandoned: field visit / ผู้มีภาวะพึ่งพิงถูกทอดทิ้ง: ลงพื้นที่"),
    TriageRule("normal.default", Urgency.NORMAL, lambda f: True,
               "No sign of immediate danger: the normal course / ไม่พบสัญญาณอันตรายเร่งด่วน: ดำเนินการตามปกติ"),
)


def facts_of(report: IntakeReport, age_years: int | None) -> Facts:
    """Return the facts triage looks at."""
    return Facts(problems=frozenset(report.problem_types), age_years=age_years,
                 immediate_danger=report.immediate_danger, has_disability=bool(report.client.disability))


def triage(facts: Facts) -> tuple[Urgency, Response, RuleFired]:
    """Return the urgency, the response it calls for, and the rule that decided."""
    rule = next(rule for rule in RULES if rule.holds(facts))
    return rule.urgency, RESPONSES[rule.urgency], RuleFired(rule_id=rule.rule_id, reason=rule.reason)


def duty_shift_of(received_at: datetime) -> DutyShift:
    """Return the shift on duty at a time: office hours are 08:30-16:30 Bangkok time, Monday to Friday."""
    local = received_at.astimezone(BANGKOK)
    office = local.weekday() < 5 and OFFICE_OPENS <= local.time() < OFFICE_CLOSES
    return DutyShift.OFFICE_HOURS if office else DutyShift.AFTER_HOURS
