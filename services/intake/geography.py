"""Thai administrative areas: check that a report's location codes are real and nest, name them, and list them for
the pickers of a report form.

The official list is the `geothai` package (DOPA codes). Its `province()`, `district()` and `subdistrict()`
look codes up in dicts it builds once, lazily, on first use, so each check here costs a few dict lookups.
"""

from dataclasses import dataclass

import geothai
from geothai.types import District, Province, Subdistrict

from saphan_runtime.errors import DomainError

PROVINCE_FIELD = "body.location.province_code"
DISTRICT_FIELD = "body.location.district_code"
SUBDISTRICT_FIELD = "body.location.subdistrict_code"


@dataclass(frozen=True)
class Area:
    """A location with its Thai and English names; the lower levels are None when the report left them out."""

    province_code: str
    province_name_th: str
    province_name_en: str
    district_code: str | None = None
    district_name_th: str | None = None
    district_name_en: str | None = None
    subdistrict_code: str | None = None
    subdistrict_name_th: str | None = None
    subdistrict_name_en: str | None = None


@dataclass(frozen=True)
class Place:
    """One area of the official list: its DOPA code and its Thai and English names."""

    code: str
    name_th: str
    name_en: str


def _place(area: Province | District | Subdistrict) -> Place:
    return Place(code=area.code, name_th=area.name_th, name_en=area.name_en)


def provinces() -> list[Place]:
    """Return every province, by code."""
    return [_place(found) for found in geothai.provinces()]


def find_province(code: str) -> Place | None:
    """Return the province with this code, or None."""
    found = geothai.province(code)
    return None if found is None else _place(found)


def find_district(code: str) -> Place | None:
    """Return the district with this code, or None."""
    found = geothai.district(code)
    return None if found is None else _place(found)


def districts_of(province_code: str) -> list[Place]:
    """Return the districts of a province, by code (none for an unknown province)."""
    return [_place(found) for found in geothai.districts(province_code)]


def subdistricts_of(district_code: str) -> list[Place]:
    """Return the subdistricts of a district, by code (none for an unknown district)."""
    return [_place(found) for found in geothai.subdistricts(district_code)]


def _province(code: str) -> Province:
    """Return the province with this code, or refuse it as unknown."""
    found = geothai.province(code)
    if found is None:
        raise DomainError(f"unknown province code {code} / ไม่พบรหัสจังหวัด {code}", field=PROVINCE_FIELD)
    return found


def _district(code: str, province_code: str) -> District:
    """Return the district with this code, or refuse it as unknown or outside the province."""
    found = geothai.district(code)
    if found is None:
        raise DomainError(f"unknown district code {code} / ไม่พบรหัสอำเภอ {code}", field=DISTRICT_FIELD)
    if found.province_code != province_code:
        raise DomainError(
            f"district {code} is not in province {province_code} / อำเภอ {code} ไม่อยู่ในจังหวัด {province_code}",
            field=DISTRICT_FIELD,
        )
    return found


def _subdistrict(code: str, district_code: str | None) -> Subdistrict:
    """Return the subdistrict with this code, or refuse it without a district, unknown or outside the district."""
    if district_code is None:
        raise DomainError(
            f"subdistrict {code} needs a district code / ต้องระบุรหัสอำเภอของตำบล {code}", field=SUBDISTRICT_FIELD
        )
    found = geothai.subdistrict(code)
    if found is None:
        raise DomainError(f"unknown subdistrict code {code} / ไม่พบรหัสตำบล {code}", field=SUBDISTRICT_FIELD)
    if found.district_code != district_code:
        raise DomainError(
            f"subdistrict {code} is not in district {district_code} / ตำบล {code} ไม่อยู่ในอำเภอ {district_code}",
            field=SUBDISTRICT_FIELD,
        )
    return found


def check_location(province_code: str, district_code: str | None, subdistrict_code: str | None) -> None:
    """Refuse, naming the field, a location whose codes are unknown or do not nest."""
    _province(province_code)
    if district_code is not None:
        _district(district_code, province_code)
    if subdistrict_code is not None:
        _subdistrict(subdistrict_code, district_code)


def describe(province_code: str, district_code: str | None, subdistrict_code: str | None) -> Area:
    """Name, in Thai and English, a location that passed `check_location` (refused the same way if not)."""
    province = _province(province_code)
    district = None if district_code is None else _district(district_code, province_code)
    subdistrict = None if subdistrict_code is None else _subdistrict(subdistrict_code, district_code)
    return Area(
        province_code=province.code,
        province_name_th=province.name_th,
        province_name_en=province.name_en,
        district_code=None if district is None else district.code,
        district_name_th=None if district is None else district.name_th,
        district_name_en=None if district is None else district.name_en,
        subdistrict_code=None if subdistrict is None else subdistrict.code,
        subdistrict_name_th=None if subdistrict is None else subdistrict.name_th,
        subdistrict_name_en=None if subdistrict is None else subdistrict.name_en,
    )
