"""The official list of areas over HTTP, for the pickers of a report form: provinces, a province's districts, a
district's subdistricts, named in Thai and English; an unknown code is a 404 naming its field; only a role that may
report may read it."""

from typing import Any

import httpx
import pytest

from contracts.access import Role
from saphan_runtime.testing import running


def operator(caller: Any) -> dict[str, str]:
    """Return the Authorization header of a 1300 hotline operator."""
    return dict(caller("hotline-1300", Role.HOTLINE_OPERATOR))


async def test_every_province_is_listed_by_code_with_its_thai_and_english_names(make_service, caller) -> None:
    async with running(make_service("intake")) as url, httpx.AsyncClient(base_url=url) as client:
        listed = await client.get("/geography/provinces", headers=operator(caller))
    assert listed.status_code == 200, listed.text
    provinces = listed.json()["provinces"]
    assert len(provinces) == 77 and [p["code"] for p in provinces] == sorted(p["code"] for p in provinces)
    assert provinces[0] == {"code": "10", "name_th": "กรุงเทพมหานคร", "name_en": "Bangkok"}
    assert "max-age" in listed.headers["cache-control"]


async def test_a_provinces_districts_and_a_districts_subdistricts_are_listed_under_their_parent(
    make_service, caller
) -> None:
    async with running(make_service("intake")) as url, httpx.AsyncClient(base_url=url) as client:
        districts = (await client.get("/geography/provinces/50/districts", headers=operator(caller))).json()
        subdistricts = (await client.get("/geography/districts/8405/subdistricts", headers=operator(caller))).json()
    assert districts["province"] == {"code": "50", "name_th": "เชียงใหม่", "name_en": "Chiang Mai"}
    assert len(districts["districts"]) == 25 and all(d["code"].startswith("50") for d in districts["districts"])
    assert {"code": "5001", "name_th": "เมืองเชียงใหม่", "name_en": "Mueang Chiang Mai"} in districts["districts"]
    assert subdistricts["district"] == {"code": "8405", "name_th": "เกาะพะงัน", "name_en": "Ko Pha-ngan"}
    assert [s["code"] for s in subdistricts["subdistricts"]] == ["840501", "840502", "840503"]


@pytest.mark.parametrize(("path", "status", "field"), [
    pytest.param("/geography/provinces/99/districts", 404, "path.province_code", id="unknown province"),
    pytest.param("/geography/districts/1099/subdistricts", 404, "path.district_code", id="abolished district"),
    pytest.param("/geography/provinces/1/districts", 422, "path.province_code", id="one digit"),
    pytest.param("/geography/districts/10a1/subdistricts", 422, "path.district_code", id="not digits"),
])
async def test_an_unknown_or_malformed_code_is_refused_naming_its_field(make_service, caller, path: str,
                                                                       status: int, field: str) -> None:
    async with running(make_service("intake")) as url, httpx.AsyncClient(base_url=url) as client:
        refused = await client.get(path, headers=operator(caller))
    assert refused.status_code == status and refused.headers["content-type"] == "application/problem+json"
    error = refused.json()["errors"][0]
    assert error["field"] == field and error["message_en"] and error["message_th"]


async def test_only_a_role_that_may_report_may_read_the_list(make_service, caller) -> None:
    async with running(make_service("intake")) as url, httpx.AsyncClient(base_url=url) as client:
        answers = {role: (await client.get("/geography/provinces", headers=caller("unit-1", role))).status_code
                   for role in (Role.AUDITOR, Role.ADMINISTRATOR, Role.AGENCY_SYSTEM, Role.TAMBON_CENTRE_OFFICER)}
        anonymous = await client.get("/geography/provinces")
    assert answers == {Role.AUDITOR: 403, Role.ADMINISTRATOR: 403, Role.AGENCY_SYSTEM: 200,
                       Role.TAMBON_CENTRE_OFFICER: 200}
    assert anonymous.status_code == 401
