"""The agency registry as plain values: which unit of a kind serves a case's area."""

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from contracts.agencies import AgencyUnit
from contracts.common import AgencyKind, Location


class RegistryFile(BaseModel):
    """The data file the registry is seeded from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    units: tuple[AgencyUnit, ...]


def load_registry_file(path: Path) -> RegistryFile:
    """Read and validate the registry's data file."""
    return RegistryFile.model_validate_json(path.read_text(encoding="utf-8"))


def serving(units: Iterable[AgencyUnit], kind: AgencyKind, location: Location) -> AgencyUnit | None:
    """Return the active unit of a kind serving a location: a tambon centre by subdistrict, others by province."""
    candidates = [unit for unit in units if unit.kind is kind and unit.active]
    if kind is AgencyKind.TAMBON_COORDINATION_CENTRE:
        matches = [u for u in candidates if location.subdistrict_code in u.serves.subdistricts]
    else:
        matches = [u for u in candidates if location.province_code in u.serves.provinces]
    return min(matches, key=lambda unit: unit.unit_id) if matches else None
