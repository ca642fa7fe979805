"""Write services/referral/agencies.json: one provincial office, shelter and prosecutor's office per province
(names from the DOPA list) and the pilot tambon coordination centres. Run it again to regenerate the file; an
administrator then edits units (contacts, beds, areas) through referral's API."""

import json
from pathlib import Path

import geothai

OUT = Path(__file__).resolve().parents[1] / "services" / "referral" / "agencies.json"
SHELTER_BEDS = 30
# Pilot tambon centres (subdistrict of the centre → the subdistricts it serves).
TAMBON_CENTRES = {
    "100101": ["100101", "100102", "100103"],
    "500101": ["500101", "500102", "500103", "500104"],
    "840503": ["840503"],
}


def provincial_units(code: str, th: str, en: str) -> list[dict[str, object]]:
    """Return the three province-wide units of one province."""
    serves = {"provinces": [code], "subdistricts": []}
    return [
        {"unit_id": f"msdhs-{code}", "kind": "provincial_msdhs_office", "serves": serves,
         "name_th": f"สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด{th}",
         "name_en": f"{en} Provincial Office of Social Development and Human Security"},
        {"unit_id": f"shelter-{code}", "kind": "children_family_shelter", "serves": serves, "beds": SHELTER_BEDS,
         "name_th": f"บ้านพักเด็กและครอบครัวจังหวัด{th}", "name_en": f"{en} Children and Family Shelter"},
        {"unit_id": f"prosecutor-{code}", "kind": "juvenile_family_prosecutor", "serves": serves,
         "name_th": f"สำนักงานอัยการคดีเยาวชนและครอบครัวจังหวัด{th}",
         "name_en": f"{en} Juvenile and Family Prosecutor's Office"},
    ]


def tambon_unit(code: str, serves: list[str]) -> dict[str, object]:
    """Return one tambon coordination centre."""
    subdistrict = geothai.subdistrict(code)
    assert subdistrict is not None, code
    return {"unit_id": f"tambon-{code}", "kind": "tambon_coordination_centre",
            "serves": {"provinces": [], "subdistricts": serves},
            "name_th": f"ศูนย์ประสานงานอัยการคุ้มครองสิทธิเด็ก เยาวชนและสถาบันครอบครัว ตำบล{subdistrict.name_th}",
            "name_en": f"Prosecutor's Coordination Centre, {subdistrict.name_en} Subdistrict"}


def main() -> None:
    """Write the registry file."""
    units = [unit for p in geothai.provinces() for unit in provincial_units(p.code, p.name_th, p.name_en)]
    units += [tambon_unit(code, serves) for code, serves in TAMBON_CENTRES.items()]
    OUT.write_text(json.dumps({"version": 1, "units": units}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(units)} units to {OUT}")


if __name__ == "__main__":
    main()
