"""Location codes are checked against the official DOPA list (the geothai package) and named."""

import geothai
import pytest

from saphan_runtime.errors import DomainError
from services.intake.geography import Area, check_location, describe

PROVINCE = "body.location.province_code"
DISTRICT = "body.location.district_code"
SUBDISTRICT = "body.location.subdistrict_code"


@pytest.mark.parametrize(("province", "district", "subdistrict"), [
    pytest.param("10", "1001", "100101", id="Bangkok / Phra Nakhon / Phra Borom Maha Ratchawang"),
    pytest.param("50", "5001", "500101", id="Chiang Mai / Mueang Chiang Mai / Si Phum"),
    pytest.param("50", "5006", "500601", id="Chiang Mai / Mae Taeng / San Maha Phon"),
    pytest.param("84", "8405", "840503", id="Surat Thani / Ko Pha-ngan / Ko Tao"),
    pytest.param("50", None, None, id="province only"),
    pytest.param("50", "5001", None, id="province and district only"),
])
def test_a_real_location_whose_codes_nest_is_accepted(province: str, district: str | None,
                                                      subdistrict: str | None) -> None:
    check_location(province, district, subdistrict)


@pytest.mark.parametrize(("province", "district", "subdistrict", "field", "message"), [
    pytest.param("99", None, None, PROVINCE,
                 "unknown province code 99 / ไม่พบรหัสจังหวัด 99", id="unknown province"),
    pytest.param("99", "5001", "500101", PROVINCE,
                 "unknown province code 99 / ไม่พบรหัสจังหวัด 99", id="unknown province comes first"),
    pytest.param("50", "5099", None, DISTRICT,
                 "unknown district code 5099 / ไม่พบรหัสอำเภอ 5099", id="unknown district"),
    pytest.param("10", "1099", None, DISTRICT,
                 "unknown district code 1099 / ไม่พบรหัสอำเภอ 1099", id="abolished district"),
    pytest.param("50", "1001", None, DISTRICT,
                 "district 1001 is not in province 50 / อำเภอ 1001 ไม่อยู่ในจังหวัด 50", id="district of another province"),
    pytest.param("10", "1001", "100199", SUBDISTRICT,
                 "unknown subdistrict code 100199 / ไม่พบรหัสตำบล 100199", id="unknown subdistrict"),
    pytest.param("50", "5002", "500201", SUBDISTRICT,
                 "unknown subdistrict code 500201 / ไม่พบรหัสตำบล 500201", id="abolished subdistrict"),
    pytest.param("10", "1001", "500101", SUBDISTRICT,
                 "subdistrict 500101 is not in district 1001 / ตำบล 500101 ไม่อยู่ในอำเภอ 1001",
                 id="subdistrict of a district in another province"),
    pytest.param("50", "5002", "500101", SUBDISTRICT,
                 "subdistrict 500101 is not in district 5002 / ตำบล 500101 ไม่อยู่ในอำเภอ 5002",
                 id="subdistrict of another district in the same province"),
    pytest.param("50", None, "500101", SUBDISTRICT,
                 "subdistrict 500101 needs a district code / ต้องระบุรหัสอำเภอของตำบล 500101",
                 id="subdistrict without district"),
])
def test_a_location_with_an_unknown_or_misplaced_code_is_refused_naming_the_field(
        province: str, district: str | None, subdistrict: str | None, field: str, message: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_location(province, district, subdistrict)
    assert refused.value.field == field
    assert str(refused.value) == message


def test_the_official_list_has_77_provinces_928_districts_and_7436_subdistricts() -> None:
    provinces = geothai.provinces()
    districts = [d for p in provinces for d in geothai.districts(p.code)]
    subdistricts = [s for d in districts for s in geothai.subdistricts(d.code)]
    assert (len(provinces), len(districts), len(subdistricts)) == (77, 928, 7436)


def test_every_listed_subdistrict_is_accepted_with_its_district_and_province() -> None:
    for p in geothai.provinces():
        for d in geothai.districts(p.code):
            for s in geothai.subdistricts(d.code):
                check_location(p.code, d.code, s.code)


def test_describe_gives_thai_and_english_names_at_every_level() -> None:
    assert describe("10", "1001", "100101") == Area(
        province_code="10", province_name_th="กรุงเทพมหานคร", province_name_en="Bangkok",
        district_code="1001", district_name_th="เขตพระนคร", district_name_en="Phra Nakhon",
        subdistrict_code="100101", subdistrict_name_th="พระบรมมหาราชวัง",
        subdistrict_name_en="Phra Borom Maha Ratchawang",
    )
    assert describe("50", "5001", "500101") == Area(
        province_code="50", province_name_th="เชียงใหม่", province_name_en="Chiang Mai",
        district_code="5001", district_name_th="เมืองเชียงใหม่", district_name_en="Mueang Chiang Mai",
        subdistrict_code="500101", subdistrict_name_th="ศรีภูมิ", subdistrict_name_en="Si Phum",
    )


@pytest.mark.parametrize(("district", "expected"), [
    pytest.param(None, Area("84", "สุราษฎร์ธานี", "Surat Thani"), id="province only"),
    pytest.param("8405", Area("84", "สุราษฎร์ธานี", "Surat Thani", "8405", "เกาะพะงัน", "Ko Pha-ngan"),
                 id="province and district"),
])
def test_describe_leaves_the_levels_the_report_left_out_empty(district: str | None, expected: Area) -> None:
    assert describe("84", district, None) == expected
