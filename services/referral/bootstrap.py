"""Referral's composition root: the one place its parts are wired together."""

from collections.abc import Callable
from datetime import datetime

from saphan_runtime.cloudevents import now
from saphan_runtime.service import Service, ServiceParts
from services.referral import api, api_agencies, api_casework, background, db, metrics, projections, queries
from services.referral.handlers import Policy, handlers
from services.referral.registry import load_registry_file
from services.referral.rules import load_rules
from services.referral.settings import Settings
from services.referral.worker import SUBSCRIPTIONS


def bootstrap(settings: Settings | None = None, clock: Callable[[], datetime] = now) -> Service:
    """Build the referral service (nothing connects until it starts); tests may pass their own clock."""
    settings = settings or Settings()
    policy = Policy(rules=load_rules(settings.routing_rules_file), limits=settings.deadline_limits,
                    intake_unit=settings.intake_unit, clock=clock)
    return Service(ServiceParts(
        settings=settings, metadata=db.metadata, migrations="services.referral:migrations",
        handlers=handlers(policy), project=projections.project, subscriptions=SUBSCRIPTIONS,
        case_of=queries.case_of_path,
        routers=[api.router, api_agencies.router, api_casework.router],
        on_start=[background.seed_registry(load_registry_file(settings.agencies_file))],
        tickers=[background.deadline_watch(settings.deadline_check_seconds, clock),
                 background.webhook_dispatch(settings.webhook_dispatch_seconds, clock)],
        gauges=[metrics.deadlines_due(clock)],
        title="Saphan referral / ส่งต่อ", description="Routes cases between the four agencies and follows referrals.",
    ))
