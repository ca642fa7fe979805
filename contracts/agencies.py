"""The agency registry's events (published by referral): units of the four agency kinds, their areas and
contacts. The `subject` of these events is the unit id."""

from pydantic import AwareDatetime, Field, StrictBool, StrictInt

from contracts.common import AgencyKind, Value
from contracts.envelope import EventData
from contracts.topics import REFERRAL_EVENTS


class ServiceArea(Value):
    """Where a unit serves: whole provinces, or subdistricts (a tambon centre)."""

    provinces: list[str] = Field(default_factory=list, max_length=77)
    subdistricts: list[str] = Field(default_factory=list, max_length=500)


class Contact(Value):
    """How to reach a unit."""

    phone: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)


class AgencyUnit(Value):
    """One unit of an agency kind."""

    unit_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    kind: AgencyKind
    name_th: str = Field(min_length=1, max_length=300)
    name_en: str = Field(min_length=1, max_length=300)
    serves: ServiceArea
    contact: Contact = Field(default_factory=Contact)
    beds: StrictInt | None = Field(default=None, ge=0, description="capacity, where the unit has one (shelter beds)")
    active: StrictBool = True


class AgencyUnitRecorded(EventData):
    """A unit was registered, or an administrator changed it; the event carries the whole unit as it now is."""

    event_type = "saphan.referral.agency-unit-recorded"
    version = 1
    topic = REFERRAL_EVENTS
    keyed_by = "the unit id"

    unit: AgencyUnit
    recorded_by: str = Field(min_length=1, max_length=200)
    recorded_at: AwareDatetime


class WebhookSubscribed(EventData):
    """A unit's system asked for a copy of the events that concern it; kept in referral's own store (it holds
    the signing secret) and never published."""

    event_type = "saphan.referral.webhook-subscribed"
    version = 1
    topic = None
    keyed_by = "the unit id"

    webhook_id: str = Field(min_length=1, max_length=64)
    unit_id: str = Field(min_length=1, max_length=64)
    url: str = Field(pattern=r"^https?://", max_length=2000)
    event_types: list[str] = Field(min_length=1, max_length=50)
    secret: str = Field(min_length=16, max_length=200)
    subscribed_at: AwareDatetime


class WebhookReplayRequested(EventData):
    """A unit asked for its deliveries to start again from a position of referral's event log."""

    event_type = "saphan.referral.webhook-replay-requested"
    version = 1
    topic = None
    keyed_by = "the unit id"

    webhook_id: str = Field(min_length=1, max_length=64)
    from_position: int = Field(ge=1)
    requested_at: AwareDatetime
