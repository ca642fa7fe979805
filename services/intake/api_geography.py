"""Intake's HTTP entry point for the official list of areas (DOPA codes, from `geothai`) a report's location is
checked against: provinces, the districts of a province, the subdistricts of a district, each named in Thai and
English, for the pickers of a report form. Read-only and the same for everyone who may report."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from saphan_runtime.auth import Principal
from saphan_runtime.authorisation import allowed
from saphan_runtime.http import field_error, problem
from services.intake import geography

router = APIRouter(prefix="/geography", tags=["geography"])
Reporter = Annotated[Principal, Depends(allowed("intake.case.report"))]
ProvinceCode = Annotated[str, Path(pattern=r"^[0-9]{2}$", description="two digits, e.g. 10")]
DistrictCode = Annotated[str, Path(pattern=r"^[0-9]{4}$", description="four digits, e.g. 1001")]
UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: {"description": "no area has this code"}, 422: {"description": "the code is not well formed"}}
CACHE = "private, max-age=3600"  # the list changes only with a new release of geothai


class PlaceView(BaseModel):
    """An area: its DOPA code and its Thai and English names."""

    code: str
    name_th: str
    name_en: str


class Provinces(BaseModel):
    """Every province, by code."""

    provinces: list[PlaceView]


class Districts(BaseModel):
    """A province and its districts, by code."""

    province: PlaceView
    districts: list[PlaceView]


class Subdistricts(BaseModel):
    """A district and its subdistricts (tambon or khwaeng), by code."""

    district: PlaceView
    subdistricts: list[PlaceView]


def _unknown(field: str, message: str) -> JSONResponse:
    """Answer 404 naming the path parameter no area matches."""
    return problem(404, message, errors=[field_error(field, message, "not_found")])


@router.get("/provinces", response_model=Provinces)
async def list_provinces(caller: Reporter, response: Response) -> Any:
    """Return every province with its Thai and English names."""
    response.headers["Cache-Control"] = CACHE
    return {"provinces": geography.provinces()}


@router.get("/provinces/{province_code}/districts", response_model=Districts, responses=UNKNOWN)
async def list_districts(province_code: ProvinceCode, caller: Reporter, response: Response) -> Any:
    """Return a province's districts with their Thai and English names."""
    province = geography.find_province(province_code)
    if province is None:
        return _unknown("path.province_code",
                        f"unknown province code {province_code} / ไม่พบรหัสจังหวัด {province_code}")
    response.headers["Cache-Control"] = CACHE
    return {"province": province, "districts": geography.districts_of(province_code)}


@router.get("/districts/{district_code}/subdistricts", response_model=Subdistricts, responses=UNKNOWN)
async def list_subdistricts(district_code: DistrictCode, caller: Reporter, response: Response) -> Any:
    """Return a district's subdistricts with their Thai and English names."""
    district = geography.find_district(district_code)
    if district is None:
        return _unknown("path.district_code",
                        f"unknown district code {district_code} / ไม่พบรหัสอำเภอ {district_code}")
    response.headers["Cache-Control"] = CACHE
    return {"district": district, "subdistricts": geography.subdistricts_of(district_code)}
